"""Normalising gains: NLMS (divide by the input power) and Polyak's step (divide by |g|²)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from numba import njit

from gainsim.estimators.loop import sample_loop
from gainsim.gains.compiled import CompiledPolicy, constant_or_schedule
from gainsim.gains.constant import Constant as ScheduledConstant
from gainsim.registry import register
from gainsim.fields import param, positive


@njit(cache=True, inline="always")
def nlms_gain_law(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """NLMS as a gain: eta = base / (eps + x·x); prm = (eps,)."""
    xx = 0.0
    for j in range(x.size):
        xx += x[j] * x[j]
    gain = base / (prm[0] + xx)
    for j in range(g.size):
        eta[j] = gain
        step[j] = -gain * g[j]
    return 0


@njit(cache=True, error_model="numpy")
def nlms_gain_loop(data, laws, books, mon):  # pragma: no cover - compiled
    sample_loop(nlms_gain_law, False, data, laws, books, mon)


@njit(cache=True, inline="always")
def polyak_law(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Polyak step: eta = min((loss - f*) / |g|², eta_max); prm = (eta_max, f_star)."""
    eta_max, f_star = prm[0], prm[1]
    gg = 0.0
    for j in range(g.size):
        gg += g[j] * g[j]
    gain = eta_max
    if gg > 0.0:
        ratio = (loss - f_star) / gg
        if ratio < eta_max:
            gain = ratio if ratio > 0.0 else 0.0
    for j in range(g.size):
        eta[j] = gain
        step[j] = -gain * g[j]
    return 0


@njit(cache=True, error_model="numpy")
def polyak_loop(data, laws, books, mon):  # pragma: no cover - compiled
    sample_loop(polyak_law, False, data, laws, books, mon)


@register("gain")
@dataclass(frozen=True)
class NlmsGain(CompiledPolicy):
    r"""NLMS normalisation as a gain policy on the plain LMS estimator.

    .. math::
        \eta_k = \frac{\mu_k}{\epsilon + x_k^\top x_k}, \qquad
        \theta_k = \theta_{k-1} - \eta_k g_k = \theta_{k-1} + \eta_k e_k x_k

    so ``estimator = "lms"`` with this gain is the ``nlms`` estimator with a constant
    gain :math:`\mu`, but with :math:`\eta_k` recorded and :math:`\mu` schedulable.
    Defaults: ``mu = 0.5``, ``eps = 1e-6`` (as the ``nlms`` estimator).

    Stability: mean-square stable for :math:`0 < \mu < 2`; misadjustment
    :math:`\approx \mu/(2-\mu)` for long filters; :math:`\mu = 1` zeroes the a-posteriori
    error of each sample (the projection onto its hyperplane).

    References
    ----------
    J. Nagumo and A. Noda, "A learning method for system identification", IEEE Trans.
    Automatic Control 12(3), 1967; S. Haykin, *Adaptive Filter Theory*, 5th ed., 2014, ch. 7.
    """

    kind: ClassVar[str] = "nlms_gain"
    summary: ClassVar[str] = "NLMS as a gain on LMS: eta = mu / (eps + x·x)"
    law: ClassVar = nlms_gain_law
    loop: ClassVar = nlms_gain_loop
    hyperparameters: ClassVar = ("eps",)
    needs: ClassVar = ("direction", "regressor")
    mu: Any = param(ScheduledConstant(eta=0.5), doc="normalised step in (0, 2): a number or a "
                    "schedule table", family="schedule", shorthand="constant")
    eps: float = param(1e-6, doc="regulariser added to x·x", check=positive)

    def base_schedule(self):
        return constant_or_schedule(self.mu)

    def first_gain(self, values: dict, n: int) -> float:
        """``mu_0 / (eps + n)``: the gain for a unit-power input (x·x = n)."""
        return super().first_gain(values, n) / (self.eps + n)


@register("gain")
@dataclass(frozen=True)
class Polyak(CompiledPolicy):
    r"""Polyak's step size with a known optimal value :math:`f^*` (default 0), capped.

    .. math::
        \eta_k = \min\Big(\frac{f(\theta_{k-1}) - f^*}{\lVert g_k\rVert^2},\ \eta_\max\Big),
        \qquad \theta_k = \theta_{k-1} - \eta_k g_k

    with :math:`f` the sample's loss (``loss``) and :math:`f^* = 0` by default (the
    per-sample loss can reach 0); :math:`\eta_k = \eta_\max` when :math:`g_k = 0` (the
    step is zero anyway). Default ``eta_max = 1``. On a ``data`` plant the optimal loss
    is unknown and ``f_star`` must be given (``truth_keys``).

    On LMS, :math:`f = \tfrac12 e^2` and :math:`g = -e x` give
    :math:`\eta = 1/(2\lVert x\rVert^2)`: NLMS with :math:`\mu = \tfrac12`. On a 1-D
    quadratic :math:`f = \tfrac12\lambda w^2` it gives :math:`\eta = 1/(2\lambda)`, half the
    deadbeat gain (closed-loop pole ½). On the quadratic plant with gradient noise the
    noisy :math:`\lVert g\rVert^2` makes the step smaller near the optimum.

    Not for the ``nlms`` estimator: its ``g`` is not the gradient of ``loss``.

    References
    ----------
    B. T. Polyak, *Introduction to Optimization*, Optimization Software, 1987, §5.3;
    N. Loizou, S. Vaswani, I. Laradji and S. Lacoste-Julien, "Stochastic Polyak step-size
    for SGD: an adaptive learning rate for fast convergence", AISTATS 2021 (the capped
    SPS_max form, here with c = 1).
    """

    kind: ClassVar[str] = "polyak"
    summary: ClassVar[str] = "Polyak step: eta = min((loss - f*) / |g|², eta_max), f* = 0 default"
    law: ClassVar = polyak_law
    loop: ClassVar = polyak_loop
    hyperparameters: ClassVar = ("eta_max", "f_star")
    needs: ClassVar = ("direction", "gradient", "loss")
    truth_keys: ClassVar = ("f_star",)  # no default without a known optimum (data plant)
    eta_max: float = param(1.0, doc="cap on the gain", check=positive)
    f_star: float | None = param(None, doc="optimal value f* of the per-sample loss "
                                 "(default: 0; required on a data plant)", default_doc="0")

    def law_values(self, plant) -> dict:
        return {**super().law_values(plant), "f_star": 0.0 if self.f_star is None else self.f_star}

    def first_gain(self, values: dict, n: int) -> float:
        return float(self.eta_max)
