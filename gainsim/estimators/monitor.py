"""Compiled monitor helpers shared by the estimator kernels."""
from __future__ import annotations

from numba import njit


@njit(cache=True)
def snapshot(th, eta_row, mon, p, j):  # pragma: no cover - compiled
    """Record policy ``p`` at monitor time ``j``: misalignment, estimate and gain mean/min/max."""
    truth, mis, eta_mean, eta_min, eta_max = mon[3], mon[4], mon[5], mon[6], mon[7]
    eta_vec, theta_vec = mon[10], mon[11]
    s = 0.0
    tot = 0.0
    lo = eta_row[0]
    hi = eta_row[0]
    for k in range(th.size):
        dk = th[k] - truth[j, k]
        theta_vec[p, j, k] = th[k]
        s += dk * dk
        ek = eta_row[k]
        eta_vec[p, j, k] = ek
        tot += ek
        lo = min(lo, ek)
        hi = max(hi, ek)
    mis[p, j] = s
    eta_mean[p, j] = lo if lo == hi else tot / th.size
    eta_min[p, j] = lo
    eta_max[p, j] = hi


@njit(cache=True)
def flush_snapshots(th, eta_row, mon, p, jj):  # pragma: no cover - compiled
    """Record the monitor times left after the chunk's last sample."""
    grid_j = mon[1]
    while jj < grid_j.size:
        snapshot(th, eta_row, mon, p, grid_j[jj])
        jj += 1


@njit(cache=True)
def pass_grid_points(th, eta_row, mon, p, i, jj, cur):  # pragma: no cover - compiled
    """Record every monitor time that falls before sample ``i``; return ``(jj, cur)``.

    ``jj`` indexes the chunk's monitor times, ``cur`` is the interval (1..G) that
    sample ``i`` belongs to.
    """
    grid_pos, grid_j = mon[0], mon[1]
    while jj < grid_pos.size and grid_pos[jj] == i:
        snapshot(th, eta_row, mon, p, grid_j[jj])
        cur = grid_j[jj] + 1
        jj += 1
    return jj, cur
