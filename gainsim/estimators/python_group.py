"""Policies whose estimator is written in Python (the scipy baselines), one sample at a time.

An estimator written in Python (the scipy baselines) has

* ``init_state(n, plant, eta0) -> state`` — per-run state, created here per replica;
* ``step(state, theta, sample, plant) -> (update, state)`` — one sample: the a-priori
  error (predict), then the new estimate (learn), its implied gain and its cost
  (:class:`gainsim.baselines.common.Update`).

:class:`PythonGroup` keeps the states, applies the samples of each monitor interval in
arrival order and does the books the compiled kernels do: ``bank.theta``,
``updates``, ``err_sum``/``err_cnt`` (finite errors only), ``last_gain`` (the implied gain),
divergence (``|theta|² > limit2`` or not finite: the policy stops at that sample's
arrival time) and, in addition, the cost sums of :mod:`gainsim.baselines.cost`.
The monitor records exactly as the kernels do (:func:`gainsim.estimators.monitor.snapshot`
at each monitor time, each sample's error in the interval it arrived in). The policy's
gain is handed to ``init_state`` as ``eta0``: its value at update 0.
"""
from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from gainsim.baselines.common import Sample
from gainsim.baselines.cost import empty_costs
from gainsim.estimators.bank import Bank
from gainsim.estimators.monitor import snapshot


def initial_gain(gain, plant, n: int) -> float:
    """The policy's gain at update 0 (mean over parameters)."""
    return float(np.mean(gain.compile(plant, n).eta0))


@dataclass
class PythonGroup:
    """Policies sharing one Python estimator; row ``p`` of the bank is ``rows[p]``."""

    estimator: object
    rows: list[int]
    bank: Bank
    states: list           # per-policy estimator state
    events: np.ndarray     # (P,) optimiser failures (fallback steps taken)
    cost: np.ndarray       # (P, 4) sums of gainsim.baselines.cost.COST_COLUMNS

    def advance(self, chunk) -> None:
        """Apply the chunk's samples, in arrival order, to every live policy; record."""
        samples = [Sample.at(chunk.cols, i) for i in range(chunk.arrival.size)]
        mon = self.bank.monitor(chunk)
        for p in range(len(self.rows)):
            if self.bank.alive[p]:
                self._advance_one(p, samples, chunk, mon)

    def _advance_one(self, p: int, samples: list, chunk, mon) -> None:
        b, step, plant = self.bank, self.estimator.step, chunk.plant
        G = b.err_sum.shape[1]
        state, theta = self.states[p], b.theta[p].copy()
        jj, cur = 0, chunk.first_interval
        for i, sample in enumerate(samples):
            while jj < chunk.grid_pos.size and chunk.grid_pos[jj] == i:
                snapshot(theta, b.last_gain[p], mon, p, chunk.grid_j[jj])
                cur, jj = chunk.grid_j[jj] + 1, jj + 1
            start = time.perf_counter()
            update, state = step(state, theta, sample, plant)
            self.cost[p] += (update.nfev, update.ngev, time.perf_counter() - start,
                             update.failed)
            self.events[p] += update.failed
            theta = np.asarray(update.theta, dtype=float)
            b.updates[p] += 1
            if update.eta is not None:
                b.last_gain[p] = update.eta
            if np.isfinite(update.error) and 1 <= cur <= G:
                b.err_sum[p, cur - 1] += update.error
                b.err_cnt[p, cur - 1] += 1
            if not (float(theta @ theta) <= chunk.limit2):  # also catches nan
                b.alive[p] = False
                b.diverged_at[p] = chunk.arrival[i]
                break
        b.theta[p] = theta
        self.states[p] = state
        if b.alive[p]:
            for k in range(jj, chunk.grid_j.size):
                snapshot(theta, b.last_gain[p], mon, p, chunk.grid_j[k])


def make_python_group(estimator, rows: list[int], gains: list, theta0: np.ndarray,
                      plant, grid: int) -> PythonGroup:
    """A :class:`PythonGroup` for ``rows``, each policy starting at its gain's first value."""
    n = theta0.size
    eta0 = [initial_gain(g, plant, n) for g in gains]
    bank = Bank.create(theta0, np.repeat(np.array(eta0)[:, None], n, axis=1), grid)
    return PythonGroup(estimator=estimator, rows=rows, bank=bank,
                       states=[estimator.init_state(n, plant, e) for e in eta0],
                       events=np.zeros(len(rows), dtype=np.int64), cost=empty_costs(len(rows)))
