"""Closed forms for gradient descent and heavy ball on a quadratic: poles, bounds, optima."""

from dataclasses import dataclass

import numpy as np

from gainsim.theory.common import _eigs, _positive

@dataclass(frozen=True)
class GainRate:
    """A fixed gain ``eta`` and the contraction factor ``rate`` per step it achieves."""

    eta: float
    rate: float


@dataclass(frozen=True)
class HeavyBallTuning:
    """Heavy-ball gain ``eta``, momentum ``beta`` and worst-mode pole modulus ``rate``."""
    eta: float
    beta: float
    rate: float


# --- gradient descent on a quadratic -------------------------------------------------------

def gd_poles(eta, eigenvalues) -> np.ndarray:
    r"""Closed-loop poles of gradient descent on a quadratic, one per Hessian eigenvalue.

    .. math:: e_{k+1} = (1 - \eta\lambda_i)\,e_k, \qquad p_i = 1 - \eta\lambda_i

    ``eigenvalues`` may be the Hessian eigenvalues λᵢ or the symmetric Hessian itself.
    Mode i converges iff :math:`|p_i| < 1`.

    References
    ----------
    B. T. Polyak, *Introduction to Optimization*, Optimization Software, 1987.
    """
    return 1.0 - float(eta) * _eigs(eigenvalues)


def gd_stability_bound(eigenvalues) -> float:
    r"""Largest stable fixed gain for gradient descent on a quadratic.

    .. math:: 0 < \eta < 2 / \lambda_{\max}

    References
    ----------
    B. T. Polyak, *Introduction to Optimization*, 1987.
    """
    return 2.0 / float(np.max(_eigs(eigenvalues)))


def deadbeat_gain(lam: float) -> float:
    r"""Gain that places the pole of mode λ at zero (one-step convergence, Newton step).

    .. math:: \eta = 1/\lambda

    References
    ----------
    J. Nocedal and S. J. Wright, *Numerical Optimization*, 2nd ed., Springer, 2006, ch. 3.
    """
    return 1.0 / _positive("lam", lam)


def gd_optimal_gain(eigenvalues) -> GainRate:
    r"""Fixed gain minimising the worst pole modulus of gradient descent.

    .. math::
        \eta^\star = \frac{2}{\lambda_{\min} + \lambda_{\max}}, \qquad
        \rho^\star = \max_i |1 - \eta^\star\lambda_i| = \frac{\kappa - 1}{\kappa + 1},
        \quad \kappa = \lambda_{\max}/\lambda_{\min}

    Assumes a positive-definite Hessian. At η* the slowest and stiffest poles are ±ρ*.

    References
    ----------
    B. T. Polyak, *Introduction to Optimization*, 1987.
    """
    lam = _eigs(eigenvalues)
    lo, hi = _positive("lambda_min", float(lam.min())), float(lam.max())
    return GainRate(eta=2.0 / (lo + hi), rate=(hi - lo) / (hi + lo))


def heavy_ball_poles(eta, beta, lam) -> np.ndarray:
    r"""Poles of heavy-ball momentum for each eigen-mode λ.

    For :math:`\theta_{k+1} = \theta_k - \eta\nabla f + \beta(\theta_k - \theta_{k-1})`
    each mode has characteristic polynomial

    .. math:: z^2 - (1 + \beta - \eta\lambda)\,z + \beta = 0.

    Returns
    -------
    ndarray, complex
        Shape ``np.shape(lam) + (2,)``: the two roots for each λ (a root pair, unordered).

    References
    ----------
    B. T. Polyak, "Some methods of speeding up the convergence of iteration methods",
    USSR Comput. Math. Math. Phys. 4(5), 1964.
    """
    b = 1.0 + beta - eta * np.asarray(lam, dtype=float)
    root = np.sqrt(np.asarray(b * b - 4.0 * beta, dtype=complex))
    return np.stack([(b + root) / 2.0, (b - root) / 2.0], axis=-1)


def polyak_heavy_ball_optimum(eigenvalues) -> HeavyBallTuning:
    r"""Polyak's optimal heavy-ball tuning for a quadratic with eigenvalues in [λmin, λmax].

    .. math::
        \eta = \frac{4}{(\sqrt{\lambda_{\max}} + \sqrt{\lambda_{\min}})^2}, \quad
        \beta = \Bigl(\frac{\sqrt\kappa - 1}{\sqrt\kappa + 1}\Bigr)^2, \quad
        \rho = \sqrt\beta

    At this tuning both extreme modes have a double pole of modulus √β.

    References
    ----------
    B. T. Polyak, "Some methods of speeding up the convergence of iteration methods", 1964.
    """
    lam = _eigs(eigenvalues)
    lo, hi = np.sqrt(_positive("lambda_min", float(lam.min()))), np.sqrt(float(lam.max()))
    rate = (hi - lo) / (hi + lo)
    return HeavyBallTuning(eta=4.0 / (hi + lo) ** 2, beta=rate**2, rate=rate)


def gd_regime(eta: float, eigenvalues) -> str:
    r"""Label a fixed gradient-descent gain: sluggish, about right, overshooting or unstable.

    With :math:`\rho(\eta) = \max_i|1 - \eta\lambda_i|` and the best achievable
    :math:`\rho^\star = (\kappa-1)/(\kappa+1)` (:func:`gd_optimal_gain`), the rule is

    * ``"unstable"`` if :math:`\rho \ge 1` (i.e. :math:`\eta\lambda_{\max} \ge 2`);
    * ``"about right"`` if :math:`1 - \rho \ge (1 - \rho^\star)/2`: the convergence time
      :math:`1/(1-\rho)` is within a factor 2 of the best possible;
    * otherwise ``"sluggish"`` if :math:`\eta < \eta^\star = 2/(\lambda_{\min}+\lambda_{\max})`
      (the slowest mode is the soft, monotone one) and ``"overshooting"`` if
      :math:`\eta > \eta^\star` (the slowest mode is the stiff one, alternating in sign).

    For one eigenvalue λ this gives: sluggish ηλ < 0.5, about right 0.5 ≤ ηλ ≤ 1.5,
    overshooting 1.5 < ηλ < 2, unstable ηλ ≥ 2. Requires η > 0 and all λᵢ > 0.

    References
    ----------
    B. T. Polyak, *Introduction to Optimization*, 1987 (rates of gradient descent).
    """
    eta = _positive("eta", eta)
    best = gd_optimal_gain(eigenvalues)
    rho = float(np.max(np.abs(gd_poles(eta, eigenvalues))))
    if rho >= 1.0:
        return "unstable"
    if 1.0 - rho >= (1.0 - best.rate) / 2.0:
        return "about right"
    return "sluggish" if eta < best.eta else "overshooting"
