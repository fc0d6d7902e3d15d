"""What every compiled gain policy shares: ``compile`` for the kernel, ``init``/``step`` in Python.

A policy class sets ``code`` (its law in :mod:`gainsim.gains.dispatch`), optionally
``estimators`` (the estimator kinds it makes sense for), and implements
``compile(plant, n) -> Compiled`` (hyperparameters as a float vector, the initial
state rows, the initial gain). The mixin turns that into the gain-policy protocol
``init(n) -> state`` and ``step(state, obs) -> (eta, state)`` by calling the very
same compiled law the engine uses, so Python and kernel can never disagree.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np


@dataclass(frozen=True)
class Compiled:
    params: np.ndarray  # (K,) hyperparameters in the law's order
    state: np.ndarray   # (S, n) initial state rows
    eta0: np.ndarray    # (n,) gain before the first update (what the monitor shows at t = 0)


@dataclass
class PolicyState:
    """Python-side state of a compiled policy: the law's rows and the update count."""

    rows: np.ndarray
    params: np.ndarray | None = None  # the law's hyperparameters (with the plant's truth)
    k: int = 0
    step: np.ndarray | None = None  # the last parameter step (theta += step)
    events: int = 0                 # events the law raised so far (e.g. clips)


def constant_or_schedule(eta: Any):
    """A callable ``k -> eta`` for a number or a schedule."""
    return eta if callable(eta) else (lambda k: np.full(np.shape(k), float(eta)))


class CompiledPolicy:
    """Mixin: the gain-policy protocol on top of ``compile`` and the compiled law."""

    code: ClassVar[int]
    estimators: ClassVar[tuple[str, ...]] = ("lms", "nlms", "gd")
    shorthand_field: ClassVar[str | None] = None

    def base_schedule(self):
        """The scheduled base gain ``k -> eta`` the law scales, or ``None``."""
        eta = getattr(self, "eta", None)
        return None if eta is None else constant_or_schedule(eta)

    def compile(self, plant: Any, n: int) -> Compiled:  # pragma: no cover - abstract
        raise NotImplementedError

    def init(self, n: int, plant: Any = None) -> PolicyState:
        compiled = self.compile(plant, n)
        return PolicyState(rows=compiled.state.copy(), params=compiled.params)

    def step(self, state: PolicyState, obs) -> tuple[np.ndarray, PolicyState]:
        """Gain for the sample in ``obs`` (fields k, t, x, e, grad, loss); pure."""
        from gainsim.gains.dispatch import gain_step

        n = state.rows.shape[1]
        g = np.asarray(obs.grad, dtype=float)
        x = np.zeros(n) if obs.x is None else np.asarray(obs.x, dtype=float)
        curv = getattr(obs, "curv", None)
        if curv is None:
            curv = x * x if obs.x is not None else np.ones(n)
        curv = np.asarray(curv, dtype=float)
        sched = self.base_schedule()
        base = float(sched(np.int64(state.k))) if sched is not None else 0.0
        rows = state.rows.copy()
        step, eta = np.empty(n), np.empty(n)
        params = state.params if state.params is not None else self.compile(None, n).params
        events = gain_step(self.code, params, rows, g, curv, x, float(obs.e), float(obs.loss),
                           base, state.k, step, eta)
        return eta, PolicyState(rows=rows, params=params.copy(), k=state.k + 1, step=step,
                                events=state.events + int(events))
