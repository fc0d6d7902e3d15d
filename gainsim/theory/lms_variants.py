r"""Closed forms for the LMS variants: sign-error LMS's steady state, leaky LMS's bias.

Convention as everywhere: ``theta += eta * (direction)``, the a-priori error
``e = d - thetaᵀx``, measurement noise variance :math:`\sigma_v^2`, :math:`R = E[xx^\top]`.
"""

import math

import numpy as np

from gainsim.theory.common import _eigs, _matrix, _positive


def sign_error_steady_state_emse(eta: float, trace_R: float, noise_var: float) -> float:
    r"""Steady-state excess MSE :math:`\zeta = E e_a^2` of sign-error LMS
    :math:`\theta \mathrel{+}= \eta\,\operatorname{sgn}(e)\,x`.

    The energy relation in steady state, :math:`2E[e_a\operatorname{sgn}(e)] =
    \eta\,E\lVert x\rVert^2`, with a Gaussian a-priori error :math:`e_a` independent of
    the Gaussian noise (so :math:`E[e_a \operatorname{sgn}(e)] = \sqrt{2/\pi}\,
    \zeta/\sqrt{\zeta + \sigma_v^2}`), gives

    .. math:: \frac{\zeta}{\sqrt{\zeta + \sigma_v^2}} = a, \quad
              a = \eta\operatorname{tr}R\sqrt{\pi/8}, \qquad
              \zeta = \tfrac12\left(a^2 + \sqrt{a^4 + 4a^2\sigma_v^2}\right).

    Finite for every η > 0: the effective LMS gain :math:`\eta\sqrt{2/\pi}/\sigma_e`
    falls as the error grows, so sign-error LMS has no mean-square step bound of the
    LMS kind (it settles to a level of order η instead). Without noise
    :math:`\zeta = a^2`. Assumes the independence assumption and that
    :math:`\lVert x\rVert^2` decouples from :math:`e` (small η, long filters).

    References
    ----------
    T. Y. Al-Naffouri and A. H. Sayed, "Transient analysis of adaptive filters with
    error nonlinearities", IEEE Trans. Signal Process. 51(3), 2003; A. H. Sayed,
    *Fundamentals of Adaptive Filtering*, Wiley, 2003, ch. 6 (sign-error LMS).
    """
    a = _positive("eta", eta) * float(trace_R) * math.sqrt(math.pi / 8.0)
    return 0.5 * (a * a + math.sqrt(a**4 + 4.0 * a * a * float(noise_var)))


def leaky_lms_mean_bound(R_or_eigs, leak: float) -> float:
    r"""Leaky LMS converges in the mean for :math:`0 < \eta < 2/(\lambda_{max}(R) + \gamma)`.

    The mean weights follow :math:`E\theta_{k+1} = (I - \eta(R + \gamma I))E\theta_k
    + \eta R\theta^*`.

    References
    ----------
    S. Haykin, *Adaptive Filter Theory*, 5th ed., 2014 (leaky LMS).
    """
    return 2.0 / (float(np.max(_eigs(R_or_eigs))) + float(leak))


def leaky_lms_mean_weights(R, leak: float, theta_star) -> np.ndarray:
    r"""Where the mean of leaky LMS converges: :math:`(R + \gamma I)^{-1} R\,\theta^*`.

    The leak trades a bias :math:`b = \theta^* - E\theta_\infty = \gamma(R+\gamma I)^{-1}
    \theta^*` for bounded weights; with :math:`R = \sigma^2 I` every weight shrinks by
    :math:`\sigma^2/(\sigma^2 + \gamma)`.

    References
    ----------
    R. D. Gitlin, H. C. Meadors and S. B. Weinstein, Bell Syst. Tech. J. 61(8), 1982;
    S. Haykin, *Adaptive Filter Theory*, 5th ed., 2014.
    """
    Rm = _matrix(R)
    return np.linalg.solve(Rm + float(leak) * np.eye(Rm.shape[0]),
                           Rm @ np.asarray(theta_star, dtype=float))


def leaky_lms_bias_error(R, leak: float, theta_star=None) -> float:
    r"""The a-priori error the leakage bias adds: :math:`b^\top R\, b`,
    :math:`b = \gamma(R + \gamma I)^{-1}\theta^*`.

    For ``theta_star=None`` the expectation over :math:`\theta^* \sim N(0, I/n)` (the
    plant's default draw): :math:`\tfrac{\gamma^2}{n}\operatorname{tr}(R(R+\gamma I)^{-2})`.
    The steady-state a-priori MSE of leaky LMS is this plus :math:`\sigma_v^2` and the
    small-gain LMS fluctuation :math:`\eta\sigma_v^2\operatorname{tr}R/2`.
    """
    Rm = _matrix(R)
    n = Rm.shape[0]
    inv = np.linalg.inv(Rm + float(leak) * np.eye(n))
    if theta_star is None:
        return float(leak) ** 2 / n * float(np.trace(Rm @ inv @ inv))
    b = float(leak) * inv @ np.asarray(theta_star, dtype=float)
    return float(b @ Rm @ b)
