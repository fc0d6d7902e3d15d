r"""Demos on gains that change: ``schedules`` (decay vs drift), ``adaptive`` and ``per_parameter``.

schedules
    1-D bowl with noisy gradients. For any gain sequence the error variance follows the
    exact recursion :func:`gainsim.demos.measure.local_level_variance`; on a fixed target a
    decaying gain (1/k: the running mean) beats every constant gain, on a drifting one its
    error grows like :math:`Qk/3` while the constant gain at the steady Kalman gain holds
    the Kalman floor :math:`\tfrac12(\eta s^2 + Q/\eta)/(2 - \eta)`.

adaptive
    Effective gains on pure-noise gradients (E g² = σᵥ² per weight): Adam and RMSProp
    settle at :math:`\eta/\sigma_v`, AdaGrad decays as :math:`\eta/(\sigma_v\sqrt k)`,
    NLMS averages :math:`\mu E[1/\|x\|^2] = \mu/(n-2)` (χ² with n degrees of freedom).
per_parameter
    On a noise-free diagonal bowl whose minimum keeps flipping, IDBD's meta-gradient
    settles where successive gradients decorrelate, :math:`\eta_i\lambda_i = 1` (the
    diagonal inverse Hessian); Autostep caps :math:`\sum_i\eta_i\lambda_i` at 1, giving
    :math:`1/(n\lambda_i)`; Adam and AdaGrad normalise each weight by its gradient size,
    which, with every mode driven alike, also makes :math:`\eta_i\lambda_i` equal.

References
----------
R. S. Sutton, "Adapting bias by gradient descent: an incremental version of
delta-bar-delta", AAAI 1992; A. R. Mahmood et al., "Tuning-free step-size adaptation",
ICASSP 2012; D. P. Kingma and J. Ba, "Adam", ICLR 2015; J. Duchi, E. Hazan and Y. Singer,
"Adaptive subgradient methods", JMLR 12, 2011. L. Ljung and S. Gunnarsson, "Adaptation
and tracking in system identification — a
survey", Automatica 26(1), 1990; B. Widrow et al., "Stationary and nonstationary
learning characteristics of the LMS adaptive filter", Proc. IEEE 64(8), 1976.
"""
from __future__ import annotations

import numpy as np

from gainsim.demos.base import Demo, Number
from gainsim.demos.measure import local_level_variance
from gainsim.predict.policies import kalman_floor, plant_theory



RECURSION = "mean of ½λP_k, P_{k+1} = (1−η_kλ)²P_k + η_k²s² + Q"


def _replica_tol(replicas: int) -> float:
    """3 standard errors of a mean of squared Gaussian errors that are fully correlated over
    the window (the worst case: a drifting target under a vanishing gain): 3·√(2/R)."""
    return 3.0 * float(np.sqrt(2.0 / replicas))


def _schedule_curve(scenario, i: int) -> np.ndarray:
    """Expected a-priori loss of every sample of policy ``i`` (exact recursion)."""
    plant = scenario.plant
    N = scenario.run.samples
    etas = scenario.policy[i].gain.base_schedule()(np.arange(N))
    std = getattr(plant.drift, "std", 0.0)
    lam = float(plant.eigenvalues[0])
    P = local_level_variance(etas, lam, plant.gradient_noise_std ** 2, std ** 2,
                             float(plant.theta0[0]) - 0.0)
    return 0.5 * lam * P


def _window(scenario) -> slice:
    N = scenario.run.samples
    return slice(int(round((1 - scenario.metrics.steady_state_window) * N)), N)


def schedules_numbers(results_list) -> list[Number]:
    rows = []
    for res in results_list:
        s = res.scenario
        tag = "drifting" if getattr(s.plant.drift, "std", 0.0) else "fixed"
        G, N = s.metrics.grid, s.run.samples
        per = N // G
        w = _window(s)
        for i, policy in enumerate(s.policy):
            sim = res.curves["tracking_error_mean"][i][1:]          # interval means
            sim_window = float(np.mean(sim[w.start // per:]))
            closed = float(np.mean(_schedule_curve(s, i)[w]))
            rows.append(Number(f"{tag} target, {policy.name}: loss, last 25 %", sim_window,
                               closed, RECURSION,
                               _replica_tol(res.replicas)))
        floor = kalman_floor(plant_theory(s))
        if floor is not None and tag == "drifting":
            rows.append(Number("drifting target: Kalman floor (best causal tracker)",
                               None, floor, "½ P⁻ of the steady Kalman filter"))
    return rows


def schedules_figures(results_list) -> dict:
    """``schedules_loss.png``: simulated loss per interval and the exact recursion."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results_list), figsize=(5.6 * len(results_list), 4.2),
                             squeeze=False)
    for ax, res in zip(axes[0], results_list):
        s = res.scenario
        per = s.run.samples // s.metrics.grid
        k = np.arange(s.run.samples)
        for i, policy in enumerate(s.policy):
            ax.semilogy(res.t[1:] * s.stream.rate, res.curves["tracking_error_mean"][i][1:],
                        color=f"C{i}", lw=1.2, label=policy.name)
            ax.semilogy(k[per // 2::per], _schedule_curve(s, i)[per // 2::per], "k:", lw=0.8)
        ax.set(xlabel="update k", ylabel="a-priori loss (mean of replicas)", title=s.name)
        ax.legend(fontsize="x-small")
    fig.suptitle("simulated (colour) vs exact variance recursion (dotted)", fontsize="medium")
    fig.tight_layout()
    return {"schedules_loss.png": fig}


def adaptive_numbers(results_list) -> list[Number]:
    res = results_list[0]
    s = res.scenario
    sigma, n, N = s.plant.noise_std, s.plant.taps, s.run.samples
    eta = res.curves["eta_mean"]
    tail = slice(int(round((1 - s.metrics.steady_state_window) * s.metrics.grid)) + 1, None)
    rows = []
    for i, policy in enumerate(s.policy):
        g = policy.gain
        kind = type(g).kind
        if kind in ("adam", "rmsprop"):
            rows.append(Number(f"{policy.name}: η_eff, last 25 %", float(np.mean(eta[i][tail])),
                               g.eta.eta / sigma, "η/σᵥ", 0.02))
        elif kind == "adagrad":
            rows.append(Number(f"{policy.name}: η_eff at k = {N}", float(eta[i][-1]),
                               g.eta.eta / (sigma * np.sqrt(N)), "η/(σᵥ√k)", 0.02))
        elif kind == "nlms_gain":
            count = res.replicas * (eta[i].size - 1)
            rows.append(Number(f"{policy.name}: mean η_eff", float(np.mean(eta[i][1:])),
                               g.mu.eta / (n - 2), "μ/(n − 2)", 3 * 0.71 / np.sqrt(count)))
        else:
            rows.append(Number(f"{policy.name}: η_eff, last 25 %", float(np.mean(eta[i][tail])),
                               None, "learned (no closed form)"))
    return rows


def per_parameter_numbers(results_list) -> list[Number]:
    res = results_list[0]
    s = res.scenario
    lam = np.asarray(s.plant.eigenvalues, float)
    final = res.curves["eta_vector_mean"][:, -1, :]               # (P, n)
    rows = []
    for i, policy in enumerate(s.policy):
        kind = type(policy.gain).kind
        for j, lj in enumerate(lam):
            if kind == "idbd":
                rows.append(Number(f"{policy.name}: η_{j + 1} (λ = {lj:g})", float(final[i, j]),
                                   1.0 / lj, "1/λᵢ (diagonal inverse Hessian)", 0.01))
            elif kind == "autostep":
                rows.append(Number(f"{policy.name}: η_{j + 1} (λ = {lj:g})", float(final[i, j]),
                                   1.0 / (lam.size * lj), "1/(n λᵢ): Σ ηᵢλᵢ capped at 1",
                                   0.01))
            elif j > 0:
                ratio = final[i, j] * lj / (final[i, 0] * lam[0])
                rows.append(Number(f"{policy.name}: η_{j + 1}λ_{j + 1} / η_1λ_1", float(ratio),
                                   1.0, "1: scale-free step, equal start errors ⇒ ηᵢ = η/(λᵢ·rms e)",
                                   0.02))
    return rows


def _eta_figure(results_list, name: str, title: str, per_weight: bool) -> dict:
    import matplotlib.pyplot as plt

    res = results_list[0]
    s = res.scenario
    fig, ax = plt.subplots(figsize=(8, 4.5))
    k = res.t * s.stream.rate
    for i, policy in enumerate(s.policy):
        if per_weight:
            for j in range(s.plant.n):
                ax.loglog(k[1:], res.curves["eta_vector_mean"][i, 1:, j], color=f"C{i}",
                          ls=("-", "--", ":")[j % 3], label=f"{policy.name} η_{j + 1}")
        else:
            ax.loglog(k[1:], res.curves["eta_mean"][i][1:], color=f"C{i}", label=policy.name)
    if per_weight:
        for lj in s.plant.eigenvalues:
            ax.axhline(1.0 / lj, color="k", lw=0.6, ls=":")
    ax.set(xlabel="update k", ylabel="effective gain η_eff", title=title)
    ax.legend(fontsize="x-small", ncol=2)
    fig.tight_layout()
    return {name: fig}


def adaptive_figures(results_list) -> dict:
    return _eta_figure(results_list, "eta_eff.png", "effective gains side by side", False)


def per_parameter_figures(results_list) -> dict:
    return _eta_figure(results_list, "per_weight_eta.png",
                       "learned per-weight gains; dotted: 1/λᵢ", True)


DEMOS = (
    Demo("per_parameter", "per-parameter gains learn the diagonal inverse Hessian 1/λᵢ "
         "(IDBD, Autostep, Adam, AdaGrad)", ("per_parameter",), per_parameter_numbers,
         per_parameter_figures),
    Demo("schedules", "decaying gains converge on a fixed target but cannot track a drifting "
         "one; a constant η* holds the Kalman floor", ("schedules_fixed", "schedules_drift"),
         schedules_numbers, schedules_figures),
    Demo("adaptive", "Adam, RMSProp, AdaGrad, NLMS and IDBD: their effective gain η_eff(t) "
         "side by side", ("adaptive",), adaptive_numbers, adaptive_figures),
)
