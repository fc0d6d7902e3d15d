"""FIR / linear-regression plant: ``d_k = theta_star(t_k)ᵀ x_k + v_k``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from gainsim.registry import register
from gainsim.fields import at_least_one, nonneg, param
from gainsim.signals.assemble import fir_samples, least_squares_objective, measure
from gainsim.signals.drift import NoDrift
from gainsim.signals.inputs import White
from gainsim.signals.normals import scaled_normal


@dataclass
class FirState:
    inputs: Any
    drift: Any


@register("plant")
@dataclass(frozen=True)
class Fir:
    """System identification of an n-tap FIR filter (or any linear regression).

    The regressor is a tapped delay line of a white or AR(1) source, or (input
    ``independent``) a fresh Gaussian vector per sample (:mod:`gainsim.signals.inputs`); the measurement is
    ``d = theta_starᵀ x + v`` with ``v ~ N(0, noise_std²)``; ``theta_star``
    moves by the ``drift`` model. Without ``theta_star`` each replica draws
    ``theta_star ~ N(0, I/taps)`` (expected norm 1).
    """

    kind: ClassVar[str] = "fir"
    summary: ClassVar[str] = "n-tap FIR / linear regression d = theta_star·x + v, optional drift"
    shorthand_field: ClassVar[str | None] = None
    family: ClassVar[str] = "regression"  # the estimator <-> plant match tag, nothing more
    columns: ClassVar[tuple[str, ...]] = ("x", "d", "theta_star")
    error_label: ClassVar[str] = "tracking error (a-priori e², mean per interval)"
    taps: int = param(doc="number of taps n (parameters)", check=at_least_one)
    noise_std: float = param(0.1, doc="measurement noise standard deviation sigma_v", check=nonneg)
    input: Any = param(White(), doc="input source feeding the delay line, or independent "
                       "regressors", family="input")
    drift: Any = param(NoDrift(), doc="how theta_star moves", family="drift")
    theta_star: tuple[float, ...] | None = param(
        None, doc="true weights at t = 0 (default: drawn per replica, N(0, I/taps))",
        default_doc="drawn per replica", note="`taps` entries")
    theta0: tuple[float, ...] | None = param(None, doc="initial estimate (default: zeros)",
                                             default_doc="zeros", note="`taps` entries")

    def problems(self):
        for key in ("theta_star", "theta0"):
            value = getattr(self, key)
            if value is not None and len(value) != self.taps:
                yield key, f"must have {self.taps} entries (taps) (got {len(value)})"
        size = getattr(self.input, "size_problem", None)
        message = size(self.taps) if size is not None else None
        if message:
            yield f"input.{message.split()[0]}", message.split(" ", 1)[1]
        for i in getattr(self.drift, "indices", ()):
            if i >= self.taps:
                yield "drift.indices", f"must be < taps = {self.taps} (got {i})"

    @property
    def n(self) -> int:
        return self.taps

    @property
    def noise_floor(self) -> float:
        """Minimum a-priori MSE: the measurement noise variance."""
        return self.noise_std**2

    def start_estimate(self) -> np.ndarray:
        return np.zeros(self.taps) if self.theta0 is None else np.array(self.theta0, float)

    # ------------------------------------------------------------ how the plant describes itself
    def describe(self) -> str:
        """One line for ``gainsim explain``."""
        src = self.input
        if self.independent:
            how = "white, std " + f"{src.std:.4g}" if src.white else "given R"
            return (f"fir, {self.n} weights, independent Gaussian regressors ({how}), "
                    f"noise_std {self.noise_std:.4g}, drift {type(self.drift).kind}")
        inp = f"{type(src).kind} input (std {src.std:.4g}" + \
            (f", pole {src.pole:.4g})" if hasattr(src, "pole") else ")")
        return (f"fir, {self.n} taps, {inp}, noise_std {self.noise_std:.4g}, "
                f"drift {type(self.drift).kind}")

    def curvature(self) -> np.ndarray:
        """The input correlation ``R = E[x xᵀ]`` of the regressor."""
        return self.input.correlation(self.taps)

    def theory(self, dropout: float = 0.0):
        """LMS's closed forms on ``R`` (:class:`gainsim.predict.plants.LinearRegression`)."""
        from gainsim.predict.plants import LinearRegression, drift_per_update

        white = self.input.std if getattr(self.input, "white", type(self.input).kind == "white") \
            else None
        return LinearRegression.of(self.curvature(), self.noise_std ** 2,
                                   drift_per_update(self.drift, self.n, dropout), white,
                                   self.theta_star, independent=self.independent)

    def observation_shape(self, n: int) -> tuple[int, ...]:
        """Shape of one sample's measurement in a baseline's window (a scalar ``d``)."""
        return ()

    def window_objective(self, a: np.ndarray, b: np.ndarray):
        """``(f, grad)`` of the window's least-squares loss
        (:func:`gainsim.signals.assemble.least_squares_objective`)."""
        return least_squares_objective(a, b)

    # ------------------------------------------------------------ samples
    def init(self, rngs) -> tuple[FirState, np.ndarray]:
        """Per-replica state and ``theta_star`` at t = 0."""
        if self.theta_star is None:
            theta = rngs.init.standard_normal(self.taps) / np.sqrt(self.taps)
        else:
            theta = np.array(self.theta_star, dtype=float)
        state = FirState(inputs=self.input.init(self.taps, rngs.input),
                         drift=self.drift.init(theta, rngs.drift))
        return state, theta

    def packet(self, state: FirState, t: np.ndarray, rngs):
        """Samples measured at times ``t``: columns ``x``, ``d``, ``theta_star``."""
        if self.independent:
            x, inputs = self.input.vectors(t.size, self.taps, rngs.input), state.inputs
        else:
            u, inputs = self.input.source(state.inputs, t.size, rngs.input)
        theta, drift = self.drift.path(state.drift, t, rngs.drift)
        noise = scaled_normal(rngs.noise, t.size, self.noise_std)
        if self.independent:
            d = measure(x, theta, noise)
        else:
            x, d = fir_samples(state.inputs.history, u, theta, noise)
        return {"x": x, "d": d, "theta_star": theta}, FirState(inputs=inputs, drift=drift)

    @property
    def independent(self) -> bool:
        """Whether every sample draws a fresh regressor (input ``independent``), not a
        tapped delay line."""
        return getattr(self.input, "independent", False)
