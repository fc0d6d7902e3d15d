r"""Cosine-shaped and cyclic gain schedules: cosine decay, SGDR, cyclical, one-cycle.

Same contract as every schedule (:class:`gainsim.gains.schedule.Schedule`: frozen
dataclass, ``__call__(k)`` vectorised over integer update counts ``k >= 0``).
"""
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from gainsim.fields import at_least_one, between, nonneg, param, positive
from gainsim.gains.schedule import Schedule, int_power
from gainsim.registry import register


def cos_anneal(a: Any, b: Any, u: Any) -> Any:
    r"""Half cosine from ``a`` at ``u = 0`` to ``b`` at ``u = 1``.

    .. math:: b + \tfrac12 (a - b)(1 + \cos \pi u)
    """
    return b + 0.5 * (a - b) * (1.0 + np.cos(np.pi * u))


def eta_min_problems(s: Any):
    """Cross-field check shared by the cosine schedules: ``eta_min <= eta0``."""
    if s.eta_min > s.eta0:
        yield "eta_min", f"must be <= eta0 = {s.eta0!r} (got {s.eta_min!r})"


@register("schedule", "gain")
@dataclass(frozen=True)
class Cosine(Schedule):
    r"""Half-cosine decay from ``eta0`` to ``eta_min`` over ``total_steps``, then hold.

    .. math:: \eta_k = \eta_\min + \tfrac12(\eta_0 - \eta_\min)
              \left(1 + \cos\frac{\pi \min(k, T)}{T}\right)

    Unlike PyTorch ``CosineAnnealingLR`` (whose cosine rises again after
    ``T_max``), the gain holds at ``eta_min`` for :math:`k \ge T`, as in optax.

    Parameters
    ----------
    eta0 : float
        Initial gain, > 0.
    total_steps : int
        :math:`T`, >= 1.
    eta_min : float, default 0.0
        Final gain, in [0, eta0].

    References
    ----------
    optax ``cosine_decay_schedule`` (``alpha = eta_min/eta0``); PyTorch
    ``CosineAnnealingLR``; I. Loshchilov and F. Hutter, "SGDR: Stochastic gradient
    descent with warm restarts", ICLR 2017.
    """

    kind: ClassVar[str] = "cosine"
    _unit_test_params: ClassVar = ({"eta0": 0.1, "total_steps": 5},)
    summary: ClassVar[str] = "half cosine from eta0 to eta_min over total_steps, then hold"
    eta0: float = param(doc="initial gain", check=positive)
    total_steps: int = param(doc="`T`", check=at_least_one)
    eta_min: float = param(0.0, doc="final gain, held for `k ≥ T`", check=nonneg,
                           note="<= eta0")
    problems = eta_min_problems

    def _eta(self, k):
        u = np.minimum(k, self.total_steps) / self.total_steps
        return cos_anneal(self.eta0, self.eta_min, u)


@register("schedule", "gain")
@dataclass(frozen=True)
class CosineRestarts(Schedule):
    r"""Cosine annealing with warm restarts (SGDR).

    Cycle :math:`i` lasts :math:`T_i = T_0\,m^i` updates and starts at
    :math:`k_i = T_0 (m^i - 1)/(m - 1)` (:math:`k_i = i\,T_0` for :math:`m = 1`).
    With :math:`t = k - k_i` the count since the last restart,

    .. math:: \eta_k = \eta_\min + \tfrac12(\eta_0 - \eta_\min)
              \left(1 + \cos\frac{\pi t}{T_i}\right)

    so :math:`\eta = \eta_0` at every restart :math:`k = k_i` and the cycle's
    last value is just above ``eta_min``.

    Parameters
    ----------
    eta0 : float
        Gain at each restart, > 0.
    t0 : int
        Length of the first cycle :math:`T_0`, >= 1.
    t_mult : int, default 1
        Growth factor :math:`m` of the cycle length, an integer >= 1.
    eta_min : float, default 0.0
        Floor, in [0, eta0].

    References
    ----------
    I. Loshchilov and F. Hutter, "SGDR: Stochastic gradient descent with warm
    restarts", ICLR 2017; PyTorch ``CosineAnnealingWarmRestarts`` (same
    defaults); optax ``sgdr_schedule``.
    """

    kind: ClassVar[str] = "cosine_restarts"
    _unit_test_params: ClassVar = ({"eta0": 0.1, "t0": 3},)
    summary: ClassVar[str] = "SGDR: cosine from eta0 to eta_min, restarting; cycles grow by t_mult"
    eta0: float = param(doc="gain at each restart", check=positive)
    t0: int = param(doc="first cycle length `T₀`", check=at_least_one)
    t_mult: int = param(1, doc="cycle growth `m`", check=at_least_one)
    eta_min: float = param(0.0, doc="floor", check=nonneg, note="<= eta0")
    problems = eta_min_problems

    def _start(self, n):
        """First update of cycle ``n`` (for ``t_mult > 1``)."""
        return self.t0 * (self.t_mult ** n - 1) / (self.t_mult - 1)

    def _cycle(self, k):
        """Start and length of the cycle containing each ``k``."""
        t0, m = self.t0, self.t_mult
        if m == 1:
            return (k // t0) * t0, np.full(k.shape, t0)
        n = np.floor(np.log1p(k * (m - 1) / t0) / np.log(m))
        n = n - (k < self._start(n))  # correct log round-off next to a restart
        n = n + (k >= self._start(n + 1))
        return self._start(n), t0 * m ** n

    def _eta(self, k):
        start, length = self._cycle(k)
        return cos_anneal(self.eta0, self.eta_min, (k - start) / length)


@register("schedule", "gain")
@dataclass(frozen=True)
class Cyclical(Schedule):
    r"""Cyclical (triangular) gain between ``eta_min`` and ``eta_max``.

    A cycle lasts :math:`2s` updates: up from ``eta_min`` for :math:`s`, down for
    :math:`s`. With cycle number :math:`c = \lfloor 1 + k/(2s) \rfloor` and
    :math:`x = |k/s - 2c + 1|`,

    .. math:: \eta_k = \eta_\min + (\eta_\max - \eta_\min)\max(0, 1 - x)\,a_k

    where the amplitude factor :math:`a_k` is 1 (``"triangular"``),
    :math:`2^{-(c-1)}` (``"triangular2"``: halved each cycle) or :math:`\gamma^k`
    (``"exp_range"``). :math:`\eta_0 = \eta_\min`, peaks at :math:`k = s, 3s, \dots`.

    Parameters
    ----------
    eta_min : float
        Lower bound (PyTorch ``base_lr``), >= 0.
    eta_max : float
        Upper bound, > eta_min.
    step_size_up : int
        Half-cycle :math:`s`, >= 1 (the down half has the same length).
    mode : {"triangular", "triangular2", "exp_range"}, default "triangular"
    gamma : float, default 1.0
        Per-update amplitude factor for ``"exp_range"``, in (0, 1]; ignored otherwise.

    References
    ----------
    L. N. Smith, "Cyclical learning rates for training neural networks", WACV 2017;
    PyTorch ``torch.optim.lr_scheduler.CyclicLR`` (symmetric, no momentum cycling).
    """

    kind: ClassVar[str] = "cyclical"
    _unit_test_params: ClassVar = ({"eta_min": 0.01, "eta_max": 0.1, "step_size_up": 2},)
    summary: ClassVar[str] = "triangular cycles between eta_min and eta_max (Smith 2017)"
    eta_min: float = param(doc="lower bound (PyTorch `base_lr`)", check=nonneg)
    eta_max: float = param(doc="upper bound", check=positive, note="> eta_min")
    step_size_up: int = param(doc="half-cycle `s`", check=at_least_one)
    mode: str = param("triangular", doc="amplitude of each cycle",
                      choices=("triangular", "triangular2", "exp_range"))
    gamma: float = param(1.0, doc="per-update amplitude factor of `\"exp_range\"`",
                         check=between(0.0, 1.0, open_low=True))

    def problems(self):
        if self.eta_max <= self.eta_min:
            yield "eta_max", f"must be > eta_min = {self.eta_min!r} (got {self.eta_max!r})"

    def _amplitude(self, k, cycle):
        if self.mode == "triangular2":
            return int_power(0.5, cycle - 1)
        if self.mode == "exp_range":
            return int_power(self.gamma, k)
        return np.ones(k.shape)

    def _eta(self, k):
        s = self.step_size_up
        cycle = 1 + k // (2 * s)
        height = np.maximum(0.0, 1.0 - np.abs(k / s - 2 * cycle + 1))
        return self.eta_min + (self.eta_max - self.eta_min) * height * self._amplitude(k, cycle)


@register("schedule", "gain")
@dataclass(frozen=True)
class OneCycle(Schedule):
    r"""One-cycle policy: warm up to ``eta_max``, then anneal far below the start.

    Follows the learning-rate curve of PyTorch ``OneCycleLR`` (two phases, no
    momentum cycling). With :math:`T` = ``total_steps``,
    :math:`\eta_\text{init} = \eta_\max/d`, :math:`\eta_\text{final} =
    \eta_\text{init}/f` and the PyTorch phase ends :math:`k_1 = p\,T - 1`
    (a float) and :math:`k_2 = T - 1`:

    .. math:: \eta_k = \begin{cases}
              A(\eta_\text{init}, \eta_\max, k/k_1) & k \le k_1 \\
              A(\eta_\max, \eta_\text{final}, (k - k_1)/(k_2 - k_1)) & k > k_1
              \end{cases}

    with :math:`A(a, b, u) = b + \tfrac12(a - b)(1 + \cos\pi u)` (``"cos"``) or
    :math:`a + (b - a)u` (``"linear"``). So :math:`\eta_0 = \eta_\max/d`, the peak
    :math:`\eta_\max` is reached at :math:`k = pT - 1` and
    :math:`\eta_{T-1} = \eta_\max/(d f)`. For :math:`k \ge T - 1` the final value is
    held (PyTorch raises for :math:`k > T`).

    Parameters
    ----------
    eta_max : float
        Peak gain, > 0.
    total_steps : int
        :math:`T`, >= 2; ``pct_start * total_steps`` must exceed 1.
    pct_start : float, default 0.3
        :math:`p`, fraction of the cycle spent rising, in (0, 1).
    div_factor : float, default 25.0
        :math:`d`, > 0.
    final_div_factor : float, default 1e4
        :math:`f`, > 0.
    anneal : {"cos", "linear"}, default "cos"
        PyTorch ``anneal_strategy``.

    References
    ----------
    L. N. Smith and N. Topin, "Super-convergence: very fast training of neural
    networks using large learning rates", Proc. SPIE 11006, 2019; PyTorch
    ``torch.optim.lr_scheduler.OneCycleLR`` (same defaults).
    """

    kind: ClassVar[str] = "one_cycle"
    _unit_test_params: ClassVar = ({"eta_max": 0.1, "total_steps": 6},)
    summary: ClassVar[str] = "rise to eta_max for pct_start of the run, then anneal far below"
    eta_max: float = param(doc="peak gain", check=positive)
    total_steps: int = param(doc="`T`", check=at_least_one,
                             note="`pct_start · total_steps` must exceed 1")
    pct_start: float = param(0.3, doc="`p`, fraction of the cycle spent rising",
                             check=between(0.0, 1.0, open_low=True, open_high=True))
    div_factor: float = param(25.0, doc="`d`: `η_init = eta_max/d`", check=positive)
    final_div_factor: float = param(1e4, doc="`f`: `η_final = η_init/f`", check=positive)
    anneal: str = param("cos", doc="shape of both phases (PyTorch `anneal_strategy`)",
                        choices=("cos", "linear"))

    def problems(self):
        if self.pct_start * self.total_steps <= 1:
            yield "pct_start", (f"must be > 1/total_steps = 1/{self.total_steps} so the rise "
                                f"lasts more than one update (got {self.pct_start!r})")

    def _anneal(self, a, b, u):
        return a + (b - a) * u if self.anneal == "linear" else cos_anneal(a, b, u)

    def _eta(self, k):
        k1, k2 = float(self.pct_start * self.total_steps) - 1.0, self.total_steps - 1.0
        k = np.minimum(k, k2)
        init = self.eta_max / self.div_factor
        rise = self._anneal(init, self.eta_max, k / k1)
        fall = self._anneal(self.eta_max, init / self.final_div_factor, (k - k1) / (k2 - k1))
        return np.where(k <= k1, rise, fall)

