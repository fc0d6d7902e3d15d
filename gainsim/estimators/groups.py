"""Policies banked into kernel calls: one call per group (and law) per delivered packet.

A group is the policies of one estimator that run the same way:

* constant gains on an estimator with a fast kernel (``apply_constant``: LMS, NLMS,
  gradient descent) share it (:class:`FastGroup`; many LMS gains take the
  policies-innermost bank kernel);
* estimators written in Python (the scipy baselines' ``(init_state, step)`` protocol)
  run sample by sample (:mod:`gainsim.estimators.python_group`);
* every other policy goes into a :class:`GeneralGroup` per estimator: each law's
  compiled loop (``type(gain).loop``, see :mod:`gainsim.estimators.loop`) over the
  estimator's input record (``estimator.inputs``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gainsim.estimators.bank import Bank
from gainsim.estimators.loop import LawBank
from gainsim.estimators.python_group import make_python_group
from gainsim.gains.constant import Constant, on_fast_kernel


@dataclass
class FastGroup:
    """Constant gains: the estimator's own kernel, eta fixed per parameter."""

    estimator: object
    rows: list[int]
    bank: Bank
    events: np.ndarray = field(default=None)

    def advance(self, chunk) -> None:
        self.estimator.apply_constant(self.bank, chunk)


@dataclass
class GeneralGroup:
    """Scheduled and adaptive gains: base-gain table per packet, one compiled loop per law."""

    estimator: object
    rows: list[int]
    bank: Bank
    gains: list
    params: np.ndarray    # (P, K) hyperparameters
    state: np.ndarray     # (P, S, n) law state
    events: np.ndarray    # (P,) events raised by the laws (e.g. clips)
    clocks: list          # per policy: "updates" or "time" (what its schedule counts)
    loop: np.ndarray      # (P, L) per-policy closed-loop state of the estimator (L may be 0)

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
        """One compiled call per law present, over the estimator's record of the chunk."""
        data = self.estimator.inputs(chunk)
        base, mon = self.base_table(chunk), self.bank.monitor(chunk)
        books = self.bank.books(chunk, self.loop)
        loops: dict = {}
        for p, gain in enumerate(self.gains):
            loops.setdefault(type(gain).loop, []).append(p)
        for loop, which in loops.items():
            laws = LawBank(which=np.array(which, dtype=np.int64), base=base, params=self.params,
                           state=self.state, events=self.events)
            loop(data, laws, books, mon)


def _general(estimator, rows: list[int], gains: list, theta0: np.ndarray, plant,
             grid: int, clocks: list) -> GeneralGroup:
    n = theta0.size
    compiled = [g.compile(plant, n) for g in gains]
    K = max(c.params.size for c in compiled)
    S = max(c.state.shape[0] for c in compiled)
    params = np.zeros((len(gains), max(K, 1)))
    state = np.zeros((len(gains), max(S, 1), n))
    for p, c in enumerate(compiled):
        params[p, :c.params.size] = c.params
        state[p, :c.state.shape[0]] = c.state
    bank = Bank.create(theta0, np.array([c.eta0 for c in compiled]), grid)
    loop = np.zeros((len(gains), getattr(estimator, "loop_rows", 0)))
    return GeneralGroup(estimator=estimator, rows=rows, bank=bank, gains=gains, params=params,
                        state=state, events=np.zeros(len(gains), dtype=np.int64),
                        clocks=clocks, loop=loop)


def make_groups(policies, theta0: np.ndarray, plant, grid: int, delay: int = 0) -> list:
    """Bank ``policies``: fast groups for constant gains, general groups for the rest;
    with a feedback ``delay`` > 0, delayed groups (:mod:`gainsim.estimators.delayed`)."""
    if delay > 0:
        return _delayed_groups(policies, theta0, grid, delay)
    keyed: dict = {}
    for p, policy in enumerate(policies):
        keyed.setdefault((policy.estimator, isinstance(policy.gain, Constant)), []).append(p)
    groups = []
    n = theta0.size
    for (estimator, _), rows in keyed.items():
        gains = [policies[p].gain for p in rows]
        if hasattr(estimator, "init_state"):  # the scipy baselines: estimators in Python
            groups.append(make_python_group(estimator, rows, gains, theta0, plant, grid))
        elif on_fast_kernel(policies[rows[0]]):  # so are all of the group's
            gain = np.array([g.eta_vector(n) for g in gains])
            groups.append(FastGroup(estimator=estimator, rows=rows,
                                    bank=Bank.create(theta0, gain, grid, constant=True),
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
