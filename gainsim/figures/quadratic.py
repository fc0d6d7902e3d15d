r"""The quadratic bowl seen from above: the iterate path on the loss surface.

For :math:`L(\theta) = \tfrac12(\theta-\theta^*)^\top H(\theta-\theta^*)` gradient descent
is the linear loop :math:`\theta_{k+1}-\theta^* = (I-\eta H)(\theta_k-\theta^*)`: in 1-D the
"ball on the parabola" creeps (:math:`0<\eta\lambda<1`), lands in one step
(:math:`\eta\lambda=1`), overshoots and rings (:math:`1<\eta\lambda<2`) or is thrown out
(:math:`\eta\lambda>2`). The path is θ̂ on the monitor grid (mean over replicas), so a grid
as fine as the samples shows every step.
"""
from __future__ import annotations

import numpy as np

from gainsim.figures.common import is_bowl, new_axes, policy_names
from gainsim.figures.theta import _policy_index


def _loss(H: np.ndarray, diff: np.ndarray) -> np.ndarray:
    """½ dᵀHd for each row of ``diff``."""
    return 0.5 * np.einsum("...i,ij,...j->...", diff, H, diff)


def _path(data, i: int) -> tuple[np.ndarray, np.ndarray]:
    """θ̂ and θ* on the grid up to the last finite estimate (a diverged path stops there)."""
    theta = np.asarray(data.traces["theta_hat_mean"])[i]
    star = np.asarray(data.traces["theta_star_mean"])
    keep = np.all(np.isfinite(theta), axis=1)
    last = np.flatnonzero(keep)[-1] + 1 if keep.any() else 0
    return theta[:last], star[:last]


def _span(values: np.ndarray, centre: float, start: float) -> tuple[float, float]:
    """A plotting range around the minimiser that holds the start and the path (capped)."""
    reach = max(abs(start - centre), 1e-12)
    dev = np.abs(values - centre)
    r = min(float(dev.max()) if dev.size else reach, 3.0 * reach) * 1.15
    return centre - r, centre + r


def plot_path(data, ax=None, *, policy=None):
    """The iterate path of one policy on the loss (1-D parabola, or contours for n ≥ 2).

    ``policy``: index or name (default: the best-ranked). For n > 2 the contours are of
    the first two coordinates with the others at θ*. Raises ``ValueError`` for a plant
    that is not the quadratic bowl.
    """
    plant = data.scenario.plant
    if not is_bowl(data.scenario):
        raise ValueError(f"the iterate path is drawn for the quadratic plant, not {type(plant).kind}")
    ax = new_axes(ax, figsize=(5.5, 4.0))
    i = _policy_index(data, policy)
    theta, star = _path(data, i)
    from gainsim.predict.policies import plant_theory

    H = np.asarray(plant_theory(data.scenario).matrix, dtype=float)
    centre = np.asarray(data.traces["theta_star_mean"])[0]
    start = np.asarray(plant.start_estimate(), dtype=float)
    name = policy_names(data)[i]
    if H.shape[0] == 1:
        _parabola(ax, H, centre, start, theta, star)
    else:
        _contours(ax, H, centre, start, theta)
    diverged = data.summary["policies"][i]["diverged"]
    ax.set_title(name + (" — diverged" if diverged else ""), fontsize="medium")
    return ax


def _parabola(ax, H, centre, start, theta, star) -> None:
    lo, hi = _span(theta[:, 0], centre[0], start[0])
    w = np.linspace(lo, hi, 400)
    ax.plot(w, _loss(H, (w - centre[0])[:, None]), color="0.4", lw=1.2, label="L(θ)")
    loss = _loss(H, theta - star)
    inside = (theta[:, 0] >= lo) & (theta[:, 0] <= hi)
    ax.plot(theta[inside, 0], loss[inside], "-o", ms=4, lw=0.8, color="tab:orange",
            alpha=0.9, label="iterates θ̂ₖ")
    ax.plot(theta[:1, 0], loss[:1], "s", ms=8, color="tab:green", label="start")
    ax.axvline(centre[0], color="k", ls=":", lw=1.0, label="θ*")
    ax.set_xlabel("θ")
    ax.set_ylabel("loss L(θ)")
    ax.legend(fontsize="x-small", loc="upper center")
    ax.grid(True, alpha=0.3)


def _contours(ax, H, centre, start, theta) -> None:
    ranges = [_span(theta[:, k], centre[k], start[k]) for k in (0, 1)]
    a, b = (np.linspace(lo, hi, 160) for lo, hi in ranges)
    A, B = np.meshgrid(a, b)
    diff = np.zeros(A.shape + (H.shape[0],))
    diff[..., 0], diff[..., 1] = A - centre[0], B - centre[1]
    levels = np.geomspace(max(float(_loss(H, diff).max()), 1e-12) * 1e-3,
                          float(_loss(H, diff).max()), 9)
    ax.contour(A, B, _loss(H, diff), levels=levels, colors="0.6", linewidths=0.8)
    ax.plot(theta[:, 0], theta[:, 1], "-o", ms=3, lw=0.9, color="tab:orange", label="iterates θ̂ₖ")
    ax.plot(theta[:1, 0], theta[:1, 1], "s", ms=8, color="tab:green", label="start")
    ax.plot([centre[0]], [centre[1]], "*", ms=12, color="k", label="θ*")
    ax.set_xlim(*ranges[0])
    ax.set_ylim(*ranges[1])
    ax.set_xlabel("θ₁")
    ax.set_ylabel("θ₂")
    ax.legend(fontsize="x-small", loc="upper right")


def path_panels(data, count: int = 4):
    """:func:`plot_path` for the first ``count`` policies in scenario order, side by side."""
    import matplotlib.pyplot as plt

    P = min(len(data.summary["policies"]), count)
    cols = min(P, 4)
    rows = -(-P // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.6 * cols, 3.2 * rows), squeeze=False,
                             layout="constrained")
    for i, ax in enumerate(axes.flat[:P]):
        plot_path(data, ax, policy=i)
        if i > 0:
            ax.get_legend().remove()  # the first panel's legend names every mark
    for ax in axes.flat[P:]:
        ax.set_visible(False)
    return axes.flat[0]
