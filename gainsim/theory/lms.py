"""Closed forms for LMS and NLMS: stability bounds, misadjustment, tracking; input correlation.

Convention: ``theta += eta * e * x`` (the gradient of e²/2), so Widrow's mu_W = eta/2.
"""


import numpy as np

from gainsim.theory.common import _drift_trace, _eigs, _matrix, _positive

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
    from scipy.linalg import toeplitz  # scipy.linalg is imported where it is used

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


def nlms_optimal_tracking_step(trR: float, trQ: float, noise_var: float,
                               factor: float = 1.0) -> float:
    r"""Step minimising the small-gain NLMS tracking error, in closed form.

    The a-priori MSE :math:`f(\mu) = \sigma_v^2\,(1 + c\,\mu/(2 - \mu))
    + \operatorname{tr}R\,\operatorname{tr}Q/(2\mu)` (:func:`nlms_misadjustment` with its
    factor :math:`c`, ``factor``, plus the LMS lag term at the effective gain
    :math:`\mu/\operatorname{tr}R`) is convex on :math:`(0, 2)`;
    :math:`f'(\mu) = 0` is :math:`4 c \sigma_v^2 \mu^2 = \operatorname{tr}R\,
    \operatorname{tr}Q\,(2 - \mu)^2`, whose root in :math:`(0, 2)` is

    .. math:: \mu^\star = \frac{2\sqrt{A}}{2\sigma_v\sqrt{c} + \sqrt{A}},
              \qquad A = \operatorname{tr}R\,\operatorname{tr}Q

    (noise and lag balance; :math:`\mu^\star \to 2` without noise). Small-gain, like the
    error it minimises.

    References
    ----------
    A. H. Sayed, *Fundamentals of Adaptive Filtering*, Wiley, 2003 (NLMS steady state and
    tracking).
    """
    if noise_var < 0 or not factor > 0:
        raise ValueError(f"need noise_var >= 0 and factor > 0, got {noise_var!r}, {factor!r}")
    a = np.sqrt(_positive("trR", trR) * _positive("trQ", trQ))
    return float(2.0 * a / (2.0 * np.sqrt(noise_var * factor) + a))


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
