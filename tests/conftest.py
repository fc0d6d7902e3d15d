
import os

import pytest

import gainsim

# the suite's processes already keep both cores busy: no compile-ahead workers and no
# figure helpers on top (tests/test_warmup.py and test_report_figures.py turn them on
# for the tests of them)
os.environ.setdefault("GAINSIM_COMPILE_AHEAD", "0")
os.environ.setdefault("GAINSIM_FIGURE_HELPER", "0")


FIR_TEMPLATE = """
name = "{name}"
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

DEFAULTS = dict(name="t", taps=4, noise_std=0.1, input='{kind = "white"}', drift='{kind = "none"}',
                rate=1.0, arrivals="periodic", latency=0.0, dropout=0.0, packet=1024,
                samples=200, replicas=1, seed=3, grid=200, window=0.5,
                policies='[[policy]]\nname = "a"\nestimator = "lms"\ngain = 0.05\n')


def fir_toml(**kw) -> str:
    """The TOML text of a FIR scenario with a few settings changed."""
    return FIR_TEMPLATE.format(**{**DEFAULTS, **kw})


def fir_scenario(**kw):
    """A FIR scenario with a few settings changed."""
    return gainsim.loads(fir_toml(**kw), source="test.toml")


@pytest.fixture
def make_fir():
    return fir_scenario


def policies(*pairs):
    """``[[policy]]`` tables from (estimator, eta) pairs."""
    out = []
    for i, (est, eta) in enumerate(pairs):
        out.append(f'[[policy]]\nname = "p{i}"\nestimator = "{est}"\ngain = {eta}\n')
    return "\n".join(out)
