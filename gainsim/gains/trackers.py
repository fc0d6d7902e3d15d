"""Optimal-gain trackers: RLS and the Kalman filter own a matrix gain.

For LMS the step is ``eta * e * x``; here it is ``Gamma x e`` with the matrix gain
``Gamma = P / (lambda + xᵀPx)`` (RLS) or ``P⁻ / (xᵀP⁻x + r)`` (Kalman). gainsim
records the diagonal of ``Gamma`` as the per-parameter gain, comparable with eta.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from gainsim.gains.compiled import Compiled, CompiledPolicy
from gainsim.gains.dispatch import KALMAN, RLS
from gainsim.registry import register
from gainsim.fields import between, nonneg, param, positive


@register("gain")
@dataclass(frozen=True)
class Rls(CompiledPolicy):
    r"""Recursive least squares with exponential forgetting.

    .. math::
        \pi = P x, \quad \gamma = \lambda + x^\top\pi, \quad
        \theta \leftarrow \theta + \frac{\pi}{\gamma} e, \quad
        P \leftarrow \frac{1}{\lambda}\Big(P - \frac{\pi\pi^\top}{\gamma}\Big)

    with :math:`P_0 = I/\delta` and ``P`` symmetrised after every update (the plain
    recursion drifts asymmetric and can blow up in long runs). The effective memory
    is :math:`1/(1-\lambda)` samples; :math:`\lambda = 1` is growing-window least squares.

    References
    ----------
    S. Haykin, *Adaptive Filter Theory*, 5th ed., Pearson, 2014, ch. 10.
    """

    kind: ClassVar[str] = "rls"
    summary: ClassVar[str] = "RLS with forgetting factor: matrix gain P/(lambda + x·Px)"
    code: ClassVar[int] = RLS
    estimators: ClassVar[tuple[str, ...]] = ("lms",)
    forgetting_factor: float = param(0.99, doc="lambda in (0, 1]; memory 1/(1 - lambda)",
                                     check=between(0.0, 1.0, open_low=True))
    delta: float = param(0.01, doc="regulariser: P0 = I / delta", check=positive)

    def base_schedule(self):
        return None

    def compile(self, plant, n: int) -> Compiled:
        p0 = 1.0 / self.delta
        # gain before the first update, for a unit-power input (|x|² = n), as for Kalman
        return Compiled(params=np.array([self.forgetting_factor]), state=np.eye(n) * p0,
                        eta0=np.full(n, p0 / (self.forgetting_factor + n * p0)))


@register("gain")
@dataclass(frozen=True)
class Kalman(CompiledPolicy):
    r"""Kalman filter for a random-walk parameter :math:`\theta^*_{k+1} = \theta^*_k + w_k`.

    .. math::
        P^- = P + Q, \quad K = \frac{P^- x}{x^\top P^- x + r}, \quad
        \theta \leftarrow \theta + K e, \quad P = P^- - K x^\top P^-

    with :math:`Q = qI`. By default ``q`` and ``r`` are the scenario's true per-sample
    drift variance and noise variance, and ``p0`` the prior variance of
    ``theta_star`` (``1/taps`` when it is drawn at random), so for linear-Gaussian
    drift this is the minimum-MSE causal tracker: the floor for every other policy.

    References
    ----------
    R. E. Kalman, "A new approach to linear filtering and prediction problems",
    J. Basic Engineering 82, 1960; Haykin 2014, ch. 14.
    """

    kind: ClassVar[str] = "kalman"
    summary: ClassVar[str] = "Kalman tracker for a random walk (true q, r by default): the floor"
    code: ClassVar[int] = KALMAN
    estimators: ClassVar[tuple[str, ...]] = ("lms",)
    q: float | None = param(None, doc="drift variance per sample (default: the plant's)",
                            check=nonneg)
    r: float | None = param(None, doc="noise variance (default: plant noise_std²)",
                            check=positive)
    p0: float | None = param(None, doc="initial P = p0 I (default: prior of theta_star)",
                             check=positive)

    def base_schedule(self):
        return None

    def resolved(self, plant) -> tuple[float, float, float]:
        """``(q, r, p0)`` with the scenario's truth filled in where not given."""
        q, r, p0 = self.q, self.r, self.p0
        if plant is not None:
            if q is None:
                cov = getattr(plant.drift, "per_step_covariance", None)
                q = float(np.mean(np.diag(cov(plant.n)))) if cov else 0.0
            if r is None:
                r = max(plant.noise_floor, 1e-12)
            if p0 is None:
                p0 = 1.0 / plant.n if getattr(plant, "theta_star", None) is None else 1.0
        return (0.0 if q is None else q, 1.0 if r is None else r, 1.0 if p0 is None else p0)

    def compile(self, plant, n: int) -> Compiled:
        q, r, p0 = self.resolved(plant)
        return Compiled(params=np.array([q, r]), state=np.eye(n) * p0,
                        eta0=np.full(n, (p0 + q) / (n * (p0 + q) + r)))
