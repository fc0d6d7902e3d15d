r"""LMS with a sign non-linearity (sign-error, sign-data, sign-sign) and leaky LMS.

Each estimator hands the gain law a step direction ``g`` (``theta += -eta g``), so any
gain that scales a direction drives it (a constant, a schedule, IDBD for leaky LMS):

========================  ==========================================  ===========================
estimator                 direction ``g``                             update with a constant η
========================  ==========================================  ===========================
``sign_error``            :math:`-\operatorname{sgn}(e)\,x`           θ += η sgn(e) x
``sign_data``             :math:`-e\,\operatorname{sgn}(x)`           θ += η e sgn(x)
``sign_sign``             :math:`-\operatorname{sgn}(e)\operatorname{sgn}(x)`  θ += η sgn(e) sgn(x)
``leaky_lms``             :math:`-e\,x + \gamma\theta`                θ = (1 − ηγ) θ + η e x
========================  ==========================================  ===========================

with the a-priori error :math:`e = d - \theta^\top x` and :math:`\operatorname{sgn}(0) = 0`.
The tracking error is :math:`e^2` for all four. Their closed forms (sign-error's
steady state, leaky LMS's bias and bounds) are in :mod:`gainsim.theory.lms_variants`.

References
----------
S. Haykin, *Adaptive Filter Theory*, 5th ed., Pearson, 2014, §6 (leaky LMS) and
problems on the sign algorithms; A. H. Sayed, *Fundamentals of Adaptive Filtering*,
Wiley, 2003, ch. 6 (LMS with error and data non-linearities).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np
from numba import njit

from gainsim.estimators.lms import predict
from gainsim.estimators.loop import observer
from gainsim.fields import nonneg, param
from gainsim.registry import register

SIGN_ERROR, SIGN_DATA, SIGN_SIGN = 0, 1, 2


class SignLmsData(NamedTuple):
    """What a sign LMS observes: the regressors, desired outputs and which sign it takes."""

    x: np.ndarray  # (m, n)
    d: np.ndarray  # (m,)
    mode: int      # SIGN_ERROR, SIGN_DATA or SIGN_SIGN


class LeakyLmsData(NamedTuple):
    """What leaky LMS observes: the regressors, desired outputs and the leakage γ."""

    x: np.ndarray
    d: np.ndarray
    leak: float


@njit(cache=True, inline="always")
def _sgn(v):  # pragma: no cover - compiled
    return 1.0 if v > 0.0 else -1.0 if v < 0.0 else 0.0


@observer(SignLmsData)
@njit(cache=True, inline="always")
def sign_lms_observe(data, z, i, th, uses_curvature, g, c, x):  # pragma: no cover - compiled
    """``g = -sgn(e) x``, ``-e sgn(x)`` or ``-sgn(e) sgn(x)``; ``c = x²``; tracking error e²."""
    e, _ = predict(data, i, th, x)
    se = _sgn(e)
    for j in range(th.size):
        if data.mode == SIGN_ERROR:
            g[j] = -se * x[j]
        elif data.mode == SIGN_DATA:
            g[j] = -e * _sgn(x[j])
        else:
            g[j] = -se * _sgn(x[j])
    if uses_curvature:
        for j in range(th.size):
            c[j] = x[j] * x[j]
    te = e * e
    return e, 0.5 * te, te


@observer(LeakyLmsData)
@njit(cache=True, inline="always")
def leaky_lms_observe(data, z, i, th, uses_curvature, g, c, x):  # pragma: no cover - compiled
    """``g = -e x + leak θ`` (the gradient of ½e² + ½ leak |θ|²), ``c = x² + leak``."""
    e, _ = predict(data, i, th, x)
    th2 = 0.0
    for j in range(th.size):
        g[j] = -e * x[j] + data.leak * th[j]
        th2 += th[j] * th[j]
    if uses_curvature:
        for j in range(th.size):
            c[j] = x[j] * x[j] + data.leak
    te = e * e
    return e, 0.5 * te + 0.5 * data.leak * th2, te


class _SignLms:
    """Shared plumbing of the three sign algorithms."""

    plant_family: ClassVar[str] = "regression"
    columns: ClassVar[tuple[str, ...]] = ("x", "d")
    # the direction is no gradient of the loss and not the LMS direction -e x
    provides: ClassVar[tuple[str, ...]] = ("direction", "loss", "error")
    shorthand_field: ClassVar[str | None] = None
    mode: ClassVar[int]

    def inputs(self, chunk) -> SignLmsData:
        """The record its compiled ``observe`` reads (:func:`sign_lms_observe`)."""
        return SignLmsData(x=chunk.cols["x"], d=chunk.cols["d"], mode=self.mode)


@register("estimator")
@dataclass(frozen=True)
class SignError(_SignLms):
    r"""Sign-error LMS: only the sign of the error is used.

    .. math:: \theta_{k+1} = \theta_k + \eta\,\operatorname{sgn}(e_k)\, x_k

    Stochastic gradient descent on :math:`|e|`. With a Gaussian a-priori error of
    standard deviation :math:`\sigma_e`, :math:`E[\operatorname{sgn}(e)x] =
    \sqrt{2/\pi}\,E[e x]/\sigma_e`: LMS with the effective gain
    :math:`\eta\sqrt{2/\pi}/\sigma_e`, which shrinks as the error grows, so no fixed
    step bound applies (:func:`gainsim.theory.sign_error_steady_state_emse`).

    References
    ----------
    A. Gersho, "Adaptive filtering with binary reinforcement", IEEE Trans. Inf. Theory
    30(2), 1984; T. Y. Al-Naffouri and A. H. Sayed, "Transient analysis of adaptive
    filters with error nonlinearities", IEEE Trans. Signal Process. 51(3), 2003.
    """

    kind: ClassVar[str] = "sign_error"
    summary: ClassVar[str] = "sign-error LMS: theta += eta * sgn(e) * x"
    mode: ClassVar[int] = SIGN_ERROR


@register("estimator")
@dataclass(frozen=True)
class SignData(_SignLms):
    r"""Sign-data (sign-regressor) LMS: only the signs of the inputs are used.

    .. math:: \theta_{k+1} = \theta_k + \eta\, e_k \operatorname{sgn}(x_k)

    For zero-mean Gaussian input, :math:`E[\operatorname{sgn}(x) x^\top] =
    \sqrt{2/\pi}\, D^{-1} R` with :math:`D = \operatorname{diag}(\sqrt{R_{ii}})`: in the
    mean it is LMS on :math:`\sqrt{2/\pi} D^{-1}R` (it may diverge in the mean for some
    coloured inputs where LMS would not; Sethares et al. 1988).

    References
    ----------
    W. A. Sethares, I. M. Y. Mareels, B. D. O. Anderson, C. R. Johnson and R. R.
    Bitmead, "Excitation conditions for signed regressor least mean squares
    adaptation", IEEE Trans. Circuits Syst. 35(6), 1988.
    """

    kind: ClassVar[str] = "sign_data"
    summary: ClassVar[str] = "sign-data LMS: theta += eta * e * sgn(x)"
    mode: ClassVar[int] = SIGN_DATA


@register("estimator")
@dataclass(frozen=True)
class SignSign(_SignLms):
    r"""Sign-sign LMS: the signs of both the error and the inputs.

    .. math:: \theta_{k+1} = \theta_k + \eta\,\operatorname{sgn}(e_k)\operatorname{sgn}(x_k)

    Every weight moves by exactly ±η (or 0) per sample: cheap in hardware (the CCITT
    ADPCM predictor), slow, with a residual of order η.

    References
    ----------
    S. Haykin, *Adaptive Filter Theory*, 5th ed., 2014; ITU-T Recommendation G.726 (1990).
    """

    kind: ClassVar[str] = "sign_sign"
    summary: ClassVar[str] = "sign-sign LMS: theta += eta * sgn(e) * sgn(x)"
    mode: ClassVar[int] = SIGN_SIGN


@register("estimator")
@dataclass(frozen=True)
class LeakyLms:
    r"""Leaky LMS: LMS whose weights leak towards zero.

    .. math:: \theta_{k+1} = (1 - \eta\gamma)\,\theta_k + \eta\, e_k x_k

    Stochastic gradient descent on :math:`\tfrac12 e^2 + \tfrac{\gamma}{2}\lVert\theta
    \rVert^2`. The mean converges for :math:`0 < \eta < 2/(\lambda_{max}(R) + \gamma)` to
    the biased :math:`(R + \gamma I)^{-1} R\,\theta^*` instead of :math:`\theta^*`
    (:func:`gainsim.theory.leaky_lms_mean_weights`): the price of the leak, which keeps
    the weights bounded when :math:`R` is singular or the arithmetic finite.

    References
    ----------
    R. D. Gitlin, H. C. Meadors and S. B. Weinstein, "The tap-leakage algorithm: an
    algorithm for the stable operation of a digitally implemented, fractionally
    spaced adaptive equalizer", Bell Syst. Tech. J. 61(8), 1982; S. Haykin, *Adaptive
    Filter Theory*, 5th ed., 2014.
    """

    kind: ClassVar[str] = "leaky_lms"
    summary: ClassVar[str] = "leaky LMS: theta = (1 - eta*leak) * theta + eta * e * x"
    shorthand_field: ClassVar[str | None] = None
    plant_family: ClassVar[str] = "regression"
    columns: ClassVar[tuple[str, ...]] = ("x", "d")
    # the gradient of the regularised loss; not the LMS direction -e x ("regressor")
    provides: ClassVar[tuple[str, ...]] = ("direction", "gradient", "curvature", "loss",
                                           "error")
    _unit_test_params: ClassVar = ({"leak": 0.01},)
    leak: float = param(doc="leakage γ: the weights decay by (1 − η γ) per update",
                        check=nonneg)

    def inputs(self, chunk) -> LeakyLmsData:
        """The record its compiled ``observe`` reads (:func:`leaky_lms_observe`)."""
        return LeakyLmsData(x=chunk.cols["x"], d=chunk.cols["d"], leak=float(self.leak))
