"""Gradient descent on the quadratic plant, one (noisy) gradient per sample."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np
from numba import njit

from gainsim.estimators.loop import observer
from gainsim.estimators.monitor import flush_snapshots, pass_grid_points
from gainsim.registry import register


@njit(cache=True)
def gd_kernel(theta_star, noise, H, books, mon):  # pragma: no cover - compiled
    """Constant gains, one gradient step per sample; the tracking error is the a-priori loss."""
    grid_pos, first, err_sum, err_cnt = mon.grid_pos, mon.first, mon.err_sum, mon.err_cnt
    arrival, limit2, theta, eta = books.arrival, books.limit2, books.theta, books.last_gain
    alive, updates, diverged_at = books.alive, books.updates, books.diverged_at
    m, n = theta_star.shape
    diff = np.empty(n)
    for p in range(theta.shape[0]):
        if not alive[p]:
            continue
        th = theta[p]
        et = eta[p]
        jj = np.int64(0)  # not a literal 0 (see loop.py)
        cur = first
        for i in range(m):
            if jj < grid_pos.size and grid_pos[jj] == i:  # call only at monitor times
                jj, cur = pass_grid_points(th, et, mon, p, i, jj, cur)
            for j in range(n):
                diff[j] = th[j] - theta_star[i, j]
            loss = 0.0
            norm2 = 0.0
            for j in range(n):
                g = noise[i, j]
                for l in range(n):
                    g += H[j, l] * diff[l]
                loss += 0.5 * diff[j] * (g - noise[i, j])
                th[j] -= et[j] * g
                norm2 += th[j] * th[j]
            updates[p] += 1
            if np.isfinite(loss):
                err_sum[p, cur - 1] += loss
                err_cnt[p, cur - 1] += 1
            if not (norm2 <= limit2):
                alive[p] = False
                diverged_at[p] = arrival[i]
                break
        if alive[p]:
            flush_snapshots(th, et, mon, p, jj)


class GdData(NamedTuple):
    """What gradient descent observes: the optimum and gradient noise per sample, ``H``."""

    theta_star: np.ndarray  # (m, n)
    noise: np.ndarray       # (m, n)
    H: np.ndarray           # (n, n)
    diff: np.ndarray        # (n,) scratch: theta - theta_star


@observer(GdData)
@njit(cache=True, inline="always")
def gd_observe(data, z, i, th, uses_curvature, g, c, x):  # pragma: no cover - compiled
    """``g = H (theta - theta*) + noise``, ``c = diag H``; tracking error = loss (no e, no x)."""
    theta_star, noise, H, diff = data.theta_star, data.noise, data.H, data.diff
    n = th.size
    loss = 0.0
    for j in range(n):
        diff[j] = th[j] - theta_star[i, j]
    for j in range(n):
        gj = noise[i, j]
        for l in range(n):
            gj += H[j, l] * diff[l]
        g[j] = gj
        c[j] = H[j, j]
        loss += 0.5 * diff[j] * (gj - noise[i, j])
    return np.nan, loss, loss


@register("estimator")
@dataclass(frozen=True)
class GradientDescent:
    r"""Plain gradient descent on :math:`L(\theta) = \tfrac12(\theta-\theta^*)^\top H(\theta-\theta^*)`.

    .. math:: \theta_{k+1} = \theta_k - \eta\,\big(H(\theta_k - \theta^*_k) + \nu_k\big)

    with optional gradient noise :math:`\nu_k`. Each eigen-mode has the closed-loop
    pole :math:`1 - \eta\lambda_i`: stable iff :math:`0 < \eta < 2/\lambda_{max}`,
    deadbeat at :math:`\eta = 1/\lambda`. The tracking error of a sample is the
    a-priori loss :math:`L(\theta_k)`.

    References
    ----------
    A. Cauchy, "Méthode générale pour la résolution des systèmes d'équations
    simultanées", 1847; Nocedal & Wright, *Numerical Optimization*, 2nd ed., 2006, §3.3.
    """

    kind: ClassVar[str] = "gd"
    summary: ClassVar[str] = "gradient descent on the quadratic plant: theta -= eta * grad"
    shorthand_field: ClassVar[str | None] = None
    plant_family: ClassVar[str] = "quadratic"
    columns: ClassVar[tuple[str, ...]] = ("theta_star", "noise")
    provides: ClassVar[tuple[str, ...]] = ("direction", "gradient", "curvature", "loss")

    def inputs(self, chunk) -> GdData:
        """The record its compiled ``observe`` reads (:func:`gd_observe`)."""
        H = chunk.plant.H
        return GdData(theta_star=chunk.cols["theta_star"], noise=chunk.cols["noise"], H=H,
                      diff=np.empty(H.shape[0]))

    def apply_constant(self, bank, chunk) -> None:
        """Constant gains: the fast kernel."""
        gd_kernel(chunk.cols["theta_star"], chunk.cols["noise"], chunk.plant.H,
                  bank.books(chunk), bank.monitor(chunk))
