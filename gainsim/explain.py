"""``gainsim explain``: what theory says about a scenario, before anything is simulated.

Pure: :func:`explain` turns a scenario into plain data and :func:`explain_text` into
a short aligned text (the CLI prints it). The numbers come from :mod:`gainsim.predict`
(and through it :mod:`gainsim.theory`).
"""
from __future__ import annotations

import numpy as np

from gainsim import theory
from gainsim.predict import gd_optimum, kalman_floor, plant_theory, predict_policy


def _g(x, digits: int = 4) -> str:
    return "—" if x is None else f"{x:.{digits}g}"


def _eigen_text(eig: np.ndarray) -> str:
    if np.allclose(eig, eig[0]):
        return f"{_g(eig[0])}" + (f" (×{eig.size})" if eig.size > 1 else "")
    if eig.size <= 6:
        return ", ".join(_g(v) for v in eig)
    return f"{_g(eig[0])} … {_g(eig[-1])} ({eig.size} values)"


def _bounds(pt) -> list[dict]:
    """Stability bounds and reference gains: name, formula, value and a note."""
    def row(name, formula, value, note=""):
        return {"name": name, "formula": formula, "value": value, "note": note}

    if pt.family == "quadratic":
        rows = [row("GD stable", "η < 2/λmax", pt.mean_bound)]
        if pt.eigenvalues.size == 1 and pt.eigenvalues[0] > 0:
            rows.append(row("deadbeat", "η = 1/λ", theory.deadbeat_gain(pt.eigenvalues[0])))
        return rows
    rows = [row("LMS mean", "η < 2/λmax", pt.mean_bound)]
    if pt.white_std is not None:
        rows.append(row("LMS mean-square", f"η < {pt.mean_square_rule}", pt.mean_square_bound,
                        "exact, Gaussian input"))
    return rows + [row("LMS practical", "η < 2/tr R", theory.lms_mean_square_bound(pt.matrix)),
                   row("NLMS", "η < 2", theory.nlms_bound())]


def _optimum(pt) -> tuple[str, float | None]:
    if pt.family == "quadratic":
        if pt.drifts:
            return "GD η* (lowest tracking loss)", gd_optimum(pt)
        return "GD η* = 2/(λmin+λmax)", gd_optimum(pt)
    if pt.drifts and pt.noise_var > 0:
        return ("LMS η* = √(tr Q/(σᵥ² tr R))",
                theory.lms_optimal_tracking_gain(pt.matrix, np.sqrt(pt.noise_var), pt.Q))
    return "LMS η* (no drift: smaller η, lower error)", None


def explain(scenario) -> dict:
    """Plant, eigenvalues, bounds, optimum, floors and per-policy predictions as plain data."""
    pt = plant_theory(scenario)
    if pt is None:
        return {"scenario": scenario.name, "plant": type(scenario.plant).kind,
                "family": scenario.plant.family,
                "policies": [vars(predict_policy(p, None)) for p in scenario.policy]}
    label, opt = _optimum(pt)
    return {
        "scenario": scenario.name,
        "plant": type(scenario.plant).kind, "family": pt.family, "n": pt.n,
        "matrix": "H" if pt.family == "quadratic" else "R",
        "eigenvalues": pt.eigenvalues.tolist(), "eigenvalue_spread": pt.spread,
        "noise_variance": pt.noise_var,
        "drift_trace_per_update": None if pt.Q is None else float(np.trace(pt.Q)),
        "bounds": _bounds(pt),
        "optimal_fixed_gain": {"formula": label, "value": opt},
        "noise_floor": scenario.plant.noise_floor, "kalman_floor": kalman_floor(pt),
        "policies": [vars(predict_policy(p, pt)) for p in scenario.policy],
    }


def _plant_line(scenario, info: dict) -> str:
    plant = scenario.plant
    drift = type(plant.drift).kind
    if info["family"] == "quadratic":
        noise = f"gradient noise std {_g(plant.gradient_noise_std)}"
        return f"quadratic bowl, {info['n']} parameter(s), {noise}, drift {drift}"
    src = plant.input
    inp = f"{type(src).kind} input (std {_g(src.std)}" + \
        (f", pole {_g(src.pole)})" if hasattr(src, "pole") else ")")
    return f"fir, {info['n']} taps, {inp}, noise_std {_g(plant.noise_std)}, drift {drift}"


def _header(scenario, info: dict) -> list[tuple[str, str]]:
    M = info["matrix"]
    rows = [("plant", _plant_line(scenario, info)),
            (f"eigenvalues of {M}", _eigen_text(np.array(info["eigenvalues"]))),
            ("eigenvalue spread", _g(info["eigenvalue_spread"]))]
    if info["drift_trace_per_update"] is not None:
        rows.append(("drift per update", f"tr Q = {_g(info['drift_trace_per_update'])}"))
    for b in info["bounds"]:
        text = b["formula"] if b["formula"].endswith(f" {_g(b['value'])}") else \
            f"{b['formula']} = {_g(b['value'])}"
        rows.append((b["name"], text + (f" ({b['note']})" if b["note"] else "")))
    opt = info["optimal_fixed_gain"]
    rows.append(("optimal fixed gain", f"{opt['formula']} = {_g(opt['value'])}"
                 if opt["value"] is not None else opt["formula"]))
    if info["family"] == "regression":
        rows.append(("noise floor", f"σᵥ² = {_g(info['noise_floor'])}"))
        rows.append(("Kalman floor", "— (no closed form for random regressors)"))
    else:
        rows.append(("Kalman floor", _g(info["kalman_floor"])))
    return rows


def _policy_rows(info: dict) -> list[list[str]]:
    err = "predicted loss" if info["family"] == "quadratic" else "predicted e²"
    rows = [["policy", "estimator", "gain", "bound", "regime", err, "misadj.", "note"]]
    for p in info["policies"]:
        note = p["note"] or p["method"]
        rows.append([p["policy"], p["estimator"], _g(p["gain"]), _g(p["stability_bound"]
                     if p["mean_square_stability_bound"] is None
                     else min(p["stability_bound"], p["mean_square_stability_bound"])),
                     p["regime"] or "—", _g(p["predicted_steady_state_tracking_error"]),
                     _g(p["predicted_misadjustment"], 3), note])
    return rows


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return lines


def explain_text(scenario) -> str:
    """The report ``gainsim explain FILE`` prints: header lines, then one row per policy.

    The policy table's ``bound`` is the tightest stability bound of the policy's gain
    (for LMS the mean-square bound); ``regime`` says where a constant gain sits
    (:func:`gainsim.predict.regime`).
    """
    if scenario.plant.family == "mrac":
        from gainsim.predict_mrac import explain_mrac_text

        return explain_mrac_text(scenario)
    info = explain(scenario)
    if "bounds" not in info:
        return (f"{scenario.name}: no closed forms for a {info['plant']} plant "
                f"({info['family']}); nothing to predict before simulation")
    header = _header(scenario, info)
    width = max(len(k) for k, _ in header)
    lines = [f"{scenario.name}: theory before simulation ({len(info['policies'])} policies)", ""]
    lines += [f"  {k.ljust(width)}  {v}" for k, v in header]
    lines += ["", *_table(_policy_rows(info))]
    return "\n".join(lines)
