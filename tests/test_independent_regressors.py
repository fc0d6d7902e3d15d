"""Independent Gaussian regressors: the exact Gaussian theory holds; on a tapped delay
line the same forms are first-order in η and are not given near the bound."""
import numpy as np
import pytest

import gainsim
from gainsim.api import as_scenario
from gainsim.predict.explain import explain_text
from gainsim.predict.policies import predictions

N = 16
LMS_BOUND = 2 / (N + 2)        # 2/((n+2)σ²) with σ = 1


def _scenario(input_kind: str, estimator: str, gains, samples=20000, noise=0.1):
    return as_scenario({
        "name": "iid", "plant": {"kind": "fir", "taps": N, "noise_std": noise,
                                 "input": {"kind": input_kind}},
        "stream": {"rate": 1000.0}, "run": {"samples": samples, "replicas": 8, "seed": 2},
        "metrics": {"steady_state_window": 0.5},
        "policy": [{"estimator": estimator, "gain": g} for g in gains]})


def test_independent_lms_matches_the_exact_gaussian_theory_at_0_3_0_7_0_9_of_the_bound():
    gains = [round(f * LMS_BOUND, 6) for f in (0.3, 0.7, 0.9)]
    sc = _scenario("independent", "lms", gains)
    pred = predictions(sc)
    # exact: E e² = σᵥ² + n k, k = η²σᵥ² / (2η − η²(n + 2)) (no drift); η = 0.1 (0.9×):
    # k = 1e-4 / (0.2 − 0.18) = 0.005, E e² = 0.01 + 16 · 0.005 = 0.09
    assert pred[2].predicted_steady_state_tracking_error == pytest.approx(
        0.01 + N * 0.1**2 * 0.01 / (0.2 - 0.01 * 18), rel=1e-6)
    assert all(p.method == "exact, independent Gaussian regressors" for p in pred)
    runs = gainsim.run(sc).summary["policies"]
    # tolerance: 5 % at 0.3× and 0.7× (run CI ≈ ±1–2 %), 10 % at 0.9× (heavy tails there)
    for run, p, tol in zip(runs, pred, (0.05, 0.05, 0.10)):
        assert not run["diverged"] and not run["growing"]
        assert run["steady_state_tracking_error"] == pytest.approx(
            p.predicted_steady_state_tracking_error, rel=tol)


def test_tapped_delay_line_lms_gets_no_prediction_past_the_trusted_range():
    gains = [round(f * LMS_BOUND, 6) for f in (0.3, 0.7, 0.9)]
    sc = _scenario("white", "lms", gains)
    pred = predictions(sc)
    assert pred[0].method == "first-order in η (tapped delay line)"
    assert [p.predicted_steady_state_tracking_error is None for p in pred] == [False, True, True]
    assert [p.regime for p in pred[1:]] == [None, None]      # never "about right" there
    runs = gainsim.run(sc).summary["policies"]
    # at 0.3× the first-order value holds (measured 0.4 %; 5 % tolerance)
    assert runs[0]["steady_state_tracking_error"] == pytest.approx(
        pred[0].predicted_steady_state_tracking_error, rel=0.05)
    # at 0.7× the run is far above what the Gaussian form would say (0.0307) ...
    assert runs[1]["steady_state_tracking_error"] > 2 * 0.0307
    # ... and at 0.9× it is not mean-square stable
    assert runs[2]["diverged"] or runs[2]["growing"] or \
        runs[2]["steady_state_tracking_error"] > 100
    text = explain_text(sc)
    assert "about right" not in text.split("policy")[-1].splitlines()[-1]
    assert "no prediction above 0.4×" in text


@pytest.mark.parametrize("input_kind, tol", [("independent", 0.03), ("white", 0.03)])
def test_nlms_with_the_small_n_correction_at_0_3_0_7_0_9_of_the_bound(input_kind, tol):
    # n = 16: M = μ/(2 − μ) · n/(n − 2) from E[1/|x|²] = 1/((n − 2)σ²); at μ = 1.8
    # E e² = 0.01 (1 + 9 · 16/14) = 0.112857
    sc = _scenario(input_kind, "nlms", [0.6, 1.4, 1.8])
    pred = predictions(sc)
    assert pred[2].predicted_steady_state_tracking_error == pytest.approx(
        0.01 * (1 + 9 * 16 / 14), rel=1e-9)
    runs = gainsim.run(sc).summary["policies"]
    for run, p in zip(runs, pred):
        assert run["steady_state_tracking_error"] == pytest.approx(
            p.predicted_steady_state_tracking_error, rel=tol)


def test_coloured_independent_regressors_follow_their_covariance():
    sc = as_scenario({
        "name": "c", "plant": {"kind": "fir", "taps": 2, "noise_std": 0.0,
                               "input": {"kind": "independent",
                                         "covariance": [[2.0, 0.6], [0.6, 1.0]]}},
        "stream": {"rate": 1.0}, "run": {"samples": 50000},
        "policy": [{"estimator": "lms", "gain": 0.01}]})
    from gainsim.engine.sim import Rngs

    plant = sc.plant
    rngs = Rngs.from_seed(np.random.SeedSequence(0))
    state, theta = plant.init(rngs)
    cols, _ = plant.packet(state, np.arange(1.0, 50001.0), rngs)
    x = cols["x"]
    # sample covariance within 3 standard errors (≈ 0.013 for the 2.0 entry) of R
    assert np.cov(x.T, bias=True) == pytest.approx(np.array([[2.0, 0.6], [0.6, 1.0]]), abs=0.04)
    assert cols["d"] == pytest.approx(x @ theta)   # noise-free
    # rows are independent: lag-1 correlation ≈ 0 (std 1/√50000 ≈ 0.0045)
    assert abs(np.corrcoef(x[1:, 0], x[:-1, 0])[0, 1]) < 0.02


def test_independent_packets_do_not_depend_on_the_packet_size():
    from gainsim.engine.sim import Rngs

    sc = _scenario("independent", "lms", [0.01])
    one = Rngs.from_seed(np.random.SeedSequence(5))
    two = Rngs.from_seed(np.random.SeedSequence(5))
    s1, _ = sc.plant.init(one)
    s2, _ = sc.plant.init(two)
    t = np.arange(1.0, 11.0)
    a, _ = sc.plant.packet(s1, t, one)
    b1, s2 = sc.plant.packet(s2, t[:4], two)
    b2, _ = sc.plant.packet(s2, t[4:], two)
    # the generator is consumed row by row: the same numbers in one packet or two
    assert np.array_equal(a["x"], np.vstack([b1["x"], b2["x"]]))


def test_noise_free_no_drift_advice_follows_the_predictions():
    sc = _scenario("independent", "lms", [0.01], noise=0.0)
    text = explain_text(sc)
    # 1/((n+2)σ²) = 1/18 = 0.0555556 to 6 significant digits; no "smaller η" advice
    assert "fastest convergence) = 1/((n+2)σ²) = 0.0555556" in text
    assert "smaller η, lower error" not in text
    noisy = explain_text(_scenario("independent", "lms", [0.01]))
    assert "no drift: smaller η, lower error" in noisy
    jumps = as_scenario({"name": "j", "plant": {"kind": "fir", "taps": 2,
                                                 "drift": {"kind": "jumps", "times": [1.0]}},
                         "run": {"duration": 2.0},
                         "policy": [{"estimator": "lms", "gain": 0.01}]})
    assert "no closed form (drift is not a random walk)" in explain_text(jumps)


@pytest.mark.parametrize("inp, message", [
    ({"kind": "independent", "eigenvalues": [1.0]},
     "plant.input.eigenvalues: must have 2 entries (taps) (got 1)"),
    ({"kind": "independent", "covariance": [[1.0, 2.0], [2.0, 1.0]]},
     "plant.input.covariance: must be symmetric positive definite"),
    ({"kind": "independent", "eigenvalues": [1.0, 2.0], "covariance": [[1.0, 0], [0, 1.0]]},
     "plant.input.covariance: give at most one of eigenvalues and covariance"),
])
def test_bad_independent_input_is_one_line(inp, message):
    from gainsim.scenario import ScenarioError

    with pytest.raises(ScenarioError) as err:
        as_scenario({"name": "b", "plant": {"kind": "fir", "taps": 2, "input": inp},
                     "run": {"duration": 1.0}, "policy": [{"estimator": "lms", "gain": 0.1}]})
    assert message in str(err.value)
