"""Policies banked into kernel calls: one call per group (and law) per delivered packet.

Policies with a constant gain and the same estimator share a fast kernel
(:mod:`gainsim.estimators.lms`, :mod:`gainsim.estimators.gd`); every other gain
policy goes into a general group per estimator, run by
:func:`gainsim.estimators.general.general_kernel` (one compiled loop per law).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gainsim.estimators.bank import Bank
from gainsim.estimators.general import GD, LMS, NLMS, general_kernel
from gainsim.estimators.python_group import make_python_group
from gainsim.gains.constant import Constant

_EST_CODES = {"lms": LMS, "nlms": NLMS, "gd": GD}
_EMPTY2 = np.empty((0, 0))
_EMPTY1 = np.empty(0)


@dataclass
class FastGroup:
    """Constant gains: the estimator's own kernel, eta fixed per parameter."""

    estimator: object
    rows: list[int]
    bank: Bank
    events: np.ndarray = field(default=None)

    def advance(self, chunk) -> None:
        self.estimator.apply(self.bank, chunk)


@dataclass
class GeneralGroup:
    """Scheduled and adaptive gains: base-gain table per interval, law by code."""

    estimator: object
    rows: list[int]
    bank: Bank
    gains: list
    codes: np.ndarray     # (P,) law codes
    params: np.ndarray    # (P, K) hyperparameters
    state: np.ndarray     # (P, S, n) law state
    events: np.ndarray    # (P,) events raised by the laws (e.g. clips)
    clocks: list          # per policy: "updates" or "time" (what its schedule counts)
    loop: np.ndarray | None = None  # per-policy closed-loop state (plants in the loop)

    def base_table(self, chunk) -> np.ndarray:
        """Scheduled base gain of each policy for the chunk's samples.

        A schedule counts the policy's updates (``clock = "updates"``) or the nominal
        samples by each sample's arrival time, ``floor(t * rate)`` (``clock = "time"``).
        """
        m = chunk.arrival.size
        base = np.zeros((len(self.gains), m))
        steps = np.arange(m, dtype=np.int64)
        for p, gain in enumerate(self.gains):
            sched = gain.base_schedule()
            if sched is None or not self.bank.alive[p]:
                continue
            if self.clocks[p] == "time":
                base[p] = sched(np.floor(chunk.arrival * chunk.rate + 1e-9).astype(np.int64))
            else:
                base[p] = sched(self.bank.updates[p] + steps)
        return base

    def advance(self, chunk) -> None:
        est, b, cols = self.estimator, self.bank, chunk.cols
        if hasattr(est, "run_general"):  # an estimator with its own compiled loop (mrac)
            est.run_general(self, chunk)
            return
        if est.kind == "gd":
            x, d, ts, noise, H = _EMPTY2, _EMPTY1, cols["theta_star"], cols["noise"], chunk.plant.H
        else:
            x, d, ts, noise, H = cols["x"], cols["d"], _EMPTY2, _EMPTY2, _EMPTY2
        general_kernel(_EST_CODES[est.kind], getattr(est, "eps", 0.0), x, d, ts, noise, H,
                       chunk.arrival, self.base_table(chunk), self.codes,
                       self.params, self.state, chunk.limit2, b.theta, b.alive, b.updates,
                       b.diverged_at, b.eta, self.events, b.monitor(chunk))


def _general(estimator, rows: list[int], gains: list, theta0: np.ndarray, plant,
             grid: int, clocks: list) -> GeneralGroup:
    n = theta0.size
    compiled = [g.compile(plant, n) for g in gains]
    K = max(c.params.size for c in compiled)
    S = max(c.state.shape[0] for c in compiled)
    params = np.zeros((len(gains), K))
    state = np.zeros((len(gains), max(S, 1), n))
    for p, c in enumerate(compiled):
        params[p, :c.params.size] = c.params
        state[p, :c.state.shape[0]] = c.state
    bank = Bank.create(theta0, np.array([c.eta0 for c in compiled]), grid)
    return GeneralGroup(estimator=estimator, rows=rows, bank=bank, gains=gains,
                        codes=np.array([g.code for g in gains], dtype=np.int64), params=params,
                        state=state, events=np.zeros(len(gains), dtype=np.int64),
                        clocks=clocks)


def make_groups(policies, theta0: np.ndarray, plant, grid: int, delay: int = 0) -> list:
    """Bank ``policies``: fast groups for constant gains, general groups for the rest;
    with a feedback ``delay`` > 0, delayed groups (:mod:`gainsim.estimators.delayed`)."""
    if delay > 0:
        return _delayed_groups(policies, theta0, grid, delay)
    keyed: dict = {}
    for p, policy in enumerate(policies):
        fast = isinstance(policy.gain, Constant)
        keyed.setdefault((policy.estimator, fast), []).append(p)
    groups = []
    n = theta0.size
    for (estimator, fast), rows in keyed.items():
        gains = [policies[p].gain for p in rows]
        if getattr(estimator, "python", False):  # scipy baselines: estimators in Python
            groups.append(make_python_group(estimator, rows, gains, theta0, plant, grid))
        elif fast and not getattr(estimator, "general_only", False):
            eta = np.array([g.eta_vector(n) for g in gains])
            groups.append(FastGroup(estimator=estimator, rows=rows,
                                    bank=Bank.create(theta0, eta, grid),
                                    events=np.zeros(len(rows), dtype=np.int64)))
        else:
            clocks = [policies[p].clock for p in rows]
            groups.append(_general(estimator, rows, gains, theta0, plant, grid, clocks))
    return groups


def _delayed_groups(policies, theta0: np.ndarray, grid: int, delay: int) -> list:
    from gainsim.estimators.delayed import DelayedGroup

    keyed: dict = {}
    for p, policy in enumerate(policies):
        keyed.setdefault(policy.estimator, []).append(p)
    return [DelayedGroup.create(est, rows, np.array([policies[p].gain.eta_vector(theta0.size)
                                                     for p in rows]), theta0, grid, delay)
            for est, rows in keyed.items()]
