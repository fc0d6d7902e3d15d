r"""Gain schedules: the gain :math:`\eta_k` as a pure function of the update count.

A schedule is a frozen dataclass of its hyperparameters (stored exactly as passed).
Calling it with an update count ``k >= 0`` (``k = 0`` is the first update) returns
the gain: a ``float`` for a scalar ``k``, a ``float64`` array for an integer array,
computed without a Python loop::

    >>> Step(eta0=0.1, step_size=10)(np.array([0, 9, 10, 25]))
    array([0.1  , 0.1  , 0.01 , 0.001])

The cosine-shaped and cyclic schedules (``Cosine``, ``CosineRestarts``, ``Cyclical``,
``OneCycle``) live in :mod:`gainsim.gains.cyclic`. ``SCHEDULES`` maps every ``kind``
(from both modules) to its class.
"""
import math
import numbers
from dataclasses import dataclass
from typing import Any, Callable, ClassVar

import numpy as np

# ----------------------------------------------------------------------------- checks
# A rule is (allowed, predicate): the phrase used in the error message and the test.
Rule = tuple[str, Callable[[Any], bool]]


def _is_real(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool) and math.isfinite(v)


def _is_int(v: Any) -> bool:
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _is_seq(v: Any) -> bool:
    return hasattr(v, "__len__") and not isinstance(v, (str, bytes, dict))


def _increasing_ints(v: Any) -> bool:
    vals = list(v) if _is_seq(v) else [0]
    return (all(_is_int(x) and x >= 1 for x in vals)
            and all(a < b for a, b in zip(vals, vals[1:])))


GT0: Rule = ("> 0", lambda v: _is_real(v) and v > 0)
GE0: Rule = (">= 0", lambda v: _is_real(v) and v >= 0)
UNIT: Rule = ("in (0, 1]", lambda v: _is_real(v) and 0 < v <= 1)
OPEN_UNIT: Rule = ("in (0, 1)", lambda v: _is_real(v) and 0 < v < 1)
INT_GE0: Rule = ("an integer >= 0", lambda v: _is_int(v) and v >= 0)
INT_GE1: Rule = ("an integer >= 1", lambda v: _is_int(v) and v >= 1)
BOOL: Rule = ("True or False", lambda v: isinstance(v, (bool, np.bool_)))
CALLABLE: Rule = ("a schedule (callable k -> eta)", callable)
INCREASING: Rule = ("a strictly increasing sequence of integers >= 1", _increasing_ints)
SCHEDULE_SEQ: Rule = ("a non-empty sequence of schedules (callables)",
                      lambda v: _is_seq(v) and len(v) > 0 and all(map(callable, v)))


def one_of(*options: str) -> Rule:
    """Rule: the value is one of ``options``."""
    return (f"one of {', '.join(map(repr, options))}", lambda v: v in options)


def fail(name: str, allowed: str, value: Any) -> None:
    """Raise the standard ``"name: must be <allowed> (got value)"`` error."""
    raise ValueError(f"{name}: must be {allowed} (got {value!r})")


def int_power(base: float, n: np.ndarray) -> np.ndarray:
    """``base ** n`` for integer ``n >= 0``, each distinct power from ``math.pow``.

    ``np.power`` on an array runs a SIMD loop that may round differently from its
    scalar path and from one CPU to another (AVX-512 vs AVX2); a schedule's integer
    powers take few distinct values, so each is computed once by the C library's
    ``pow`` (< 1 ulp) and the result is the same for a scalar, for any array and on
    any machine with the same C library.
    """
    n = np.asarray(n, dtype=np.int64)
    values, where = np.unique(n, return_inverse=True)
    powers = np.array([math.pow(base, int(j)) for j in values], dtype=np.float64)
    return powers[where].reshape(n.shape)


def as_steps(k: Any) -> np.ndarray:
    """Update counts as an integer array; integral floats are accepted."""
    arr = np.asarray(k)
    if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.floor(arr)):
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"k: must be an integer update count (got {k!r})")
    if arr.size and arr.min() < 0:
        raise ValueError(f"k: must be >= 0 (got {arr.min()!r})")
    return arr


class Schedule:
    """Shared plumbing: field checks from ``_rules`` and the vectorised ``__call__``.

    Subclasses list ``_rules = (("field", rule), ...)``, may add cross-field checks
    in ``_check`` and implement ``_eta(k)`` for an integer array ``k >= 0``.
    """

    kind: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    shorthand_field: ClassVar[str | None] = None
    _rules: ClassVar[tuple[tuple[str, Rule], ...]] = ()
    code: ClassVar[int] = 0  # gainsim.gains.dispatch.SCHEDULED: step = -eta_k * gradient
    estimators: ClassVar[tuple[str, ...]] = ("lms", "nlms", "gd")

    # As a gain policy: eta_k = schedule(k); see gainsim.gains.compiled.
    def base_schedule(self):
        return self

    def compile(self, plant, n: int):
        from gainsim.gains.compiled import Compiled

        return Compiled(params=np.zeros(1), state=np.zeros((0, n)),
                        eta0=np.full(n, self(np.int64(0))))

    def init(self, n: int, plant=None):
        """No state beyond the update count."""
        return 0

    def step(self, state, obs):
        """``(eta_k, k + 1)`` with ``k`` the update count carried as the state."""
        return self(np.int64(state)), state + 1

    def __post_init__(self) -> None:
        for name, (allowed, ok) in self._rules:
            value = getattr(self, name)
            if not ok(value):
                fail(name, allowed, value)
        self._check()

    def _check(self) -> None:
        """Cross-field checks; raise via :func:`fail`."""

    def _eta(self, k: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, k):
        """Gain at update count(s) ``k`` (``float`` for a scalar, else ``float64`` array)."""
        steps = as_steps(k)
        # One code path: a scalar is evaluated as a one-element array, so numpy runs
        # the same (SIMD) loop for it as for any element of a longer array.
        flat = np.ascontiguousarray(steps.reshape(-1))
        eta = np.broadcast_to(np.asarray(self._eta(flat), dtype=np.float64), flat.shape)
        return float(eta[0]) if steps.ndim == 0 else eta.reshape(steps.shape).copy()


# ----------------------------------------------------------------------------- decays
@dataclass(frozen=True)
class Constant(Schedule):
    r"""Constant gain.

    .. math:: \eta_k = \eta

    Parameters
    ----------
    eta : float
        The gain, >= 0.

    References
    ----------
    optax ``constant_schedule``.
    """

    kind: ClassVar[str] = "constant"
    shorthand_field: ClassVar[str | None] = "eta"
    summary: ClassVar[str] = "the same gain at every update"
    _rules = (("eta", GE0),)
    eta: float

    def _eta(self, k):
        return np.full(k.shape, float(self.eta))


@dataclass(frozen=True)
class Step(Schedule):
    r"""Step decay: multiply by ``gamma`` every ``step_size`` updates.

    .. math:: \eta_k = \eta_0\,\gamma^{\lfloor k/s \rfloor}

    Parameters
    ----------
    eta0 : float
        Initial gain, > 0.
    step_size : int
        Updates between decays :math:`s`, >= 1.
    gamma : float, default 0.1
        Decay factor, in (0, 1].

    References
    ----------
    PyTorch ``torch.optim.lr_scheduler.StepLR`` (same defaults).
    """

    kind: ClassVar[str] = "step"
    summary: ClassVar[str] = "multiply by gamma every step_size updates"
    _rules = (("eta0", GT0), ("step_size", INT_GE1), ("gamma", UNIT))
    eta0: float
    step_size: int
    gamma: float = 0.1

    def _eta(self, k):
        return self.eta0 * int_power(self.gamma, k // self.step_size)


@dataclass(frozen=True)
class MultiStep(Schedule):
    r"""Multiply by ``gamma`` at each milestone.

    .. math:: \eta_k = \eta_0\,\gamma^{\#\{m \in \text{milestones} : m \le k\}}

    Parameters
    ----------
    eta0 : float
        Initial gain, > 0.
    milestones : sequence of int
        Strictly increasing update counts >= 1; the decay applies *at* a milestone.
    gamma : float, default 0.1
        Decay factor, in (0, 1].

    References
    ----------
    PyTorch ``torch.optim.lr_scheduler.MultiStepLR``; optax
    ``piecewise_constant_schedule`` with equal scales.
    """

    kind: ClassVar[str] = "multistep"
    summary: ClassVar[str] = "multiply by gamma at each milestone"
    _rules = (("eta0", GT0), ("milestones", INCREASING), ("gamma", UNIT))
    eta0: float
    milestones: tuple[int, ...]
    gamma: float = 0.1

    def _eta(self, k):
        passed = np.searchsorted(np.asarray(self.milestones, dtype=np.int64), k, side="right")
        return self.eta0 * int_power(self.gamma, passed)


@dataclass(frozen=True)
class Exponential(Schedule):
    r"""Exponential decay, smooth or staircase.

    .. math:: \eta_k = \eta_0\, r^{k/s} \qquad
              (\text{staircase: } \eta_0\, r^{\lfloor k/s \rfloor})

    Parameters
    ----------
    eta0 : float
        Initial gain, > 0.
    decay_rate : float
        Factor :math:`r` applied every ``transition_steps`` updates, in (0, 1].
    transition_steps : int, default 1
        :math:`s`, >= 1. With ``s = 1`` this is PyTorch ``ExponentialLR(gamma=r)``.
    staircase : bool, default False
        Decay in whole steps of ``transition_steps``.

    References
    ----------
    optax ``exponential_decay``; PyTorch ``torch.optim.lr_scheduler.ExponentialLR``.
    """

    kind: ClassVar[str] = "exponential"
    summary: ClassVar[str] = "eta0 * decay_rate**(k / transition_steps)"
    _rules = (("eta0", GT0), ("decay_rate", UNIT), ("transition_steps", INT_GE1),
              ("staircase", BOOL))
    eta0: float
    decay_rate: float
    transition_steps: int = 1
    staircase: bool = False

    def _eta(self, k):
        if self.staircase:
            return self.eta0 * int_power(self.decay_rate, k // self.transition_steps)
        return self.eta0 * self.decay_rate ** (k / self.transition_steps)


@dataclass(frozen=True)
class RangeTest(Schedule):
    r"""Geometric ramp from ``eta_min`` to ``eta_max`` over ``total_steps``, then hold.

    The gain of Smith's learning-rate range test: one run whose gain rises by the
    same factor at every update, so equal stretches of the run cover equal
    decades of gain.

    .. math:: \eta_k = \eta_\min \left(\frac{\eta_\max}{\eta_\min}\right)^{\min(k, T)/T}

    Parameters
    ----------
    eta_min : float
        Gain at :math:`k = 0`, > 0.
    eta_max : float
        Gain at :math:`k \ge T`, > 0 and > ``eta_min``.
    total_steps : int
        :math:`T`, >= 1: updates the ramp takes.

    References
    ----------
    L. N. Smith, "Cyclical learning rates for training neural networks", WACV 2017,
    section 3.3 (the range test); fastai ``LRFinder`` (exponential ramp).
    """

    kind: ClassVar[str] = "range_test"
    summary: ClassVar[str] = "geometric ramp eta_min -> eta_max over total_steps, then hold"
    _rules = (("eta_min", GT0), ("eta_max", GT0), ("total_steps", INT_GE1))
    eta_min: float
    eta_max: float
    total_steps: int

    def _check(self):
        if self.eta_max <= self.eta_min:
            fail("eta_max", f"> eta_min = {self.eta_min!r}", self.eta_max)

    def _eta(self, k):
        u = np.minimum(k, self.total_steps) / self.total_steps
        ramp = self.eta_min * np.exp(u * math.log(self.eta_max / self.eta_min))
        return np.where(k >= self.total_steps, float(self.eta_max), ramp)  # exact at the end


@dataclass(frozen=True)
class InverseTime(Schedule):
    r"""Inverse-time decay.

    .. math:: \eta_k = \frac{\eta_0}{1 + r\,k/s} \qquad
              (\text{staircase: } k/s \to \lfloor k/s \rfloor)

    Parameters
    ----------
    eta0 : float
        Initial gain, > 0.
    decay_rate : float
        :math:`r`, >= 0.
    decay_steps : int, default 1
        :math:`s`, >= 1.
    staircase : bool, default False
        Use :math:`\lfloor k/s \rfloor`.

    References
    ----------
    Keras ``optimizers.schedules.InverseTimeDecay``.
    """

    kind: ClassVar[str] = "inverse_time"
    summary: ClassVar[str] = "eta0 / (1 + decay_rate * k / decay_steps)"
    _rules = (("eta0", GT0), ("decay_rate", GE0), ("decay_steps", INT_GE1),
              ("staircase", BOOL))
    eta0: float
    decay_rate: float
    decay_steps: int = 1
    staircase: bool = False

    def _eta(self, k):
        p = k // self.decay_steps if self.staircase else k / self.decay_steps
        return self.eta0 / (1.0 + self.decay_rate * p)


@dataclass(frozen=True)
class Polynomial(Schedule):
    r"""Polynomial decay from ``eta0`` to ``eta_end`` over ``total_steps``, then hold.

    .. math:: \eta_k = (\eta_0 - \eta_\text{end})
              \left(1 - \frac{\min(k, T)}{T}\right)^{p} + \eta_\text{end}

    Parameters
    ----------
    eta0 : float
        Initial gain, > 0.
    eta_end : float
        Final gain, >= 0 (may exceed ``eta0``: a ramp up).
    power : float
        :math:`p`, > 0; ``power = 1`` is a linear ramp.
    total_steps : int
        :math:`T`, >= 1; :math:`\eta_k = \eta_\text{end}` for :math:`k \ge T`.

    References
    ----------
    optax ``polynomial_schedule`` (``transition_steps = T``).
    """

    kind: ClassVar[str] = "polynomial"
    summary: ClassVar[str] = "(eta0 - eta_end)(1 - k/T)**power + eta_end, then eta_end"
    _rules = (("eta0", GT0), ("eta_end", GE0), ("power", GT0), ("total_steps", INT_GE1))
    eta0: float
    eta_end: float
    power: float
    total_steps: int

    def _eta(self, k):
        frac = 1.0 - np.minimum(k, self.total_steps) / self.total_steps
        return (self.eta0 - self.eta_end) * frac ** self.power + self.eta_end


@dataclass(frozen=True)
class RobbinsMonro(Schedule):
    r"""Stochastic-approximation decay.

    .. math:: \eta_k = \frac{\eta_0}{(1 + k/\tau)^{p}}

    Since :math:`\eta_k \sim k^{-p}`, :math:`\sum_k \eta_k = \infty` iff
    :math:`p \le 1` and :math:`\sum_k \eta_k^2 < \infty` iff :math:`p > 1/2`: the
    Robbins–Monro conditions hold iff :math:`0.5 < p \le 1`. Any ``power > 0`` is
    accepted. A decaying gain converges on a fixed target but cannot track drift.

    Parameters
    ----------
    eta0 : float
        Initial gain, > 0.
    tau : float
        Time constant :math:`\tau` (updates before the decay is felt), > 0.
    power : float, default 1.0
        :math:`p`, > 0.

    References
    ----------
    H. Robbins and S. Monro, "A stochastic approximation method",
    Ann. Math. Statist. 22(3), 1951.
    """

    kind: ClassVar[str] = "robbins_monro"
    summary: ClassVar[str] = "eta0 / (1 + k/tau)**power; Robbins-Monro iff 0.5 < power <= 1"
    _rules = (("eta0", GT0), ("tau", GT0), ("power", GT0))
    eta0: float
    tau: float
    power: float = 1.0

    def _eta(self, k):
        return self.eta0 / (1.0 + k / self.tau) ** self.power


# ----------------------------------------------------------------------------- combinators
@dataclass(frozen=True)
class Warmup(Schedule):
    r"""Linear warm-up from ``eta_start`` to ``schedule(0)``, then ``schedule``.

    Convention: the wrapped schedule starts *after* the warm-up, so its
    :math:`k = 0` value is reached at :math:`k = W` (as in optax
    ``warmup_cosine_decay_schedule``, whose decay phase sees :math:`k - W`).

    .. math:: \eta_k = \begin{cases}
              \eta_\text{start} + (s(0) - \eta_\text{start})\,k/W & k < W \\
              s(k - W) & k \ge W \end{cases}

    Parameters
    ----------
    schedule : callable
        The schedule :math:`s` after warm-up; must accept integer arrays.
    warmup_steps : int
        :math:`W`, >= 0 (``0``: no warm-up).
    eta_start : float, default 0.0
        Gain at :math:`k = 0`, >= 0.

    References
    ----------
    optax ``warmup_cosine_decay_schedule``; P. Goyal et al., "Accurate, large
    minibatch SGD: training ImageNet in 1 hour", arXiv:1706.02677, 2017.
    """

    kind: ClassVar[str] = "warmup"
    summary: ClassVar[str] = "linear ramp from eta_start to schedule(0), then schedule(k - W)"
    _rules = (("schedule", CALLABLE), ("warmup_steps", INT_GE0), ("eta_start", GE0))
    schedule: Callable
    warmup_steps: int
    eta_start: float = 0.0

    def _eta(self, k):
        w = self.warmup_steps
        after = np.asarray(self.schedule(np.maximum(k - w, 0)), dtype=np.float64)
        if w == 0:
            return after
        peak = float(self.schedule(0))
        ramp = self.eta_start + (peak - self.eta_start) * (k / w)
        return np.where(k < w, ramp, after)


@dataclass(frozen=True)
class Join(Schedule):
    r"""Run ``schedules`` one after another, each restarting its count at its boundary.

    .. math:: \eta_k = s_i(k - b_{i-1}) \quad\text{for}\quad b_{i-1} \le k < b_i,
              \qquad b_{-1} = 0,\ b_{n-1} = \infty

    At :math:`k = b_i` schedule :math:`i+1` is already in force, evaluated at 0.

    Parameters
    ----------
    schedules : sequence of callable
        :math:`n \ge 1` schedules; each must accept integer arrays.
    boundaries : sequence of int
        :math:`n - 1` strictly increasing update counts >= 1.

    References
    ----------
    optax ``join_schedules``.
    """

    kind: ClassVar[str] = "join"
    summary: ClassVar[str] = "schedule i from boundary i-1 on, restarted at 0 there"
    _rules = (("schedules", SCHEDULE_SEQ), ("boundaries", INCREASING))
    schedules: tuple[Callable, ...]
    boundaries: tuple[int, ...]

    def _check(self):
        n = len(self.schedules) - 1
        if len(self.boundaries) != n:
            fail("boundaries", f"of length len(schedules) - 1 = {n}", self.boundaries)

    def _eta(self, k):
        eta = np.asarray(self.schedules[0](k), dtype=np.float64)
        for b, sched in zip(self.boundaries, self.schedules[1:]):
            later = np.asarray(sched(np.maximum(k - b, 0)), dtype=np.float64)
            eta = np.where(k < b, eta, later)
        return eta


SCHEDULES: dict[str, type] = {
    cls.kind: cls
    for cls in (Constant, Step, MultiStep, Exponential, RangeTest, InverseTime, Polynomial,
                RobbinsMonro, Warmup, Join)
}

# ``cyclic`` subclasses ``Schedule`` and adds its classes to ``SCHEDULES`` when imported.
# Imported last (a plain import) so that either module may be imported first.
import gainsim.gains.cyclic  # noqa: E402,F401
