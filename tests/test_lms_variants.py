"""Sign-error, sign-data, sign-sign and leaky LMS: first steps by hand, theory vs simulation."""
import math

import numpy as np
import pytest

import gainsim
from gainsim import theory
from gainsim.estimators.lms_variants import (SIGN_DATA, SIGN_ERROR, SIGN_SIGN, LeakyLmsData,
                                             SignLmsData, leaky_lms_observe, sign_lms_observe)

X = np.array([[1.0, -2.0], [0.5, 0.0]])
D = np.array([1.0, -1.0])


def _two_steps(observe, data, eta):
    """Apply the two samples with a constant gain: theta += -eta g."""
    th, g, c, x = np.zeros(2), np.empty(2), np.empty(2), np.empty(2)
    out = []
    for i in range(2):
        e, loss, te = observe(data, np.empty(0), i, th, True, g, c, x)
        th = th - eta * g
        out.append((e, th.copy()))
    return out


def test_sign_error_first_steps_by_hand():
    # sample 0: e = 1 - 0 = 1, theta = 0.1 * sgn(1) * (1, -2) = (0.1, -0.2)
    # sample 1: e = -1 - (0.1*0.5 + 0) = -1.05, theta += 0.1 * (-1) * (0.5, 0) -> (0.05, -0.2)
    (e0, th0), (e1, th1) = _two_steps(sign_lms_observe, SignLmsData(X, D, SIGN_ERROR), 0.1)
    assert e0 == 1.0 and th0.tolist() == pytest.approx([0.1, -0.2], abs=1e-15)
    assert e1 == pytest.approx(-1.05) and th1.tolist() == pytest.approx([0.05, -0.2], abs=1e-15)


def test_sign_data_first_steps_by_hand():
    # sample 0: theta = 0.1 * 1 * (1, -1) = (0.1, -0.1)
    # sample 1: e = -1 - 0.05 = -1.05, theta += 0.1 * (-1.05) * (1, 0) -> (-0.005, -0.1)
    (_, th0), (e1, th1) = _two_steps(sign_lms_observe, SignLmsData(X, D, SIGN_DATA), 0.1)
    assert th0.tolist() == pytest.approx([0.1, -0.1], abs=1e-15)
    assert e1 == pytest.approx(-1.05) and th1.tolist() == pytest.approx([-0.005, -0.1], abs=1e-15)


def test_sign_sign_first_steps_by_hand():
    # every weight moves by exactly ±0.1 or 0: (0.1, -0.1), then (0.0, -0.1) (sgn 0 = 0)
    (_, th0), (_, th1) = _two_steps(sign_lms_observe, SignLmsData(X, D, SIGN_SIGN), 0.1)
    assert th0.tolist() == pytest.approx([0.1, -0.1], abs=1e-15)
    assert th1.tolist() == pytest.approx([0.0, -0.1], abs=1e-15)


def test_leaky_lms_first_steps_by_hand():
    # theta = (1 - eta*leak) theta + eta e x with eta = 0.1, leak = 2: the factor is 0.8
    # sample 0: theta = 0.1 * 1 * (1, -2) = (0.1, -0.2)
    # sample 1: e = -1 - 0.05 = -1.05; theta = 0.8 (0.1, -0.2) + 0.1 (-1.05)(0.5, 0)
    #           = (0.08 - 0.0525, -0.16) = (0.0275, -0.16)
    (_, th0), (e1, th1) = _two_steps(leaky_lms_observe, LeakyLmsData(X, D, 2.0), 0.1)
    assert th0.tolist() == pytest.approx([0.1, -0.2], abs=1e-15)
    assert e1 == pytest.approx(-1.05) and th1.tolist() == pytest.approx([0.0275, -0.16], abs=1e-15)


def _scenario(estimator, gain, samples, theta_star=(1.0, -0.5, 0.25, 0.0), noise=0.1,
              replicas=4):
    return {"name": "variant", "plant": {"kind": "fir", "taps": 4, "noise_std": noise,
                                          "theta_star": list(theta_star)},
            "stream": {"rate": 1000.0}, "run": {"samples": samples, "replicas": replicas,
                                                 "seed": 3},
            "metrics": {"steady_state_window": 0.5},
            "policy": [{"estimator": estimator, "gain": gain}]}


def test_leaky_lms_converges_to_the_biased_mean_weights():
    # R = I, leak 0.5: theory says E theta -> theta* / 1.5 (each weight shrinks by 1/(1+0.5))
    result = gainsim.run(_scenario({"kind": "leaky_lms", "leak": 0.5}, 0.01, 20000))
    expected = theory.leaky_lms_mean_weights(np.eye(4), 0.5, [1.0, -0.5, 0.25, 0.0])
    assert expected.tolist() == pytest.approx([2 / 3, -1 / 3, 1 / 6, 0.0])
    got = np.array(result.summary["policies"][0]["theta_final"])
    # fluctuation per weight ~ sqrt(eta sigma_v² / 2 / replicas) ≈ 0.004 plus the bias
    # noise of the input: 0.02 absolute is a few standard deviations
    assert got == pytest.approx(expected, abs=0.02)
    p = result.summary["policies"][0]
    # bias error bᵀRb = |theta*|² (1/3)² = 1.3125/9 = 0.14583, plus noise 0.01 (+ 0.0002)
    assert p["predicted_steady_state_tracking_error"] == pytest.approx(0.01 + 1.3125 / 9 + 0.0002)
    assert p["steady_state_tracking_error"] == pytest.approx(
        p["predicted_steady_state_tracking_error"], rel=0.1)
    assert p["stability_bound"] == pytest.approx(2 / 1.5)


def test_sign_error_steady_state_matches_the_energy_relation():
    # 4 taps, R = I, sigma_v = 0.1, eta = 0.005: a = 0.005 * 4 * sqrt(pi/8) = 0.012533,
    # zeta = (a² + sqrt(a⁴ + 4 a² 0.01)) / 2 = 0.0013343, E e² = 0.0113343
    a = 0.005 * 4 * math.sqrt(math.pi / 8)
    zeta = 0.5 * (a * a + math.sqrt(a**4 + 4 * a * a * 0.01))
    assert theory.sign_error_steady_state_emse(0.005, 4.0, 0.01) == pytest.approx(zeta)
    assert zeta == pytest.approx(0.0013343, rel=1e-4)
    result = gainsim.run(_scenario("sign_error", 0.005, 20000))
    p = result.summary["policies"][0]
    assert p["predicted_steady_state_tracking_error"] == pytest.approx(0.01 + zeta)
    # tolerance: 3 % of E e² (the run's 95 % CI is about ±1 %; the theory is small-η)
    assert p["steady_state_tracking_error"] == pytest.approx(0.01 + zeta, rel=0.03)
    assert p["stability_bound"] is None          # no fixed step bound


def test_sign_error_without_noise_settles_at_a_squared():
    assert theory.sign_error_steady_state_emse(0.01, 2.0, 0.0) == pytest.approx(
        (0.01 * 2.0 * math.sqrt(math.pi / 8)) ** 2)


@pytest.mark.parametrize("estimator", ["sign_data", "sign_sign"])
def test_sign_data_variants_learn_the_plant(estimator):
    result = gainsim.run(_scenario(estimator, 0.002, 20000, replicas=1))
    theta = np.array(result.summary["policies"][0]["theta_final"])
    # sign-sign's residual is of order eta per weight; both end close to theta*
    assert theta == pytest.approx([1.0, -0.5, 0.25, 0.0], abs=0.05)
