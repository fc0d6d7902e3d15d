"""Every compiled gain law against a hand-computed first few steps or a closed form.

Two harnesses: the Python ``policy.step(state, Obs(...))`` (the same compiled law the
engine runs) on chosen x, e, and tiny deterministic scenarios through
:func:`gainsim.engine.sim.simulate` on the quadratic plant L = w² (H = 2, w0 = 5, rate 1,
no noise, grid = samples), where ``trace.misalignment[p, k]`` is w_k².
"""
import math
import textwrap

import numpy as np
import pytest
import scipy.linalg

import gainsim
from gainsim.gains import Obs
from gainsim.gains.adagrad import Adagrad, RmsProp
from gainsim.gains.adam import Adam
from gainsim.gains.autostep import Autostep
from gainsim.gains.hypergradient import AdamHd, SgdHd
from gainsim.gains.idbd import Idbd
from gainsim.gains.momentum import Momentum, Nesterov
from gainsim.gains.normalized import NlmsGain, Polyak
from gainsim.gains.plateau import Plateau
from gainsim.gains.trackers import Kalman, Rls
from gainsim.gains.vss import Benveniste, MathewsXie, Vss
from gainsim.engine.sim import simulate

QUAD = """
name = "q"
[plant]
kind = "quadratic"
eigenvalues = [2.0]
theta0 = [5.0]
[stream]
rate = 1.0
[run]
samples = {samples}
[metrics]
grid = {samples}
{policies}
"""


def quad_w2(*gains, samples=3):
    """w_k² (k = 0..samples) for GD on L = w² from w0 = 5, one row per gain table."""
    pol = "\n".join(f'[[policy]]\nname = "p{i}"\nestimator = "gd"\ngain = {g}\n'
                    for i, g in enumerate(gains))
    scen = gainsim.loads(QUAD.format(samples=samples, policies=pol))
    return simulate(scen, np.random.SeedSequence(0))


def lms_obs(x, e, k=0):
    """What the LMS estimator hands a policy: g = -e x, loss = ½e²."""
    x = np.asarray(x, dtype=float)
    return Obs(k=k, t=float(k), x=x, e=float(e), grad=-e * x, loss=0.5 * e * e)


def grad_obs(g, loss=1.0, k=0):
    return Obs(k=k, t=float(k), x=None, e=math.nan, grad=np.asarray(g, dtype=float), loss=loss)


def run(policy, obs_seq, n):
    """``(eta, step)`` after each observation, through the Python protocol."""
    state, out = policy.init(n), []
    for obs in obs_seq:
        eta, state = policy.step(state, obs)
        out.append((np.array(eta, dtype=float), state.step.copy()))
    return out


def law_events(policy, obs_seq, n):
    """Events the compiled law returns for each observation (the kernel adds them up)."""
    comp = policy.compile(None, n)
    rows, step, eta, out = comp.state.copy(), np.empty(n), np.empty(n), []
    for k, obs in enumerate(obs_seq):
        x = np.zeros(n) if obs.x is None else np.asarray(obs.x, float)
        c = x * x if obs.x is not None else np.ones(n)
        out.append(type(policy).law(comp.params, rows, np.asarray(obs.grad, float), c, x,
                                    obs.e, obs.loss, 0.0, k, step, eta))
    return out


# ----------------------------------------------------------------------------- schedules, Adam
def test_scheduled_gain_follows_its_schedule_on_the_quadratic():
    trace = quad_w2('{kind = "step", eta0 = 0.1, step_size = 2, gamma = 0.5}')
    # eta = 0.1, 0.1, 0.05: w1 = 5(1 - 0.2) = 4, w2 = 4 * 0.8 = 3.2, w3 = 3.2 * (1 - 0.1) = 2.88
    np.testing.assert_allclose(trace.misalignment[0], [25.0, 16.0, 3.2**2, 2.88**2], rtol=1e-12)


def test_adam_first_step_is_minus_eta_sign_g():
    (eta1, s1), (eta2, s2) = run(Adam(eta=1e-3), [grad_obs([4.0, -0.5]), grad_obs([2.0, 1.0])], 2)
    # m1 = 0.1 g, v1 = 0.001 g²; m_hat = g, v_hat = g² -> step = -eta g/|g|
    np.testing.assert_allclose(s1, [-1e-3, 1e-3], rtol=1e-7)
    np.testing.assert_allclose(eta1, [1e-3 / 4.0, 1e-3 / 0.5], rtol=1e-7)
    # second weight: m2 = 0.9*0.1*(-0.5) + 0.1*1 = 0.055, m_hat = 0.055/0.19
    # v2 = 0.999*0.001*0.25 + 0.001*1 = 0.00124975, v_hat = v2/0.001999
    m_hat, v_hat = 0.055 / 0.19, 0.00124975 / 0.001999
    assert s2[1] == pytest.approx(-1e-3 * m_hat / (math.sqrt(v_hat) + 1e-8), rel=1e-12)


def test_adam_on_the_quadratic_moves_eta_first():
    trace = quad_w2('{kind = "adam", eta = 0.5}', samples=1)
    assert trace.misalignment[0, 1] == pytest.approx(4.5**2, rel=1e-7)  # w1 = 5 - 0.5


# ----------------------------------------------------------------------------- IDBD, Autostep
def test_idbd_first_two_steps_by_hand():
    pol = Idbd(meta_rate=0.1, eta0=0.05)
    (eta1, s1), (eta2, s2) = run(pol, [lms_obs([1.0, 2.0], 0.5), lms_obs([1.0, -1.0], 1.0)], 2)
    # step 1: h = 0 so beta does not move; alpha = 0.05; step = alpha e x = [0.025, 0.05]
    np.testing.assert_allclose(eta1, [0.05, 0.05], rtol=1e-12)
    np.testing.assert_allclose(s1, [0.025, 0.05], rtol=1e-12)
    # h = alpha e x = [0.025, 0.05]; step 2 (e = 1, x = [1, -1]):
    # dbeta = meta e x h = 0.1 * [0.025, -0.05] -> alpha = 0.05 exp([0.0025, -0.005])
    alpha = 0.05 * np.exp([0.0025, -0.005])
    np.testing.assert_allclose(eta2, alpha, rtol=1e-12)
    np.testing.assert_allclose(s2, alpha * [1.0, -1.0], rtol=1e-12)


def test_autostep_first_three_steps_by_hand():
    mu, tau = 0.1, 10.0
    pol = Autostep(meta_rate=mu, tau=tau, eta0=0.1)
    obs = [lms_obs([1.0, 2.0], 1.0), lms_obs([1.0, 1.0], 2.0), lms_obs([3.0, 3.0], 1.0)]
    (eta1, s1), (eta2, s2), (eta3, s3) = run(pol, obs, 2)
    # step 1: h = v = 0 -> alpha unchanged; M = max(0.1*1 + 0.1*4, 1) = 1
    np.testing.assert_allclose(eta1, [0.1, 0.1])
    np.testing.assert_allclose(s1, [0.1, 0.2])              # alpha delta x
    h = np.array([0.1, 0.2])                                 # h = alpha delta x
    # step 2: delta x h = 2*[1,1]*h = [0.2, 0.4]; v = max(|.|, 0 + 0.1*1*(|.| - 0)/10) = |.|
    # alpha *= exp(mu * dxh / v) = exp(0.1); M = max(2 * 0.1 e^0.1, 1) = 1
    a2 = 0.1 * math.exp(0.1)
    np.testing.assert_allclose(eta2, [a2, a2], rtol=1e-12)
    np.testing.assert_allclose(s2, [2 * a2, 2 * a2], rtol=1e-12)
    v = np.array([0.2, 0.4])
    h = h * (1 - a2) + 2 * a2
    # step 3 (x = [3, 3], e = 1, x² = 9): dxh = 3 h; v uses the alpha before the change
    dxh = 3.0 * h
    v = np.maximum(np.abs(dxh), v + a2 * 9.0 * (np.abs(dxh) - v) / tau)
    alpha = a2 * np.exp(mu * dxh / v)
    m = max(np.sum(alpha * 9.0), 1.0)                        # about 2.1: normalisation bites
    assert m > 1.0
    np.testing.assert_allclose(eta3, alpha / m, rtol=1e-12)
    np.testing.assert_allclose(s3, alpha / m * 3.0, rtol=1e-12)


# ----------------------------------------------------------------------------- RLS, Kalman
def _lms_loop(policy, X, d):
    """Apply ``policy`` as the LMS estimator would; return the final theta and steps."""
    theta, state, steps = np.zeros(X.shape[1]), policy.init(X.shape[1]), []
    for k, (x, dk) in enumerate(zip(X, d)):
        e = dk - theta @ x
        _, state = policy.step(state, lms_obs(x, e, k))
        theta = theta + state.step
        steps.append(state.step)
    return theta, np.array(steps)


def test_rls_first_step_is_regularised_nlms():
    pol = Rls(forgetting_factor=0.9, delta=0.5)
    ((eta, s),) = run(pol, [lms_obs([1.0, 2.0], 3.0)], 2)
    # P0 = I/delta, pi = x/delta, gamma = lam + |x|²/delta -> step = x e / (lam delta + |x|²)
    np.testing.assert_allclose(s, np.array([1.0, 2.0]) * 3.0 / (0.45 + 5.0), rtol=1e-12)
    np.testing.assert_allclose(eta, [2.0 / (0.9 + 10.0)] * 2, rtol=1e-12)   # P0_ii / gamma


def test_rls_with_unit_forgetting_is_batch_least_squares():
    rng = np.random.default_rng(0)
    X, d = rng.standard_normal((8, 3)), rng.standard_normal(8)
    theta, _ = _lms_loop(Rls(forgetting_factor=1.0, delta=1e-9), X, d)
    ref = scipy.linalg.lstsq(X, d)[0]
    np.testing.assert_allclose(theta, ref, rtol=1e-6, atol=1e-8)


def test_rls_covariance_stays_symmetric_and_follows_the_textbook_recursion():
    # Haykin (2014) ch. 10, in numpy on the full matrix: pi = P x, gamma = lam + xᵀpi,
    # P <- (P - pi piᵀ / gamma) / lam. The law updates the two triangles with different
    # expressions that must give the same numbers: P stays exactly symmetric.
    rng = np.random.default_rng(7)
    n, lam = 5, 0.98
    pol = Rls(forgetting_factor=lam, delta=0.1)
    state, P, theta = pol.init(n), np.eye(n) / 0.1, np.zeros(n)
    for k in range(200):
        x, e = rng.standard_normal(n), rng.standard_normal()
        eta, state = pol.step(state, lms_obs(x, e, k))
        pi = P @ x
        gamma = lam + x @ pi
        np.testing.assert_allclose(eta, np.diag(P) / gamma, rtol=1e-9)
        np.testing.assert_allclose(state.step, pi / gamma * e, rtol=1e-9, atol=1e-12)
        P = (P - np.outer(pi, pi) / gamma) / lam
        covariance = state.rows[:n]
        assert np.array_equal(covariance, covariance.T)
    np.testing.assert_allclose(state.rows[:n], P, rtol=1e-8, atol=1e-12)
    np.testing.assert_allclose(state.rows[n], pi, rtol=1e-9)  # the scratch row: the last P x


def test_kalman_without_drift_is_rls_with_delta_r_over_p0():
    # P_K = r P_R is preserved: r P - r² P x xᵀP/(r + r xᵀPx) = r (P - P x xᵀP/(1 + xᵀPx)),
    # and K = r P_R x / (r (1 + xᵀ P_R x)) is the RLS gain; P_K(0) = p0 I = r I/delta.
    rng = np.random.default_rng(1)
    X, d = rng.standard_normal((10, 3)), rng.standard_normal(10)
    r, p0 = 0.5, 2.0
    th_k, st_k = _lms_loop(Kalman(q=0.0, r=r, p0=p0), X, d)
    th_r, st_r = _lms_loop(Rls(forgetting_factor=1.0, delta=r / p0), X, d)
    np.testing.assert_allclose(st_k, st_r, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(th_k, th_r, rtol=1e-10)


def test_kalman_first_step_by_hand():
    ((eta, s),) = run(Kalman(q=0.5, r=2.0, p0=1.0), [lms_obs([1.0, 1.0], 2.0)], 2)
    # P- = 1.5 I; K = 1.5 x / (1.5 * 2 + 2) = 0.3 x; step = K e = [0.6, 0.6]
    np.testing.assert_allclose(s, [0.6, 0.6], rtol=1e-12)
    np.testing.assert_allclose(eta, [0.3, 0.3], rtol=1e-12)


# ----------------------------------------------------------------------------- momentum
def test_heavy_ball_by_hand():
    out = run(Momentum(eta=0.1, beta=0.5), [grad_obs([1.0]), grad_obs([1.0]), grad_obs([-2.0])], 1)
    # v1 = -0.1; v2 = 0.5 * -0.1 - 0.1 = -0.15; v3 = 0.5 * -0.15 + 0.2 = 0.125; step = v
    np.testing.assert_allclose([o[1][0] for o in out], [-0.1, -0.15, 0.125], rtol=1e-12)
    assert all(o[0][0] == 0.1 for o in out)


def test_heavy_ball_matches_its_closed_form_on_the_quadratic():
    eta, beta, N = 0.1, 0.2, 30
    trace = quad_w2(f'{{kind = "momentum", eta = {eta}, beta = {beta}}}', samples=N)
    # w1 = (1 - 2 eta) w0 = 4; w2 = 4 + 0.2 (4 - 5) - 0.2 * 4 = 3.0
    np.testing.assert_allclose(trace.misalignment[0, :3], [25.0, 16.0, 9.0], rtol=1e-12)
    # w_{k+1} = (1 + beta - 2 eta) w_k - beta w_{k-1}: w_k = A r1^k + B r2^k
    r1, r2 = np.roots([1.0, -(1.0 + beta - 2.0 * eta), beta]).astype(complex)
    A, B = np.linalg.solve([[1, 1], [r1, r2]], [5.0, 4.0])
    k = np.arange(N + 1)
    w = (A * r1**k + B * r2**k).real
    np.testing.assert_allclose(trace.misalignment[0], w**2, rtol=1e-9)


def test_nesterov_pytorch_form_by_hand():
    (e1, s1), (e2, s2) = run(Nesterov(eta=0.1, beta=0.9), [grad_obs([1.0]), grad_obs([2.0])], 1)
    # b1 = 1, step = -0.1 (1 + 0.9) = -0.19; b2 = 0.9 + 2 = 2.9, step = -0.1 (2 + 2.61)
    np.testing.assert_allclose([s1[0], s2[0]], [-0.19, -0.461], rtol=1e-12)
    assert e1[0] == e2[0] == 0.1
    trace = quad_w2('{kind = "nesterov", eta = 0.1, beta = 0.9}', samples=2)
    # g0 = 10: b = 10, w1 = 5 - 0.1 (10 + 9) = 3.1; g1 = 6.2: b = 15.2, w2 = 3.1 - 1.988
    np.testing.assert_allclose(trace.misalignment[0], [25.0, 3.1**2, 1.112**2], rtol=1e-12)


# ----------------------------------------------------------------------------- AdaGrad, RMSProp
def test_adagrad_by_hand():
    (e1, s1), (e2, s2) = run(Adagrad(eta=0.1), [grad_obs([3.0, -4.0]), grad_obs([4.0, 3.0])], 2)
    # G = [9, 16]: step = -eta g/|g| = [-0.1, 0.1]; then G = [25, 25]: step = -0.1 g / 5
    np.testing.assert_allclose(s1, [-0.1, 0.1], rtol=1e-9)
    np.testing.assert_allclose(e1, [0.1 / 3, 0.1 / 4], rtol=1e-9)
    np.testing.assert_allclose(s2, [-0.08, -0.06], rtol=1e-9)


def test_rmsprop_by_hand():
    (e1, s1), (e2, s2) = run(RmsProp(eta=0.01, rho=0.99), [grad_obs([2.0]), grad_obs([1.0])], 1)
    # v = 0.01 * 4 = 0.04: step = -0.01 * 2/0.2 = -0.1 (= -eta/sqrt(1 - rho))
    assert s1[0] == pytest.approx(-0.1, rel=1e-7)
    # v = 0.99 * 0.04 + 0.01 = 0.0496: step = -0.01/sqrt(0.0496)
    assert s2[0] == pytest.approx(-0.01 / (math.sqrt(0.0496) + 1e-8), rel=1e-12)
    assert e2[0] == pytest.approx(0.01 / (math.sqrt(0.0496) + 1e-8), rel=1e-12)


# ----------------------------------------------------------------------------- hypergradient
def test_sgd_hd_by_hand_and_its_clip_event():
    pol = SgdHd(eta0=0.5, hyper_rate=0.1)
    obs = [grad_obs([2.0]), grad_obs([1.0]), grad_obs([-10.0])]
    out = run(pol, obs, 1)
    # alpha1 = 0.5 (g_prev = 0); alpha2 = 0.5 + 0.1 * 1 * 2 = 0.7; alpha3 = 0.7 - 0.1*10 < 0 -> 0
    np.testing.assert_allclose([o[0][0] for o in out], [0.5, 0.7, 0.0], rtol=1e-12)
    np.testing.assert_allclose([o[1][0] for o in out], [-1.0, -0.7, 0.0], rtol=1e-12)
    assert law_events(pol, obs, 1) == [0, 0, 1]


def test_sgd_hd_clip_is_counted_by_the_engine():
    trace = quad_w2('{kind = "sgd_hd", eta0 = 0.9, hyper_rate = 0.1}', samples=3)
    # w1 = 5 - 0.9*10 = -4; g1 = -8: alpha = 0.9 + 0.1 * (-8)(10) < 0 -> clip, w2 = -4;
    # g2 = -8: alpha = 0 + 0.1 * 64 = 6.4, w3 = -4 + 6.4 * 8 = 47.2
    np.testing.assert_allclose(trace.misalignment[0], [25.0, 16.0, 16.0, 47.2**2], rtol=1e-12)
    assert trace.events[0] == 1


def test_adam_hd_by_hand():
    pol = AdamHd(eta0=0.01, hyper_rate=0.1)
    obs = [grad_obs([2.0]), grad_obs([1.0]), grad_obs([-50.0])]
    (e1, s1), (e2, s2), (e3, s3) = run(pol, obs, 1)
    # u0 = 0 -> alpha1 = 0.01; Adam's first step: u1 = 2/(2 + 1e-8) ~ 1, step = -0.01 u1
    u1 = 2.0 / (2.0 + 1e-8)
    assert s1[0] == pytest.approx(-0.01 * u1, rel=1e-12)
    # alpha2 = 0.01 + 0.1 * 1 * u1; m_hat = 0.28/0.19, v_hat = 0.004996/0.001999
    a2 = 0.01 + 0.1 * u1
    u2 = (0.28 / 0.19) / (math.sqrt(0.004996 / 0.001999) + 1e-8)
    assert s2[0] == pytest.approx(-a2 * u2, rel=1e-12)
    assert e2[0] == pytest.approx(a2 / (math.sqrt(0.004996 / 0.001999) + 1e-8), rel=1e-12)
    # alpha3 = a2 - 0.1 * 50 * u2 < 0 -> clipped: no step, one event
    assert s3[0] == 0.0 and e3[0] == 0.0
    assert law_events(pol, obs, 1) == [0, 0, 1]


# ----------------------------------------------------------------------------- Polyak, plateau
def test_polyak_on_lms_is_nlms_with_half_and_capped():
    ((eta, s),) = run(Polyak(), [lms_obs([1.0, 2.0], 0.5)], 2)
    # loss = 0.125, |g|² = 0.25 * 5 -> eta = 0.1 = 1/(2|x|²); step = eta e x
    np.testing.assert_allclose(eta, [0.1, 0.1], rtol=1e-12)
    np.testing.assert_allclose(s, [0.05, 0.1], rtol=1e-12)
    ((eta, _),) = run(Polyak(eta_max=1.0), [lms_obs([0.1], 1.0)], 1)
    assert eta[0] == 1.0                                     # 1/(2 * 0.01) = 50, capped


def test_polyak_on_the_quadratic_is_half_deadbeat():
    trace = quad_w2('{kind = "polyak"}', samples=3)
    # eta = w²/(2w)² = 1/4 = 1/(2 lambda): pole 1 - 2 * 0.25 = 1/2
    np.testing.assert_allclose(trace.misalignment[0], 25.0 * 0.25 ** np.arange(4), rtol=1e-12)


def test_plateau_cuts_after_a_block_without_improvement_then_cools_down():
    pol = Plateau(eta0=1.0, factor=0.5, patience=2, threshold=0.0, cooldown=1)
    losses = [4.0, 4.0, 5.0, 5.0, 9.0, 1.0, 1.0, 3.0, 3.0]
    obs = [grad_obs([1.0], loss=lo, k=k) for k, lo in enumerate(losses)]
    etas = [o[0][0] for o in run(pol, obs, 1)]
    # block [4, 4]: mean 4 < inf -> best 4; block [5, 5]: 5 >= 4 -> cut to 0.5 after update 4
    # update 5 (loss 9) is the cooldown; block [1, 1]: best 1; block [3, 3]: cut to 0.25
    assert etas == [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5, 0.5]
    assert law_events(pol, obs, 1) == [0, 0, 0, 1, 0, 0, 0, 0, 1]


# ----------------------------------------------------------------------------- LMS step rules
def test_nlms_gain_by_hand_and_equal_to_the_nlms_estimator():
    ((eta, s),) = run(NlmsGain(mu=0.5), [lms_obs([1.0, 2.0], 0.5)], 2)
    np.testing.assert_allclose(eta, [0.5 / (1e-6 + 5.0)] * 2, rtol=1e-12)
    np.testing.assert_allclose(s, 0.5 / (1e-6 + 5.0) * 0.5 * np.array([1.0, 2.0]), rtol=1e-12)
    text = """
    name = "n"
    [plant]
    kind = "fir"
    taps = 4
    noise_std = 0.1
    drift = { kind = "random_walk", std = 0.01 }
    [run]
    samples = 300
    [metrics]
    grid = 300
    [[policy]]
    name = "estimator"
    estimator = "nlms"
    gain = 0.5
    [[policy]]
    name = "gain"
    estimator = "lms"
    gain = { kind = "nlms_gain", mu = 0.5 }
    """
    trace = simulate(gainsim.loads(textwrap.dedent(text)), np.random.SeedSequence(3))
    np.testing.assert_allclose(trace.err_sum[1], trace.err_sum[0], rtol=1e-10)
    np.testing.assert_allclose(trace.misalignment[1], trace.misalignment[0], rtol=1e-10)


def test_vss_uses_the_gain_from_earlier_errors_and_clamps():
    pol = Vss(alpha=0.5, gamma=0.1, eta_min=0.01, eta_max=0.2)
    obs = [lms_obs([1.0], e) for e in (1.0, 0.1, 0.0, 0.0, 0.0, 0.0, 0.0)]
    out = run(pol, obs, 1)
    # mu0 = mu_max = 0.2 for sample 1; mu' = 0.5*0.2 + 0.1*1 = 0.2; then 0.1 + 0.001 = 0.101,
    # then halving (e = 0): 0.0505, 0.02525, 0.012625, then 0.0063 -> clamped to 0.01
    np.testing.assert_allclose([o[0][0] for o in out],
                               [0.2, 0.2, 0.101, 0.0505, 0.02525, 0.012625, 0.01], rtol=1e-12)
    np.testing.assert_allclose(out[1][1], [0.2 * 0.1], rtol=1e-12)   # step = mu e x


def test_mathews_xie_by_hand():
    pol = MathewsXie(eta0=0.05, meta_rate=0.1, eta_min=0.0, eta_max=0.2)
    obs = [lms_obs([1.0, 0.0], 1.0), lms_obs([1.0, 1.0], 2.0), lms_obs([1.0, -2.0], 1.0)]
    out = run(pol, obs, 2)
    # 1: no previous e x -> mu = 0.05, step = 0.05 * [1, 0]
    # 2: mu = 0.05 + 0.1 * 2 * (1 * [1,0]·[1,1]) = 0.25 -> clamped 0.2; step = 0.2 * 2 * [1, 1]
    # 3: mu = 0.2 + 0.1 * 1 * (2 * [1,1]·[1,-2]) = 0.0: no step
    np.testing.assert_allclose([o[0][0] for o in out], [0.05, 0.2, 0.0], atol=1e-15)
    np.testing.assert_allclose(out[0][1], [0.05, 0.0])
    np.testing.assert_allclose(out[1][1], [0.4, 0.4])
    np.testing.assert_allclose(out[2][1], [0.0, 0.0], atol=1e-15)


def test_benveniste_by_hand():
    pol = Benveniste(eta0=0.05, meta_rate=0.1, eta_min=0.0, eta_max=1.0)
    obs = [lms_obs([1.0, 0.0], 1.0), lms_obs([1.0, 1.0], 2.0), lms_obs([1.0, -1.0], 1.0)]
    out = run(pol, obs, 2)
    # 1: psi = 0 -> mu = 0.05, step [0.05, 0]; psi = 0 - 0 + 1 * [1, 0]
    # 2: x·psi = 1 -> mu = 0.05 + 0.1 * 2 * 1 = 0.25; step = 0.5 [1, 1];
    #    psi = [1, 0] - 0.25 [1, 1] * 1 + 2 [1, 1] = [2.75, 1.75]
    # 3: x·psi = 1 -> mu = 0.25 + 0.1 * 1 * 1 = 0.35 (Mathews-Xie would keep 0.25)
    np.testing.assert_allclose([o[0][0] for o in out], [0.05, 0.25, 0.35], rtol=1e-12)
    np.testing.assert_allclose(out[2][1], [0.35, -0.35], rtol=1e-12)
    mx = run(MathewsXie(eta0=0.05, meta_rate=0.1, eta_max=1.0), obs, 2)
    assert mx[2][0][0] == pytest.approx(0.25)


def test_per_parameter_gain_first_steps_by_hand():
    from gainsim.gains.per_parameter import PerParameter

    gain = PerParameter(eta=(0.1, 0.0, 0.5))
    state = gain.init(3)
    g = np.array([1.0, 2.0, -4.0])
    eta, state = gain.step(state, Obs(k=0, t=0.0, x=None, e=0.0, grad=g, loss=0.0))
    # step_j = -eta_j g_j = (-0.1, 0, 2.0); the gain vector is recorded as it is
    assert eta.tolist() == [0.1, 0.0, 0.5]
    assert state.step.tolist() == pytest.approx([-0.1, 0.0, 2.0])
    # in the engine: a zero gain freezes its weight at theta0; the others learn
    raw = {"name": "pp", "plant": {"kind": "fir", "taps": 3, "noise_std": 0.0,
                                   "theta_star": [1.0, 1.0, -1.0], "theta0": [0.0, 1.0, 0.0],
                                   "input": {"kind": "independent"}},
           "run": {"samples": 2000}, "stream": {"rate": 1000.0},
           "policy": [{"estimator": "lms",
                       "gain": {"kind": "per_parameter", "eta": [0.1, 0.0, 0.1]}}]}
    res = gainsim.run(raw)
    theta = res.summary["policies"][0]["theta_final"]
    assert theta[1] == 1.0                       # frozen where it started (= theta*_1)
    # noise-free: the two learning weights converge to theta* (per-step contraction
    # about 1 - 0.2 + 0.01·5 = 0.85 in mean square: 2000 steps leave nothing)
    assert theta[0] == pytest.approx(1.0, abs=1e-9) and theta[2] == pytest.approx(-1.0, abs=1e-9)
    assert res.curves["eta_vector_mean"][0, -1].tolist() == [0.1, 0.0, 0.1]


def test_per_parameter_gain_bad_input_is_one_line():
    from gainsim.scenario import ScenarioError

    def problems(eta):
        raw = {"name": "pp", "plant": {"kind": "fir", "taps": 3}, "run": {"samples": 10},
               "policy": [{"estimator": "lms", "gain": {"kind": "per_parameter", "eta": eta}}]}
        with pytest.raises(ScenarioError) as err:
            gainsim.run(raw)
        return str(err.value)

    assert "policy[0].gain.eta: needs at least one positive gain" in problems([0.0, 0.0, 0.0])
    assert "policy[0].gain.eta: must have 3 entries (the plant's parameters) (got 2)" in \
        problems([0.1, 0.1])
    assert "policy[0].gain.eta: must be >= 0 (got [0.1, -0.1, 0.0])" in problems([0.1, -0.1, 0.0])
