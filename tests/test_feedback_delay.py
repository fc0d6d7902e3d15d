"""stream.feedback_delay: the update uses the gradient at the estimate of D updates ago.

Closed forms (gainsim.theory): the loop is stable iff ηλ < 2 sin(π/(2(2D + 1))), and the
error contracts per update by the spectral radius of z^{D+1} − z^D + ηλ.
"""
import math

import numpy as np
import pytest

import gainsim
from gainsim.predict.zplane import policy_loops, simulated_rate, updates_axis
from gainsim.scenario import ScenarioError
from gainsim.theory import delay_stability_bound, delayed_gd_poles, spectral_radius


def _bowl(delay: int, etas, samples: int, estimator: str = "gd", lam: float = 1.0) -> str:
    policies = "".join(f'\n[[policy]]\nname = "p{i}"\nestimator = "{estimator}"\ngain = {eta!r}\n'
                       for i, eta in enumerate(etas))
    return (f'name = "delay{delay}"\n[plant]\nkind = "quadratic"\neigenvalues = [{lam}]\n'
            f'theta0 = [1.0]\n[stream]\nrate = 1.0\nfeedback_delay = {delay}\n'
            f'[run]\nsamples = {samples}\n[metrics]\ngrid = {samples}\n{policies}')


@pytest.mark.parametrize("delay", [0, 1, 2, 5])
def test_diverges_just_above_and_converges_just_below_the_bound(delay):
    bound = delay_stability_bound(delay)
    below, above = 0.95 * bound, 1.05 * bound
    res = gainsim.run(gainsim.loads(_bowl(delay, [below, above], 4000)))
    stable, unstable = res.policies
    assert not stable.diverged
    assert stable.final_misalignment < 1e-6                # from |θ0|² = 1
    assert unstable.diverged
    # predicted divergence step: |θ_k| ≈ c ρ^k passes 1e6 at k ≈ ln(1e6 / c) / ln ρ
    rho = spectral_radius(delayed_gd_poles(above, 1.0, delay))
    assert unstable.diverged_at == pytest.approx(math.log(1e6) / math.log(rho), rel=0.35)


@pytest.mark.parametrize("delay", [1, 2, 5])
def test_simulated_rate_is_the_spectral_radius(delay):
    bound = delay_stability_bound(delay)
    etas = [0.3 * bound, 0.8 * bound, 1.03 * bound]
    scenario = gainsim.loads(_bowl(delay, etas, 3000))
    res = gainsim.run(scenario)
    k = updates_axis(scenario, res.t)
    for i, lp in enumerate(policy_loops(scenario)):
        assert lp.delay == delay
        rate = simulated_rate(k, res.curves["misalignment_mean"][i])
        assert rate == pytest.approx(lp.spectral_radius, rel=3e-3), (delay, etas[i])


def test_delay_one_is_the_hand_computed_recursion():
    """θ_{k+1} = θ_k − ηλ θ_{k−1} (θ_{−1} = θ_0): 1, 0.5, 0, −0.25, −0.25, −0.125 at ηλ = 0.5."""
    res = gainsim.run(gainsim.loads(_bowl(1, [0.5], 5)))
    path = np.sqrt(res.curves["misalignment_mean"][0])
    assert path == pytest.approx([1.0, 0.5, 0.0, 0.25, 0.25, 0.125], abs=1e-15)


def test_lms_in_the_mean_obeys_the_delay_bound():
    """Delayed LMS on white input (R = I): stable below 2 sin(π/10), unstable above (D = 2)."""
    bound = delay_stability_bound(2)
    text = ('name = "dlms"\n[plant]\nkind = "fir"\ntaps = 4\nnoise_std = 0.0\n'
            '[stream]\nrate = 1.0\nfeedback_delay = 2\n[run]\nsamples = 4000\nreplicas = 2\n'
            f'[metrics]\ngrid = 40\n[[policy]]\nname = "below"\nestimator = "lms"\n'
            f'gain = {0.5 * bound}\n[[policy]]\nname = "above"\nestimator = "lms"\n'
            f'gain = {1.6 * bound}\n')
    res = gainsim.run(gainsim.loads(text))
    assert not res.policies[0].diverged and res.policies[0].final_misalignment < 1e-8
    assert res.policies[1].diverged


def test_zero_delay_is_bit_identical_to_no_setting():
    plain = _bowl(0, [0.3, 0.9], 50).replace("feedback_delay = 0\n", "")
    a = gainsim.run(gainsim.loads(plain))
    b = gainsim.run(gainsim.loads(_bowl(0, [0.3, 0.9], 50)))
    for key in a.curves:
        assert np.array_equal(a.curves[key], b.curves[key], equal_nan=True)


@pytest.mark.parametrize("bad, message", [
    ("feedback_delay = -1", "stream.feedback_delay"),
    ("feedback_delay = 1.5", "stream.feedback_delay"),
])
def test_bad_delay_is_refused(bad, message):
    with pytest.raises(ScenarioError, match=message):
        gainsim.loads(_bowl(1, [0.1], 10).replace("feedback_delay = 1", bad))


def test_estimators_without_a_delayed_loop_refuse_with_one_line():
    text = _bowl(1, [0.1], 10).replace('gain = 0.1', 'gain = { kind = "adam", eta = 0.1 }')
    with pytest.raises(ScenarioError) as err:
        gainsim.loads(text)
    assert "feedback_delay" in str(err.value) and "\n" not in str(err.value).strip()


def test_explain_prints_the_delay_bound():
    from gainsim.predict.explain import explain_text

    text = explain_text(gainsim.loads(_bowl(2, [0.1], 10, lam=2.0)))
    line = next(l for l in text.splitlines() if l.strip().startswith("feedback delay"))
    assert "0.618" in line and "η < 0.309" in line        # 2 sin(π/10) / λ with λ = 2
    assert "feedback delay" not in explain_text(gainsim.loads(_bowl(0, [0.1], 10)))
