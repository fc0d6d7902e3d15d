r"""Newton's step on the quadratic plant: the matrix gain :math:`H^{-1}` (``scipy.linalg``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from gainsim.baselines.common import Sample, Update, a_priori_error, implied_gain
from gainsim.registry import register


@dataclass(frozen=True)
class NewtonState:
    """Per-run state: the (pseudo-)inverse Hessian, computed once."""

    H_inv: np.ndarray


@register("estimator")
@dataclass(frozen=True)
class Newton:
    r"""Newton's method on the quadratic plant, one (noisy) gradient per sample.

    .. math:: \theta_{k+1} = \theta_k - H^{-1}\big(H(\theta_k - \theta^*_k) + \nu_k\big)
              = \theta^*_k - H^{-1}\nu_k

    Every eigen-mode is deadbeat (pole 0): the matrix gain :math:`H^{-1}` is the
    per-mode Goldilocks gain :math:`1/\lambda_i`. Without gradient noise and drift it
    reaches the minimiser in one step; with noise :math:`\nu \sim N(0, s^2 I)` and drift
    Q the steady-state a-priori loss is :math:`\tfrac12(s^2\operatorname{tr}H^{-1} +
    \operatorname{tr}HQ)`. ``scipy.linalg.pinvh`` gives :math:`H^{-1}` (the
    pseudo-inverse if H is singular). The implied scalar gain is
    :math:`g^\top H^{-1}g / g^\top g \in [1/\lambda_{max}, 1/\lambda_{min}]`. The
    policy's gain is ignored except as the value reported before the first update.

    References
    ----------
    J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed., 2006, §3.3.
    """

    kind: ClassVar[str] = "newton"
    summary: ClassVar[str] = "Newton step theta -= H^-1 grad on the quadratic plant (deadbeat)"
    shorthand_field: ClassVar[str | None] = None
    plant_family: ClassVar[str] = "quadratic"

    def init_state(self, n: int, plant, eta0: float = 1.0) -> NewtonState:
        from scipy.linalg import pinvh  # scipy.linalg is imported where it is used

        return NewtonState(H_inv=pinvh(plant.H))

    def step(self, state: NewtonState, theta: np.ndarray, sample: Sample,
             plant) -> tuple[Update, NewtonState]:
        """Predict (a-priori loss), then the Newton step with the sample's gradient."""
        error = a_priori_error(theta, sample, plant)
        g = plant.H @ (theta - sample.theta_star) + sample.noise
        delta = -state.H_inv @ g
        return Update(theta + delta, error, implied_gain(g, delta), 0, 1), state
