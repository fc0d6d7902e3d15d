"""Policies banked into kernel calls: one call per group per monitor interval.

Policies with a constant gain and the same estimator share a fast kernel
(:mod:`gainsim.estimators.lms`, :mod:`gainsim.estimators.gd`); every other gain
policy goes into a general group per estimator, run by
:func:`gainsim.estimators.general.general_kernel` with its law chosen by code.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gainsim.estimators.bank import Bank
from gainsim.estimators.general import GD, LMS, NLMS, general_kernel
from gainsim.gains.constant import Constant

_EST_CODES = {"lms": LMS, "nlms": NLMS, "gd": GD}
_EMPTY2 = np.empty((0, 0))


@dataclass
class FastGroup:
    """Constant gains: the estimator's own kernel, eta fixed per parameter."""

    estimator: object
    rows: list[int]
    bank: Bank
    events: np.ndarray = field(default=None)

    def apply(self, cols: dict, arrival: np.ndarray, limit2: float, plant) -> None:
        self.estimator.apply(self.bank, cols, arrival, limit2, plant)


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

    def base_table(self, m: int) -> np.ndarray:
        """Scheduled base gain of each policy for its next ``m`` updates."""
        base = np.zeros((len(self.gains), m))
        steps = np.arange(m, dtype=np.int64)
        for p, gain in enumerate(self.gains):
            sched = gain.base_schedule()
            if sched is not None and self.bank.alive[p]:
                base[p] = sched(self.bank.updates[p] + steps)
        return base

    def apply(self, cols: dict, arrival: np.ndarray, limit2: float, plant) -> None:
        est = self.estimator
        b = self.bank
        regression = "x" in cols and est.kind != "gd"
        general_kernel(_EST_CODES[est.kind], getattr(est, "eps", 0.0),
                       cols["x"] if regression else _EMPTY2, cols["d"] if regression else
                       np.empty(0), _EMPTY2 if regression else cols["theta_star"],
                       _EMPTY2 if regression else cols["noise"],
                       _EMPTY2 if regression else plant.H, arrival, self.base_table(arrival.size),
                       self.codes, self.params, self.state, limit2, b.theta, b.alive, b.updates,
                       b.diverged_at, b.err_sum, b.err_cnt, b.eta, self.events)


def _general(estimator, rows: list[int], gains: list, theta0: np.ndarray, plant) -> GeneralGroup:
    n = theta0.size
    compiled = [g.compile(plant, n) for g in gains]
    K = max(c.params.size for c in compiled)
    S = max(c.state.shape[0] for c in compiled)
    params = np.zeros((len(gains), K))
    state = np.zeros((len(gains), max(S, 1), n))
    for p, c in enumerate(compiled):
        params[p, :c.params.size] = c.params
        state[p, :c.state.shape[0]] = c.state
    bank = Bank.create(theta0, np.array([c.eta0 for c in compiled]))
    return GeneralGroup(estimator=estimator, rows=rows, bank=bank, gains=gains,
                        codes=np.array([g.code for g in gains], dtype=np.int64), params=params,
                        state=state, events=np.zeros(len(gains), dtype=np.int64))


def make_groups(policies, theta0: np.ndarray, plant) -> list:
    """Bank ``policies``: fast groups for constant gains, general groups for the rest."""
    keyed: dict = {}
    for p, policy in enumerate(policies):
        fast = isinstance(policy.gain, Constant)
        keyed.setdefault((policy.estimator, fast), []).append(p)
    groups = []
    n = theta0.size
    for (estimator, fast), rows in keyed.items():
        gains = [policies[p].gain for p in rows]
        if fast:
            eta = np.array([g.eta_vector(n) for g in gains])
            groups.append(FastGroup(estimator=estimator, rows=rows, bank=Bank.create(theta0, eta),
                                    events=np.zeros(len(rows), dtype=np.int64)))
        else:
            groups.append(_general(estimator, rows, gains, theta0, plant))
    return groups
