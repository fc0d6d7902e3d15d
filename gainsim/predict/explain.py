"""``gainsim explain``: what theory says about a scenario, before anything is simulated.

Pure: :func:`explain` turns a scenario into plain data and :func:`explain_text` into
a short aligned text (the CLI prints it). The numbers come from :mod:`gainsim.predict.policies`
(and through it :mod:`gainsim.theory`).
"""
from __future__ import annotations

import numpy as np

from gainsim.predict.policies import plant_theory, predict_policy


def _g(x, digits: int = 6) -> str:
    """Six significant digits: the numbers here are closed forms."""
    return "—" if x is None else f"{x:.{digits}g}"


def _eigen_text(eig: np.ndarray) -> str:
    if np.allclose(eig, eig[0]):
        return f"{_g(eig[0])}" + (f" (×{eig.size})" if eig.size > 1 else "")
    if eig.size <= 6:
        return ", ".join(_g(v) for v in eig)
    return f"{_g(eig[0])} … {_g(eig[-1])} ({eig.size} values)"


def explain(scenario) -> dict:
    """Plant, eigenvalues, bounds, optimum, floors and per-policy predictions as plain data."""
    pt = plant_theory(scenario)
    if pt is None:
        return {"scenario": scenario.name, "plant": type(scenario.plant).kind,
                "family": scenario.plant.family,
                "policies": [vars(predict_policy(p, None)) for p in scenario.policy]}
    label, opt = pt.optimum()
    return {
        "scenario": scenario.name,
        "plant": type(scenario.plant).kind, "family": scenario.plant.family, "n": pt.n,
        "matrix": pt.matrix_name,
        "eigenvalues": pt.eigenvalues.tolist(), "eigenvalue_spread": pt.spread,
        "noise_variance": pt.noise_var,
        "drift_trace_per_update": None if pt.Q is None else float(np.trace(pt.Q)),
        "bounds": pt.bounds(),
        "optimal_fixed_gain": {"formula": label, "value": opt},
        "noise_floor": scenario.plant.noise_floor, "kalman_floor": pt.kalman_floor(),
        "policies": [vars(predict_policy(p, pt)) for p in scenario.policy],
    }


def _header(scenario, info: dict, pt) -> list[tuple[str, str]]:
    M = info["matrix"]
    rows = [("plant", scenario.plant.describe()),
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
    return rows + pt.floor_rows(info["noise_floor"], _g) + _delay_rows(scenario, info)


def _delay_rows(scenario, info: dict) -> list[tuple[str, str]]:
    """With ``stream.feedback_delay = D > 0``: the delay margin of GD / LMS in the mean."""
    from gainsim.theory import delay_stability_bound

    D = getattr(scenario.stream, "feedback_delay", 0)
    lam_max = max(info["eigenvalues"])
    if not D or lam_max <= 0:
        return []
    b = delay_stability_bound(D)
    return [("feedback delay", f"D = {D} updates: stable iff ηλ < 2 sin(π/(2(2D+1))) = {_g(b)}, "
             f"i.e. η < {_g(b / lam_max)} (every other line here assumes no delay)")]


def _policy_rows(info: dict, pt) -> list[list[str]]:
    rows = [["policy", "estimator", "gain", "bound", "regime", pt.error_name, "misadj.",
             "note"]]
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
    (:func:`gainsim.predict.policies.regime`).
    """
    own = getattr(scenario.plant, "explain_text", None)  # a plant with its own analysis (mrac)
    if own is not None:
        return own(scenario)
    info = explain(scenario)
    if "bounds" not in info:
        return (f"{scenario.name}: no closed forms for a {info['plant']} plant "
                f"({info['family']}); nothing to predict before simulation")
    pt = plant_theory(scenario)
    header = _header(scenario, info, pt)
    width = max(len(k) for k, _ in header)
    lines = [f"{scenario.name}: theory before simulation ({len(info['policies'])} policies)", ""]
    lines += [f"  {k.ljust(width)}  {v}" for k, v in header]
    lines += ["", *_table(_policy_rows(info, pt))]
    return "\n".join(lines)
