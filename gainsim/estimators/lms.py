"""LMS and NLMS: stochastic gradient on ½e² for a linear regression.

Convention (used everywhere in gainsim): ``theta += eta * e * x`` with the
a-priori error ``e = d - thetaᵀx``. Widrow & Hoff write ``W += 2 mu e X``, so
``mu_Widrow = eta / 2``; other fields call ``eta`` ``mu``, ``alpha``, ``lr`` or ``gamma``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np
from numba import njit, prange

from gainsim.estimators.aligned import (copy_aligned, empty_aligned, zeros_aligned,
                                        zeros_aligned_int)
from gainsim.estimators.loop import observer
from gainsim.estimators.monitor import flush_snapshots, snapshot
from gainsim.estimators.threads import BANK_MIN, bank_blocks
from gainsim.registry import register
from gainsim.fields import param, positive


@njit(cache=True)
def lms_kernel(x, d, eps, normalized, books, mon):  # pragma: no cover - compiled
    """Apply samples ``x[i], d[i]`` (in arrival order) to every live policy of the bank.

    ``mon`` (:class:`gainsim.estimators.monitor.Monitor`) says before which
    sample each monitor time falls; the kernel records there and adds each sample's
    e² to the interval it arrived in.
    """
    grid_pos, grid_j, first = mon.grid_pos, mon.grid_j, mon.first
    err_sum, err_cnt = mon.err_sum, mon.err_cnt
    arrival, limit2, theta, eta = books.arrival, books.limit2, books.theta, books.last_gain
    alive, updates, diverged_at = books.alive, books.updates, books.diverged_at
    m, n = x.shape
    limit = np.sqrt(limit2)
    for p in range(theta.shape[0]):
        if not alive[p]:
            continue
        th = theta[p]
        et = eta[p]
        # divergence is |theta|² > limit2 after an update; the exact norm is only needed
        # when the bound ub >= |theta| (ub += |g| max|eta| |x|) passes the limit
        etamax = 0.0
        s2 = 0.0
        for j in range(n):
            etamax = max(etamax, abs(et[j]))
            s2 += th[j] * th[j]
        ub = np.sqrt(s2)
        jj = 0
        cur = first
        # running sums of the current interval, kept in registers (same order of additions)
        s = err_sum[p, cur - 1] if cur >= 1 else 0.0
        c = err_cnt[p, cur - 1] if cur >= 1 else 0
        for i in range(m):
            while jj < grid_pos.size and grid_pos[jj] == i:
                if cur >= 1:
                    err_sum[p, cur - 1] = s
                    err_cnt[p, cur - 1] = c
                snapshot(th, et, mon, p, grid_j[jj])
                cur = grid_j[jj] + 1
                jj += 1
                s = err_sum[p, cur - 1]
                c = err_cnt[p, cur - 1]
            y = 0.0
            xx = 0.0
            for j in range(n):
                y += th[j] * x[i, j]
                xx += x[i, j] * x[i, j]
            e = d[i] - y
            g = e
            if normalized:
                g = e / (eps + xx)
            for j in range(n):
                th[j] += et[j] * g * x[i, j]
            updates[p] += 1
            if np.isfinite(e):
                s += e * e
                c += 1
            ub += abs(g) * etamax * np.sqrt(xx)
            if not (ub <= limit):  # also catches nan: decide on the exact norm
                norm2 = 0.0
                for j in range(n):
                    norm2 += th[j] * th[j]
                if not (norm2 <= limit2):
                    alive[p] = False
                    diverged_at[p] = arrival[i]
                    break
                ub = np.sqrt(norm2)
        if cur >= 1 and cur - 1 < err_sum.shape[1]:
            err_sum[p, cur - 1] = s
            err_cnt[p, cur - 1] = c
        if alive[p]:
            flush_snapshots(th, et, mon, p, jj)


@njit(cache=True)
def _bank_block(x, d, eps, normalized, books, mon, lo, hi):  # pragma: no cover - compiled
    """Policies ``lo:hi`` of the bank over the whole chunk, policies innermost.

    Per-interval error sums are kept in contiguous local vectors (``acc``, ``cnt``) and
    written back at each monitor time, so the per-sample loops stay branch-light.
    Divergence is decided exactly as in :func:`lms_kernel` (``|theta|² > limit2`` after
    the update) but the norm is only computed when a cheap upper bound
    ``ub >= |theta|`` (triangle inequality: ``ub += |g| max_j eta_j |x|``) passes the limit.
    """
    grid_pos, grid_j, first = mon.grid_pos, mon.grid_j, mon.first
    err_sum, err_cnt = mon.err_sum, mon.err_cnt
    arrival, limit2, thetaT, etaT = books.arrival, books.limit2, books.theta, books.last_gain
    alive, updates, diverged_at = books.alive, books.updates, books.diverged_at
    m, n = x.shape
    P = hi - lo
    # every per-policy array on a 64-byte boundary: the vector loops over policies
    # measured 1.5x slower on misaligned ones (gainsim.estimators.aligned)
    gain = copy_aligned(etaT[:, lo:hi])
    th = copy_aligned(thetaT[:, lo:hi])
    live = np.empty(P, dtype=np.bool_)
    for q in range(P):
        live[q] = alive[lo + q]
        if not live[q]:
            gain[:, q] = 0.0
    y = empty_aligned(P)
    g = empty_aligned(P)
    limit = np.sqrt(limit2)
    ub = empty_aligned(P)
    etamax = empty_aligned(P)
    for q in range(P):
        s2 = 0.0
        etamax[q] = 0.0
        for j in range(n):
            s2 += th[j, q] * th[j, q]
            etamax[q] = max(etamax[q], abs(gain[j, q]))
        ub[q] = np.sqrt(s2)
    acc = zeros_aligned(P)
    cnt = zeros_aligned_int(P)
    done = zeros_aligned_int(P)
    jj = 0
    cur = first
    if cur >= 1:
        for q in range(P):
            acc[q] = err_sum[lo + q, cur - 1]
            cnt[q] = err_cnt[lo + q, cur - 1]
    for i in range(m):
        while jj < grid_pos.size and grid_pos[jj] == i:
            for q in range(P):
                if cur >= 1:
                    err_sum[lo + q, cur - 1] = acc[q]
                    err_cnt[lo + q, cur - 1] = cnt[q]
                if live[q]:
                    snapshot(th[:, q], etaT[:, lo + q], mon, lo + q, grid_j[jj])
            cur = grid_j[jj] + 1
            jj += 1
            for q in range(P):
                acc[q] = err_sum[lo + q, cur - 1]
                cnt[q] = err_cnt[lo + q, cur - 1]
        y[:] = 0.0
        xx = 0.0
        for j in range(n):
            xij = x[i, j]
            xx += xij * xij
            thj = th[j]
            for q in range(P):
                y[q] += thj[q] * xij
        di = d[i]
        for q in range(P):
            e = di - y[q]
            g[q] = e / (eps + xx) if normalized else e
        for j in range(n):
            xij = x[i, j]
            thj = th[j]
            gainj = gain[j]
            for q in range(P):
                thj[q] = thj[q] + gainj[q] * g[q] * xij
        nx = np.sqrt(xx)
        trip = False
        for q in range(P):
            e = di - y[q]
            e2 = e * e
            use = live[q] and e2 < np.inf
            acc[q] += e2 if use else 0.0
            cnt[q] += 1 if use else 0
            done[q] += 1 if live[q] else 0
            ub[q] += abs(g[q]) * etamax[q] * nx
            trip |= live[q] and not (ub[q] <= limit)  # also catches nan
        if trip:  # rare: the bound passed the limit; decide on the exact norm
            for q in range(P):
                if live[q] and not (ub[q] <= limit):
                    s2 = 0.0
                    for j in range(n):
                        s2 += th[j, q] * th[j, q]
                    if not (s2 <= limit2):
                        live[q] = False
                        alive[lo + q] = False
                        diverged_at[lo + q] = arrival[i]
                        gain[:, q] = 0.0
                        etamax[q] = 0.0
                    ub[q] = np.sqrt(s2) if s2 <= limit2 else 0.0
    if cur >= 1 and cur - 1 < err_sum.shape[1]:
        for q in range(P):
            err_sum[lo + q, cur - 1] = acc[q]
            err_cnt[lo + q, cur - 1] = cnt[q]
    for q in range(P):
        updates[lo + q] += done[q]
        if live[q]:
            flush_snapshots(th[:, q], etaT[:, lo + q], mon, lo + q, jj)
    thetaT[:, lo:hi] = th


@njit(cache=True, parallel=True)
def lms_bank_kernel(x, d, eps, normalized, books, mon, blocks):  # pragma: no cover - compiled
    """:func:`lms_kernel` for a bank of many gains, policies innermost (``(n, P)`` layout).

    Each policy's arithmetic is the same, in the same order, as in :func:`lms_kernel`
    (bit-identical results); looping over policies innermost lets LLVM vectorise
    across the bank, and the bank is split into ``blocks`` run on separate threads
    (each policy's numbers do not depend on the split). A policy that diverges is
    frozen by zeroing its gains. ``books.theta`` and ``books.last_gain`` are in the
    ``(n, P)`` layout here.
    """
    P = books.theta.shape[1]
    for b in prange(blocks):
        lo = b * P // blocks
        hi = (b + 1) * P // blocks
        _bank_block(x, d, eps, normalized, books, mon, lo, hi)


class RegressionData(NamedTuple):
    """What LMS and NLMS observe: the chunk's regressors and desired outputs, the normaliser."""

    x: np.ndarray     # (m, n)
    d: np.ndarray     # (m,)
    eps: float        # NLMS regulariser (unused by LMS)
    normalized: bool  # NLMS: scale the direction by 1 / (eps + x·x)


@observer(RegressionData)
@njit(cache=True, inline="always")
def regression_observe(data, z, i, th, uses_curvature, g, c, x):  # pragma: no cover
    """LMS: ``g = -e x`` (the gradient of ½e²), ``c = x²``; NLMS: both times
    ``1 / (eps + x·x)``. Tracking error e². Flat on purpose (see :mod:`.loop`)."""
    y = 0.0
    xx = 0.0
    for j in range(th.size):
        x[j] = data.x[i, j]
        y += th[j] * x[j]
        xx += x[j] * x[j]
    e = data.d[i] - y
    scale = 1.0 / (data.eps + xx) if data.normalized else 1.0  # x * 1.0 is x exactly
    for j in range(th.size):
        g[j] = -e * x[j] * scale
    if uses_curvature:
        for j in range(th.size):
            c[j] = x[j] * x[j] * scale
    te = e * e
    return e, 0.5 * te, te


def run_lms(bank, chunk, eps: float, normalized: bool) -> None:
    """Run the constant-gain kernel that suits the bank's size."""
    x, d = chunk.cols["x"], chunk.cols["d"]
    books, mon = bank.books(chunk), bank.monitor(chunk)
    if bank.theta.shape[0] < BANK_MIN:
        lms_kernel(x, d, eps, normalized, books, mon)
        return
    thetaT = np.ascontiguousarray(bank.theta.T)
    books = books._replace(theta=thetaT, last_gain=np.ascontiguousarray(bank.last_gain.T))
    blocks = bank_blocks(bank.theta.shape[0], x.shape[0], x.shape[1])
    if blocks > 1:
        lms_bank_kernel(x, d, eps, normalized, books, mon, blocks)
    else:  # one block: run it on this thread, never wake numba's thread pool
        _bank_block(x, d, eps, normalized, books, mon, 0, bank.theta.shape[0])
    bank.theta[:] = thetaT.T


@register("estimator")
@dataclass(frozen=True)
class Lms:
    r"""Least mean squares (Widrow & Hoff 1960).

    .. math:: e_k = d_k - \theta_k^\top x_k, \qquad \theta_{k+1} = \theta_k + \eta\, e_k x_k

    Mean-stable for :math:`0 < \eta < 2/\lambda_{max}(R)`; small-gain misadjustment
    :math:`M \approx \eta\,\mathrm{tr}R/2`.

    References
    ----------
    B. Widrow and M. E. Hoff, "Adaptive switching circuits", IRE WESCON, 1960.
    """

    kind: ClassVar[str] = "lms"
    summary: ClassVar[str] = "LMS: theta += eta * e * x (a-priori error e = d - theta·x)"
    shorthand_field: ClassVar[str | None] = None
    plant_family: ClassVar[str] = "regression"
    columns: ClassVar[tuple[str, ...]] = ("x", "d")
    provides: ClassVar[tuple[str, ...]] = ("direction", "gradient", "curvature", "loss",
                                           "error", "regressor")

    def inputs(self, chunk) -> RegressionData:
        """The record its compiled ``observe`` reads (:func:`regression_observe`)."""
        return RegressionData(x=chunk.cols["x"], d=chunk.cols["d"], eps=0.0, normalized=False)

    def apply_constant(self, bank, chunk) -> None:
        """Constant gains: the fast kernels."""
        run_lms(bank, chunk, 0.0, False)


@register("estimator")
@dataclass(frozen=True)
class Nlms:
    r"""Normalised LMS (Nagumo & Noda 1967; Albert & Gardner 1967).

    .. math:: \theta_{k+1} = \theta_k + \eta\, \frac{e_k x_k}{\epsilon + x_k^\top x_k}

    Stable for :math:`0 < \eta < 2`; misadjustment :math:`\approx \eta/(2-\eta)`.

    References
    ----------
    J. Nagumo and A. Noda, "A learning method for system identification",
    IEEE Trans. Automatic Control 12(3), 1967.
    """

    kind: ClassVar[str] = "nlms"
    summary: ClassVar[str] = "normalised LMS: theta += eta * e * x / (eps + x·x), stable for 0 < eta < 2"
    shorthand_field: ClassVar[str | None] = None
    plant_family: ClassVar[str] = "regression"
    columns: ClassVar[tuple[str, ...]] = ("x", "d")
    # its direction is normalised (not the gradient of the loss), and it is no LMS step
    provides: ClassVar[tuple[str, ...]] = ("direction", "loss", "error")
    gain_symbol: ClassVar[str] = "mu"  # its constant gain is the normalised step μ
    eps: float = param(1e-6, doc="regulariser added to x·x", check=positive)

    def inputs(self, chunk) -> RegressionData:
        """The record its compiled ``observe`` reads (:func:`regression_observe`)."""
        return RegressionData(x=chunk.cols["x"], d=chunk.cols["d"], eps=float(self.eps),
                              normalized=True)

    def apply_constant(self, bank, chunk) -> None:
        """Constant gains: the fast kernels."""
        run_lms(bank, chunk, self.eps, True)
