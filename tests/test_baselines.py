"""scipy baselines: the mathematical post-conditions, and the engine streaming them.

Line search and quasi-Newton are tested by what they promise (Wolfe inequalities,
the Cauchy step, reaching the minimiser), never by golden numbers.
"""
import json
import pickle
import textwrap

import numpy as np
import pytest

import gainsim
from gainsim.baselines import Bfgs, ExactLineSearch, LeastSquares, Lbfgsb, Newton, Wolfe
from gainsim.baselines.common import Sample, objective
from gainsim.report.text import summary_dict
from gainsim.engine.sim import Rngs, simulate

FIR = """
name = "b"
[plant]
kind = "fir"
taps = 4
noise_std = 0.1
drift = {{ kind = "random_walk", std = 1e-3 }}
[stream]
rate = 100.0
latency = {latency}
[run]
samples = {samples}
replicas = {replicas}
seed = 5
[metrics]
grid = 20
divergence_norm = {limit}
{policies}
"""

QUAD = """
name = "q"
[plant]
kind = "quadratic"
hessian = {hessian}
theta0 = [4.0, -3.0, 2.0]
theta_star = [1.0, 2.0, -1.0]
gradient_noise_std = {noise}
[run]
samples = {samples}
[metrics]
grid = {samples}
{policies}
"""


def _policies(*tables: str, gain: float = 0.05) -> str:
    return "\n".join(f'[[policy]]\nname = "p{i}"\nestimator = {t}\ngain = {gain}\n'
                     for i, t in enumerate(tables))


def fir(*tables, samples=300, replicas=1, latency=0.0, limit=1e6):
    return gainsim.loads(FIR.format(policies=_policies(*tables), samples=samples,
                                    replicas=replicas, latency=latency, limit=limit))


BOWL = [[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 0.4]]


def quad(*tables, samples=20, noise=0.0, gain=0.05, hessian=BOWL):
    return gainsim.loads(QUAD.format(policies=_policies(*tables, gain=gain), samples=samples,
                                     noise=noise, hessian=json.dumps(hessian)))


def samples_of(scenario, m: int, seed: int = 0) -> list[Sample]:
    """The first ``m`` samples a replica measures (zero latency, periodic)."""
    rngs = Rngs.from_seed(np.random.SeedSequence(seed))
    state, _ = scenario.plant.init(rngs)
    cols, _ = scenario.plant.packet(state, np.arange(1, m + 1) / scenario.stream.rate, rngs)
    return [Sample.at(cols, i) for i in range(m)]


def drive(est, scenario, m: int, eta0: float = 0.05):
    """The plain loop over ``est.step``: (update, state before, state after, theta, sample)."""
    plant = scenario.plant
    state, theta = est.init_state(plant.n, plant, eta0), plant.start_estimate()
    out = []
    for sample in samples_of(scenario, m):
        update, new = est.step(state, theta, sample, plant)
        out.append((update, state, new, theta, sample))
        state, theta = new, update.theta
    return out


def est_table(est) -> str:
    """An estimator as an inline TOML table."""
    body = [f'kind = "{type(est).kind}"'] + [f"{k} = {json.dumps(v)}" for k, v in vars(est).items()]
    return "{ " + ", ".join(body) + " }"


# ------------------------------------------------------------------ post-conditions


@pytest.mark.parametrize("loss, make", [("window", fir), ("expected", fir), ("window", quad),
                                        ("expected", quad)])
def test_every_accepted_wolfe_step_satisfies_the_strong_wolfe_conditions(loss, make):
    est = Wolfe(loss=loss, window=8, c1=1e-4, c2=0.5)
    scenario = make('"lms"') if make is fir else make('"gd"', noise=0.3)
    checked = 0
    for update, _, after, theta, sample in drive(est, scenario, 150):
        if update.failed or update.eta is None:
            continue
        obj = objective(loss, after.window, sample, scenario.plant, after.R)
        g = obj.grad(theta)
        p, alpha = -g, update.eta
        np.testing.assert_allclose(update.theta, theta + alpha * p, rtol=1e-12, atol=1e-15)
        assert obj.f(theta + alpha * p) <= obj.f(theta) + est.c1 * alpha * (g @ p) + 1e-15
        assert abs(obj.grad(theta + alpha * p) @ p) <= est.c2 * abs(g @ p) + 1e-12
        checked += 1
    assert checked >= 140


def test_exact_line_search_is_the_cauchy_step_on_a_quadratic():
    # Comparing loss values resolves a minimiser only to ~sqrt(eps)·alpha (the loss is flat
    # to second order there), so the bowl has Cauchy steps alpha <= 1/4: error <~ 4e-9.
    V = np.linalg.qr(np.arange(1.0, 10.0).reshape(3, 3) ** 1.5)[0]
    H = V @ np.diag([4.0, 9.0, 20.0]) @ V.T
    scenario = quad('"gd"', hessian=((H + H.T) / 2).tolist())
    H = scenario.plant.H
    steps = drive(ExactLineSearch(loss="expected"), scenario, 12)
    for update, _, _, theta, sample in steps:
        g = H @ (theta - sample.theta_star)
        if g @ g < 1e-20:
            break
        assert update.eta == pytest.approx(g @ g / (g @ H @ g), abs=1e-8)
        # and it lies between the deadbeat gains of the stiffest and softest modes
        lam = np.linalg.eigvalsh(H)
        assert 1 / lam[-1] - 1e-12 <= update.eta <= 1 / lam[0] + 1e-12


@pytest.mark.parametrize("est", [Bfgs(loss="expected", maxiter=20),
                                 Lbfgsb(loss="expected", maxiter=20), Newton()])
def test_quasi_newton_and_newton_reach_the_minimum_of_the_quadratic(est):
    trace = simulate(quad(est_table(est), samples=6), np.random.SeedSequence(0))
    assert trace.misalignment[0, 0] == pytest.approx(43.0)  # |theta0 - theta_star|²
    assert trace.misalignment[0, -1] < 1e-12
    if isinstance(est, Newton):  # deadbeat: one step
        assert trace.misalignment[0, 1] < 1e-20


def test_bfgs_matrix_gain_approaches_the_inverse_hessian():
    scenario = quad('"gd"')
    steps = drive(Bfgs(loss="expected", maxiter=50, gtol=1e-12), scenario, 1)
    hess_inv = steps[0][2].hess_inv
    # equal to H⁻¹ after n steps only with exact line searches; scipy's are inexact: ~1 %
    np.testing.assert_allclose(hess_inv, np.linalg.inv(scenario.plant.H), rtol=0.02, atol=0.02)


# ------------------------------------------------------------------ failure and fallback


def test_a_failed_wolfe_search_falls_back_to_armijo_and_counts_an_event():
    # amax far below the Wolfe step: scipy stops at maxiter with new_slope None
    est = Wolfe(loss="expected", amax=1e-4, fallback="armijo")
    scenario = quad('"gd"')
    steps = drive(est, scenario, 5, eta0=0.5)
    for update, before, _, theta, sample in steps:
        assert update.failed and update.eta > 0
        obj = objective("expected", before.window, sample, scenario.plant,
                        scenario.plant.curvature())
        g = obj.grad(theta)
        assert update.eta <= 1e-4  # backtracking starts at min(previous, amax)
        assert obj.f(update.theta) <= obj.f(theta) - est.c1 * update.eta * (g @ g)
    trace = simulate(quad(est_table(est), samples=5), np.random.SeedSequence(0))
    assert trace.events[0] == 5 and np.all(np.isfinite(trace.misalignment[0]))


def test_previous_fallback_reuses_the_last_step_never_zero():
    est = Wolfe(loss="expected", amax=1e-4, fallback="previous")
    steps = drive(est, quad('"gd"'), 4, eta0=0.07)
    assert [u.eta for u, *_ in steps] == [0.07] * 4
    assert all(u.failed for u, *_ in steps)


def test_line_search_every_m_updates_reuses_the_step_in_between():
    steps = drive(Wolfe(every=3), fir('"lms"'), 9)
    nfev = [u.nfev for u, *_ in steps]
    assert all(nfev[k] > 0 for k in (0, 3, 6)) and not any(nfev[k] for k in (1, 2, 4, 5, 7, 8))
    assert steps[1][0].eta == steps[0][0].eta and steps[2][0].eta == steps[0][0].eta


# ------------------------------------------------------------------ engine and contracts

ALL = ['{ kind = "wolfe" }', '{ kind = "exact", window = 8 }',
       '{ kind = "bfgs", maxiter = 2 }', '{ kind = "lbfgsb", maxiter = 2 }',
       '{ kind = "least_squares", window = 16 }', '{ kind = "least_squares", mode = "wiener" }']


def test_engine_equals_the_plain_predict_then_learn_loop():
    scenario = fir(*ALL, samples=120)
    trace = simulate(scenario, np.random.SeedSequence(0))  # the seed samples_of uses
    for p, policy in enumerate(scenario.policy):
        steps = drive(policy.estimator, scenario, 120)
        assert trace.err_sum[p].sum() == pytest.approx(sum(u.error for u, *_ in steps),
                                                       rel=1e-12)
        assert trace.updates[p] == 120 and trace.err_cnt[p].sum() == 120
        assert trace.eta[p, -1] == pytest.approx(next(u.eta for u, *_ in reversed(steps)
                                                      if u.eta is not None))
        final = steps[-1][0].theta
        expected = np.sum((final - steps[-1][4].theta_star) ** 2)
        assert trace.misalignment[p, -1] == pytest.approx(expected, rel=1e-9)


def test_baselines_stream_with_jitter_and_stop_when_they_diverge():
    jitter = '{kind = "uniform", low = 0, high = 0.05}'
    trace = simulate(fir('"lms"', *ALL[:2], samples=200, latency=jitter),
                     np.random.SeedSequence(1))
    # samples still in flight at the end are never applied, by the kernels or by Python
    assert np.all(np.isfinite(trace.misalignment)) and np.all(trace.updates == trace.updates[0])
    assert 190 <= trace.updates[0] < 200
    tiny = simulate(fir('{ kind = "least_squares", mode = "wiener" }', limit=0.1),
                    np.random.SeedSequence(2))
    assert np.isfinite(tiny.diverged_at[0]) and tiny.updates[0] == 1
    assert np.isnan(tiny.misalignment[0, -1])


@pytest.mark.parametrize("est", [Wolfe(), ExactLineSearch(), Bfgs(), Lbfgsb(), LeastSquares(),
                                 LeastSquares(mode="wiener")])
def test_conformance_pickles_pure_init_inputs_untouched_deterministic(est):
    assert pickle.loads(pickle.dumps(est)) == est
    scenario = fir('"lms"')
    plant = scenario.plant
    a, b = est.init_state(4, plant, 0.1), est.init_state(4, plant, 0.1)
    assert pickle.dumps(a) == pickle.dumps(b)
    sample = samples_of(scenario, 1)[0]
    theta = np.array([0.1, -0.2, 0.3, 0.0])
    theta_copy, state_bytes = theta.copy(), pickle.dumps(a)
    first, _ = est.step(a, theta, sample, plant)
    second, _ = est.step(a, theta, sample, plant)
    assert np.array_equal(theta, theta_copy) and pickle.dumps(a) == state_bytes
    assert np.array_equal(first.theta, second.theta) and first.error == second.error
    assert first.error == pytest.approx((sample.d - theta @ sample.x) ** 2)  # predict first


def test_loader_accepts_both_plant_families_and_rejects_bad_settings():
    assert type(quad('{ kind = "wolfe" }').policy[0].estimator) is Wolfe
    assert type(fir('{ kind = "wolfe" }').policy[0].estimator) is Wolfe
    with pytest.raises(gainsim.ScenarioError) as err:
        quad('{ kind = "least_squares" }')
    assert "'least_squares' needs a regression plant" in str(err.value)
    with pytest.raises(gainsim.ScenarioError) as err:
        fir('{ kind = "wolfe", c1 = 0.5, c2 = 0.4 }')
    assert "policy[0].estimator.c2: must be > c1 = 0.5 (got 0.4)" in str(err.value)
    with pytest.raises(gainsim.ScenarioError) as err:
        fir('{ kind = "wolfe", loss = "windw" }')
    assert "did you mean 'window'" in str(err.value)


def test_the_policy_gain_is_the_first_and_fallback_step():
    est = '{ kind = "wolfe", loss = "expected", amax = 1e-4, fallback = "previous" }'
    trace = simulate(quad(est, samples=4, gain=0.02), np.random.SeedSequence(0))
    assert trace.eta[0, 0] == 0.02 and trace.eta[0, -1] == 0.02 and trace.events[0] == 4
    with pytest.raises(gainsim.ScenarioError, match="needs direction .* which estimator 'wolfe' does not provide"):
        gainsim.loads(QUAD.format(samples=4, noise=0.0, hessian=BOWL, policies=textwrap.dedent("""
            [[policy]]
            estimator = { kind = "wolfe" }
            gain = { kind = "cosine", eta0 = 0.1, total_steps = 10 }
            """)))


def test_summary_has_theory_and_cost_fields_and_is_valid_json():
    results = gainsim.run(fir('"lms"', '{ kind = "wolfe" }', samples=200, replicas=2))
    summary = summary_dict(results)
    json.dumps(summary, allow_nan=False)
    lms, wolfe = summary["policies"]
    assert lms["stability_bound"] == pytest.approx(2.0)
    assert lms["predicted_steady_state_tracking_error"] > 0.01
    assert wolfe["stability_bound"] is None
    assert wolfe["predicted_steady_state_tracking_error"] is None
    for key in ("function_evals_per_update", "gradient_evals_per_update", "seconds_per_update",
                "line_search_failures"):
        assert key in lms and key in wolfe
