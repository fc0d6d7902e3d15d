"""LMS and NLMS: stochastic gradient on ½e² for a linear regression.

Convention (used everywhere in gainsim): ``theta += eta * e * x`` with the
a-priori error ``e = d - thetaᵀx``. Widrow & Hoff write ``W += 2 mu e X``, so
``mu_Widrow = eta / 2``; other fields call ``eta`` ``mu``, ``alpha``, ``lr`` or ``gamma``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numba import njit

from gainsim.registry import register
from gainsim.scenario.fields import param, positive


@njit(cache=True, fastmath=False)
def lms_kernel(x, d, arrival, eta, eps, normalized, limit2, theta, alive, updates,
               diverged_at, err_sum, err_cnt):  # pragma: no cover - compiled
    """Apply samples ``x[i], d[i]`` in order to every live policy of the bank."""
    m, n = x.shape
    for p in range(theta.shape[0]):
        if not alive[p]:
            continue
        th = theta[p]
        et = eta[p]
        s = 0.0
        c = 0
        for i in range(m):
            y = 0.0
            for j in range(n):
                y += th[j] * x[i, j]
            e = d[i] - y
            g = e
            if normalized:
                xx = 0.0
                for j in range(n):
                    xx += x[i, j] * x[i, j]
                g = e / (eps + xx)
            norm2 = 0.0
            for j in range(n):
                th[j] += et[j] * g * x[i, j]
                norm2 += th[j] * th[j]
            updates[p] += 1
            if np.isfinite(e):
                s += e * e
                c += 1
            if not (norm2 <= limit2):  # also catches nan
                alive[p] = False
                diverged_at[p] = arrival[i]
                break
        err_sum[p] = s
        err_cnt[p] = c


@register("estimator")
@dataclass(frozen=True)
class Lms:
    r"""Least mean squares (Widrow & Hoff 1960).

    .. math:: e_k = d_k - \theta_k^\top x_k, \qquad \theta_{k+1} = \theta_k + \eta\, e_k x_k

    Mean-stable for :math:`0 < \eta < 2/\lambda_{max}(R)`; small-gain misadjustment
    :math:`M \approx \eta\,\mathrm{tr}R/2`.

    References
    ----------
    B. Widrow and M. E. Hoff, "Adaptive switching circuits", IRE WESCON, 1960.
    """

    kind: ClassVar[str] = "lms"
    summary: ClassVar[str] = "LMS: theta += eta * e * x (a-priori error e = d - theta·x)"
    shorthand_field: ClassVar[str | None] = None
    plant_family: ClassVar[str] = "regression"

    def apply(self, bank, cols, arrival, limit2, plant) -> None:
        lms_kernel(cols["x"], cols["d"], arrival, bank.eta, 0.0, False, limit2, bank.theta,
                   bank.alive, bank.updates, bank.diverged_at, bank.err_sum, bank.err_cnt)


@register("estimator")
@dataclass(frozen=True)
class Nlms:
    r"""Normalised LMS (Nagumo & Noda 1967; Albert & Gardner 1967).

    .. math:: \theta_{k+1} = \theta_k + \eta\, \frac{e_k x_k}{\epsilon + x_k^\top x_k}

    Stable for :math:`0 < \eta < 2`; misadjustment :math:`\approx \eta/(2-\eta)`.

    References
    ----------
    J. Nagumo and A. Noda, "A learning method for system identification",
    IEEE Trans. Automatic Control 12(3), 1967.
    """

    kind: ClassVar[str] = "nlms"
    summary: ClassVar[str] = "normalised LMS: theta += eta * e * x / (eps + x·x), stable for 0 < eta < 2"
    shorthand_field: ClassVar[str | None] = None
    plant_family: ClassVar[str] = "regression"
    eps: float = param(1e-6, doc="regulariser added to x·x", check=positive)

    def apply(self, bank, cols, arrival, limit2, plant) -> None:
        lms_kernel(cols["x"], cols["d"], arrival, bank.eta, self.eps, True, limit2, bank.theta,
                   bank.alive, bank.updates, bank.diverged_at, bank.err_sum, bank.err_cnt)
