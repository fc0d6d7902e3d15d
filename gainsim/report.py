"""Pure reporting: tables and matplotlib figures from :class:`~gainsim.runner.Results`.

Nothing here writes files or prints; :mod:`gainsim.cli` does. Figures follow the
``ax=None`` convention and return the axes.
"""
from __future__ import annotations

import math

import numpy as np


def ranked(results) -> list[int]:
    """Policy indices by steady-state tracking error, diverged ones last."""
    def key(i):
        p = results.policies[i]
        te = p.steady_state_tracking_error
        return (p.diverged, math.inf if te is None else te, i)

    return sorted(range(len(results.policies)), key=key)


def _g(x, digits: int = 4) -> str:
    return "—" if x is None else f"{x:.{digits}g}"


def summary_rows(results) -> list[list[str]]:
    """Rows of the terminal table, ranked (header first)."""
    from gainsim.paired import paired_fields

    rows = [["#", "policy", "steady-state tracking error", "95% CI", "excess MSE",
             "misalignment", "settles at (s)", "eta final", "vs best (paired 95% CI)"]]
    order = ranked(results)
    paired = paired_fields(getattr(results, "replica_errors", None), order[0],
                           [p.diverged for p in results.policies])
    for rank, i in enumerate(order, start=1):
        p = results.policies[i]
        lo, hi = p.steady_state_tracking_error_ci95
        ci = "—" if lo is None else f"[{lo:.3g}, {hi:.3g}]"
        if p.diverged and p.diverged_replicas == results.replicas:
            rows.append([f"{rank}", p.name, f"DIVERGED at t = {p.diverged_at:.4g} s", "", "", "",
                         "", _g(p.eta_final), ""])
            continue
        mark = f" (diverged in {p.diverged_replicas}/{results.replicas})" if p.diverged else ""
        rows.append([f"{rank}", p.name + mark, _g(p.steady_state_tracking_error), ci,
                     _g(p.excess_mse), _g(p.steady_state_misalignment), _g(p.convergence_time),
                     _g(p.eta_final), versus_best(paired[i], rank == 1)])
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


def headline(results) -> str:
    s = results.scenario
    return (f"{s.name}: {len(results.policies)} policies, {results.replicas} replica"
            f"{'s' if results.replicas != 1 else ''} of {s.duration:g} s "
            f"(~{results.samples:.0f} samples each{_applied(results)}), seed {results.seed}")


def _applied(results) -> str:
    """``, ~0 applied`` when fewer samples reached the learners than were measured."""
    applied = getattr(results, "applied", None)
    if applied is None or not applied < results.samples:
        return ""
    return f", ~{applied:.0f} applied"


def _curve(results, metric: str, ax, *, log: bool, ylabel: str):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8, 4.5))
    t = results.t
    for i, p in enumerate(results.policies):
        mean = results.curves[f"{metric}_mean"][i]
        lo, hi = results.curves[f"{metric}_p10"][i], results.curves[f"{metric}_p90"][i]
        label = p.name + (" (diverged)" if p.diverged else "")
        (line,) = ax.plot(t, mean, label=label, lw=1.4)
        if results.replicas > 1:
            ax.fill_between(t, lo, hi, color=line.get_color(), alpha=0.18, lw=0)
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("time t (s)")
    ax.set_ylabel(ylabel)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small")
    return ax


def _clip_diverged(results, metric: str, ax) -> None:
    """Keep the y-range on the policies that stayed stable; mark where the others blew up."""
    stable = [i for i, p in enumerate(results.policies) if not p.diverged]
    diverged = [i for i, p in enumerate(results.policies) if p.diverged]
    if not stable or not diverged:
        return
    values = np.concatenate([results.curves[f"{metric}_p90"][i] for i in stable])
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return
    low = np.concatenate([results.curves[f"{metric}_p10"][i] for i in stable])
    low = low[np.isfinite(low) & (low > 0)]
    bottom, top = ax.get_ylim()
    top = min(top, float(values.max()) * 10.0)
    if low.size:
        bottom = max(bottom, float(low.min()) / 10.0)
    ax.set_ylim(bottom, top)
    for i in diverged:
        t = results.policies[i].diverged_at
        color = ax.get_lines()[i].get_color()
        ax.plot([t], [top], marker="x", ms=9, mew=2, color=color, clip_on=False)
        ax.annotate("diverged", (t, top), textcoords="offset points", xytext=(4, -12),
                    fontsize="x-small", color=color)


def plot_tracking_error(results, ax=None):
    """A-priori tracking error vs time (log scale); band = 10–90 % across replicas."""
    ylabel = results.scenario.plant.error_label
    ax = _curve(results, "tracking_error", ax, log=True, ylabel=ylabel)
    _clip_diverged(results, "tracking_error", ax)
    floor = results.scenario.plant.noise_floor
    if floor > 0:
        ax.axhline(floor, color="k", ls=":", lw=1, label="noise floor σᵥ²")
        ax.legend(fontsize="small")
    ax.set_title(f"{results.scenario.name}: tracking error")
    return ax


def plot_eta(results, ax=None):
    """The gain η(t) each policy used (mean over parameters)."""
    ax = _curve(results, "eta", ax, log=True, ylabel="gain η(t)")
    _clip_diverged(results, "eta", ax)  # a diverged policy's huge gain must not squash the rest
    ax.set_title(f"{results.scenario.name}: gain η(t)")
    return ax


def summary_dict(results, versions: dict | None = None) -> dict:
    """The public ``summary.json`` contract (see ``docs/outputs.md``)."""
    from gainsim.baselines.cost import cost_fields
    from gainsim.predict import summary_fields

    from gainsim.paired import paired_fields

    policies = []
    costs = getattr(results, "costs", None)  # (P, 4) mean cost sums of Python baselines
    best = ranked(results)[0]
    paired = paired_fields(getattr(results, "replica_errors", None), best,
                           [p.diverged for p in results.policies])
    for i, (p, theory) in enumerate(zip(results.policies, summary_fields(results.scenario))):
        entry = {k: getattr(p, k) for k in p.__dataclass_fields__}
        entry["steady_state_tracking_error_ci95"] = list(p.steady_state_tracking_error_ci95)
        entry.update(theory)
        entry.update(cost_fields(None if costs is None else costs[i], p.updates))
        entry.update(paired[i])
        policies.append(entry)
    return {"scenario": results.scenario.name, "seed": results.seed,
            "replicas": results.replicas, "duration": results.scenario.duration,
            "noise_floor": results.scenario.plant.noise_floor,
            "samples_per_replica": results.samples,
            "samples_applied_per_replica": getattr(results, "applied", None),
            "best_policy": results.policies[best].name, "policies": policies}


def trace_arrays(results) -> dict[str, np.ndarray]:
    """Arrays for ``traces.npz``: the grid, policy names and every (P, G+1) curve."""
    return {"t": results.t, "policy_names": np.array(results.policy_names), **results.curves}
