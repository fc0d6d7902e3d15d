r"""Least-squares oracles: windowed least squares and the Wiener solution (``scipy.linalg``)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np

from gainsim.baselines.common import (Sample, Update, Window, a_priori_error,
                                      expected_objective, implied_gain, window_objective)
from gainsim.registry import register
from gainsim.fields import at_least_one, param


@dataclass(frozen=True)
class LeastSquaresState:
    window: Window
    R: np.ndarray


@register("estimator")
@dataclass(frozen=True)
class LeastSquares:
    r"""A reference line: the least-squares estimate after every sample.

    ``mode = "window"``: the minimum-norm least-squares fit to the last W samples,

    .. math:: \theta_{k+1} = \arg\min_\theta \lVert d_W - X_W\theta \rVert^2
              \quad (\texttt{scipy.linalg.lstsq})

    ``mode = "wiener"``: the Wiener solution :math:`\theta = R^{-1}p` with
    :math:`p = E[x d] = R\theta^*_k` (``scipy.linalg.solve``), an oracle that knows the
    current target. Its a-priori error is :math:`\sigma_v^2 + \operatorname{tr}(QR)`
    for random-walk drift Q: the price of one step of drift. For a fixed target the
    window estimate has a-priori MSE :math:`\sigma_v^2 (1 + n/(W - n - 1))`
    (Gaussian input, W > n + 1). The implied gain is
    :math:`-g^\top\Delta\theta/g^\top g` with g the gradient of the window (or expected)
    loss; the policy's gain is only the value reported before the first update.

    References
    ----------
    N. Wiener, *Extrapolation, Interpolation, and Smoothing of Stationary Time Series*,
    1949; S. Haykin, *Adaptive Filter Theory*, 5th ed., 2014, ch. 2 and 9.
    """

    kind: ClassVar[str] = "least_squares"
    summary: ClassVar[str] = "oracle: windowed least squares (lstsq) or Wiener R^-1 p"
    shorthand_field: ClassVar[str | None] = None
    plant_family: ClassVar[str] = "regression"
    python: ClassVar[bool] = True
    mode: str = param("window", doc="sliding-window least squares or the Wiener oracle",
                      choices=("window", "wiener"))
    window: int = param(32, doc="samples in the sliding window W", check=at_least_one)

    @property
    def uses_truth(self) -> bool:
        """The Wiener oracle solves with the true ``R`` and ``theta_star``."""
        return self.mode == "wiener"

    def init_state(self, n: int, plant, eta0: float = 1.0) -> LeastSquaresState:
        return LeastSquaresState(window=Window.empty(n, self.window, plant),
                                 R=plant.curvature())

    def step(self, state: LeastSquaresState, theta: np.ndarray, sample: Sample,
             plant) -> tuple[Update, LeastSquaresState]:
        """Predict (a-priori error), push the sample, solve."""
        from scipy.linalg import lstsq, solve  # scipy.linalg is imported where it is used

        error = a_priori_error(theta, sample, plant)
        window = state.window.push(sample)
        if self.mode == "window":
            g = window_objective(window, plant).grad(theta)
            new_theta = lstsq(window.a, window.b)[0]
        else:
            g = expected_objective(sample, plant, state.R).grad(theta)
            new_theta = solve(state.R, state.R @ sample.theta_star, assume_a="pos")
        update = Update(new_theta, error, implied_gain(g, new_theta - theta), 0, 1)
        return update, replace(state, window=window)
