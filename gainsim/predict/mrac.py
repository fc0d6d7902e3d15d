"""Theory for the ``mrac`` plant: ideal controller parameters and the MIT gain bound."""
from __future__ import annotations

import numpy as np

from gainsim import theory


def command_level(command) -> float:
    """The command level u0 the linearised analysis uses: its largest magnitude."""
    if type(command).kind == "steps":
        return float(np.max(np.abs(command.values))) if command.values else 0.0
    return float(abs(command.amplitude) + abs(getattr(command, "offset", 0.0)))


def feedforward_bound(plant, estimator) -> float:
    """Largest stable γ of the (normalised) MIT feedforward rule at the command level."""
    k, a1, a2 = plant.process.coefficients()
    u0 = command_level(plant.command)
    bound = theory.mrac_feedforward_gain_bound(k, plant.k0, a1, a2, u0)
    if type(estimator).kind == "mit_feedforward_normalized":
        y_m = plant.k0 * u0 / a2                       # steady model output
        bound *= estimator.alpha + y_m**2              # the rule divides by alpha + y_m²
    return bound


def mrac_prediction(policy, plant) -> dict:
    """Prediction fields for one policy on an mrac plant (``None`` where none applies)."""
    gain = float(policy.gain.eta) if type(policy.gain).kind == "constant" else None
    est = type(policy.estimator).kind
    bound, regime, note = None, None, ""
    if est.startswith("mit_feedforward"):
        bound = feedforward_bound(plant, policy.estimator)
        if gain is not None:
            regime = "stable" if gain < bound else "unstable"
        note = ("linearised MIT loop: γ k k0 u0² < a1 a2² (α + y_m²)"
                if type(policy.estimator).kind == "mit_feedforward_normalized"
                else "linearised MIT loop: γ k k0 u0² < a1 a2²")
    elif est == "lyapunov":
        regime = "stable" if gain is not None and plant.process.b > 0 else None
        note = "Lyapunov rule: stable for every γ > 0 when b > 0"
    else:
        note = "MIT rule: no closed-form bound; small γ is stable"
    return dict(gain=gain, stability_bound=bound, regime=regime, note=note,
                ideal=plant.ideal().tolist())


def explain_mrac_text(scenario) -> str:
    """``gainsim explain`` for an mrac plant."""
    plant = scenario.plant
    k, a1, a2 = plant.process.coefficients()
    if plant.feedforward:
        proc = f"{k:g} / (s² + {a1:g} s + {a2:g})"
        model = f"{plant.k0:g} / (s² + {a1:g} s + {a2:g})"
        law = "u = θ u_c"
    else:
        proc = f"{k:g} / (s + {a1:g})"
        model = f"{plant.b_m:g} / (s + {plant.a_m:g})"
        law = "u = θ1 u_c − θ2 y"
    ideal = ", ".join(f"{v:.4g}" for v in plant.ideal())
    lines = [f"{scenario.name}: theory before simulation ({len(scenario.policy)} policies)", "",
             f"  process            {proc}", f"  reference model    {model}",
             f"  controller         {law}", f"  ideal parameters   θ* = ({ideal})",
             f"  command            {type(plant.command).kind}, level u0 = "
             f"{command_level(plant.command):g}",
             f"  sample period      Δt = {1 / scenario.stream.rate:g} s "
             f"(θ += −γ Δt e φ each sample)", ""]
    rows = [["policy", "estimator", "gamma", "bound", "regime", "note"]]
    for policy in scenario.policy:
        pred = mrac_prediction(policy, plant)
        fmt = lambda x: "—" if x is None else f"{x:.6g}"  # noqa: E731
        rows.append([policy.name, type(policy.estimator).kind, fmt(pred["gain"]),
                     fmt(pred["stability_bound"]), pred["regime"] or "—", pred["note"]])
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    table = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    table.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines + table)
