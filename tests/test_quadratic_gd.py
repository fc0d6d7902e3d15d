"""Gradient descent on the seed example L = w² (H = 2) against its closed form."""
import numpy as np
import pytest

import gainsim
from gainsim.engine.sim import simulate

GOLDILOCKS = """
name = "gl"
[plant]
kind = "quadratic"
eigenvalues = [2.0]
theta0 = [5.0]
[stream]
rate = 1.0
packet = {packet}
[run]
samples = 80
[metrics]
grid = 80
{policies}
"""


def _scenario(etas, packet=1024):
    pol = "\n".join(f'[[policy]]\nname = "eta={e}"\nestimator = "gd"\ngain = {e}\n' for e in etas)
    return gainsim.loads(GOLDILOCKS.format(policies=pol, packet=packet))


@pytest.mark.parametrize("packet", [1, 7, 1024])
def test_gd_matches_closed_form(packet):
    etas = [0.01, 0.1, 0.5, 0.9]
    trace = simulate(_scenario(etas, packet), np.random.SeedSequence(0))
    k = np.arange(81)
    for p, eta in enumerate(etas):
        w = 5.0 * (1.0 - 2.0 * eta) ** k          # w_k = w0 (1 - 2 eta)^k
        np.testing.assert_allclose(trace.misalignment[p], w**2, rtol=1e-12, atol=1e-300)
        # the tracking error of interval k is the a-priori loss L(w_{k-1}) = w_{k-1}²
        np.testing.assert_allclose(trace.err_sum[p], w[:-1] ** 2, rtol=1e-12, atol=1e-300)


def test_deadbeat_gain_converges_in_one_step():
    trace = simulate(_scenario([0.5]), np.random.SeedSequence(0))
    assert trace.misalignment[0, 0] == 25.0 and np.all(trace.misalignment[0, 1:] == 0.0)


def test_gain_above_two_over_lambda_diverges_and_others_go_on():
    res = gainsim.run(_scenario([0.1, 1.1]))
    good, bad = res.policies
    assert not good.diverged and good.final_misalignment < 1e-10
    assert bad.diverged and bad.diverged_replicas == 1
    # |w_k| = 5 * 1.2^k first exceeds the divergence norm 1e6 at k = 67
    k = int(np.ceil(np.log(1e6 / 5) / np.log(1.2)))
    assert bad.diverged_at == pytest.approx(float(k))
    assert bad.updates == k


def test_ill_conditioned_bowl_from_hessian():
    text = """
    name = "bowl"
    [plant]
    kind = "quadratic"
    hessian = [[10.0, 0.0], [0.0, 1.0]]
    theta0 = [1.0, 1.0]
    [run]
    samples = 30
    [metrics]
    grid = 30
    [[policy]]
    name = "opt"
    estimator = "gd"
    gain = 0.18181818181818182   # 2 / (lambda_min + lambda_max)
    """
    import textwrap
    trace = simulate(gainsim.loads(textwrap.dedent(text)), np.random.SeedSequence(0))
    # both modes contract by |1 - eta lambda| = 9/11 per step
    k = np.arange(31)
    expected = 2 * (9 / 11) ** (2 * k)
    np.testing.assert_allclose(trace.misalignment[0], expected, rtol=1e-9)
