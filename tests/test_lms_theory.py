"""Simulated LMS against small-gain theory (Widrow & Stearns 1985; Haykin 2014)."""
import numpy as np
import pytest

import gainsim
from conftest import fir_scenario, policies
from gainsim import theory


def test_lms_steady_state_excess_mse_matches_small_gain_theory():
    # White input, R = I (tr R = 8), sigma_v = 0.1, eta = 0.005:
    # misadjustment M = eta tr R / 2 = 0.02, excess MSE = M sigma_v² = 2e-4.
    # The exact white-Gaussian value is larger by 1/(1 - eta (n + 2)/2) ≈ 1.026; we
    # allow 10 %. 16 replicas x 100 near-independent snapshots (correlation time
    # 1/eta = 200 samples) give a relative standard error of about 1.5 %.
    scen = fir_scenario(taps=8, samples=40000, rate=1000.0, grid=400, replicas=16, window=0.5,
                        policies=policies(("lms", 0.005)))
    res = gainsim.run(scen)
    predicted = theory.lms_excess_mse(0.005, np.eye(8), 0.1)
    assert predicted == pytest.approx(2e-4)
    # with R = I the excess MSE equals the weight misalignment |theta_hat - theta_star|²
    assert res.policies[0].steady_state_misalignment == pytest.approx(predicted, rel=0.10)
    # the tracking-error estimate of the same quantity is noisier (noise dominates e²)
    assert res.policies[0].excess_mse == pytest.approx(predicted, rel=0.5)


@pytest.mark.parametrize("eta", [0.003, 0.01, 0.03])
def test_lms_tracking_a_random_walk_matches_lag_plus_noise_theory(eta):
    # excess MSE ≈ (eta/2) sigma_v² tr R + tr Q / (2 eta) with Q = 1e-6 I, n = 4:
    # eta = 0.01 (the optimum sqrt(tr Q / (sigma_v² tr R)) = 0.01) gives 2e-4 + 2e-4.
    scen = fir_scenario(taps=4, samples=30000, rate=1000.0, grid=300, replicas=12, window=0.6,
                        drift='{kind = "random_walk", std = 1e-3}',
                        policies=policies(("lms", eta)))
    res = gainsim.run(scen)
    predicted = theory.lms_excess_mse(eta, np.eye(4), 0.1, 1e-6 * np.eye(4))
    assert res.policies[0].steady_state_misalignment == pytest.approx(predicted, rel=0.15)


def test_optimal_tracking_gain_wins():
    scen = fir_scenario(taps=4, samples=30000, rate=1000.0, grid=300, replicas=8, window=0.6,
                        drift='{kind = "random_walk", std = 1e-3}',
                        policies=policies(("lms", 0.002), ("lms", 0.01), ("lms", 0.05)))
    res = gainsim.run(scen)
    mis = [p.steady_state_misalignment for p in res.policies]
    assert mis[1] < mis[0] and mis[1] < mis[2]


def test_ar1_delay_line_has_the_toeplitz_correlation():
    # R_ij = std² a^|i-j| (theory.ar1_correlation_matrix) from 2e5 regressors, tol 0.03
    scen = fir_scenario(taps=5, input='{kind = "ar1", pole = 0.7, std = 2.0}')
    from gainsim.engine.sim import Rngs
    rngs = Rngs.from_seed(np.random.SeedSequence(0))
    state, _ = scen.plant.init(rngs)
    cols, _ = scen.plant.packet(state, np.arange(1.0, 200001.0), rngs)
    empirical = cols["x"].T @ cols["x"] / cols["x"].shape[0]
    expected = theory.ar1_correlation_matrix(5, 0.7, 2.0)
    np.testing.assert_allclose(empirical, expected, atol=0.12)  # 3 % of std² = 4
    np.testing.assert_allclose(scen.plant.input.correlation(5), expected)
