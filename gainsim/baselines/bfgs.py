r"""Quasi-Newton baselines: ``scipy.optimize.minimize`` with BFGS or L-BFGS-B per update."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from gainsim.baselines.common import (BOTH, LOSSES, Counted, LossChoice, Sample, Update, Window,
                                      a_priori_error, implied_gain,
                                      objective)
from gainsim.registry import register
from gainsim.fields import at_least_one, param, positive


@dataclass(frozen=True)
class QuasiNewtonState:
    """Per-run state: the window, R, the last implied gain and (BFGS) the inverse Hessian."""

    window: Window
    R: np.ndarray          # the plant's curvature (R or H) for the expected loss
    eta: float
    hess_inv: np.ndarray | None = None
    k: int = 0


@dataclass(frozen=True)
class _QuasiNewton(LossChoice):
    """Fields and the step shared by :class:`Bfgs` and :class:`Lbfgsb`."""

    method: ClassVar[str] = ""
    shorthand_field: ClassVar[str | None] = None
    plant_family: ClassVar[tuple[str, ...]] = BOTH
    python: ClassVar[bool] = True
    loss: str = param("window", doc="loss minimised: sliding window or true expected loss",
                      choices=LOSSES)
    window: int = param(32, doc="samples in the sliding window W", check=at_least_one)
    maxiter: int = param(5, doc="optimiser iterations per update", check=at_least_one)
    gtol: float = param(1e-8, doc="stop when the gradient is this small", check=positive)

    def init_state(self, n: int, plant, eta0: float = 1.0) -> QuasiNewtonState:
        return QuasiNewtonState(window=Window.empty(n, self.window, plant),
                                R=plant.curvature(), eta=float(eta0))

    def options(self, state: QuasiNewtonState) -> dict:
        return {"maxiter": self.maxiter, "gtol": self.gtol}

    def step(self, state: QuasiNewtonState, theta: np.ndarray, sample: Sample,
             plant) -> tuple[Update, QuasiNewtonState]:
        """Predict (a-priori error), push the sample, warm-started minimise, move."""
        error = a_priori_error(theta, sample, plant)
        window = state.window.push(sample)
        obj = Counted(objective(self.loss, window, sample, plant, state.R))
        g = obj.grad(theta)
        from scipy.optimize import minimize  # scipy.optimize is imported where it is used

        res = minimize(obj.f, theta, jac=obj.grad, method=self.method,
                       options=self.options(state))
        failed = not np.all(np.isfinite(res.x))
        new_theta = theta if failed else np.asarray(res.x, dtype=float)
        eta = implied_gain(g, new_theta - theta)
        hess_inv = getattr(res, "hess_inv", None) if not failed else state.hess_inv
        new = QuasiNewtonState(window=window, R=state.R,
                               eta=state.eta if eta is None else eta,
                               hess_inv=hess_inv if isinstance(hess_inv, np.ndarray) else None,
                               k=state.k + 1)
        return Update(new_theta, error, eta, obj.nfev, obj.ngev, failed), new


@register("estimator")
@dataclass(frozen=True)
class Bfgs(_QuasiNewton):
    r"""BFGS on the sliding-window (or expected) loss, warm-started at the current estimate.

    Each update runs at most ``maxiter`` BFGS iterations of
    ``scipy.optimize.minimize(method="BFGS")`` from :math:`\theta_k`; with
    ``keep_hessian`` the inverse-Hessian estimate :math:`B_k \approx H^{-1}` is carried to
    the next update (``hess_inv0``), so the step :math:`-B_k\nabla L` is a *matrix gain*
    that approaches Newton's :math:`H^{-1}`. On the quadratic plant with the expected loss
    it reaches the minimiser in at most n + 1 iterations (exact arithmetic). The implied
    scalar gain is :math:`-g^\top\Delta\theta/g^\top g` (:mod:`gainsim.baselines.common`);
    the policy's gain is only the value reported before the first update.

    References
    ----------
    C. G. Broyden; R. Fletcher; D. Goldfarb; D. F. Shanno (1970); J. Nocedal and
    S. J. Wright, *Numerical Optimization*, 2nd ed., 2006, §6.1.
    """

    kind: ClassVar[str] = "bfgs"
    summary: ClassVar[str] = "scipy BFGS on the window (or expected) loss, warm-started"
    method: ClassVar[str] = "BFGS"
    keep_hessian: bool = param(True, doc="carry the inverse-Hessian estimate between updates")

    def options(self, state: QuasiNewtonState) -> dict:
        opts = super().options(state)
        if self.keep_hessian and state.hess_inv is not None:
            sym = 0.5 * (state.hess_inv + state.hess_inv.T)
            if _positive_definite(sym):
                opts["hess_inv0"] = sym
        return opts


def _positive_definite(M: np.ndarray) -> bool:
    """True if the symmetric ``M`` is positive definite (BFGS can lose this to rounding;
    the next update then restarts from the identity)."""
    from scipy.linalg import LinAlgError, cho_factor

    try:
        cho_factor(M)
    except LinAlgError:
        return False
    return bool(np.all(np.isfinite(M)))


@register("estimator")
@dataclass(frozen=True)
class Lbfgsb(_QuasiNewton):
    r"""L-BFGS-B on the sliding-window (or expected) loss, warm-started at the estimate.

    Like :class:`Bfgs` but with scipy's limited-memory method (``method="L-BFGS-B"``, no
    bounds): the curvature pairs are rebuilt at every update, so each update starts from
    a scaled steepest-descent step.

    References
    ----------
    R. H. Byrd, P. Lu, J. Nocedal and C. Zhu, "A limited memory algorithm for bound
    constrained optimization", SIAM J. Sci. Comput. 16(5), 1995.
    """

    kind: ClassVar[str] = "lbfgsb"
    summary: ClassVar[str] = "scipy L-BFGS-B on the window (or expected) loss, warm-started"
    method: ClassVar[str] = "L-BFGS-B"
