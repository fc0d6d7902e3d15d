r"""What theory predicts for the LMS variants (sign-error, sign-data, sign-sign, leaky LMS).

Each function takes the constant gain (``None`` for another gain) and the plant's
:class:`~gainsim.predict.plants.PlantTheory` and returns the :class:`gainsim.predict.policies.
Prediction` fields it can fill (the rest stay ``None``), from the closed forms of
:mod:`gainsim.theory.lms_variants`. Predictions need a fixed target (no drift): the
tracking analyses of these variants are not closed forms here.
"""
from __future__ import annotations

import numpy as np

from gainsim import theory


def sign_error_fields(eta: float | None, pt) -> dict:
    r"""Sign-error LMS: no step bound; with a constant η and no drift the steady-state
    a-priori MSE :math:`\sigma_v^2 + \zeta(\eta)` (Gaussian a-priori error, small η)."""
    note = "no fixed step bound (effective gain η√(2/π)/σₑ)"
    if eta is None or pt.Q is None or pt.drifts:
        return {"note": note + ("; drift: no closed form" if pt.drifts else "")}
    zeta = theory.sign_error_steady_state_emse(eta, float(np.trace(pt.matrix)), pt.noise_var)
    return {"predicted_steady_state_tracking_error": pt.noise_var + zeta,
            "predicted_misadjustment": zeta / pt.noise_var if pt.noise_var > 0 else None,
            "method": "energy relation, Gaussian a-priori error, small η", "note": note}


def leaky_fields(eta: float | None, leak: float, pt) -> dict:
    r"""Leaky LMS: the mean bound :math:`2/(\lambda_{max} + \gamma)`; with a constant η
    and no drift, :math:`\sigma_v^2 + b^\top R b + \eta\sigma_v^2\operatorname{tr}R/2`
    (the leakage bias, then LMS's small-gain fluctuation)."""
    bound = theory.leaky_lms_mean_bound(pt.eigenvalues, leak)
    fields = {"stability_bound": bound}
    if eta is None or pt.Q is None or pt.drifts:
        return {**fields, "note": "drift: no closed form" if pt.drifts else ""}
    if eta >= bound:
        return {**fields, "regime": "unstable", "method": "unstable in the mean"}
    bias = theory.leaky_lms_bias_error(pt.matrix, leak, pt.theta_star)
    te = pt.noise_var + bias + eta * pt.noise_var * float(np.trace(pt.matrix)) / 2.0
    where = "θ* as given" if pt.theta_star is not None else "mean over θ* ~ N(0, I/n)"
    return {**fields, "predicted_steady_state_tracking_error": te,
            "predicted_misadjustment": (te - pt.noise_var) / pt.noise_var
            if pt.noise_var > 0 else None,
            "method": f"leakage bias bᵀRb ({where}) + small-gain fluctuation",
            "note": f"bias error {bias:.6g}"}


def sign_data_fields(eta: float | None, pt) -> dict:
    """Sign-data and sign-sign LMS: no closed form here."""
    return {"note": "no closed form here (sign of the data)"}
