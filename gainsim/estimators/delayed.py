r"""Feedback delay: the update at step k uses the gradient at the estimate of step k − D.

``stream.feedback_delay = D`` models delayed LMS and asynchronous SGD: the learner
applies at update k the gradient (and error) that the sample of step k gives *at the
estimate of D updates ago*,

.. math::
    \text{GD:}\quad \theta_{k+1} = \theta_k - \eta\,\big(H(\theta_{k-D} - \theta^*_k) + \nu_k\big),
    \qquad
    \text{LMS:}\quad \theta_{k+1} = \theta_k + \eta\,(d_k - \theta_{k-D}^\top x_k)\,x_k,

with :math:`\theta_{k-D} = \theta_0` for :math:`k < D`. This differs from
``stream.latency``, which delivers *old data* to the *current* estimate. Per eigen-mode
the error obeys :math:`e_{k+1} = e_k - \eta\lambda e_{k-D}` (in the mean, for LMS), with
poles at the roots of :math:`z^{D+1} - z^D + \eta\lambda`: stable iff
:math:`\eta\lambda < 2\sin(\pi/(2(2D+1)))`. The recorded tracking error stays
predict-then-learn: the a-priori error of the *current* estimate.

Only constant gains on ``gd`` and ``lms`` have a delayed loop (the loader refuses the
rest with one line); a delay of 0 never comes here, so every other run is unchanged.

References
----------
G. Long, F. Ling and J. G. Proakis, "The LMS algorithm with delayed coefficient
adaptation", IEEE Trans. ASSP 37(9), 1989; B. Recht et al., "Hogwild!", NIPS 2011.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from gainsim.estimators.bank import Bank
from gainsim.estimators.monitor import (add_error, at_monitor_times, close_interval, diverge,
                                        flush_snapshots, open_interval)

DELAYED_ESTIMATORS = ("gd", "lms")
_EMPTY2 = np.empty((0, 0))
_EMPTY1 = np.empty(0)


@njit(cache=True)
def _stale_step(is_gd, i, th, old, x, d, theta_star, noise, H, et):  # pragma: no cover
    """Apply the step computed at the stale estimate ``old``; return the a-priori error
    of the current estimate ``th`` (GD: the loss; LMS: e²)."""
    n = th.size
    te = 0.0
    if is_gd:
        for j in range(n):
            hd = 0.0
            for l in range(n):
                hd += H[j, l] * (th[l] - theta_star[i, l])
            te += 0.5 * (th[j] - theta_star[i, j]) * hd
        for j in range(n):
            g = noise[i, j]
            for l in range(n):
                g += H[j, l] * (old[l] - theta_star[i, l])
            th[j] -= et[j] * g
        return te
    y = 0.0
    y_old = 0.0
    for j in range(n):
        y += th[j] * x[i, j]
        y_old += old[j] * x[i, j]
    e_old = d[i] - y_old
    for j in range(n):
        th[j] += et[j] * e_old * x[i, j]
    return (d[i] - y) * (d[i] - y)


@njit(cache=True)
def delayed_kernel(is_gd, x, d, theta_star, noise, H, history, books, mon):  # pragma: no cover
    """Constant gains with a stale gradient; ``history[p, k % (D+1)]`` holds θ_k."""
    arrival, limit2, theta, eta = books.arrival, books.limit2, books.theta, books.last_gain
    alive, updates = books.alive, books.updates
    grid_pos = mon.grid_pos
    m = arrival.size
    slots = history.shape[1]
    for p in range(theta.shape[0]):
        if not alive[p]:
            continue
        th = theta[p]
        et = eta[p]
        jj = np.int64(0)  # not a literal 0 (see loop.py)
        cur = mon.first
        s, cnt = open_interval(mon, p, cur)
        for i in range(m):
            if jj < grid_pos.size and grid_pos[jj] == i:
                jj, cur, s, cnt = at_monitor_times(th, et, mon, p, i, jj, cur, s, cnt)
            k = updates[p]
            history[p, k % slots] = th                 # θ_k
            old = history[p, (k + 1) % slots]          # θ_{k-D} (θ_0 while k < D)
            te = _stale_step(is_gd, i, th, old, x, d, theta_star, noise, H, et)
            updates[p] += 1
            s, cnt = add_error(s, cnt, te)
            norm2 = 0.0
            for j in range(th.size):
                norm2 += th[j] * th[j]
            if not (norm2 <= limit2):
                diverge(books, p, i)
                break
        close_interval(mon, p, cur, s, cnt)
        if alive[p]:
            flush_snapshots(th, et, mon, p, jj)


@dataclass
class DelayedGroup:
    """Constant-gain policies of one estimator whose gradient is ``delay`` updates stale."""

    estimator: object
    rows: list[int]
    bank: Bank
    history: np.ndarray   # (P, D+1, n) ring of the last D+1 estimates
    events: np.ndarray

    @classmethod
    def create(cls, estimator, rows: list[int], eta: np.ndarray, theta0: np.ndarray,
               grid: int, delay: int) -> "DelayedGroup":
        bank = Bank.create(theta0, eta, grid, constant=True)
        history = np.repeat(bank.theta[:, None, :], delay + 1, axis=1).copy()
        return cls(estimator=estimator, rows=rows, bank=bank, history=history,
                   events=np.zeros(len(rows), dtype=np.int64))

    def advance(self, chunk) -> None:
        b, cols = self.bank, chunk.cols
        if self.estimator.kind == "gd":
            args = (True, _EMPTY2, _EMPTY1, cols["theta_star"], cols["noise"], chunk.plant.H)
        else:
            args = (False, cols["x"], cols["d"], _EMPTY2, _EMPTY2, _EMPTY2)
        delayed_kernel(*args, self.history, b.books(chunk), b.monitor(chunk))


def delay_problem(policy) -> str | None:
    """Why ``policy`` cannot run with a feedback delay (``None``: it can)."""
    est, gain = type(policy.estimator).kind, type(policy.gain).kind
    if est not in DELAYED_ESTIMATORS or gain != "constant":
        return (f"stream.feedback_delay > 0 works with estimator 'gd' or 'lms' and a constant "
                f"gain (got estimator {est!r}, gain {gain!r})")
    return None
