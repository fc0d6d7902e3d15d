r"""``gainsim explain`` for a ``data`` plant: what is streamed, and the little theory can say.

Recorded data has no true :math:`\theta^*`, noise floor or drift, so the closed forms of
:mod:`gainsim.predict.policies` do not apply. What is printed:

* the streamed samples, the target's mean and variance, and the eigenvalues of the rows'
  own second moment :math:`\hat R = X^\top X/m` with the LMS mean-stability bound
  :math:`2/\lambda_{max}(\hat R)` it implies (an estimate from the data, not a model);
* on the **local-level** model (no inputs, no lags, ``bias = true``) and when a Kalman
  policy gives its ``q`` and ``r``: the steady-state Kalman gain
  :math:`K = P/(P + r)`, :math:`P = (q + \sqrt{q^2 + 4qr})/2`, which is the optimal fixed
  gain *if* the data follow that model, and each constant LMS gain's one-step prediction
  error under it, :math:`P(\eta) + r` with :math:`P(\eta) = (\eta r + q/\eta)/(2 - \eta)`
  (:mod:`gainsim.theory.trackers`; Muth 1960, Harvey 1989).

References
----------
J. F. Muth, "Optimal properties of exponentially weighted forecasts", JASA 55, 1960;
A. C. Harvey, *Forecasting, Structural Time Series Models and the Kalman Filter*, 1989.
"""
from __future__ import annotations

import numpy as np

from gainsim.theory import (fixed_gain_local_level_error, kalman_steady_state_prior_variance)


def _g(x, digits: int = 6) -> str:
    return "—" if x is None else f"{x:.{digits}g}"


def local_level_model(scenario) -> tuple[float, float] | None:
    """``(q, r)`` of the first Kalman policy when the plant is the local-level model."""
    plant = scenario.plant
    if plant.inputs or plant.lags or not plant.bias:
        return None
    for policy in scenario.policy:
        gain = policy.gain
        if type(gain).kind == "kalman" and gain.q is not None and gain.r is not None:
            return gain.q, gain.r
    return None


def explain_data(scenario) -> str:
    """The text ``gainsim explain`` prints for a scenario on a ``data`` plant."""
    plant = scenario.plant
    d = plant.samples.d
    eig = np.linalg.eigvalsh(plant.curvature())
    rows = [("plant", plant.describe()),
            ("target", f"mean {_g(float(d.mean()))}, variance {_g(float(d.var()))} "
                       f"(over the {d.size} samples)"),
            ("eigenvalues of R̂ = XᵀX/m", ", ".join(_g(v, 4) for v in eig[:6])
             + (f" … ({eig.size} values)" if eig.size > 6 else "")),
            ("LMS mean bound", f"2/λmax(R̂) = {_g(2.0 / eig[-1], 4)} (from the rows' own "
                               "second moment: an estimate, not a model)"
             if eig[-1] > 0 else "— (R̂ = 0)"),
            ("no θ*", "tracking error = one-step prediction error; misalignment undefined")]
    model = local_level_model(scenario)
    policy_rows = []
    if model is not None:
        q, r = model
        P = kalman_steady_state_prior_variance(q, r)
        rows.append(("local-level model", f"q = {_g(q)}, r = {_g(r)} (the Kalman policy's): "
                                          f"steady-state Kalman gain P/(P + r) = "
                                          f"{_g(P / (P + r))}, prediction error P + r = "
                                          f"{_g(P + r)}"))
        for policy in scenario.policy:
            if type(policy.gain).kind == "constant" and type(policy.estimator).kind == "lms" \
                    and not callable(policy.gain.eta):
                eta = float(policy.gain.eta)
                err = fixed_gain_local_level_error(eta, q, r) + r
                policy_rows.append((policy.name, f"η = {_g(eta)}: prediction error "
                                    f"{_g(err) if np.isfinite(err) else 'inf (η ≥ 2)'} "
                                    "if the data follow the model"))
    width = max(len(k) for k, _ in rows + policy_rows)
    lines = [f"{scenario.name}: recorded data ({len(scenario.policy)} policies); the closed "
             "forms of synthetic plants do not apply", ""]
    lines += [f"  {k.ljust(width)}  {v}" for k, v in rows]
    if policy_rows:
        lines += ["", *(f"  {k.ljust(width)}  {v}" for k, v in policy_rows)]
    return "\n".join(lines)
