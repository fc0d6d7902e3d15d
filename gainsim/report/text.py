"""Pure reporting: tables and matplotlib figures from :class:`~gainsim.engine.runner.Results`.

Nothing here writes files or prints; :mod:`gainsim.cli.main` does. Figures follow the
``ax=None`` convention and return the axes.
"""
from __future__ import annotations

import math

import numpy as np


def as_summary(obj) -> dict:
    """The ``summary.json`` dict of a :class:`~gainsim.engine.runner.Results`, a saved run or a dict."""
    if isinstance(obj, dict):
        return obj
    return obj.summary if hasattr(obj, "run_data") else summary_dict(obj)


def _order(scores: list[tuple]) -> list[int]:
    """Indices by ``(diverged, steady-state error[, growing])``: the lowest error first,
    growing runs after the ordinary ones (their error is no steady level), diverged last."""
    def key(i):
        diverged, te, *growing = scores[i]
        group = 2 if diverged else 1 if growing and growing[0] else 0
        return (group, math.inf if te is None else te, i)

    return sorted(range(len(scores)), key=key)


def ranked(summary) -> list[int]:
    """Policy indices by steady-state tracking error, growing ones after, diverged last."""
    return _order([(p["diverged"], p["steady_state_tracking_error"], p.get("growing", False))
                   for p in as_summary(summary)["policies"]])


def _g(x, digits: int = 4) -> str:
    return "—" if x is None else f"{x:.{digits}g}"


def summary_rows(summary) -> list[list[str]]:
    """Rows of the terminal table, ranked (header first)."""
    summary = as_summary(summary)
    replicas, policies = summary["replicas"], summary["policies"]
    rows = [["#", "policy", "steady-state tracking error", "95% CI", "excess MSE",
             "misalignment", "settles at (s)", "eta final", "vs best (paired 95% CI)"]]
    for rank, i in enumerate(ranked(summary), start=1):
        p = policies[i]
        lo, hi = p["steady_state_tracking_error_ci95"]
        ci = "—" if lo is None else f"[{lo:.3g}, {hi:.3g}]"
        if p["diverged"] and p["diverged_replicas"] == replicas:
            rows.append([f"{rank}", p["name"], f"DIVERGED at t = {p['diverged_at']:.4g} s", "",
                         "", "", "", _g(p["eta_final"]), ""])
            continue
        mark = f" (diverged in {p['diverged_replicas']}/{replicas})" if p["diverged"] else \
            " (GROWING: no steady state)" if p.get("growing") else ""
        paired = versus_best(p, rank == 1) if "difference_to_best" in p else "—"
        rows.append([f"{rank}", p["name"] + mark, _g(p["steady_state_tracking_error"]), ci,
                     _g(p["excess_mse"]), _g(p["steady_state_misalignment"]),
                     _g(p["convergence_time"]), _g(p["eta_final"]), paired])
    return rows


def versus_best(fields: dict, is_best: bool) -> str:
    """The paired-comparison cell: ``best``, ``+d [lo, hi]`` or ``not distinguishable``."""
    if is_best:
        return "best"
    d, (lo, hi) = fields["difference_to_best"], fields["difference_to_best_ci95"]
    if d is None:
        return "—"
    ci = "" if lo is None else f" [{lo:+.2g}, {hi:+.2g}]"
    if fields["distinguishable_from_best"] is False:
        return f"{d:+.2g}{ci} not distinguishable"
    return f"{d:+.2g}{ci}"


def format_table(rows: list[list[str]]) -> str:
    """Left-aligned columns separated by two spaces."""
    widths = [max(len(r[c]) for r in rows) for c in range(len(rows[0]))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def headline(summary) -> str:
    s = as_summary(summary)
    replicas = s["replicas"]
    note = f"\n{s['replica_note']}" if s.get("replica_note") else ""
    return (f"{s['scenario']}: {len(s['policies'])} policies, {replicas} replica"
            f"{'s' if replicas != 1 else ''} of {s['duration']:g} s "
            f"(~{s['samples_per_replica']:.0f} samples each{_applied(s)}), seed {s['seed']}"
            f"{note}")


def _applied(summary: dict) -> str:
    """``, ~0 applied`` when fewer samples reached the learners than were measured."""
    applied = summary.get("samples_applied_per_replica")
    if applied is None or not applied < summary["samples_per_replica"]:
        return ""
    return f", ~{applied:.0f} applied"


def summary_dict(results, versions: dict | None = None) -> dict:
    """The public ``summary.json`` contract (see ``docs/outputs.md``)."""
    from gainsim.baselines.cost import cost_fields
    from gainsim.predict.policies import summary_fields

    from gainsim.analysis.paired import paired_fields

    policies = []
    costs = getattr(results, "costs", None)  # (P, 4) mean cost sums of Python baselines
    best = _order([(p.diverged, p.steady_state_tracking_error, p.growing)
                   for p in results.policies])[0]
    paired = paired_fields(getattr(results, "replica_errors", None), best,
                           [p.diverged for p in results.policies])
    for i, (p, theory) in enumerate(zip(results.policies, summary_fields(results.scenario))):
        entry = {k: getattr(p, k) for k in p.__dataclass_fields__}
        entry["steady_state_tracking_error_ci95"] = list(p.steady_state_tracking_error_ci95)
        entry.update(theory)
        entry.update(cost_fields(None if costs is None else costs[i], p.updates))
        entry.update(paired[i])
        entry["theta_final"] = _theta_final(results, i)
        policies.append(entry)
    return {"scenario": results.scenario.name, "seed": results.seed,
            "replicas": results.replicas, "duration": results.scenario.duration,
            "noise_floor": _finite(results.scenario.plant.noise_floor),
            "samples_per_replica": results.samples,
            "samples_applied_per_replica": getattr(results, "applied", None),
            "best_policy": results.policies[best].name, "policies": policies,
            **_replica_note(results)}


def _finite(x: float) -> float | None:
    """``x`` itself, or ``None`` when it is not finite (a data plant's unknown noise floor)."""
    return x if math.isfinite(x) else None


def _replica_note(results) -> dict:
    """``{"replica_note": ...}`` when the plant says what its replicas differ by (data)."""
    note = getattr(results.scenario.plant, "replica_note", None)
    text = note(results.scenario.stream, results.replicas) if note is not None else None
    return {} if text is None else {"replica_note": text}


def _theta_final(results, i: int) -> list | None:
    """Mean over the replicas that did not diverge of θ̂ at the last grid time."""
    theta = results.curves.get("theta_hat_mean")
    if theta is None or not np.all(np.isfinite(theta[i, -1])):
        return None
    return [float(v) for v in theta[i, -1]]


def replica_arrays(results) -> dict[str, np.ndarray]:
    """Arrays for ``replicas.npz``: one row per replica, one column per policy."""
    errors = results.replica_errors
    return {"policy_names": np.array(results.policy_names),
            "steady_state_tracking_error": (np.full((0, len(results.policies)), np.nan)
                                            if errors is None else errors)}


def trace_arrays(results) -> dict[str, np.ndarray]:
    """Arrays for ``traces.npz``: the grid, policy names and every (P, G+1) curve."""
    return {"t": results.t, "policy_names": np.array(results.policy_names), **results.curves}
