r"""Strong-Wolfe line search along the negative gradient (``scipy.optimize.line_search``)."""
from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import ClassVar

import numpy as np

from gainsim.baselines.common import (BOTH, LOSSES, Counted, LossChoice, Sample, Update, Window,
                                      a_priori_error, objective)
from gainsim.registry import register
from gainsim.fields import at_least_one, between, param, positive

ARMIJO_HALVINGS = 40


@dataclass(frozen=True)
class SearchState:
    """Per-run state of a line-search baseline."""

    window: Window
    R: np.ndarray          # the plant's curvature (R or H) for the expected loss
    alpha: float           # last step length taken (starts at the policy's gain)
    k: int = 0             # updates so far


def search_state(n: int, plant, window: int, eta0: float) -> SearchState:
    """The initial state of a line-search baseline (window, R, first step = the gain)."""
    return SearchState(window=Window.empty(n, window, plant),
                       R=plant.curvature(), alpha=float(eta0))


def begin_step(loss: str, state: SearchState, theta: np.ndarray, sample: Sample, plant):
    """Predict (a-priori error), push the sample, and build the counted objective.

    Returns ``(error, window, obj, g)`` with ``g`` the gradient at ``theta``, or, when
    ``g`` is zero, ``(error, window, obj, None)``: there is no direction to search.
    """
    error = a_priori_error(theta, sample, plant)
    window = state.window.push(sample)
    obj = Counted(objective(loss, window, sample, plant, state.R))
    g = obj.grad(theta)
    return error, window, obj, (g if np.any(g) else None)


def no_direction(state: SearchState, theta: np.ndarray, error: float, window, obj):
    """The step when the gradient is zero: stay, keep the window, count the update."""
    return Update(theta, error, None, obj.nfev, obj.ngev), \
        replace(state, window=window, k=state.k + 1)


def armijo(obj, theta, p, f0: float, slope: float, alpha0: float, c1: float) -> float | None:
    r"""Backtracking (Nocedal & Wright 2006, Alg. 3.1): halve α until
    :math:`f(\theta+\alpha p) \le f(\theta) + c_1\alpha\,\nabla f^\top p`; ``None`` if
    :data:`ARMIJO_HALVINGS` halvings do not suffice (``p`` not a descent direction)."""
    alpha = alpha0
    for _ in range(ARMIJO_HALVINGS):
        if obj.f(theta + alpha * p) <= f0 + c1 * alpha * slope:
            return alpha
        alpha *= 0.5
    return None


@register("estimator")
@dataclass(frozen=True)
class Wolfe(LossChoice):
    r"""Step length by a strong-Wolfe line search along :math:`p = -\nabla L(\theta)`.

    .. math::
        \theta_{k+1} = \theta_k + \alpha_k p_k, \quad
        L(\theta_k + \alpha p) \le L(\theta_k) + c_1 \alpha \nabla L^\top p, \quad
        |\nabla L(\theta_k + \alpha p)^\top p| \le c_2 |\nabla L^\top p|

    with ``0 < c1 < c2 < 1`` and :math:`L` the ``window`` or ``expected`` loss
    (:mod:`gainsim.baselines.common`). The search runs every ``every`` updates; in
    between the last α is reused along the new gradient. A failed search is counted
    as an event and the ``fallback`` step is taken: ``"armijo"`` backtracking from the
    last α (capped at ``amax``), or ``"previous"`` (the last α). scipy signals failure
    in two ways: ``alpha = None``, or — when ``maxiter`` runs out while the step is
    still growing — the last trial α with ``new_slope = None``, an α that need not
    satisfy the Wolfe conditions; both count as failures here.
    The policy's gain is the step before the first search (and the first fallback).
    The step length α is the implied gain, comparable with η.

    References
    ----------
    P. Wolfe, "Convergence conditions for ascent methods", SIAM Review 11(2), 1969;
    J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed., 2006, §3.1 and Alg. 3.5.
    """

    kind: ClassVar[str] = "wolfe"
    summary: ClassVar[str] = "scipy strong-Wolfe line search along -grad (window or expected loss)"
    shorthand_field: ClassVar[str | None] = None
    plant_family: ClassVar[tuple[str, ...]] = BOTH
    python: ClassVar[bool] = True
    loss: str = param("window", doc="loss searched: sliding window or true expected loss",
                      choices=LOSSES)
    window: int = param(32, doc="samples in the sliding window W", check=at_least_one)
    c1: float = param(1e-4, doc="sufficient-decrease constant",
                      check=between(0.0, 1.0, open_low=True, open_high=True))
    c2: float = param(0.9, doc="curvature constant, c1 < c2 < 1",
                      check=between(0.0, 1.0, open_low=True, open_high=True))
    every: int = param(1, doc="search every this many updates, else reuse the last step",
                       check=at_least_one)
    maxiter: int = param(10, doc="line-search iterations before it gives up",
                         check=at_least_one)
    amax: float = param(100.0, doc="largest step length tried", check=positive)
    fallback: str = param("armijo", doc="step after a failed search",
                          choices=("armijo", "previous"))

    def problems(self):
        if not self.c1 < self.c2:
            yield "c2", f"must be > c1 = {self.c1} (got {self.c2})"

    def init_state(self, n: int, plant, eta0: float = 1.0) -> SearchState:
        return search_state(n, plant, self.window, eta0)

    def step(self, state: SearchState, theta: np.ndarray, sample: Sample,
             plant) -> tuple[Update, SearchState]:
        """Predict (a-priori error), push the sample, search, move."""
        error, window, obj, g = begin_step(self.loss, state, theta, sample, plant)
        if g is None:
            return no_direction(state, theta, error, window, obj)
        alpha, failed = state.alpha, False
        if state.k % self.every == 0:
            alpha, failed = self.search(obj, theta, g, state.alpha)
        new = SearchState(window=window, R=state.R, alpha=alpha, k=state.k + 1)
        return Update(theta - alpha * g, error, alpha, obj.nfev, obj.ngev, failed), new

    def search(self, obj: Counted, theta, g, previous: float) -> tuple[float, bool]:
        """``(alpha, failed)``: scipy's strong-Wolfe step, or the fallback step."""
        from scipy.optimize import line_search  # scipy.optimize is imported where it is used

        p = -g
        f0 = obj.f(theta)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # LineSearchWarning on failure
            alpha, *_, new_slope = line_search(obj.f, obj.grad, theta, p, gfk=g, old_fval=f0,
                                               c1=self.c1, c2=self.c2, amax=self.amax,
                                               maxiter=self.maxiter)
        if alpha is not None and new_slope is not None and np.isfinite(alpha) and alpha > 0:
            return float(alpha), False
        if self.fallback == "armijo":
            alpha = armijo(obj, theta, p, f0, float(g @ p), min(previous, self.amax), self.c1)
        return (previous if alpha is None else alpha), True
