r"""The z-plane view of learning: closed-loop poles, spectral radius and regime.

On a quadratic with Hessian eigenvalues :math:`\lambda_i` (or, for LMS in the mean, the
eigenvalues of the input correlation :math:`R`), a fixed-gain learner is a linear
feedback loop per eigen-mode. Its poles decide everything a learning curve shows:

* gradient descent / LMS in the mean: :math:`z = 1 - \eta\lambda`;
* heavy-ball momentum: the roots of :math:`z^2 - (1 + \beta - \eta\lambda) z + \beta`;
* Nesterov momentum: the roots of :math:`z^2 - (1 + \beta)(1 - \eta\lambda) z + \beta(1 - \eta\lambda)`;
* gradient descent with the gradient of the estimate ``D`` updates old (delayed LMS,
  asynchronous SGD): the roots of :math:`z^{D+1} - z^D + \eta\lambda`.

The spectral radius :math:`\rho = \max|z|` is the per-update contraction of the error in
its slowest mode (the predicted convergence rate); :math:`\rho \ge 1` is divergence.

All functions are pure and vectorised over ``eta`` / ``lam`` where it makes sense. The
pole functions of plain gradient descent and heavy ball live in :mod:`gainsim.theory.gd`
(:func:`~gainsim.theory.gd_poles`, :func:`~gainsim.theory.heavy_ball_poles`) and are
re-exported here.

References
----------
B. T. Polyak, "Some methods of speeding up the convergence of iteration methods",
USSR Comput. Math. Math. Phys. 4(5), 1964. G. Long, F. Ling and J. G. Proakis, "The LMS
algorithm with delayed coefficient adaptation", IEEE Trans. ASSP 37(9), 1989.
E. I. Jury, *Theory and Application of the z-Transform Method*, Wiley, 1964 (stability
of :math:`z^{D+1} - z^D + a`).
"""
from __future__ import annotations

import math

import numpy as np

from gainsim.theory.gd import gd_poles, heavy_ball_poles

__all__ = ["REGIMES", "delay_stability_bound", "delayed_gd_poles", "gd_poles",
           "heavy_ball_poles", "heavy_ball_stability_bound", "heavy_ball_regime_map",
           "nesterov_poles", "nesterov_stability_bound", "regime", "spectral_radius"]

REGIMES = ("monotone", "oscillating", "unstable")
_REAL_TOL = 1e-9  # |Im z| below this (relative to max(1, |z|)) counts as a real pole


def nesterov_poles(eta, beta, lam) -> np.ndarray:
    r"""Poles of Nesterov momentum (PyTorch form) for each eigen-mode λ.

    .. math:: z^2 - (1 + \beta)(1 - \eta\lambda)\,z + \beta(1 - \eta\lambda) = 0

    Returns
    -------
    ndarray, complex
        Shape ``np.shape(lam) + (2,)``: the two roots for each λ.

    References
    ----------
    I. Sutskever, J. Martens, G. Dahl and G. Hinton, "On the importance of initialization
    and momentum in deep learning", ICML 2013.
    """
    a = 1.0 - eta * np.asarray(lam, dtype=float)
    b = (1.0 + beta) * a
    root = np.sqrt(np.asarray(b * b - 4.0 * beta * a, dtype=complex))
    return np.stack([(b + root) / 2.0, (b - root) / 2.0], axis=-1)


def delayed_gd_poles(eta, lam, delay: int) -> np.ndarray:
    r"""Poles of gradient descent whose gradient is ``delay`` updates stale.

    :math:`\theta_{k+1} = \theta_k - \eta\nabla f(\theta_{k-D})` has, per eigen-mode,
    the characteristic polynomial

    .. math:: z^{D+1} - z^{D} + \eta\lambda = 0,

    whose ``D + 1`` roots are computed as the eigenvalues of its companion matrix.
    ``delay = 0`` gives :math:`1 - \eta\lambda`.

    Returns
    -------
    ndarray, complex
        Shape ``np.shape(lam) + (delay + 1,)``, roots sorted by decreasing modulus.

    References
    ----------
    G. Long, F. Ling and J. G. Proakis, "The LMS algorithm with delayed coefficient
    adaptation", IEEE Trans. ASSP 37(9), 1989.
    """
    delay = _delay(delay)
    a = eta * np.asarray(lam, dtype=float)
    companion = np.zeros(a.shape + (delay + 1, delay + 1))
    companion[..., 0, 0] = 1.0                       # coefficient of z^D (negated: +1)
    companion[..., 0, delay] -= a                    # constant term (negated: -a)
    for i in range(delay):
        companion[..., i + 1, i] = 1.0
    roots = np.linalg.eigvals(companion).astype(complex)
    order = np.argsort(-np.abs(roots), axis=-1, kind="stable")
    return np.take_along_axis(roots, order, axis=-1)


def delay_stability_bound(delay: int) -> float:
    r"""Largest stable :math:`\eta\lambda` of gradient descent with a stale gradient.

    .. math:: 0 < \eta\lambda < 2\sin\!\Big(\frac{\pi}{2(2D + 1)}\Big)

    2 for D = 0, 1 for D = 1, 0.618 for D = 2, ≈ π/(2D) for large D: the learning-rate
    form of a control loop's delay margin. At the bound a pole pair crosses the unit
    circle at :math:`z = e^{\pm i\pi/(2D+1)}`.

    References
    ----------
    G. Long, F. Ling and J. G. Proakis, IEEE Trans. ASSP 37(9), 1989. At the bound,
    :math:`|z - 1| = 2\sin(\omega/2) = \eta\lambda` and :math:`D\omega + (\pi + \omega)/2 = \pi`.
    """
    return 2.0 * math.sin(math.pi / (2.0 * (2 * _delay(delay) + 1)))


def heavy_ball_stability_bound(beta: float) -> float:
    r"""Largest stable :math:`\eta\lambda` of heavy-ball momentum: :math:`2(1 + \beta)`.

    The full stability region (the *stability triangle*) is
    :math:`0 \le \beta < 1,\ 0 < \eta\lambda < 2(1 + \beta)`.

    References
    ----------
    B. T. Polyak, *Introduction to Optimization*, 1987, §3.2.1.
    """
    _beta(beta)
    return 2.0 * (1.0 + beta)


def nesterov_stability_bound(beta: float) -> float:
    r"""Largest stable :math:`\eta\lambda` of Nesterov momentum: :math:`2(1+\beta)/(1+2\beta)`.

    References
    ----------
    I. Sutskever et al., ICML 2013 (the poles of :func:`nesterov_poles` by the Jury test).
    """
    _beta(beta)
    return 2.0 * (1.0 + beta) / (1.0 + 2.0 * beta)


def spectral_radius(poles) -> float:
    r"""The largest pole modulus :math:`\rho = \max_i |z_i|` over every pole given.

    For a linear loop the error contracts by :math:`\rho` per update in its slowest mode
    (:math:`\|e_k\| \sim \rho^k`); :math:`\rho \ge 1` means divergence (or, at 1, no decay).
    """
    return float(np.max(np.abs(np.asarray(poles))))


def regime(poles) -> str:
    r"""``"monotone"``, ``"oscillating"`` or ``"unstable"`` for a set of poles.

    * ``"unstable"``: some :math:`|z| \ge 1`;
    * ``"monotone"``: every pole real and :math:`\ge 0` (each mode decays without changing
      sign: :math:`0 < \eta\lambda \le 1` for gradient descent);
    * ``"oscillating"``: a complex pole (ringing, e.g. under-damped momentum) or a negative
      real one (alternating sign: :math:`1 < \eta\lambda < 2` for gradient descent).
    """
    z = np.asarray(poles, dtype=complex).ravel()
    if np.any(np.abs(z) >= 1.0):
        return "unstable"
    real = np.abs(z.imag) <= _REAL_TOL * np.maximum(1.0, np.abs(z))
    return "monotone" if bool(np.all(real & (z.real >= 0.0))) else "oscillating"


def heavy_ball_regime_map(eta_lam, beta) -> np.ndarray:
    r"""Regime code of heavy-ball momentum on a grid of :math:`(\eta\lambda, \beta)`.

    Returns an integer array of shape ``np.broadcast(eta_lam, beta).shape``:
    0 monotone (two real roots in [0, 1)), 1 oscillating with complex roots (ringing),
    2 oscillating with a negative real root (alternating), 3 unstable.
    """
    a, b = np.broadcast_arrays(np.asarray(eta_lam, float), np.asarray(beta, float))
    z = heavy_ball_poles(1.0, b, a)
    rho = np.max(np.abs(z), axis=-1)
    complex_ = np.any(np.abs(z.imag) > _REAL_TOL * np.maximum(1.0, np.abs(z)), axis=-1)
    negative = np.any(z.real < 0.0, axis=-1) & ~complex_
    out = np.where(complex_, 1, np.where(negative, 2, 0))
    return np.where(rho >= 1.0, 3, out)


def _delay(delay) -> int:
    if isinstance(delay, bool) or int(delay) != delay or delay < 0:
        raise ValueError(f"delay must be an integer >= 0, got {delay!r}")
    return int(delay)


def _beta(beta: float) -> None:
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"beta must be in [0, 1), got {beta!r}")
