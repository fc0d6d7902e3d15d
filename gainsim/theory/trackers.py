"""Closed forms for the optimal trackers: RLS with forgetting, the scalar Kalman local level."""


import numpy as np

from gainsim.theory.common import _drift_trace, _matrix, _positive

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
