"""Model-reference adaptive control: a continuous-time process in the loop.

Unlike the regression plants, the process input depends on the controller's
parameters, so only the exogenous signals (the reference command ``u_c`` and the
measurement noise) are generated ahead; the closed loop itself is integrated per
policy inside the compiled kernel (:mod:`gainsim.estimators.mrac`).

References
----------
K. J. Åström and B. Wittenmark, *Adaptive Control*, 2nd ed., Addison-Wesley, 1995,
Examples 5.2 (MIT rule) and 5.7 (Lyapunov rule), and §5.3 (the MIT rule's
instability for large gains or commands).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from gainsim.registry import register
from gainsim.fields import at_least_one, nonneg, param, positive
from gainsim.signals.normals import scaled_normal


@register("process")
@dataclass(frozen=True)
class FirstOrder:
    """``G(s) = b / (s + a)``: ``dy/dt = -a y + b u``."""

    kind: ClassVar[str] = "first_order"
    summary: ClassVar[str] = "b / (s + a)"
    shorthand_field: ClassVar[str | None] = None
    code: ClassVar[int] = 1
    a: float = param(1.0, doc="pole at -a (a > 0 is stable)")
    b: float = param(0.5, doc="high-frequency gain b (nonzero)", note="nonzero")

    def problems(self):
        if self.b == 0:
            yield "b", "must be nonzero"

    def coefficients(self) -> tuple[float, float, float]:
        """``(k, a1, a2)`` in the common form used by the kernel (a2 unused)."""
        return self.b, self.a, 0.0


@register("process")
@dataclass(frozen=True)
class SecondOrder:
    """``k G(s)`` with ``G(s) = 1 / (s² + a1 s + a2)``."""

    kind: ClassVar[str] = "second_order"
    summary: ClassVar[str] = "k / (s² + a1 s + a2)"
    shorthand_field: ClassVar[str | None] = None
    code: ClassVar[int] = 2
    k: float = param(1.0, doc="process gain k", check=positive)
    a1: float = param(1.0, doc="damping coefficient a1", check=positive)
    a2: float = param(1.0, doc="stiffness coefficient a2", check=positive)

    def coefficients(self) -> tuple[float, float, float]:
        return self.k, self.a1, self.a2


@register("command")
@dataclass(frozen=True)
class Square:
    kind: ClassVar[str] = "square"
    summary: ClassVar[str] = "square wave ±amplitude, starting high"
    shorthand_field: ClassVar[str | None] = None
    amplitude: float = param(1.0, doc="amplitude", check=nonneg)
    period: float = param(20.0, doc="period in seconds", check=positive)

    def __call__(self, t: np.ndarray) -> np.ndarray:
        return np.where(np.floor(2 * t / self.period) % 2 == 0, self.amplitude, -self.amplitude)


@register("command")
@dataclass(frozen=True)
class Steps:
    kind: ClassVar[str] = "steps"
    summary: ClassVar[str] = "piecewise constant: values[i] from times[i] on (0 before)"
    shorthand_field: ClassVar[str | None] = None
    times: tuple[float, ...] = param(doc="switching times in seconds (increasing)", check=nonneg,
                                     note="strictly increasing")
    values: tuple[float, ...] = param(doc="command value from each time on", note="one per time")

    def problems(self):
        if len(self.times) != len(self.values):
            yield "values", f"must have one value per time ({len(self.times)})"
        if any(b <= a for a, b in zip(self.times, self.times[1:])):
            yield "times", "must be strictly increasing"

    def __call__(self, t: np.ndarray) -> np.ndarray:
        levels = np.concatenate([[0.0], np.asarray(self.values, dtype=float)])
        return levels[np.searchsorted(np.asarray(self.times, dtype=float), t, side="right")]


@register("command")
@dataclass(frozen=True)
class Sine:
    kind: ClassVar[str] = "sinusoid"
    summary: ClassVar[str] = "amplitude sin(2 pi t / period) + offset"
    shorthand_field: ClassVar[str | None] = None
    amplitude: float = param(1.0, doc="amplitude", check=nonneg)
    period: float = param(10.0, doc="period in seconds", check=positive)
    offset: float = param(0.0, doc="constant added")

    def __call__(self, t: np.ndarray) -> np.ndarray:
        return self.offset + self.amplitude * np.sin(2 * np.pi * t / self.period)


@register("plant")
@dataclass(frozen=True)
class Mrac:
    r"""A process with an adaptive controller that should make it follow a reference model.

    * first-order process ``b/(s + a)``, model ``b_m/(s + a_m)``, controller
      :math:`u = \theta_1 u_c - \theta_2 y`; perfect following at
      :math:`\theta_1 = b_m/b`, :math:`\theta_2 = (a_m - a)/b` (estimators ``mit``,
      ``lyapunov``);
    * second-order process ``k G(s)``, ``G = 1/(s² + a1 s + a2)``, model ``k0 G(s)``,
      feedforward controller :math:`u = \theta u_c`; perfect following at
      :math:`\theta = k_0/k` (estimators ``mit_feedforward``,
      ``mit_feedforward_normalized``).

    The tracking error is the model-following error :math:`e = y - y_m` (with the
    measurement noise on ``y``); misalignment compares θ with its ideal value. The
    closed loop is integrated with fixed-step RK4, ``substeps`` steps per sample,
    the command and θ held over a sample (see :mod:`gainsim.estimators.mrac`).
    """

    kind: ClassVar[str] = "mrac"
    summary: ClassVar[str] = "adaptive control loop: process, reference model, command (MIT/Lyapunov)"
    shorthand_field: ClassVar[str | None] = None
    family: ClassVar[str] = "mrac"  # the estimator <-> plant match tag, nothing more
    columns: ClassVar[tuple[str, ...]] = ("u_c", "noise", "theta_star")
    error_label: ClassVar[str] = "model-following error e² = (y − y_m)², mean per interval"
    process: Any = param(FirstOrder(), doc="the process", family="process")
    command: Any = param(Square(), doc="the reference command u_c", family="command")
    a_m: float = param(2.0, doc="first-order model pole a_m (model b_m/(s + a_m))", check=positive)
    b_m: float = param(2.0, doc="first-order model gain b_m")
    k0: float = param(1.0, doc="feedforward model gain (model k0 G(s))")
    noise_std: float = param(0.0, doc="measurement noise on y", check=nonneg)
    substeps: int = param(10, doc="RK4 steps per sample interval", check=at_least_one)
    theta0: tuple[float, ...] | None = param(
        None, doc="initial controller parameters (zeros)",
        note="2 entries (`first_order`), 1 (`second_order`)")

    @property
    def feedforward(self) -> bool:
        """True for the second-order process (feedforward gain θ), else (θ1, θ2)."""
        return self.process.kind != "first_order"

    @property
    def n(self) -> int:
        return 1 if self.feedforward else 2

    def ideal(self) -> np.ndarray:
        """Controller parameters that give perfect model following."""
        k, a1, _ = self.process.coefficients()
        if self.feedforward:
            return np.array([self.k0 / k])
        return np.array([self.b_m / k, (self.a_m - a1) / k])

    @property
    def noise_floor(self) -> float:
        return self.noise_std**2

    def start_estimate(self) -> np.ndarray:
        return np.zeros(self.n) if self.theta0 is None else np.array(self.theta0, float)

    def problems(self):
        if self.theta0 is not None and len(self.theta0) != self.n:
            yield "theta0", f"must have {self.n} entries (got {len(self.theta0)})"

    # ------------------------------------------------------------ how the plant describes itself
    def stream_problem(self, stream) -> str | None:
        """The closed loop is integrated one sample period at a time: a periodic, lossless,
        undelayed stream only."""
        if (stream.arrivals == "periodic" and stream.dropout == 0
                and type(stream.latency).kind == "none"):
            return None
        return ("an mrac plant needs arrivals = \"periodic\", no latency and dropout = 0 "
                "(the loop is integrated one sample period at a time)")

    def policy_theory(self, policy) -> dict:
        """Prediction fields of one policy: the linearised MIT bound or the Lyapunov rule
        (:func:`gainsim.predict.mrac.mrac_prediction`)."""
        from gainsim.predict.mrac import mrac_prediction

        return mrac_prediction(policy, self)

    def explain_text(self, scenario) -> str:
        """``gainsim explain`` for this plant (:func:`gainsim.predict.mrac.explain_mrac_text`)."""
        from gainsim.predict.mrac import explain_mrac_text

        return explain_mrac_text(scenario)

    # ------------------------------------------------------------ samples
    def init(self, rngs):
        return None, self.ideal()

    def packet(self, state, t: np.ndarray, rngs):
        """Exogenous signals at the sample times: ``u_c``, ``noise``, ``theta_star``."""
        ideal = self.ideal()
        cols = {"u_c": self.command(t), "noise": scaled_normal(rngs.noise, t.size, self.noise_std),
                "theta_star": np.broadcast_to(ideal, (t.size, ideal.size))}
        return cols, state
