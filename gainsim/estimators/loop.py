r"""The one per-sample loop of every compiled gain law: predict, observe, learn, record.

For each policy of a group and each sample ``i`` of a chunk, in arrival order:

1. at a monitor time, record the policy (:mod:`gainsim.estimators.monitor`);
2. the estimator **observes** the sample (its own compiled maths, see below): the
   a-priori error ``e``, the gradient ``g`` of the sample's loss, its curvature
   diagonal ``c`` (only when the law uses it), the regressor ``x`` and the loss;
3. the gain **law** turns them into the parameter step and the per-parameter gain,
   ``theta += step``;
4. the estimator **settles** (e.g. integrates a closed loop over the sample), and the
   policy diverges when :math:`|\theta|^2` or the size the estimator returns passes
   the limit (the time of divergence is recorded).

A law's module holds the small compiled wrapper numba needs to cache one loop per
law (``sample_loop(law, uses_curvature, ...)``, the law inlined): no branch on the
law inside the loop. The estimator is chosen by the type of its input record, at
compile time: each estimator registers its record class with :func:`observer`, and
:func:`observe` / :func:`settle` resolve to that estimator's functions when numba
compiles the loop for it (one specialisation per law and estimator, each cached).

Estimator functions::

    observe(data, z, i, th, uses_curvature, g, c, x) -> (e, loss, tracking_error)
    settle(data, z, i, th) -> size2     # squared size of any state beside theta

``z`` is the policy's row of ``books.loop``: the state of a closed loop the estimator
keeps per policy (MRAC), empty for the others.

**Keep** ``observe`` **and** ``settle`` **flat.** Their Python source is inlined into the
loop (numba's overload inlining, under the law wrapper's ``error_model``), but a call
*inside* them to another ``@njit`` helper is not inlined with them: numba compiles the
helper on its own and only LLVM inlines it afterwards. On the benchmark's 16-tap LMS that
cost about 30 % of an IDBD and Autostep update (a shared ``predict`` helper in the LMS
observe: 145 ns against 108 ns, same process). So the per-sample arithmetic is written
out in the function itself, or the helper is marked ``inline="always"`` too (MRAC's
RK4 step and its derivative: a real call cost 16 % of an MRAC scenario).
"""
from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit
from numba.extending import overload

from gainsim.estimators.monitor import (add_error, at_monitor_times, close_interval, diverge,
                                        flush_snapshots, open_interval)

_OBSERVERS: dict = {}  # input record class -> (observe, settle)


class LawBank(NamedTuple):
    """The gain laws' per-policy data of a group (one name per quantity)."""

    which: np.ndarray   # (q,) int64 rows of the group that use this law
    base: np.ndarray    # (P, m) scheduled base gain per sample (0 without a schedule)
    params: np.ndarray  # (P, K) hyperparameters in each law's order
    state: np.ndarray   # (P, S, n) state rows of each law
    events: np.ndarray  # (P,) int64 events the laws raised (e.g. clips)


@njit(cache=True, inline="always")
def no_settle(data, z, i, th):  # pragma: no cover - compiled
    """For estimators with nothing beside theta: size 0."""
    return 0.0


def observer(record: type, settle_fn=no_settle):
    """Register the decorated compiled ``observe`` for estimator input records of ``record``."""
    def register(observe_fn):
        _OBSERVERS[record] = (observe_fn, settle_fn)
        return observe_fn
    return register


def observes(record: type) -> bool:
    """Whether an ``observe`` is registered for input records of class ``record``."""
    return record in _OBSERVERS


def observe(data, z, i, th, uses_curvature, g, c, x):  # pragma: no cover - compiled only
    """The estimator's view of sample ``i``; resolved per record type at compile time."""
    raise TypeError("observe is only callable from compiled code")


def settle(data, z, i, th):  # pragma: no cover - compiled only
    """After the update: the estimator's own state; resolved per record type."""
    raise TypeError("settle is only callable from compiled code")


@overload(observe, inline="always")
def _observe(data, z, i, th, uses_curvature, g, c, x):  # pragma: no cover - typing
    # the estimator's own Python function is the implementation: numba inlines its IR
    # into the loop (a call to the compiled dispatcher from here would be compiled on
    # its own and cost ~30 % of an IDBD update, see the module docstring)
    return _OBSERVERS[data.instance_class][0].py_func


@overload(settle, inline="always")
def _settle(data, z, i, th):  # pragma: no cover - typing
    return _OBSERVERS[data.instance_class][1].py_func


@njit(cache=True, inline="always")
def sample_loop(law, uses_curvature, data, laws, books, mon):  # pragma: no cover - compiled
    """Apply the chunk's samples to the policies ``laws.which``, all with ``law``."""
    arrival, theta, alive, updates = books.arrival, books.theta, books.alive, books.updates
    last_gain, limit2 = books.last_gain, books.limit2
    base, params, state, events = laws.base, laws.params, laws.state, laws.events
    grid_pos = mon.grid_pos
    m = arrival.size
    n = theta.shape[1]
    # The law's arrays are sized by the state rows' length (n: groups._general builds the
    # state (P, S, n)), not by n itself. Same bits and about the same machine code either
    # way, but sized by n, IDBD and Autostep measured 1.5x and 1.25x slower per update at
    # n = 16 (interleaved A/B of the two builds: IDBD 90-98 -> 59-67 ns, Autostep 109-112
    # -> 85-92 ns; the ratios in benchmarks/RESULTS.md, section 7); the other laws
    # measured the same.
    ns = state.shape[2]
    g = np.empty(ns)
    c = np.empty(ns)
    step = np.empty(ns)
    eta = np.empty(ns)
    x = np.zeros(ns)
    for p in laws.which:
        if not alive[p]:
            continue
        th = theta[p]
        et = last_gain[p]
        prm = params[p]   # views hoisted out of the per-sample loop
        stp = state[p]
        z = books.loop[p]
        stepped = False  # eta holds a law's output (else et keeps the initial gain)
        # an int64, not a literal 0: typing the loop, numba would first see jj as
        # Literal[int](0) and compile the monitor helpers for it too (0.2 s each)
        jj = np.int64(0)
        cur = mon.first
        s, cnt = open_interval(mon, p, cur)  # running sums of the interval, in registers
        for i in range(m):
            if jj < grid_pos.size and grid_pos[jj] == i:  # only at monitor times
                if stepped:
                    for j in range(n):
                        et[j] = eta[j]
                jj, cur, s, cnt = at_monitor_times(th, et, mon, p, i, jj, cur, s, cnt)
            e, loss, te = observe(data, z, i, th, uses_curvature, g, c, x)
            events[p] += law(prm, stp, g, c, x, e, loss, base[p, i], updates[p], step, eta)
            stepped = True
            norm2 = 0.0
            for j in range(n):
                th[j] += step[j]
                norm2 += th[j] * th[j]
            size2 = settle(data, z, i, th)
            updates[p] += 1
            s, cnt = add_error(s, cnt, te)
            if not (norm2 <= limit2 and size2 <= limit2):
                diverge(books, p, i)
                break
        close_interval(mon, p, cur, s, cnt)
        if stepped:
            for j in range(n):
                et[j] = eta[j]
        if alive[p]:
            flush_snapshots(th, et, mon, p, jj)
