"""Quadratic bowl ``L(theta) = ½ (theta - theta_star)ᵀ H (theta - theta_star)``.

The teaching plant: gradient descent on it is a linear feedback loop whose
closed-loop poles are ``1 - eta lambda_i`` for the eigenvalues of ``H``.
"The seed example" ``L = w²`` from ``w = 5`` is ``eigenvalues = [2.0]``,
``theta0 = [5.0]``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, ClassVar

import numpy as np

from gainsim.registry import register
from gainsim.fields import nonneg, param
from gainsim.signals.drift import NoDrift
from gainsim.signals.normals import scaled_normal


@register("plant")
@dataclass(frozen=True)
class Quadratic:
    """Each sample is one (optionally noisy) gradient ``H (theta - theta_star) + noise``."""

    kind: ClassVar[str] = "quadratic"
    summary: ClassVar[str] = "quadratic bowl ½(θ−θ*)ᵀH(θ−θ*); H as a matrix or eigenvalues"
    shorthand_field: ClassVar[str | None] = None
    family: ClassVar[str] = "quadratic"  # the estimator <-> plant match tag, nothing more
    columns: ClassVar[tuple[str, ...]] = ("theta_star", "noise")
    error_label: ClassVar[str] = "tracking error (a-priori loss L(θ), mean per interval)"
    theta0: tuple[float, ...] = param(doc="start point (its length sets the dimension)",
                                      note="any length n")
    eigenvalues: tuple[float, ...] | None = param(
        None, doc="H = diag(eigenvalues); give this or hessian", check=nonneg, note="n entries")
    hessian: tuple[tuple[float, ...], ...] | None = param(
        None, doc="H as a symmetric positive semi-definite matrix (rows)",
        note="n×n, symmetric, positive semi-definite")
    theta_star: tuple[float, ...] | None = param(None, doc="minimiser at t = 0 (default: zeros)",
                                                 default_doc="zeros", note="n entries")
    gradient_noise_std: float = param(
        0.0, doc="std of white Gaussian noise added to each gradient component", check=nonneg)
    drift: Any = param(NoDrift(), doc="how theta_star moves", family="drift")

    def problems(self):
        n = len(self.theta0)
        if (self.eigenvalues is None) == (self.hessian is None):
            yield "eigenvalues", "give exactly one of eigenvalues or hessian"
            return
        if self.eigenvalues is not None and len(self.eigenvalues) != n:
            yield "eigenvalues", f"must have {n} entries, like theta0 (got {len(self.eigenvalues)})"
        if self.hessian is not None:
            h = self.hessian
            if len(h) != n or any(len(row) != n for row in h):
                yield "hessian", f"must be a {n}x{n} matrix, like theta0"
                return
            H = np.array(h, dtype=float)
            if not np.allclose(H, H.T):
                yield "hessian", "must be symmetric"
            elif np.linalg.eigvalsh(H).min() < -1e-12:
                yield "hessian", "must be positive semi-definite"
        if self.theta_star is not None and len(self.theta_star) != n:
            yield "theta_star", f"must have {n} entries, like theta0 (got {len(self.theta_star)})"
        for i in getattr(self.drift, "indices", ()):
            if i >= n:
                yield "drift.indices", f"must be < {n} (got {i})"

    @property
    def n(self) -> int:
        return len(self.theta0)

    @cached_property
    def H(self) -> np.ndarray:
        """The Hessian as an array (computed once)."""
        if self.hessian is not None:
            return np.array(self.hessian, dtype=float)
        return np.diag(np.array(self.eigenvalues, dtype=float))

    @property
    def noise_floor(self) -> float:
        """The minimum of the loss: 0."""
        return 0.0

    def start_estimate(self) -> np.ndarray:
        return np.array(self.theta0, dtype=float)

    # ------------------------------------------------------------ how the plant describes itself
    def describe(self) -> str:
        """One line for ``gainsim explain``."""
        return (f"quadratic bowl, {self.n} parameter(s), gradient noise std "
                f"{self.gradient_noise_std:.4g}, drift {type(self.drift).kind}")

    def curvature(self) -> np.ndarray:
        """The Hessian ``H``: the matrix whose eigenvalues set the loop's poles."""
        return self.H

    def theory(self, dropout: float = 0.0):
        """GD's closed forms on ``H`` (:class:`gainsim.predict.plants.GradientBowl`)."""
        from gainsim.predict.plants import GradientBowl, drift_per_update

        return GradientBowl.of(self.H, self.gradient_noise_std ** 2,
                               drift_per_update(self.drift, self.n, dropout))

    def observation_shape(self, n: int) -> tuple[int, ...]:
        """Shape of one sample's noise term in a baseline's window (a gradient: ``(n,)``)."""
        return (n,)

    def window_objective(self, a: np.ndarray, b: np.ndarray):
        r"""``(f, grad)`` of the mean of the window's sample losses.

        Each sample is the exact gradient of :math:`f_i(\theta) = \tfrac12(\theta-\theta^*_i)^\top
        H(\theta-\theta^*_i) + \nu_i^\top(\theta-\theta^*_i)`; ``a`` holds the
        :math:`\theta^*_i`, ``b`` the gradient noise :math:`\nu_i`.
        """
        H = self.H
        star, nu = a.mean(axis=0), b.mean(axis=0)
        quad = 0.5 * float(np.mean(np.einsum("ij,jk,ik->i", a, H, a))) - 0.5 * star @ H @ star
        const = quad - float(np.mean(np.einsum("ij,ij->i", b, a)))

        def f(th):
            diff = th - star
            return 0.5 * float(diff @ H @ diff) + float(nu @ th) + const

        return f, lambda th: H @ (th - star) + nu

    # ------------------------------------------------------------ samples
    def init(self, rngs) -> tuple[Any, np.ndarray]:
        theta = np.zeros(self.n) if self.theta_star is None else np.array(self.theta_star, float)
        return self.drift.init(theta, rngs.drift), theta

    def packet(self, state, t: np.ndarray, rngs):
        """Samples at times ``t``: columns ``theta_star`` and gradient ``noise``."""
        theta, state = self.drift.path(state, t, rngs.drift)
        noise = scaled_normal(rngs.noise, (t.size, self.n), self.gradient_noise_std)
        return {"theta_star": theta, "noise": noise}, state
