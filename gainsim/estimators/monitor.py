"""What a kernel records, by name: :class:`Monitor`, and the compiled helpers that write it.

A kernel gets one :class:`Monitor` per chunk (:meth:`gainsim.estimators.bank.Bank.monitor`):
where the chunk's monitor times fall, the truth at those times, and the bank's
recording arrays. At each monitor time it calls :func:`snapshot` for every live
policy; each sample's tracking error is added to the interval it arrived in.
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit


class Monitor(NamedTuple):
    """The recording arguments of every kernel (one name per quantity)."""

    grid_pos: np.ndarray   # (g,) monitor time grid_j[k] falls before sample grid_pos[k]
    grid_j: np.ndarray     # (g,) the monitor indices recorded in this chunk
    first: int             # monitor interval (1..G) of the chunk's first sample
    truth: np.ndarray      # (G+1, n) theta_star at each monitor time
    mis: np.ndarray        # (P, G+1) misalignment |theta - theta_star|²
    eta_mean: np.ndarray   # (P, G+1) mean / min / max over parameters of the gain
    eta_min: np.ndarray
    eta_max: np.ndarray
    err_sum: np.ndarray    # (P, G) sum of the tracking error per monitor interval
    err_cnt: np.ndarray    # (P, G) int64 samples per monitor interval
    eta_vec: np.ndarray    # (P, G+1, n) per-parameter gain at each monitor time, or (P, 1, n)
                           # for a bank of constant gains: the one gain, written each time
    theta_vec: np.ndarray  # (P, G+1, n) estimate at each monitor time


@njit(cache=True)
def snapshot(th, eta_row, mon, p, j):  # pragma: no cover - compiled
    """Record policy ``p`` at monitor time ``j``: misalignment, estimate and gain mean/min/max
    (and the per-parameter gain in row ``j`` of ``eta_vec``, or in its only row)."""
    truth, eta_vec, theta_vec = mon.truth, mon.eta_vec, mon.theta_vec
    je = j if eta_vec.shape[1] > 1 else 0
    s = 0.0
    tot = 0.0
    lo = eta_row[0]
    hi = eta_row[0]
    for k in range(th.size):
        dk = th[k] - truth[j, k]
        theta_vec[p, j, k] = th[k]
        s += dk * dk
        ek = eta_row[k]
        eta_vec[p, je, k] = ek
        tot += ek
        lo = min(lo, ek)
        hi = max(hi, ek)
    mon.mis[p, j] = s
    mon.eta_mean[p, j] = lo if lo == hi else tot / th.size
    mon.eta_min[p, j] = lo
    mon.eta_max[p, j] = hi


@njit(cache=True)
def flush_snapshots(th, eta_row, mon, p, jj):  # pragma: no cover - compiled
    """Record the monitor times left after the chunk's last sample."""
    grid_j = mon.grid_j
    while jj < grid_j.size:
        snapshot(th, eta_row, mon, p, grid_j[jj])
        jj += 1


@njit(cache=True)
def snapshot_live(theta, last_gain, alive, mon):  # pragma: no cover - compiled
    """A chunk without samples: record its monitor times for every live policy.

    That is all a sample loop does when it has no samples to apply; doing it here, once
    for every law and estimator, spares each compiled loop a second specialisation for
    the empty chunk (numpy calls an empty regressor array C-contiguous, while a tapped
    delay line's regressors are a strided view: two array layouts, two compilations).
    """
    for p in range(theta.shape[0]):
        if alive[p]:
            # np.int64: not a literal 0 (see loop.py)
            flush_snapshots(theta[p], last_gain[p], mon, p, np.int64(0))


@njit(cache=True)
def pass_grid_points(th, eta_row, mon, p, i, jj, cur):  # pragma: no cover - compiled
    """Record every monitor time that falls before sample ``i``; return ``(jj, cur)``.

    ``jj`` indexes the chunk's monitor times, ``cur`` is the interval (1..G) that
    sample ``i`` belongs to.
    """
    grid_pos, grid_j = mon.grid_pos, mon.grid_j
    while jj < grid_pos.size and grid_pos[jj] == i:
        snapshot(th, eta_row, mon, p, grid_j[jj])
        cur = grid_j[jj] + 1
        jj += 1
    return jj, cur


# ---- the per-policy bookkeeping of every per-sample kernel, inlined into each.
# A kernel keeps the running sums ``(s, cnt)`` of the current monitor interval ``cur``
# in registers: :func:`open_interval` at the chunk's start, :func:`at_monitor_times`
# where a monitor time falls, :func:`add_error` per sample, :func:`close_interval` at
# the end; :func:`diverge` when the estimate passes the limit.

@njit(cache=True, inline="always")
def open_interval(mon, p, cur):  # pragma: no cover - compiled
    """The running sums ``(s, cnt)`` of interval ``cur`` of policy ``p`` (0 before the first)."""
    if cur >= 1:
        return mon.err_sum[p, cur - 1], mon.err_cnt[p, cur - 1]
    return 0.0, 0


@njit(cache=True, inline="always")
def close_interval(mon, p, cur, s, cnt):  # pragma: no cover - compiled
    """Store the running sums of interval ``cur`` (if it is one of the run's intervals)."""
    if cur >= 1 and cur - 1 < mon.err_sum.shape[1]:
        mon.err_sum[p, cur - 1] = s
        mon.err_cnt[p, cur - 1] = cnt


@njit(cache=True, inline="always")
def at_monitor_times(th, eta_row, mon, p, i, jj, cur, s, cnt):  # pragma: no cover - compiled
    """Before sample ``i``: store the sums, record the monitor times that fall here, and
    return ``(jj, cur, s, cnt)`` with the sums of the interval sample ``i`` opens."""
    if cur >= 1:
        mon.err_sum[p, cur - 1] = s
        mon.err_cnt[p, cur - 1] = cnt
    jj, cur = pass_grid_points(th, eta_row, mon, p, i, jj, cur)
    return jj, cur, mon.err_sum[p, cur - 1], mon.err_cnt[p, cur - 1]


@njit(cache=True, inline="always")
def add_error(s, cnt, te):  # pragma: no cover - compiled
    """Add a sample's tracking error to the running sums (a non-finite one is not counted)."""
    if np.isfinite(te):
        return s + te, cnt + 1
    return s, cnt


@njit(cache=True, inline="always")
def diverge(books, p, i):  # pragma: no cover - compiled
    """Policy ``p`` diverged at sample ``i``: it stops, and the time is recorded."""
    books.alive[p] = False
    books.diverged_at[p] = books.arrival[i]
