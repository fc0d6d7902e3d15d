r"""Demos on deterministic bowls: ``goldilocks`` (1-D) and ``curvature`` (2-D, κ = 20).

goldilocks
    On :math:`L(w) = \tfrac12 f'' w^2` gradient descent multiplies the error by the pole
    :math:`1 - \eta f''` each step, so reaching 1 % of the initial loss takes
    :math:`\lceil \ln 0.01 / (2\ln|1 - \eta f''|) \rceil` steps; :math:`\eta = 1/f''` is
    deadbeat and :math:`\eta > 2/f''` diverges, passing :math:`|w| > 10^6` at step
    :math:`\lfloor \ln(10^6/|w_0|)/\ln|1-\eta f''| \rfloor + 1`.
curvature
    With eigenvalues :math:`\lambda_{\min}, \lambda_{\max}` the gain is capped at
    :math:`2/\lambda_{\max}` while the slowest mode contracts by
    :math:`\max_i|1-\eta\lambda_i| \ge (\kappa-1)/(\kappa+1)`; Newton is deadbeat and
    heavy ball at Polyak's optimum contracts by :math:`(\sqrt\kappa-1)/(\sqrt\kappa+1)`.

References
----------
B. T. Polyak, *Introduction to Optimization*, Optimization Software, 1987, ch. 1 and 3.
"""
from __future__ import annotations

import math

import numpy as np

from gainsim.demos.base import Demo, Number
from gainsim.demos.measure import (divergence_step, estimates, first_step, gd_misalignment,
                                   misalignment, steps_to_fraction)
from gainsim.predict.zplane import policy_loops, simulated_rate, updates_axis

LOSS_FRACTION = 0.01      # goldilocks: steps to 1 % of the initial loss
CURVATURE_TOL = 1e-6      # curvature: steps to 1e-6 of the initial misalignment


def _eta(policy) -> float:
    return float(policy.gain.eta)


def goldilocks_numbers(results_list) -> list[Number]:
    res = results_list[0]
    s = res.scenario
    lam, w0 = float(s.plant.eigenvalues[0]), float(s.plant.theta0[0])
    limit = s.metrics.divergence_norm
    rows = [Number("Goldilocks gain 1/f''", _eta(s.policy[_fastest(res)]), 1.0 / lam,
                   "fastest policy vs 1/f''", 1e-12),
            Number("stability bound 2/f''", None, 2.0 / lam, "η < 2/f''")]
    for i, policy in enumerate(s.policy):
        pole = 1.0 - _eta(policy) * lam
        m = misalignment(res, i)
        rows.append(Number(f"{policy.name}: pole |w₁/w₀|", math.sqrt(m[1] / m[0]), abs(pole),
                           "|1 − η f''|", 1e-12))
        p = res.policies[i]
        if abs(pole) >= 1.0:
            rows.append(Number(f"{policy.name}: diverges at step", p.diverged_at,
                               float(divergence_step(pole, w0, limit)),
                               "⌊ln(10⁶/|w₀|)/ln|1 − ηf''|⌋ + 1", 1e-12))
            continue
        closed = 1.0 if pole == 0 else float(math.ceil(math.log(LOSS_FRACTION)
                                                       / (2.0 * math.log(abs(pole)))))
        rows.append(Number(f"{policy.name}: steps to 1 % of L₀",
                           _float(steps_to_fraction(res, i, LOSS_FRACTION)), closed,
                           "⌈ln 0.01 / (2 ln|1 − ηf''|)⌉", 1e-12))
    return rows


def _fastest(res) -> int:
    steps = [steps_to_fraction(res, i, LOSS_FRACTION) for i in range(len(res.policies))]
    return min((s, i) for i, s in enumerate(steps) if s is not None)[1]


def _float(x) -> float | None:
    return None if x is None else float(x)


def goldilocks_figures(results_list) -> dict:
    """``bowl.png``: the iterates bouncing across the bowl, and the loss per step."""
    import matplotlib.pyplot as plt

    res = results_list[0]
    s = res.scenario
    lam, w0 = float(s.plant.eigenvalues[0]), float(s.plant.theta0[0])
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    w = np.linspace(-1.3 * abs(w0), 1.3 * abs(w0), 200)
    left.plot(w, 0.5 * lam * w**2, color="0.4", lw=1)
    paths = estimates(s)[:, :9, 0]                       # simulated iterates w_0 … w_8
    for i, policy in enumerate(s.policy):
        path = paths[i][np.abs(paths[i]) < 1.3 * abs(w0)]
        left.plot(path, 0.5 * lam * path**2, "o-", ms=4, lw=1, color=f"C{i}", label=policy.name)
        loss = res.curves["tracking_error_mean"][i][1:]
        right.semilogy(np.arange(loss.size), loss, "o", ms=3, color=f"C{i}", label=policy.name)
        k = np.arange(loss.size)
        right.semilogy(k, 0.5 * lam * w0**2 * (1 - _eta(policy) * lam) ** (2.0 * k), "-",
                       lw=0.8, color=f"C{i}")
    left.set(xlabel="w", ylabel="L(w)", title="the first 8 iterates w_k (simulated)")
    right.axhline(LOSS_FRACTION * 0.5 * lam * w0**2, color="k", ls=":", lw=1)
    right.set(xlabel="step k", ylabel="loss L(w_k)", ylim=(1e-12, 1e8),
              title="loss: simulated (dots), closed form (lines)")
    left.legend(fontsize="x-small")
    fig.tight_layout()
    return {"bowl.png": fig}


def curvature_numbers(results_list) -> list[Number]:
    res = results_list[0]
    s = res.scenario
    lam = np.asarray(s.plant.eigenvalues, float)
    kappa = float(lam.max() / lam.min())
    k = updates_axis(s, res.t)
    rows = [Number("GD stability bound 2/λmax", None, 2.0 / lam.max(), "η < 2/λmax"),
            Number("condition number κ", None, kappa, "λmax/λmin")]
    for i, (policy, lp) in enumerate(zip(s.policy, policy_loops(s))):
        p = res.policies[i]
        if lp is None:  # Newton: deadbeat
            rows.append(Number(f"{policy.name}: steps to 1e-6", _float(steps_to_fraction(
                res, i, CURVATURE_TOL)), 1.0, "H⁻¹ makes every pole 0", 1e-12))
            continue
        rate = simulated_rate(k, misalignment(res, i))
        rows.append(Number(f"{policy.name}: rate ρ", rate, lp.spectral_radius,
                           _rate_formula(lp, kappa), 0.015 if lp.method != "gd" else 1e-3))
        if lp.method != "gd":
            continue
        closed = gd_misalignment(lp.eta, lam, s.plant.theta0, s.run.samples)
        if lp.spectral_radius >= 1.0:
            limit2 = s.metrics.divergence_norm ** 2
            rows.append(Number(f"{policy.name}: diverges at step", p.diverged_at,
                               _float(first_step(closed, lambda m: m > limit2)),
                               "first k: Σ e₀ᵢ²(1 − ηλᵢ)^2k > 10¹²", 1e-12))
        else:
            rows.append(Number(f"{policy.name}: steps to 1e-6",
                               _float(steps_to_fraction(res, i, CURVATURE_TOL)),
                               _float(first_step(closed, lambda m: m <= CURVATURE_TOL * closed[0])),
                               "first k: Σ e₀ᵢ²(1 − ηλᵢ)^2k ≤ 1e-6 Σ e₀ᵢ²",
                               1e-12))
    return rows


def _rate_formula(lp, kappa: float) -> str:
    if lp.method == "heavy ball":
        return f"√β = (√κ − 1)/(√κ + 1) at Polyak's optimum (double pole: fit runs high)"
    return "max |1 − ηλᵢ|" + (" = (κ − 1)/(κ + 1)" if math.isclose(
        lp.spectral_radius, (kappa - 1) / (kappa + 1), rel_tol=1e-9) else "")


def curvature_figures(results_list) -> dict:
    """``contours.png``: the iterates on the contours of the ill-conditioned bowl."""
    import matplotlib.pyplot as plt

    res = results_list[0]
    s = res.scenario
    lam, th0 = np.asarray(s.plant.eigenvalues, float), np.asarray(s.plant.theta0, float)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.3))
    g = np.linspace(-1.2, 1.2, 200)
    X, Y = np.meshgrid(g * abs(th0[0]), g * abs(th0[1]))
    left.contour(X, Y, 0.5 * (lam[0] * X**2 + lam[1] * Y**2), levels=12, colors="0.75",
                 linewidths=0.7)
    paths = estimates(s)[:, :30]                         # simulated iterates
    for i, (policy, lp) in enumerate(zip(s.policy, policy_loops(s))):
        if lp is not None and lp.method == "gd" and lp.spectral_radius < 1:
            left.plot(paths[i, :, 0], paths[i, :, 1], ".-", ms=4, lw=0.8, color=f"C{i}",
                      label=policy.name)
        m = misalignment(res, i)
        right.semilogy(np.arange(m.size), m, color=f"C{i}", label=policy.name)
    left.set(xlabel="θ₁ (λ = %g)" % lam[0], ylabel="θ₂ (λ = %g)" % lam[1],
             title="GD iterates: the stiff mode bounces, the soft mode crawls")
    right.set(xlabel="step k", ylabel="‖θ − θ*‖² (simulated)", ylim=(1e-30, 1e4),
              title="misalignment per step")
    left.legend(fontsize="x-small")
    right.legend(fontsize="x-small")
    fig.tight_layout()
    return {"contours.png": fig}


def goldilocks_page(results_list) -> tuple[str, str]:
    """``goldilocks.html``: an η slider over 115 precomputed simulations (0.01 … 1.15)."""
    from gainsim.report.interactive import goldilocks_page as page, goldilocks_sweep

    etas = np.round(np.arange(1, 116) * 0.01, 2)
    return "goldilocks.html", page(goldilocks_sweep(results_list[0].scenario, etas))


def momentum_page(results_list) -> tuple[str, str]:
    """``momentum.html``: α/β sliders over 20 × 12 precomputed heavy-ball simulations."""
    from dataclasses import replace

    from gainsim.report.interactive import momentum_page as page, momentum_sweep

    s = results_list[0].scenario
    s = replace(s, run=replace(s.run, samples=120), metrics=replace(s.metrics, grid=120))
    hb = next(p for p in s.policy if type(p.gain).kind == "momentum")
    s = replace(s, policy=(hb,))
    alphas = np.round(np.linspace(0.005, 0.15, 20), 4)
    betas = np.round(np.linspace(0.0, 0.88, 12), 2)
    return "momentum.html", page(momentum_sweep(s, alphas, betas))


DEMOS = (
    Demo("goldilocks", "too small / just right / overshooting / diverging gain on a 1-D bowl",
         ("goldilocks",), goldilocks_numbers, goldilocks_figures, page=goldilocks_page),
    Demo("curvature", "an ill-conditioned bowl: λmax caps the gain, λmin sets the pace; "
         "Newton is deadbeat", ("curvature",), curvature_numbers, curvature_figures,
         page=momentum_page),
)
