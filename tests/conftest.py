
import pytest

import gainsim


FIR_TEMPLATE = """
name = "t"
[plant]
kind = "fir"
taps = {taps}
noise_std = {noise_std}
input = {input}
drift = {drift}
[stream]
rate = {rate}
arrivals = "{arrivals}"
latency = {latency}
dropout = {dropout}
packet = {packet}
[run]
samples = {samples}
replicas = {replicas}
seed = {seed}
[metrics]
grid = {grid}
steady_state_window = {window}
{policies}
"""

DEFAULTS = dict(taps=4, noise_std=0.1, input='{kind = "white"}', drift='{kind = "none"}',
                rate=1.0, arrivals="periodic", latency=0.0, dropout=0.0, packet=1024,
                samples=200, replicas=1, seed=3, grid=200, window=0.5,
                policies='[[policy]]\nname = "a"\nestimator = "lms"\ngain = 0.05\n')


def fir_scenario(**kw):
    """A FIR scenario with a few settings changed."""
    values = {**DEFAULTS, **kw}
    return gainsim.loads(FIR_TEMPLATE.format(**values), source="test.toml")


@pytest.fixture
def make_fir():
    return fir_scenario


def policies(*pairs):
    """``[[policy]]`` tables from (estimator, eta) pairs."""
    out = []
    for i, (est, eta) in enumerate(pairs):
        out.append(f'[[policy]]\nname = "p{i}"\nestimator = "{est}"\ngain = {eta}\n')
    return "\n".join(out)
