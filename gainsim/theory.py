"""Closed-form gain theory; ``theta += eta * e * x`` (gradient of e²/2), Widrow's mu_W = eta/2."""

import math
from dataclasses import dataclass

import numpy as np
from scipy.linalg import toeplitz

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


# --- input coercion -------------------------------------------------------------------------

def _eigs(R_or_eigs) -> np.ndarray:
    """Eigenvalues of a symmetric matrix, or the 1-D array of eigenvalues itself."""
    a = np.asarray(R_or_eigs, dtype=float)
    return np.linalg.eigvalsh(a) if a.ndim == 2 else np.atleast_1d(a)


def _matrix(A) -> np.ndarray:
    """Scalar -> 1x1, 1-D -> diagonal matrix, 2-D square -> unchanged."""
    a = np.asarray(A, dtype=float)
    if a.ndim < 2:
        return np.diag(np.atleast_1d(a))
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"expected a square matrix, got shape {a.shape}")
    return a


def _drift_trace(Q, R, weight_by_R: bool = False) -> float:
    """tr Q (or tr QR), after checking Q has R's shape (catches a scalar q meant as q*I)."""
    if Q is None:
        return 0.0
    Qm, Rm = _matrix(Q), _matrix(R)
    if Qm.shape != Rm.shape:
        raise ValueError(f"Q has shape {Qm.shape} but R has shape {Rm.shape}")
    return float(np.trace(Qm @ Rm if weight_by_R else Qm))


def _positive(name: str, value: float) -> float:
    if not value > 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return float(value)


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


# --- LMS -----------------------------------------------------------------------------------

def lms_mean_bound(R_or_eigs) -> float:
    r"""LMS convergence-in-the-mean bound :math:`0 < \eta < 2/\lambda_{\max}(R)`.

    Assumes the independence assumption (x_k independent of the weights).

    References
    ----------
    B. Widrow and S. D. Stearns, *Adaptive Signal Processing*, Prentice-Hall, 1985
    (there written :math:`0 < \mu < 1/\lambda_{\max}` with μ = η/2).
    """
    return 2.0 / float(np.max(_eigs(R_or_eigs)))


def lms_mean_square_bound(R) -> float:
    r"""Practical LMS mean-square stability bound :math:`0 < \eta < 2/\operatorname{tr} R`.

    Conservative for most inputs; R may be a matrix, its eigenvalues or its diagonal.

    References
    ----------
    B. Widrow and S. D. Stearns, *Adaptive Signal Processing*, 1985.
    """
    return 2.0 / float(np.sum(_eigs(R)))


def lms_gaussian_white_bound(n: int, sigma2: float) -> float:
    r"""Exact LMS mean-square bound for real white Gaussian input, :math:`R = \sigma^2 I_n`.

    .. math:: 0 < \eta < \frac{2}{(n + 2)\,\sigma^2}

    References
    ----------
    A. Feuer and E. Weinstein, "Convergence analysis of LMS filters with uncorrelated
    Gaussian data", IEEE Trans. ASSP 33(1), 1985.
    """
    return 2.0 / ((int(n) + 2) * _positive("sigma2", sigma2))


def lms_misadjustment(eta: float, R) -> float:
    r"""Small-gain LMS misadjustment (excess MSE / noise variance).

    .. math:: M \approx \eta\,\operatorname{tr} R / 2 \quad (= \mu_W \operatorname{tr} R)

    References
    ----------
    B. Widrow et al., "Stationary and nonstationary learning characteristics of the LMS
    adaptive filter", Proc. IEEE 64(8), 1976.
    """
    return float(eta) * float(np.trace(_matrix(R))) / 2.0


def lms_excess_mse(eta: float, R, noise_std: float, Q=None) -> float:
    r"""Small-gain steady-state LMS excess MSE when tracking a random-walk target.

    Target :math:`\theta^*_{k+1} = \theta^*_k + \omega_k`, :math:`E\,\omega\omega^T = Q`.

    .. math:: \xi = \frac{\eta}{2}\sigma_v^2 \operatorname{tr} R
                    + \frac{\operatorname{tr} Q}{2\eta}

    Gradient noise grows with η, lag error with 1/η. Assumes small η, independence
    assumption; ``Q=None`` is a fixed target. Q must have R's shape (pass ``q*np.eye(n)``).

    References
    ----------
    B. Widrow et al., Proc. IEEE 64(8), 1976; A. H. Sayed, *Fundamentals of Adaptive
    Filtering*, Wiley, 2003 (tracking analysis).
    """
    eta = _positive("eta", eta)
    trR = float(np.trace(_matrix(R)))
    return eta * noise_std**2 * trR / 2.0 + _drift_trace(Q, R) / (2.0 * eta)


def lms_optimal_tracking_gain(R, noise_std: float, Q) -> float:
    r"""Gain minimising :func:`lms_excess_mse`, where noise and lag terms are equal.

    .. math:: \eta^\star = \sqrt{\operatorname{tr} Q / (\sigma_v^2 \operatorname{tr} R)}

    Valid only if η* is well inside the stability range (small-gain approximation).

    References
    ----------
    A. H. Sayed, *Fundamentals of Adaptive Filtering*, 2003 (tracking analysis).
    """
    trR = float(np.trace(_matrix(R)))
    return float(np.sqrt(_drift_trace(Q, R) / (_positive("noise_std", noise_std) ** 2 * trR)))


def lms_steady_state_tracking_error(eta: float, R, noise_std: float, Q=None) -> float:
    r"""Steady-state a-priori MSE of LMS: :math:`E e_k^2 = \sigma_v^2 + \xi` (see
    :func:`lms_excess_mse` for ξ and its assumptions).

    References
    ----------
    B. Widrow et al., Proc. IEEE 64(8), 1976.
    """
    return noise_std**2 + lms_excess_mse(eta, R, noise_std, Q)


def lms_white_gaussian_weight_error(eta: float, n: int, noise_std: float, q: float) -> float:
    r"""Exact steady-state LMS weight-error variance per tap, white Gaussian input, R = I.

    With :math:`x_k \sim N(0, I_n)`, :math:`Q = qI` and the independence assumption,
    :math:`E\,\tilde\theta\tilde\theta^T = kI` with

    .. math:: k = \frac{\eta^2\sigma_v^2 + q}{2\eta - \eta^2 (n + 2)}

    (the Gaussian moment :math:`E[xx^T K xx^T] = 2K + \operatorname{tr}(K) I`).
    Returns ``inf`` outside the stability range :math:`0 < \eta < 2/(n+2)`.

    References
    ----------
    A. Feuer and E. Weinstein, IEEE Trans. ASSP 33(1), 1985; Sayed, 2003.
    """
    den = 2.0 * eta - eta**2 * (int(n) + 2)
    return (eta**2 * noise_std**2 + q) / den if eta > 0 and den > 0 else float("inf")


# --- input correlation ---------------------------------------------------------------------

def ar1_correlation_matrix(n: int, pole: float, input_std: float = 1.0) -> np.ndarray:
    r"""Correlation matrix of an n-tap delay line fed by a stationary AR(1) process.

    .. math::
        x_k = a x_{k-1} + \sqrt{1 - a^2}\,\sigma w_k,\ w_k \sim N(0,1)
        \ \Rightarrow\ R_{ij} = \sigma^2 a^{|i-j|}

    The :math:`\sqrt{1-a^2}` scaling keeps the stationary variance at σ² for every
    pole, so changing ``pole`` changes the eigenvalue spread but not tr R = nσ².
    Requires |a| < 1.

    References
    ----------
    S. Haykin, *Adaptive Filter Theory*, 4th ed., Prentice-Hall, 2002 (AR processes).
    """
    if not abs(pole) < 1:
        raise ValueError(f"pole must satisfy |pole| < 1, got {pole!r}")
    return input_std**2 * toeplitz(float(pole) ** np.arange(int(n)))


def eigenvalue_spread(R) -> float:
    r"""Eigenvalue spread (condition number) :math:`\chi(R) = \lambda_{\max}/\lambda_{\min}`.

    For an AR(1) delay line it grows towards :math:`((1+|a|)/(1-|a|))^2` as n grows.

    References
    ----------
    S. Haykin, *Adaptive Filter Theory*, 2002.
    """
    lam = _eigs(R)
    return float(lam.max()) / _positive("lambda_min", float(lam.min()))


# --- NLMS ----------------------------------------------------------------------------------

def nlms_bound() -> float:
    r"""NLMS stability range :math:`0 < \tilde\mu < 2` for
    :math:`\theta \mathrel{+}= \tilde\mu\, e x / (\delta + \lVert x\rVert^2)`.

    References
    ----------
    D. T. M. Slock, "On the convergence behavior of the LMS and the normalized LMS
    algorithms", IEEE Trans. Signal Process. 41(9), 1993.
    """
    return 2.0


def nlms_misadjustment(mu: float, n: int | None = None) -> float:
    r"""NLMS steady-state misadjustment.

    .. math:: M \approx \frac{\tilde\mu}{2 - \tilde\mu}\,
              E\!\left[\frac{1}{\lVert x\rVert^2}\right]\operatorname{tr} R

    For large n, :math:`E[1/\lVert x\rVert^2]\operatorname{tr}R \approx 1`. If ``n`` is given,
    input is taken white Gaussian, :math:`\lVert x\rVert^2/\sigma^2 \sim \chi^2_n` and
    :math:`E[1/\chi^2_n] = 1/(n-2)`, so the factor is :math:`n/(n-2)` (requires n > 2).

    References
    ----------
    A. H. Sayed, *Fundamentals of Adaptive Filtering*, Wiley, 2003 (ε-NLMS steady state).
    """
    if not 0 < mu < 2:
        raise ValueError(f"mu must be in (0, 2), got {mu!r}")
    base = mu / (2.0 - mu)
    if n is None:
        return base
    if n <= 2:
        raise ValueError(f"the Gaussian correction needs n > 2, got {n!r}")
    return base * n / (n - 2.0)


# --- RLS -----------------------------------------------------------------------------------

def rls_tracking_excess_mse(forgetting_factor: float, R, noise_std: float, Q=None) -> float:
    r"""Steady-state excess MSE of exponentially weighted RLS tracking a random walk.

    .. math:: \xi = \frac{1}{2}\Bigl[\sigma_v^2 (1-\lambda)\,n
                    + \frac{\operatorname{tr}(QR)}{1-\lambda}\Bigr]

    with n = dim R. Assumes 1 − λ small (so :math:`P \approx (1-\lambda)R^{-1}`) and the
    independence assumption; for R = I it coincides with :func:`lms_excess_mse` at η = 1 − λ.

    References
    ----------
    E. Eleftheriou and D. D. Falconer, "Tracking properties and steady-state performance
    of RLS adaptive filter algorithms", IEEE Trans. ASSP 34(5), 1986; A. H. Sayed,
    *Fundamentals of Adaptive Filtering*, 2003 (tracking analysis).
    """
    if not 0 < forgetting_factor < 1:
        raise ValueError(f"forgetting_factor must be in (0, 1), got {forgetting_factor!r}")
    w, n = 1.0 - forgetting_factor, _matrix(R).shape[0]
    return (noise_std**2 * w * n + _drift_trace(Q, R, weight_by_R=True) / w) / 2.0


def rls_optimal_forgetting(R, noise_std: float, Q) -> float:
    r"""Forgetting factor minimising :func:`rls_tracking_excess_mse`.

    .. math:: 1 - \lambda^\star = \sqrt{\operatorname{tr}(QR) / (\sigma_v^2 n)}

    Raises ``ValueError`` if this is not below 1 (the small-(1−λ) model does not apply).

    References
    ----------
    A. H. Sayed, *Fundamentals of Adaptive Filtering*, 2003 (tracking analysis).
    """
    n, trQR = _matrix(R).shape[0], _drift_trace(Q, R, weight_by_R=True)
    w = float(np.sqrt(trQR / (_positive("noise_std", noise_std) ** 2 * n)))
    if not w < 1:
        raise ValueError(f"optimal 1 - lambda = {w:.3g} >= 1: drift too fast for this model")
    return 1.0 - w


# --- Kalman, scalar local level ------------------------------------------------------------

def kalman_steady_state_gain(q: float) -> float:
    r"""Steady-state Kalman gain for the local-level model with signal-to-noise ratio q.

    Model :math:`x_{k+1} = x_k + w_k`, :math:`y_k = x_k + v_k`, q = Q/R (R = var v).

    .. math:: K = \frac{-q + \sqrt{q^2 + 4q}}{2}

    References
    ----------
    A. C. Harvey, *Forecasting, Structural Time Series Models and the Kalman Filter*,
    Cambridge University Press, 1989; J. F. Muth, "Optimal properties of
    exponentially weighted forecasts", JASA 55, 1960.
    """
    if q < 0:
        raise ValueError(f"q must be >= 0, got {q!r}")
    return float(-q + np.sqrt(q * q + 4.0 * q)) / 2.0


def kalman_steady_state_prior_variance(Q: float, R: float) -> float:
    r"""Steady-state prior (one-step prediction) error variance of the local-level filter.

    Fixed point of the scalar Riccati recursion on the prior,

    .. math:: P = P - \frac{P^2}{P + R} + Q
              \ \Rightarrow\ P = \frac{Q + \sqrt{Q^2 + 4QR}}{2},
              \quad K = \frac{P}{P + R}.

    References
    ----------
    A. C. Harvey, 1989; J. Durbin and S. J. Koopman, *Time Series Analysis by
    State Space Methods*, 2nd ed., Oxford, 2012, ch. 2.
    """
    if Q < 0 or R < 0:
        raise ValueError("Q and R must be >= 0")
    return float(Q + np.sqrt(Q * Q + 4.0 * Q * R)) / 2.0


def fixed_gain_local_level_error(eta, Q: float, R: float):
    r"""Steady-state prior error variance of a fixed-gain local-level filter.

    For :math:`\hat x_{k+1} = \hat x_k + \eta(y_k - \hat x_k)` the prior error obeys
    :math:`e_{k+1} = (1-\eta)e_k - \eta v_k + w_k`, hence

    .. math:: P(\eta) = \frac{\eta R + Q/\eta}{2 - \eta}, \qquad 0 < \eta < 2,

    and ``inf`` outside (0, 2). Minimised by :func:`kalman_steady_state_gain` of Q/R,
    where it equals :func:`kalman_steady_state_prior_variance`. Accepts an array of gains.

    References
    ----------
    J. F. Muth, JASA 55, 1960; A. C. Harvey, 1989.
    """
    eta = np.asarray(eta, dtype=float)
    ok = (eta > 0) & (eta < 2)
    safe = np.where(ok, eta, 1.0)
    out = np.where(ok, (safe * R + Q / safe) / (2.0 - safe), np.inf)
    return float(out) if out.ndim == 0 else out


def decaying_gain_error_growth(Q: float, k: int) -> float:
    r"""Approximate error variance after k steps of the gain :math:`\eta_j = 1/j` under drift.

    With :math:`\eta_j = 1/j` (:math:`\eta_1 = 1` forgets the start) the estimate is the
    running mean of :math:`y_1..y_k`; for a random walk with step variance Q and measurement
    noise variance R its posterior error variance is exactly
    :math:`Q(k-1)(2k-1)/(6k) + R/k`, so for large k

    .. math:: E(x_k - \hat x_k)^2 \approx Q\,k/3

    grows without bound (the measurement term R/k is neglected).

    References
    ----------
    A. Benveniste, M. Métivier and P. Priouret, *Adaptive Algorithms and Stochastic
    Approximations*, Springer, 1990; L. Ljung and S. Gunnarsson, "Adaptation and
    tracking in system identification - a survey", Automatica 26(1), 1990.
    """
    return Q * float(k) / 3.0


# ----------------------------------------------------------------------------- MRAC
def mrac_ideal_first_order(a: float, b: float, a_m: float, b_m: float) -> tuple[float, float]:
    r"""Controller parameters for perfect model following, first-order process.

    Process :math:`b/(s+a)`, model :math:`b_m/(s+a_m)`, :math:`u = \theta_1 u_c - \theta_2 y`:

    .. math:: \theta_1 = b_m / b, \qquad \theta_2 = (a_m - a)/b

    References
    ----------
    K. J. Åström and B. Wittenmark, *Adaptive Control*, 2nd ed., 1995, Example 5.2.
    """
    return b_m / b, (a_m - a) / b


def mrac_feedforward_gain_bound(k: float, k0: float, a1: float, a2: float, u0: float) -> float:
    r"""Largest adaptation gain γ for which the MIT feedforward loop is (locally) stable.

    Process :math:`kG(s)`, model :math:`k_0G(s)`, :math:`G = 1/(s^2 + a_1 s + a_2)`,
    :math:`u = \theta u_c`, :math:`d\theta/dt = -\gamma y_m e`, constant command
    :math:`u_0`. Linearised about :math:`\theta = k_0/k` the parameter error obeys
    :math:`s^3 + a_1 s^2 + a_2 s + \gamma k k_0 u_0^2 / a_2 = 0`; by Routh–Hurwitz it
    is stable iff

    .. math:: \gamma\, k\, k_0\, u_0^2 < a_1 a_2^2

    A large gain *or a large command* destabilises the MIT rule.

    References
    ----------
    Åström & Wittenmark 1995, §5.3 (stability of the MIT rule).
    """
    denominator = k * k0 * u0**2
    if denominator == 0:  # u0 = 0 or k0 = 0 (or an underflow): no gain is excluded
        return math.inf
    return a1 * a2**2 / denominator
