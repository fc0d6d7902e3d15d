"""Closed forms for model-reference adaptive control: ideal parameters, the MIT gain bound."""

import math

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
