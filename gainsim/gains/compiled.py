"""What every gain policy shares: a compiled law, declared once, and the policy protocol.

A policy class declares

* ``law`` — its compiled law (``@njit``), with the signature of every law::

      law(prm, st, g, c, x, e, loss, base, k, step, eta) -> events

  ``prm`` the hyperparameters (float vector, in the order of ``hyperparameters``),
  ``st`` the state rows ``(S, n)`` (updated in place, in the order of ``rows``),
  ``g`` the gradient of the sample's loss, ``c`` its curvature diagonal, ``x``, ``e``,
  ``loss`` the regressor, a-priori error and loss, ``base`` the scheduled base gain,
  ``k`` the update count (from 0). It writes the parameter step (``theta += step``)
  and the per-parameter gain ``eta`` and returns how many events (e.g. clips) it raised;
* ``loop`` — the module-level compiled wrapper that runs the law in the engine's
  sample loop (:func:`gainsim.estimators.loop.sample_loop`; numba caches it);
* ``hyperparameters`` — names of the values in ``prm``, in the law's order;
* ``rows`` — the state rows, :class:`Row` (name and initial value), in the law's order;
* ``needs`` — the quantities the law reads (:data:`gainsim.quantities.QUANTITIES`;
  ``"direction"`` for every law that scales a step direction), checked against
  what the estimator provides.

``compile(plant, n)`` is derived from them; ``init``/``step`` give the gain-policy
protocol by calling the very same compiled law the engine runs, so Python and kernel
cannot disagree. ``step(state, obs)`` returns ``(eta, state)`` for every policy:
``eta`` the ``(n,)`` gain vector, ``state`` a :class:`PolicyState` with the step.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Callable, ClassVar, NamedTuple

import numpy as np


class Row(NamedTuple):
    """One state row of a law: its name and initial value.

    ``init`` is a number or the name of a hyperparameter (or field); ``transform``
    maps that value (e.g. ``math.log``). ``identity`` makes the row block an ``n × n``
    matrix ``init · I`` (the covariance of RLS/Kalman) instead of one row. A scalar
    state lives in element 0 of its row (the whole row holds its initial value).
    """

    name: str
    init: float | str = 0.0
    transform: Callable[[float], float] | None = None
    identity: bool = False


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
    """Mixin: ``compile`` from the declarations and the gain-policy protocol on top of it."""

    law: ClassVar[Callable]
    loop: ClassVar[Callable]
    hyperparameters: ClassVar[tuple[str, ...]] = ()
    rows: ClassVar[tuple[Row, ...]] = ()
    needs: ClassVar[tuple[str, ...]] = ("direction",)
    _unit_test_params: ClassVar[tuple[dict, ...]] = ({},)  # examples for gainsim.testing
    shorthand_field: ClassVar[str | None] = None

    def base_schedule(self):
        """The scheduled base gain ``k -> eta`` the law scales, or ``None``."""
        eta = getattr(self, "eta", None)
        return None if eta is None else constant_or_schedule(eta)

    def law_values(self, plant: Any) -> dict:
        """Hyperparameters by name (fields; a policy may fill in the plant's truth)."""
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}

    def first_gain(self, values: dict, n: int) -> float:
        """The gain before the first update: the base schedule at 0, else ``eta0``."""
        sched = self.base_schedule()
        return float(sched(np.int64(0))) if sched is not None else float(values["eta0"])

    def compile(self, plant: Any, n: int) -> Compiled:
        """Hyperparameter vector, initial state rows and first gain, from the declarations."""
        values = self.law_values(plant)
        params = np.array([float(values[name]) for name in self.hyperparameters])
        blocks = []
        for row in self.rows:
            v = float(values[row.init]) if isinstance(row.init, str) else float(row.init)
            v = row.transform(v) if row.transform is not None else v
            blocks.append(np.eye(n) * v if row.identity else np.full((1, n), v))
        state = np.concatenate(blocks) if blocks else np.zeros((0, n))
        return Compiled(params=params, state=state, eta0=np.full(n, self.first_gain(values, n)))

    def init(self, n: int, plant: Any = None) -> PolicyState:
        compiled = self.compile(plant, n)
        return PolicyState(rows=compiled.state.copy(), params=compiled.params)

    def step(self, state: PolicyState, obs) -> tuple[np.ndarray, PolicyState]:
        """Gain for the sample in ``obs`` (fields k, t, x, e, grad, loss, curv); pure."""
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
        events = type(self).law(params, rows, g, curv, x, float(obs.e), float(obs.loss), base,
                                state.k, step, eta)
        return eta, PolicyState(rows=rows, params=params.copy(), k=state.k + 1, step=step,
                                events=state.events + int(events))
