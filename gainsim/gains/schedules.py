r"""Gain schedules, decays and combinators: the gain :math:`\eta_k` as a pure function of ``k``.

Each schedule is a frozen dataclass of its hyperparameters (see
:class:`gainsim.gains.schedule.Schedule`); calling it with integer update counts
gives the gains without a Python loop::

    >>> Step(eta0=0.1, step_size=10)(np.array([0, 9, 10, 25]))
    array([0.1  , 0.1  , 0.01 , 0.001])

The constant schedule is :class:`gainsim.gains.constant.Constant` (it is the
constant gain too); the cosine-shaped and cyclic schedules live in
:mod:`gainsim.gains.cyclic`.
"""
import math
from dataclasses import dataclass
from typing import Callable, ClassVar

import numpy as np

from gainsim.fields import (all_of, at_least_one, between, increasing, nonneg, param,
                            positive)
from gainsim.gains.constant import Constant  # noqa: F401  (the constant schedule)
from gainsim.gains.schedule import Schedule, int_power
from gainsim.registry import register

UNIT = between(0.0, 1.0, open_low=True)  # (0, 1]: a decay factor


# ----------------------------------------------------------------------------- decays
@register("schedule", "gain")
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
    _unit_test_params: ClassVar = ({"eta0": 0.1, "step_size": 3},)
    summary: ClassVar[str] = "multiply by gamma every step_size updates"
    eta0: float = param(doc="initial gain", check=positive)
    step_size: int = param(doc="updates between decays `s`", check=at_least_one)
    gamma: float = param(0.1, doc="decay factor", check=UNIT)

    def _eta(self, k):
        return self.eta0 * int_power(self.gamma, k // self.step_size)


@register("schedule", "gain")
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
    _unit_test_params: ClassVar = ({"eta0": 0.1, "milestones": [2, 4]},)
    summary: ClassVar[str] = "multiply by gamma at each milestone"
    eta0: float = param(doc="initial gain", check=positive)
    milestones: tuple[int, ...] = param(doc="update counts at which the gain is cut",
                                        check=all_of(at_least_one, increasing))
    gamma: float = param(0.1, doc="decay factor", check=UNIT)

    def _eta(self, k):
        passed = np.searchsorted(np.asarray(self.milestones, dtype=np.int64), k, side="right")
        return self.eta0 * int_power(self.gamma, passed)


@register("schedule", "gain")
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
    _unit_test_params: ClassVar = ({"eta0": 0.1, "decay_rate": 0.5},)
    summary: ClassVar[str] = "eta0 * decay_rate**(k / transition_steps)"
    eta0: float = param(doc="initial gain", check=positive)
    decay_rate: float = param(doc="factor `r` per `transition_steps` updates", check=UNIT)
    transition_steps: int = param(1, doc="`s`", check=at_least_one)
    staircase: bool = param(False, doc="decay in whole steps of `s`")

    def _eta(self, k):
        if self.staircase:
            return self.eta0 * int_power(self.decay_rate, k // self.transition_steps)
        return self.eta0 * self.decay_rate ** (k / self.transition_steps)


@register("schedule", "gain")
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
    _unit_test_params: ClassVar = ({"eta_min": 0.001, "eta_max": 0.1, "total_steps": 6},)
    summary: ClassVar[str] = "geometric ramp eta_min -> eta_max over total_steps, then hold"
    eta_min: float = param(doc="gain at `k = 0`", check=positive)
    eta_max: float = param(doc="gain at `k ≥ T`", check=positive, note="> eta_min")
    total_steps: int = param(doc="`T`: updates the ramp takes", check=at_least_one)

    def problems(self):
        if self.eta_max <= self.eta_min:
            yield "eta_max", f"must be > eta_min = {self.eta_min!r} (got {self.eta_max!r})"

    def _eta(self, k):
        u = np.minimum(k, self.total_steps) / self.total_steps
        ramp = self.eta_min * np.exp(u * math.log(self.eta_max / self.eta_min))
        return np.where(k >= self.total_steps, float(self.eta_max), ramp)  # exact at the end


@register("schedule", "gain")
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
    _unit_test_params: ClassVar = ({"eta0": 0.1, "decay_rate": 0.5},)
    summary: ClassVar[str] = "eta0 / (1 + decay_rate * k / decay_steps)"
    eta0: float = param(doc="initial gain", check=positive)
    decay_rate: float = param(doc="`r`", check=nonneg)
    decay_steps: int = param(1, doc="`s`", check=at_least_one)
    staircase: bool = param(False, doc="use `⌊k/s⌋`")

    def _eta(self, k):
        p = k // self.decay_steps if self.staircase else k / self.decay_steps
        return self.eta0 / (1.0 + self.decay_rate * p)


@register("schedule", "gain")
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
    _unit_test_params: ClassVar = ({"eta0": 0.1, "eta_end": 0.01, "power": 2.0, "total_steps": 5},)
    summary: ClassVar[str] = "(eta0 - eta_end)(1 - k/T)**power + eta_end, then eta_end"
    eta0: float = param(doc="initial gain", check=positive)
    eta_end: float = param(doc="final gain (held for `k ≥ T`)", check=nonneg)
    power: float = param(doc="`p`", check=positive)
    total_steps: int = param(doc="`T`", check=at_least_one)

    def _eta(self, k):
        frac = 1.0 - np.minimum(k, self.total_steps) / self.total_steps
        return (self.eta0 - self.eta_end) * frac ** self.power + self.eta_end


@register("schedule", "gain")
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
    _unit_test_params: ClassVar = ({"eta0": 0.1, "tau": 3.0},)
    summary: ClassVar[str] = "eta0 / (1 + k/tau)**power; Robbins-Monro iff 0.5 < power <= 1"
    eta0: float = param(doc="initial gain", check=positive)
    tau: float = param(doc="time constant `τ` (updates before the decay is felt)",
                       check=positive)
    power: float = param(1.0, doc="`p`", check=positive)

    def _eta(self, k):
        return self.eta0 / (1.0 + k / self.tau) ** self.power


# ----------------------------------------------------------------------------- combinators
@register("schedule", "gain")
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
    _unit_test_params: ClassVar = ({"schedule": {"kind": "constant", "eta": 0.1},
                                    "warmup_steps": 2},)
    summary: ClassVar[str] = "linear ramp from eta_start to schedule(0), then schedule(k - W)"
    schedule: Callable = param(doc="the schedule `s` after the warm-up")
    warmup_steps: int = param(doc="`W` (0: no warm-up)", check=nonneg)
    eta_start: float = param(0.0, doc="gain at `k = 0`", check=nonneg)

    def _eta(self, k):
        w = self.warmup_steps
        after = np.asarray(self.schedule(np.maximum(k - w, 0)), dtype=np.float64)
        if w == 0:
            return after
        peak = float(self.schedule(0))
        ramp = self.eta_start + (peak - self.eta_start) * (k / w)
        return np.where(k < w, ramp, after)


@register("schedule", "gain")
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
    _unit_test_params: ClassVar = ({"schedules": [0.1, 0.01], "boundaries": [3]},)
    summary: ClassVar[str] = "schedule i from boundary i-1 on, restarted at 0 there"
    schedules: tuple[Callable, ...] = param(doc="`n ≥ 1` schedules, one after another")
    boundaries: tuple[int, ...] = param(doc="`n − 1` update counts",
                                        check=all_of(at_least_one, increasing))

    def problems(self):
        if not self.schedules:
            yield "schedules", f"must be a non-empty array of schedules (got {self.schedules!r})"
        n = len(self.schedules) - 1
        if len(self.boundaries) != n:
            yield "boundaries", (f"must be of length len(schedules) - 1 = {n} "
                                 f"(got {self.boundaries!r})")

    def _eta(self, k):
        eta = np.asarray(self.schedules[0](k), dtype=np.float64)
        for b, sched in zip(self.boundaries, self.schedules[1:]):
            later = np.asarray(sched(np.maximum(k - b, 0)), dtype=np.float64)
            eta = np.where(k < b, eta, later)
        return eta
