"""Normalising gains: NLMS (divide by the input power) and Polyak's step (divide by |g|²)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from gainsim.gains.compiled import Compiled, CompiledPolicy, constant_or_schedule
from gainsim.gains.dispatch import NLMS_GAIN, POLYAK
from gainsim.gains.constant import Constant as ScheduledConstant
from gainsim.registry import register
from gainsim.fields import param, positive


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
    code: ClassVar[int] = NLMS_GAIN
    estimators: ClassVar[tuple[str, ...]] = ("lms",)
    mu: Any = param(ScheduledConstant(eta=0.5), doc="normalised step in (0, 2): a number or a "
                    "schedule table", family="schedule", shorthand="constant")
    eps: float = param(1e-6, doc="regulariser added to x·x", check=positive)

    def base_schedule(self):
        return constant_or_schedule(self.mu)

    def compile(self, plant, n: int) -> Compiled:
        mu0 = float(self.base_schedule()(np.int64(0)))  # eta0 below assumes x·x = n
        return Compiled(params=np.array([self.eps]), state=np.zeros((0, n)),
                        eta0=np.full(n, mu0 / (self.eps + n)))


@register("gain")
@dataclass(frozen=True)
class Polyak(CompiledPolicy):
    r"""Polyak's step size with a known optimal value :math:`f^* = 0`, capped.

    .. math::
        \eta_k = \min\Big(\frac{f(\theta_{k-1}) - f^*}{\lVert g_k\rVert^2},\ \eta_\max\Big),
        \qquad \theta_k = \theta_{k-1} - \eta_k g_k

    with :math:`f` the sample's loss (``loss``) and :math:`f^* = 0` (the per-sample loss
    can reach 0); :math:`\eta_k = \eta_\max` when :math:`g_k = 0` (the step is zero anyway).
    Default ``eta_max = 1``.

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
    summary: ClassVar[str] = "Polyak step: eta = min(loss / |g|², eta_max) with f* = 0"
    code: ClassVar[int] = POLYAK
    estimators: ClassVar[tuple[str, ...]] = ("lms", "gd")
    eta_max: float = param(1.0, doc="cap on the gain", check=positive)

    def base_schedule(self):
        return None

    def compile(self, plant, n: int) -> Compiled:
        return Compiled(params=np.array([self.eta_max]), state=np.zeros((0, n)),
                        eta0=np.full(n, self.eta_max))
