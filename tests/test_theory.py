"""Tests for gainsim.theory: hand-worked cases, optimality cross-checks and Monte Carlo checks.

Monte Carlo tests use fixed seeds chosen once (never tuned) and tolerances of >= 3 standard
errors, estimated in the comment next to each.
"""

import dataclasses

import numpy as np
import pytest
from scipy.optimize import minimize_scalar
from scipy.signal import lfilter

from gainsim import theory as th


# --- gradient descent ------------------------------------------------------------------------

def test_gd_poles_hand():
    # eta = 0.1, lam = [1, 10]: 1 - 0.1*1 = 0.9, 1 - 0.1*10 = 0.0
    np.testing.assert_allclose(th.gd_poles(0.1, [1.0, 10.0]), [0.9, 0.0], atol=1e-15)


def test_gd_poles_accepts_matrix():
    # diag(1, 10) has eigenvalues 1, 10 -> same poles (eigvalsh sorts ascending)
    np.testing.assert_allclose(th.gd_poles(0.1, np.diag([10.0, 1.0])), [0.9, 0.0], atol=1e-15)


def test_gd_bounds_hand():
    assert th.gd_stability_bound([1.0, 10.0]) == pytest.approx(0.2)  # 2/10
    assert th.deadbeat_gain(4.0) == pytest.approx(0.25)  # 1/4
    assert th.gd_poles(th.deadbeat_gain(4.0), [4.0])[0] == pytest.approx(0.0)
    with pytest.raises(ValueError):
        th.deadbeat_gain(0.0)


def test_gd_optimal_gain_hand_and_equal_ripple():
    # lam = [1, 10]: eta = 2/11 = 0.181818..., kappa = 10, rate = 9/11 = 0.818181...
    opt = th.gd_optimal_gain([1.0, 10.0])
    assert isinstance(opt, th.GainRate)
    assert opt.eta == pytest.approx(2 / 11)
    assert opt.rate == pytest.approx(9 / 11)
    # poles at eta*: 1 - 2/11 = 9/11 and 1 - 20/11 = -9/11 (equal modulus)
    np.testing.assert_allclose(th.gd_poles(opt.eta, [1.0, 10.0]), [9 / 11, -9 / 11])
    with pytest.raises(dataclasses.FrozenInstanceError):
        opt.eta = 1.0


def test_gd_optimal_gain_is_minimax():
    lam = [0.5, 2.0, 7.0]
    opt = th.gd_optimal_gain(lam)
    res = minimize_scalar(lambda e: np.max(np.abs(th.gd_poles(e, lam))), bounds=(1e-6, 2 / 7),
                          method="bounded", options={"xatol": 1e-10})
    assert res.x == pytest.approx(opt.eta, abs=1e-6)
    assert res.fun == pytest.approx(opt.rate, abs=1e-6)


def test_heavy_ball_poles_hand():
    # eta = 0.1, beta = 0.5, lam = 1: b = 1 + 0.5 - 0.1 = 1.4; disc = 1.96 - 2 = -0.04;
    # z = (1.4 +- 0.2i)/2 = 0.7 +- 0.1i; |z|^2 = 0.49 + 0.01 = 0.5 = beta
    z = th.heavy_ball_poles(0.1, 0.5, 1.0)
    assert z.shape == (2,)
    np.testing.assert_allclose(sorted(z, key=lambda c: c.imag), [0.7 - 0.1j, 0.7 + 0.1j])
    # beta = 0 reduces to gradient descent: roots {1 - eta*lam, 0}
    z = th.heavy_ball_poles(0.1, 0.0, np.array([1.0, 10.0]))
    assert z.shape == (2, 2)
    np.testing.assert_allclose(np.sort(z.real, axis=-1), [[0.0, 0.9], [0.0, 0.0]], atol=1e-15)


def test_polyak_optimum_hand():
    # lam = [1, 100]: sqrt = 1, 10; eta = 4/11^2 = 4/121 = 0.0330579;
    # kappa = 100, sqrt(kappa) = 10: beta = (9/11)^2 = 81/121 = 0.669421; rate = 9/11
    hb = th.polyak_heavy_ball_optimum([1.0, 100.0])
    assert hb.eta == pytest.approx(4 / 121)
    assert hb.beta == pytest.approx(81 / 121)
    assert hb.rate == pytest.approx(9 / 11)


def test_polyak_optimum_equal_modulus_poles():
    # At Polyak's tuning both extreme modes have a double pole of modulus sqrt(beta)
    # (+sqrt(beta) for lam_min, -sqrt(beta) for lam_max); double roots are only
    # accurate to ~sqrt(machine eps), hence 1e-6.
    hb = th.polyak_heavy_ball_optimum([1.0, 100.0])
    z = th.heavy_ball_poles(hb.eta, hb.beta, np.array([1.0, 100.0]))
    np.testing.assert_allclose(np.abs(z), np.sqrt(hb.beta), atol=1e-6)
    # ... and they are (near-)double real roots +rate and -rate, rate = sqrt(beta) = 9/11
    np.testing.assert_allclose(z, [[9 / 11, 9 / 11], [-9 / 11, -9 / 11]], atol=1e-6)
    # interior modes are no slower
    zi = th.heavy_ball_poles(hb.eta, hb.beta, np.linspace(1.0, 100.0, 50))
    assert np.max(np.abs(zi)) <= np.sqrt(hb.beta) + 1e-6
    # and heavy ball beats the best plain GD rate 99/101
    assert hb.rate < th.gd_optimal_gain([1.0, 100.0]).rate


@pytest.mark.parametrize("eta, label", [
    (0.3, "sluggish"),        # rho = 0.7, 1 - rho = 0.3 < 0.5, eta < 1
    (0.5, "about right"),     # rho = 0.5, 1 - rho = 0.5 >= (1 - 0)/2 (boundary)
    (1.0, "about right"),     # deadbeat
    (1.5, "about right"),     # rho = 0.5 (boundary)
    (1.7, "overshooting"),    # rho = 0.7, eta > eta* = 1
    (2.0, "unstable"),        # rho = 1
    (3.0, "unstable"),
])
def test_gd_regime_scalar(eta, label):
    assert th.gd_regime(eta, [1.0]) == label


@pytest.mark.parametrize("eta, label", [
    # lam = [1, 100]: eta* = 2/101, rho* = 99/101, about right iff 1 - rho >= 1/101
    (0.005, "sluggish"),      # rho = 0.995, 1 - rho = 0.005 < 0.0099
    (2 / 101, "about right"),
    (0.015, "about right"),   # rho = max(0.985, 0.5) = 0.985, 1 - rho = 0.015
    (0.01999, "overshooting"),  # rho = |1 - 1.999| = 0.999
    (0.02, "unstable"),       # eta*lam_max = 2
])
def test_gd_regime_ill_conditioned(eta, label):
    assert th.gd_regime(eta, [1.0, 100.0]) == label


def test_gd_regime_rejects_nonpositive_gain():
    with pytest.raises(ValueError):
        th.gd_regime(0.0, [1.0])


# --- LMS ---------------------------------------------------------------------------------------

R3 = np.diag([1.0, 2.0, 3.0])  # tr R = 6, lam_max = 3


def test_lms_bounds_hand():
    assert th.lms_mean_bound(R3) == pytest.approx(2 / 3)  # 2/3
    assert th.lms_mean_bound([1.0, 2.0, 3.0]) == pytest.approx(2 / 3)
    assert th.lms_mean_square_bound(R3) == pytest.approx(1 / 3)  # 2/6
    assert th.lms_gaussian_white_bound(4, 0.5) == pytest.approx(2 / 3)  # 2/((4+2)*0.5)
    assert th.lms_misadjustment(0.01, R3) == pytest.approx(0.03)  # 0.01*6/2


def test_lms_tracking_hand():
    Q = 1e-4 * np.eye(3)  # tr Q = 3e-4; sigma_v = 0.5 -> sigma_v^2 = 0.25
    # (0.01/2)*0.25*6 + 3e-4/(2*0.01) = 0.0075 + 0.015 = 0.0225
    assert th.lms_excess_mse(0.01, R3, 0.5, Q) == pytest.approx(0.0225)
    assert th.lms_excess_mse(0.01, R3, 0.5) == pytest.approx(0.0075)  # no drift
    # sqrt(3e-4/(0.25*6)) = sqrt(2e-4) = 0.0141421
    assert th.lms_optimal_tracking_gain(R3, 0.5, Q) == pytest.approx(np.sqrt(2e-4))
    assert th.lms_steady_state_tracking_error(0.01, R3, 0.5, Q) == pytest.approx(0.2725)


def test_lms_excess_mse_rejects_scalar_q_for_matrix_r():
    with pytest.raises(ValueError):
        th.lms_excess_mse(0.01, R3, 0.5, Q=1e-4)


def test_lms_optimal_tracking_gain_minimises_excess_mse():
    R = th.ar1_correlation_matrix(4, 0.7, 1.3)
    Q = np.diag([1e-4, 2e-4, 5e-5, 1e-5])
    eta = th.lms_optimal_tracking_gain(R, 0.4, Q)
    res = minimize_scalar(lambda e: th.lms_excess_mse(e, R, 0.4, Q), bounds=(1e-5, 1.0),
                          method="bounded", options={"xatol": 1e-12})
    assert res.x == pytest.approx(eta, rel=1e-5)
    # at the optimum the noise and lag terms are equal
    noise = th.lms_excess_mse(eta, R, 0.4)
    assert th.lms_excess_mse(eta, R, 0.4, Q) == pytest.approx(2 * noise)


def test_lms_white_gaussian_weight_error_hand():
    # eta = 0.1, n = 4, sigma_v = 0.5, q = 1e-3:
    # num = 0.01*0.25 + 0.001 = 0.0035; den = 0.2 - 0.01*6 = 0.14; k = 0.025
    assert th.lms_white_gaussian_weight_error(0.1, 4, 0.5, 1e-3) == pytest.approx(0.025)
    # at/after the exact bound 2/(n+2) = 1/3 the variance diverges
    assert th.lms_white_gaussian_weight_error(1 / 3, 4, 0.5, 1e-3) == np.inf
    assert th.lms_white_gaussian_weight_error(0.5, 4, 0.5, 1e-3) == np.inf


def test_lms_white_gaussian_weight_error_monte_carlo():
    # n = 4, eta = 0.2 (0.6 of the bound 1/3), sigma_v = 0.5, q = 1e-3:
    # k = (0.04*0.25 + 0.001)/(0.4 - 0.04*6) = 0.011/0.16 = 0.06875
    # (the small-gain formula would give 0.011/0.4 = 0.0275, so the (n+2) term matters).
    # 2000 replicas x 400 steps, 100 burn-in (the variance mode decays as 0.84^k);
    # relative standard error ~1% -> tolerance 5%.
    n, eta, sv, q = 4, 0.2, 0.5, 1e-3
    rng = np.random.default_rng(20240611)
    reps, steps, burn = 2000, 400, 100
    target, est = np.zeros((reps, n)), np.zeros((reps, n))
    acc = 0.0
    for k in range(steps):
        if k >= burn:
            acc += np.mean((target - est) ** 2)
        x = rng.standard_normal((reps, n))
        d = np.sum(x * target, axis=1) + sv * rng.standard_normal(reps)
        e = d - np.sum(x * est, axis=1)
        est += eta * e[:, None] * x
        target += np.sqrt(q) * rng.standard_normal((reps, n))
    empirical = acc / (steps - burn)
    assert empirical == pytest.approx(th.lms_white_gaussian_weight_error(eta, n, sv, q), rel=0.05)


# --- input correlation -------------------------------------------------------------------------

def test_ar1_correlation_matrix_hand():
    # n = 3, a = 0.5, sigma = 2: 4 * [[1, .5, .25], [.5, 1, .5], [.25, .5, 1]]
    expected = 4.0 * np.array([[1, 0.5, 0.25], [0.5, 1, 0.5], [0.25, 0.5, 1]])
    np.testing.assert_allclose(th.ar1_correlation_matrix(3, 0.5, 2.0), expected)
    with pytest.raises(ValueError):
        th.ar1_correlation_matrix(3, 1.0)


def test_ar1_correlation_matrix_empirical():
    # Simulate x_k = a x_{k-1} + sqrt(1 - a^2) sigma w_k, 2e5 samples, a = 0.8, sigma = 1.5.
    # Std of a sample autocovariance / sigma^2 ~ sqrt((1 + a^2)/((1 - a^2) N)) ~ 0.005;
    # tolerance 0.02 on the normalised entries (4 standard errors).
    n, a, s, N = 4, 0.8, 1.5, 200_000
    rng = np.random.default_rng(7)
    x = lfilter([np.sqrt(1 - a * a) * s], [1.0, -a], rng.standard_normal(N + 1000))[1000:]
    taps = np.lib.stride_tricks.sliding_window_view(x, n)  # rows = delay-line vectors
    empirical = taps.T @ taps / len(taps)
    np.testing.assert_allclose(empirical / s**2, th.ar1_correlation_matrix(n, a, s) / s**2,
                               atol=0.02)


def test_eigenvalue_spread_hand():
    assert th.eigenvalue_spread(np.diag([1.0, 4.0])) == pytest.approx(4.0)
    # 2-tap AR(1): eigenvalues sigma^2 (1 +- a); a = 0.5 -> 1.5/0.5 = 3
    assert th.eigenvalue_spread(th.ar1_correlation_matrix(2, 0.5, 3.0)) == pytest.approx(3.0)


# --- NLMS --------------------------------------------------------------------------------------

def test_nlms_hand():
    assert th.nlms_bound() == 2.0
    assert th.nlms_misadjustment(1.0) == pytest.approx(1.0)  # 1/(2 - 1)
    assert th.nlms_misadjustment(0.5) == pytest.approx(1 / 3)  # 0.5/1.5
    assert th.nlms_misadjustment(0.5, n=10) == pytest.approx(5 / 12)  # (1/3)*(10/8)
    with pytest.raises(ValueError):
        th.nlms_misadjustment(2.0)
    with pytest.raises(ValueError):
        th.nlms_misadjustment(0.5, n=2)


def test_nlms_optimal_tracking_step_hand():
    """The root of 4 c σ² μ² = tr R tr Q (2 - μ)² in (0, 2), worked by hand."""
    # tr R tr Q = 0.04 (sqrt 0.2), sigma_v = 0.1: mu* = 0.4 / (0.2 + 0.2) = 1
    assert th.nlms_optimal_tracking_step(4.0, 0.01, 0.01) == pytest.approx(1.0, rel=1e-15)
    # factor c = 4: 2 sigma_v sqrt(c) = 0.4, mu* = 0.4 / (0.4 + 0.2) = 2/3
    assert th.nlms_optimal_tracking_step(4.0, 0.01, 0.01, 4.0) == pytest.approx(2 / 3, rel=1e-15)
    assert th.nlms_optimal_tracking_step(4.0, 0.01, 0.0) == 2.0  # no noise: lag only
    with pytest.raises(ValueError):
        th.nlms_optimal_tracking_step(4.0, 0.0, 0.01)  # no drift: no tracking optimum


def test_nlms_optimum_of_quickstart_is_the_exact_minimiser():
    """quickstart (16 white taps, sigma_v = 0.1, random walk 1e-3): mu* worked to 50 digits
    with Decimal from the same formula is 0.139246073482459412704966...; the closed form
    is within an ulp of it, and the tracking error rises on both sides. scipy's bounded
    Brent, which gave this column before, stopped 2.9e-8 away (a minimiser of a flat
    function finds its argument only to about the square root of the rounding error)."""
    import gainsim
    from pathlib import Path

    from gainsim.predict.policies import nlms_optimum, nlms_tracking_error, plant_theory

    pt = plant_theory(gainsim.load(Path(__file__).resolve().parent.parent
                                   / "scenarios" / "quickstart.toml"))
    mu = nlms_optimum(pt)
    assert mu == pytest.approx(0.13924607348245941270, rel=4e-16)
    f = nlms_tracking_error(mu, pt)
    assert nlms_tracking_error(mu * (1 - 1e-3), pt) > f < nlms_tracking_error(mu * (1 + 1e-3), pt)


# --- RLS ---------------------------------------------------------------------------------------

def test_rls_tracking_hand():
    # lambda = 0.99, R = 2 I_2, Q = 1e-4 I_2: tr(QR) = 4e-4, sigma_v^2 = 0.25, n = 2
    # (0.25*0.01*2 + 4e-4/0.01)/2 = (0.005 + 0.04)/2 = 0.0225
    R, Q = 2.0 * np.eye(2), 1e-4 * np.eye(2)
    assert th.rls_tracking_excess_mse(0.99, R, 0.5, Q) == pytest.approx(0.0225)
    # 1 - lambda* = sqrt(4e-4/(0.25*2)) = sqrt(8e-4) = 0.0282843
    assert th.rls_optimal_forgetting(R, 0.5, Q) == pytest.approx(1 - np.sqrt(8e-4))


def test_rls_optimal_forgetting_minimises_excess_mse():
    R = th.ar1_correlation_matrix(3, 0.6)
    Q = np.diag([1e-5, 4e-5, 2e-5])
    lam = th.rls_optimal_forgetting(R, 0.3, Q)
    res = minimize_scalar(lambda f: th.rls_tracking_excess_mse(f, R, 0.3, Q),
                          bounds=(0.5, 1 - 1e-9), method="bounded", options={"xatol": 1e-12})
    assert res.x == pytest.approx(lam, abs=1e-6)


def test_rls_equals_lms_for_identity_input():
    # RLS ~ LMS preconditioned by R^{-1} with gain 1 - lambda; for R = I they coincide
    R, Q = np.eye(3), 3e-5 * np.eye(3)
    assert th.rls_tracking_excess_mse(0.98, R, 0.7, Q) == pytest.approx(
        th.lms_excess_mse(0.02, R, 0.7, Q))


# --- Kalman / local level ----------------------------------------------------------------------

def test_kalman_local_level_hand():
    # q = 1/2: sqrt(q^2 + 4q) = sqrt(2.25) = 1.5, K = (-0.5 + 1.5)/2 = 0.5
    assert th.kalman_steady_state_gain(0.5) == pytest.approx(0.5)
    # Q = 0.5, R = 1: P = (0.5 + sqrt(0.25 + 2))/2 = (0.5 + 1.5)/2 = 1; K = P/(P + R) = 0.5
    assert th.kalman_steady_state_prior_variance(0.5, 1.0) == pytest.approx(1.0)
    # fixed gain 0.5: (0.5*1 + 0.5/0.5)/(2 - 0.5) = 1.5/1.5 = 1 = Kalman P
    assert th.fixed_gain_local_level_error(0.5, 0.5, 1.0) == pytest.approx(1.0)
    # fixed gain 1 (estimate = last y): e = w - v, variance Q + R = 2 for Q = R = 1
    assert th.fixed_gain_local_level_error(1.0, 1.0, 1.0) == pytest.approx(2.0)
    assert th.kalman_steady_state_gain(0.0) == 0.0


def test_fixed_gain_outside_range_is_inf_and_vectorised():
    out = th.fixed_gain_local_level_error(np.array([0.0, 0.5, 2.0, -1.0]), 0.5, 1.0)
    np.testing.assert_array_equal(out, [np.inf, 1.0, np.inf, np.inf])


@pytest.mark.parametrize("Q, R", [(0.5, 1.0), (1e-4, 1.0), (3.0, 0.2)])
def test_kalman_riccati_fixed_point(Q, R):
    P = th.kalman_steady_state_prior_variance(Q, R)
    assert P - P**2 / (P + R) + Q == pytest.approx(P, rel=1e-12)
    assert P / (P + R) == pytest.approx(th.kalman_steady_state_gain(Q / R), rel=1e-12)


@pytest.mark.parametrize("Q, R", [(0.5, 1.0), (1e-4, 1.0), (3.0, 0.2), (0.01, 4.0)])
def test_best_fixed_gain_is_steady_state_kalman_gain(Q, R):
    res = minimize_scalar(lambda e: th.fixed_gain_local_level_error(e, Q, R),
                          bounds=(1e-9, 2 - 1e-9), method="bounded", options={"xatol": 1e-12})
    K = th.kalman_steady_state_gain(Q / R)
    assert res.x == pytest.approx(K, abs=1e-6)
    assert th.fixed_gain_local_level_error(K, Q, R) == pytest.approx(
        th.kalman_steady_state_prior_variance(Q, R), rel=1e-10)


def test_fixed_gain_local_level_monte_carlo():
    # Simulate x_{k+1} = x_k + w_k, y_k = x_k + v_k (Q = 0.1, R = 1), 2e5 steps, and the filter
    # xhat_{k+1} = xhat_k + eta (y_k - xhat_k); prior error e_k = x_k - xhat_k.
    # For eta = 0.1 (slowest) the relative std error of the variance estimate is
    # ~sqrt(2 (1 + 0.81)/(0.19 N)) ~ 1%; tolerance 5%.
    Q, R, N, burn = 0.1, 1.0, 200_000, 1000
    rng = np.random.default_rng(12345)
    x = np.cumsum(np.sqrt(Q) * rng.standard_normal(N))
    y = x + np.sqrt(R) * rng.standard_normal(N)
    for eta in (0.1, 0.5, 1.5):
        xhat = lfilter([0.0, eta], [1.0, -(1.0 - eta)], y)  # uses y_0..y_{k-1}
        empirical = np.mean((x - xhat)[burn:] ** 2)
        assert empirical == pytest.approx(th.fixed_gain_local_level_error(eta, Q, R), rel=0.05)


def test_decaying_gain_error_growth():
    assert th.decaying_gain_error_growth(3.0, 10) == pytest.approx(10.0)  # 3*10/3
    # Monte Carlo: running mean of y_1..y_k tracking a random walk (Q = 1, R = 1), k = 200.
    # Exact: (k-1)(2k-1)/(6k) + R/k = 199*399/1200 + 0.005 = 66.17 vs k/3 = 66.67 (0.8% apart);
    # 10^4 replicas -> relative std error sqrt(2e-4) ~ 1.4%; tolerance 6%.
    k, reps = 200, 10_000
    rng = np.random.default_rng(99)
    x = np.cumsum(rng.standard_normal((reps, k)), axis=1)
    y = x + rng.standard_normal((reps, k))
    err = x[:, -1] - y.mean(axis=1)
    assert np.mean(err**2) == pytest.approx(th.decaying_gain_error_growth(1.0, k), rel=0.06)
