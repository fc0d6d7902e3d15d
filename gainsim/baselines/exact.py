r"""Exact line search along the negative gradient (``scipy.optimize.minimize_scalar``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from gainsim.baselines.common import BOTH, LOSSES, LossChoice, Sample, Update
from gainsim.baselines.wolfe import SearchState, begin_step, no_direction, search_state
from gainsim.registry import register
from gainsim.fields import at_least_one, param, positive


@register("estimator")
@dataclass(frozen=True)
class ExactLineSearch(LossChoice):
    r"""Step length minimising the loss along :math:`p = -\nabla L(\theta)`.

    .. math:: \alpha_k = \arg\min_{0 \le \alpha \le \alpha_{max}} L(\theta_k + \alpha p_k),
              \qquad \theta_{k+1} = \theta_k + \alpha_k p_k

    solved by scipy's bounded Brent method. On a quadratic with Hessian H this is the
    Cauchy step :math:`\alpha = g^\top g / g^\top H g`, which lies in
    :math:`[1/\lambda_{max}, 1/\lambda_{min}]`: exact line search is the steepest-descent
    gain that is deadbeat along the current gradient. ``amax`` must exceed it.
    Precision: φ(α) is flat to second order at its minimum, so any method that compares
    loss values resolves α only to about :math:`\sqrt{\epsilon}\,\alpha \approx
    1.5\times10^{-8}\alpha` (scipy's bounded Brent also stops there whatever ``xatol``). If scipy
    reports failure the previous α is taken (an event). The policy's gain is the α
    reported before the first update. α is the implied gain, comparable with η.

    References
    ----------
    A. Cauchy, 1847; J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed., 2006,
    §3.1 (exact line search) and §3.3 (steepest descent on a quadratic); R. P. Brent,
    *Algorithms for Minimization without Derivatives*, 1973.
    """

    kind: ClassVar[str] = "exact"
    summary: ClassVar[str] = "scipy exact (bounded Brent) line search along -grad"
    shorthand_field: ClassVar[str | None] = None
    plant_family: ClassVar[tuple[str, ...]] = BOTH
    python: ClassVar[bool] = True
    loss: str = param("window", doc="loss minimised: sliding window or true expected loss",
                      choices=LOSSES)
    window: int = param(32, doc="samples in the sliding window W", check=at_least_one)
    amax: float = param(100.0, doc="upper end of the step-length interval", check=positive)
    xatol: float = param(1e-12, doc="absolute tolerance on the step length", check=positive)
    maxiter: int = param(500, doc="Brent iterations per update", check=at_least_one)

    def init_state(self, n: int, plant, eta0: float = 1.0) -> SearchState:
        return search_state(n, plant, self.window, eta0)

    def step(self, state: SearchState, theta: np.ndarray, sample: Sample,
             plant) -> tuple[Update, SearchState]:
        """Predict (a-priori error), push the sample, minimise along -g, move."""
        error, window, obj, g = begin_step(self.loss, state, theta, sample, plant)
        if g is None:
            return no_direction(state, theta, error, window, obj)
        from scipy.optimize import minimize_scalar  # imported where it is used

        res = minimize_scalar(lambda a: obj.f(theta - a * g), bounds=(0.0, self.amax),
                              method="bounded",
                              options={"xatol": self.xatol, "maxiter": self.maxiter})
        failed = not (res.success and np.isfinite(res.x))
        alpha = state.alpha if failed else float(res.x)
        new = SearchState(window=window, R=state.R, alpha=alpha, k=state.k + 1)
        return Update(theta - alpha * g, error, alpha, obj.nfev, obj.ngev, failed), new

