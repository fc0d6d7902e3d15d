r"""Demo ``line_search``: the step lengths that optimisers choose, against 1/λ and 2/λmax.

On a quadratic, exact line search along :math:`-g` takes
:math:`\alpha = g^\top g / g^\top H g` (a Rayleigh quotient of :math:`H^{-1}`, so
:math:`1/\lambda_{\max} \le \alpha \le 1/\lambda_{\min}`); on two modes it settles into a
two-step zig-zag. Its steps exceed the fixed-gain bound :math:`2/\lambda_{\max}` without
diverging, because each is chosen for the current direction. A strong-Wolfe step
satisfies :math:`\phi(\alpha) \le \phi(0) + c_1\alpha\phi'(0)` and
:math:`|\phi'(\alpha)| \le c_2|\phi'(0)|`.

References
----------
J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed., Springer, 2006,
§3.1 (Wolfe conditions), §3.3 (steepest descent with exact line search), §6.1 (BFGS).
"""
from __future__ import annotations

import numpy as np

from gainsim.demos.base import Demo, Number
from gainsim.demos.measure import steps_to_fraction

BRENT_TOL = 1e-4  # minimize_scalar(method="bounded") locates the step to ~1e-5 absolute


def exact_steps(H: np.ndarray, theta0, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Closed-form exact line search: the steps α_k and the losses ½ eᵀHe before each."""
    th = np.asarray(theta0, float).copy()
    alphas, losses = np.empty(steps), np.empty(steps + 1)
    for k in range(steps):
        g = H @ th
        losses[k] = 0.5 * th @ g
        alphas[k] = (g @ g) / (g @ H @ g)
        th = th - alphas[k] * g
    losses[steps] = 0.5 * th @ H @ th
    return alphas, losses


def wolfe_holds(H: np.ndarray, theta0, alphas, c1: float, c2: float) -> bool:
    """Do the recorded steps satisfy the strong Wolfe conditions along −g, one after another?"""
    th = np.asarray(theta0, float).copy()
    for a in alphas:
        g = H @ th
        if not g.any():
            break
        p = -g
        phi0, dphi0 = 0.5 * th @ g, g @ p
        new = th + a * p
        if not (0.5 * new @ H @ new <= phi0 + c1 * a * dphi0 + 1e-15
                and abs((H @ new) @ p) <= c2 * abs(dphi0) + 1e-15):
            return False
        th = new
    return True


def line_search_numbers(results_list) -> list[Number]:
    res = results_list[0]
    s = res.scenario
    H = s.plant.H
    lam = np.linalg.eigvalsh(H)
    eta = res.curves["eta_mean"]
    rows = [Number("fixed-gain bound 2/λmax", None, 2.0 / lam.max(), "GD diverges above"),
            Number("step range of exact line search", None,
                   f"[{1 / lam.max():g}, {1 / lam.min():g}]", "[1/λmax, 1/λmin]")]
    names = [type(p.estimator).kind for p in s.policy]
    if "exact" in names:
        i = names.index("exact")
        n = s.run.samples
        alphas, losses = exact_steps(H, s.plant.theta0, n)
        for k in (1, 2, 3):
            rows.append(Number(f"exact line search: α_{k}", float(eta[i][k]), float(alphas[k - 1]),
                               "gᵀg / gᵀHg", BRENT_TOL))
        rows.append(Number("exact line search: steps above 2/λmax",
                           float(np.sum(eta[i][1:] > 2.0 / lam.max())),
                           float(np.sum(alphas > 2.0 / lam.max())), "count of α_k > 2/λmax"))
        rows.append(Number("exact line search: loss after 6 steps",
                           float(res.curves["tracking_error_mean"][i][7]), float(losses[6]),
                           "½ eᵀHe along the closed-form path", 1e-3))
    if "wolfe" in names:
        i = names.index("wolfe")
        est = s.policy[i].estimator
        steps = eta[i][1:][np.isfinite(eta[i][1:])]
        ok = wolfe_holds(H, s.plant.theta0, steps[:5], est.c1, est.c2)
        rows.append(Number("strong-Wolfe: α_1, α_2, α_3", ", ".join(f"{a:.4g}" for a in steps[:3]),
                           None, "any step meeting the two conditions"))
        rows.append(Number("strong-Wolfe: conditions hold (first 5 steps)", "yes" if ok else "no",
                           "yes", f"c1 = {est.c1:g}, c2 = {est.c2:g}"))
    for i, name in enumerate(names):
        if name == "bfgs":
            rows.append(Number(f"{s.policy[i].name}: steps to 1e-12",
                               steps_to_fraction(res, i, 1e-12), None,
                               "n = 2 with exact line searches"))
    return rows


def line_search_figures(results_list) -> dict:
    """``step_lengths.png``: the step each oracle chose, against 1/λ and the GD bound."""
    import matplotlib.pyplot as plt

    res = results_list[0]
    s = res.scenario
    lam = np.linalg.eigvalsh(s.plant.H)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    k = np.arange(res.t.size)
    for i, policy in enumerate(s.policy):
        ax.semilogy(k[1:], res.curves["eta_mean"][i][1:], "o-", ms=3, lw=0.8, label=policy.name)
    for value, text in ((1 / lam.min(), "1/λmin"), (1 / lam.max(), "1/λmax"),
                        (2 / lam.max(), "2/λmax (GD bound)")):
        ax.axhline(value, color="k", lw=0.7, ls=":")
        ax.annotate(text, (k[-1], value), fontsize="x-small", ha="right", va="bottom")
    ax.set(xlabel="step k", ylabel="step length α_k (η)", title="step lengths chosen per step")
    ax.legend(fontsize="x-small")
    fig.tight_layout()
    return {"step_lengths.png": fig}


DEMOS = (
    Demo("line_search", "step lengths of exact / strong-Wolfe line search and BFGS against "
         "1/λ and the GD bound", ("line_search",), line_search_numbers, line_search_figures),
)
