r"""What theory predicts for each policy of a scenario, before anything is simulated.

Pure functions from a :class:`~gainsim.scenario.Scenario` to small frozen results,
built from the closed forms of :mod:`gainsim.theory`. A prediction exists only where a
formula applies; everywhere else the field is ``None``:

* **stability bound** — GD: :math:`2/\lambda_{max}(H)`; LMS: :math:`2/\lambda_{max}(R)`
  (mean) and the mean-square bound (:math:`2/((n+2)\sigma^2)` for white Gaussian input,
  exact; else the practical :math:`2/\operatorname{tr}R`); NLMS: 2.
* **steady-state tracking error** (the a-priori :math:`E e^2`, or the a-priori loss on the
  quadratic plant) for a constant gain and a random-walk (or no) drift:
  LMS :math:`\sigma_v^2 + \xi(\eta)` with gradient-noise and lag terms; NLMS likewise;
  RLS from its tracking analysis; GD per eigen-mode as a fixed-gain local-level filter
  (0 without noise and drift); the Newton and Wiener oracles.
* **misadjustment** :math:`\xi/\sigma_v^2`, **optimal fixed gain**, **regime** label.

Drift is per *sample*; a dropout probability p stretches it to :math:`Q/(1-p)` per
update. Latency is ignored (a first-order prediction).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from gainsim.predict import lms_variants as variants
from gainsim import theory
from gainsim.predict.plants import (TDL_TRUSTED_FRACTION, PlantTheory,  # noqa: F401
                                  gd_optimum, gd_tracking_loss, kalman_floor)

SUMMARY_FIELDS = ("stability_bound", "mean_square_stability_bound",
                  "predicted_steady_state_tracking_error", "predicted_misadjustment",
                  "optimal_fixed_gain", "regime")


@dataclass(frozen=True)
class Prediction:
    """Theory for one policy (``None`` where no formula applies)."""

    policy: str
    estimator: str
    gain: float | None              # the constant gain (baselines: their first step), else None
    stability_bound: float | None
    mean_square_stability_bound: float | None
    regime: str | None
    predicted_steady_state_tracking_error: float | None
    predicted_misadjustment: float | None
    optimal_fixed_gain: float | None
    method: str = ""                # the formula used for the tracking error
    note: str = ""

    def summary(self) -> dict:
        """The fields ``summary.json`` publishes for this policy."""
        return {k: v for k, v in asdict(self).items() if k in SUMMARY_FIELDS}


def plant_theory(scenario) -> PlantTheory | None:
    """Curvature, noise, drift per update and stability bounds, as the scenario's plant
    describes them (``plant.theory(dropout)``; ``None`` for a plant without closed forms
    here)."""
    describe = getattr(scenario.plant, "theory", None)
    return describe(scenario.stream.dropout) if describe is not None else None




def lms_tracking_error(eta: float, pt: PlantTheory) -> tuple[float, str]:
    r"""Steady-state a-priori MSE of LMS with gain η, and the formula used (its assumption).

    White input :math:`R=\sigma^2 I` with isotropic drift :math:`Q=qI`: the Gaussian
    result (:func:`gainsim.theory.lms_white_gaussian_weight_error` with
    :math:`\eta\sigma^2`, :math:`\sigma_v/\sigma`), :math:`E e^2 = \sigma_v^2 + \sigma^2 n k`:
    exact for independent Gaussian regressors, first-order in η for a tapped delay line.
    Otherwise the small-gain :func:`gainsim.theory.lms_steady_state_tracking_error`.
    ``inf`` beyond the stability bound; ``nan`` on a tapped delay line above
    :data:`TDL_TRUSTED_FRACTION` of the mean-square bound (no trustworthy prediction).
    """
    bound = min(pt.mean_bound, pt.mean_square_bound or np.inf)
    if eta >= bound:
        return np.inf, "unstable"
    if not pt.independent and eta > TDL_TRUSTED_FRACTION * bound:
        return np.nan, (f"tapped delay line: no prediction above {TDL_TRUSTED_FRACTION:g}× the "
                        "mean-square bound (runs there exceed theory and may diverge)")
    sv = np.sqrt(pt.noise_var)
    Q = pt.Q
    if pt.white_std is not None and np.allclose(Q, Q[0, 0] * np.eye(pt.n)):
        s2 = pt.white_std ** 2
        k = theory.lms_white_gaussian_weight_error(eta * s2, pt.n, sv / pt.white_std, Q[0, 0])
        return pt.noise_var + s2 * pt.n * k, ("exact, independent Gaussian regressors"
                                              if pt.independent else
                                              "first-order in η (tapped delay line)")
    return (theory.lms_steady_state_tracking_error(eta, pt.matrix, sv, Q),
            "first-order in η" + ("" if pt.independent else " (tapped delay line)"))


def nlms_tracking_error(mu: float, pt: PlantTheory) -> float:
    r"""Steady-state a-priori MSE of NLMS with step μ (small-gain).

    .. math:: E e^2 \approx \sigma_v^2 (1 + M(\mu))
              + \frac{\operatorname{tr}R\,\operatorname{tr}Q}{2\mu}

    with M from :func:`gainsim.theory.nlms_misadjustment` and the lag term of LMS at the
    effective gain μ/tr R. For white input (``n > 2``) M carries the small-n correction
    :math:`E[1/\lVert x\rVert^2] = 1/((n-2)\sigma^2)` (:math:`\lVert x\rVert^2/\sigma^2 \sim
    \chi^2_n`, for a delay line as for independent regressors).
    """
    if not 0 < mu < 2:
        return np.inf
    trR = float(np.trace(pt.matrix))
    lag = theory.lms_excess_mse(mu / trR, pt.matrix, 0.0, pt.Q)
    return pt.noise_var * (1.0 + theory.nlms_misadjustment(mu, _nlms_white_n(pt))) + lag


def _nlms_white_n(pt: PlantTheory) -> int | None:
    """The ``n`` of :func:`gainsim.theory.nlms_misadjustment`'s white-Gaussian correction
    (``None``: no correction)."""
    return pt.n if pt.white_std is not None and pt.n > 2 else None


def nlms_optimum(pt: PlantTheory) -> float:
    """The step minimising :func:`nlms_tracking_error` (with drift), in closed form
    (:func:`gainsim.theory.nlms_optimal_tracking_step`). Without noise that is 2, the
    stability bound itself: the step reported is then 2 − 10⁻⁹, inside the stable range."""
    n = _nlms_white_n(pt)
    step = theory.nlms_optimal_tracking_step(float(np.trace(pt.matrix)), float(np.trace(pt.Q)),
                                             pt.noise_var, 1.0 if n is None else n / (n - 2.0))
    return min(step, 2.0 - 1e-9)


def regime(eta: float, bound: float, optimum: float | None, eigenvalues) -> str | None:
    r"""Where a fixed gain sits: sluggish, about right, overshooting or unstable.

    Unstable at or beyond ``bound``. When drift gives an optimal tracking gain η*,
    "about right" means :math:`\eta^*/2 \le \eta \le 2\eta^*` (below: sluggish, lag-bound;
    above: overshooting, noise-bound). Otherwise :func:`gainsim.theory.gd_regime` on the
    eigenvalues scaled so that the largest maps to ``bound`` (for GD they are unchanged;
    for LMS the mean-square bound replaces :math:`2/\lambda_{max}`).
    """
    if eta >= bound:
        return "unstable"
    if optimum is not None:
        return "sluggish" if eta < optimum / 2 else "overshooting" if eta > 2 * optimum \
            else "about right"
    lam = np.asarray(eigenvalues, dtype=float)
    lam = lam[lam > 0]
    return theory.gd_regime(eta, lam * (2.0 / bound) / lam.max()) if lam.size else None


def _fixed_eta(gain) -> float | None:
    return float(gain.eta) if type(gain).kind == "constant" else None


def _base(policy, eta, **fields) -> Prediction:
    defaults = dict(stability_bound=None, mean_square_stability_bound=None, regime=None,
                    predicted_steady_state_tracking_error=None, predicted_misadjustment=None,
                    optimal_fixed_gain=None)
    defaults.update({k: (None if isinstance(v, float) and not np.isfinite(v) else v)
                     for k, v in fields.items()})
    return Prediction(policy=policy.name, estimator=type(policy.estimator).kind, gain=eta,
                      **defaults)


def _lms(policy, pt: PlantTheory) -> Prediction:
    eta, gain = _fixed_eta(policy.gain), policy.gain
    bounds = dict(stability_bound=pt.mean_bound, mean_square_stability_bound=pt.mean_square_bound)
    opt = (theory.lms_optimal_tracking_gain(pt.matrix, np.sqrt(pt.noise_var), pt.Q)
           if pt.drifts and pt.noise_var > 0 else None)
    if type(gain).kind == "rls":
        return _rls(policy, gain.forgetting_factor, pt)
    if type(gain).kind == "kalman":
        return _base(policy, None, note="Kalman: no closed form for random regressors")
    if eta is None or pt.Q is None:
        return _base(policy, eta, optimal_fixed_gain=opt, **bounds)
    te, method = lms_tracking_error(eta, pt)
    where = (None if np.isnan(te) else
             regime(eta, min(pt.mean_bound, pt.mean_square_bound), opt, pt.eigenvalues))
    return _base(policy, eta, regime=where,
                 predicted_steady_state_tracking_error=te, optimal_fixed_gain=opt,
                 predicted_misadjustment=_misadjustment(te, pt), method=method,
                 note=method if np.isnan(te) else "", **bounds)


def _misadjustment(te: float, pt: PlantTheory) -> float | None:
    return (te - pt.noise_var) / pt.noise_var if pt.noise_var > 0 and np.isfinite(te) else None


def _rls(policy, lam: float, pt: PlantTheory) -> Prediction:
    if pt.Q is None or (lam == 1.0 and pt.drifts):
        return _base(policy, None, note="RLS without forgetting cannot track drift")
    xi = 0.0 if lam == 1.0 else theory.rls_tracking_excess_mse(lam, pt.matrix,
                                                               np.sqrt(pt.noise_var), pt.Q)
    note = ""
    if pt.drifts and pt.noise_var > 0:
        try:
            note = (f"optimal forgetting factor "
                    f"{theory.rls_optimal_forgetting(pt.matrix, np.sqrt(pt.noise_var), pt.Q):.6g}")
        except ValueError:
            pass
    te = pt.noise_var + xi
    return _base(policy, None, predicted_steady_state_tracking_error=te,
                 predicted_misadjustment=_misadjustment(te, pt), method="RLS tracking, small 1-λ",
                 note=note)


def _nlms(policy, pt: PlantTheory) -> Prediction:
    mu = _fixed_eta(policy.gain)
    bounds = dict(stability_bound=theory.nlms_bound(), mean_square_stability_bound=2.0)
    opt = nlms_optimum(pt) if pt.drifts else None
    if mu is None or pt.Q is None:
        return _base(policy, mu, optimal_fixed_gain=opt, **bounds)
    te = nlms_tracking_error(mu, pt)
    return _base(policy, mu, regime=regime(mu, 2.0, opt, [1.0]), optimal_fixed_gain=opt,
                 predicted_steady_state_tracking_error=te,
                 predicted_misadjustment=_misadjustment(te, pt),
                 method="small-gain NLMS" + ("" if pt.independent else " (tapped delay line)"),
                 **bounds)


def _gd(policy, pt: PlantTheory) -> Prediction:
    eta = _fixed_eta(policy.gain)
    opt = gd_optimum(pt)
    if eta is None or pt.Q is None:
        return _base(policy, eta, stability_bound=pt.mean_bound, optimal_fixed_gain=opt)
    tracking = opt if pt.drifts else None
    return _base(policy, eta, stability_bound=pt.mean_bound, optimal_fixed_gain=opt,
                 regime=regime(eta, pt.mean_bound, tracking, pt.eigenvalues),
                 predicted_steady_state_tracking_error=gd_tracking_loss(eta, pt),
                 method="exact per eigen-mode")


def _least_squares(policy, pt: PlantTheory) -> Prediction:
    est, eta = policy.estimator, _fixed_eta(policy.gain)
    if est.mode == "wiener" and pt.Q is not None:
        te = pt.noise_var + float(np.trace(pt.Q @ pt.matrix))
        return _base(policy, eta, predicted_steady_state_tracking_error=te,
                     predicted_misadjustment=_misadjustment(te, pt), method="one drift step")
    W, n = est.window, pt.n
    if est.mode == "wiener" or pt.Q is None or pt.drifts or W <= n + 1:
        return _base(policy, eta, note="no closed form here (drift, or W <= n + 1)")
    te = pt.noise_var * (1.0 + n / (W - n - 1.0))
    return _base(policy, eta, predicted_steady_state_tracking_error=te,
                 predicted_misadjustment=_misadjustment(te, pt),
                 method="Gaussian rows, approx. (independent rows)")


def _newton(policy, pt: PlantTheory) -> Prediction:
    eta = _fixed_eta(policy.gain)
    if pt.Q is None or pt.eigenvalues[0] <= 0:
        return _base(policy, eta, note="no closed form here (drift, or H singular)")
    te = 0.5 * (pt.noise_var * float(np.sum(1.0 / pt.eigenvalues))
                + float(np.trace(pt.matrix @ pt.Q)))
    return _base(policy, eta, predicted_steady_state_tracking_error=te, method="deadbeat")


def _sign_error(policy, pt: PlantTheory) -> Prediction:
    eta = _fixed_eta(policy.gain)
    return _base(policy, eta, **variants.sign_error_fields(eta, pt))


def _sign_data(policy, pt: PlantTheory) -> Prediction:
    eta = _fixed_eta(policy.gain)
    return _base(policy, eta, **variants.sign_data_fields(eta, pt))


def _leaky(policy, pt: PlantTheory) -> Prediction:
    eta = _fixed_eta(policy.gain)
    return _base(policy, eta, **variants.leaky_fields(eta, policy.estimator.leak, pt))


_BY_ESTIMATOR = {"lms": _lms, "nlms": _nlms, "gd": _gd, "least_squares": _least_squares,
                 "newton": _newton, "sign_error": _sign_error, "sign_data": _sign_data,
                 "sign_sign": _sign_data, "leaky_lms": _leaky}


def predict_policy(policy, pt: PlantTheory | None) -> Prediction:
    """Theory for one policy (all ``None`` for an estimator or plant without a formula)."""
    if pt is None:
        return _base(policy, None, note="no closed forms for this plant")
    fn = _BY_ESTIMATOR.get(type(policy.estimator).kind)
    return fn(policy, pt) if fn else _base(policy, _fixed_eta(policy.gain),
                                           note="step length chosen by scipy")


def predictions(scenario) -> list[Prediction]:
    """One :class:`Prediction` per policy, in scenario order.

    A plant with its own analysis (``plant.policy_theory(policy)``, e.g. MRAC's
    linearised loop) gives the fields itself; the others describe themselves through
    :func:`plant_theory`.
    """
    own = getattr(scenario.plant, "policy_theory", None)
    if own is not None:
        out = []
        for p in scenario.policy:
            fields = own(p)
            out.append(_base(p, fields["gain"], stability_bound=fields["stability_bound"],
                             regime=fields["regime"], note=fields["note"]))
        return out
    pt = plant_theory(scenario)
    return [predict_policy(p, pt) for p in scenario.policy]


def summary_fields(scenario) -> list[dict]:
    """Per-policy theory fields for ``summary.json`` (:data:`SUMMARY_FIELDS`)."""
    return [p.summary() for p in predictions(scenario)]
