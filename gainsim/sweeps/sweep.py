"""``gainsim sweep``: every grid point of one or two swept keys, summarised, and the best.

A sweep keeps one ``summary.json``-style record per point (per-policy numbers, theory
and paired comparisons), never the curves, so its memory grows with points × policies
only. The same replica seeds serve every point (common random numbers), so the
differences between neighbouring points are not blurred by different noise.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from gainsim.sweeps.spec import Axis

THEORY_KEYS = ("stability_bound", "mean_square_stability_bound", "optimal_fixed_gain",
               "predicted_steady_state_tracking_error")


@dataclass(frozen=True)
class SweepResult:
    """A finished sweep: the axes, every point's values and its summary record."""

    name: str
    axes: tuple[Axis, ...]
    points: tuple[dict, ...]    # {key: value} per point, first axis slowest
    records: tuple[dict, ...]   # summary_dict(...) per point (see docs/outputs.md)
    curves: dict = field(default_factory=dict)  # point -> traces.npz arrays (chosen few)

    @property
    def policy_names(self) -> list[str]:
        return [p["name"] for p in self.records[0]["policies"]]

    def series(self, policy: int, field: str) -> list:
        """``field`` of one policy at every point."""
        return [r["policies"][policy][field] for r in self.records]

    @classmethod
    def from_dict(cls, data: dict) -> "SweepResult":
        """The sweep a saved ``sweep.json`` holds (the inverse of :func:`sweep_dict`), so
        its figure is redrawn without simulating again (``gainsim report SWEEP_DIR``)."""
        specs = data.get("specs", {})  # absent in sweep.json written before it was added
        axes = tuple(Axis(key, tuple(values), specs.get(key, ""))
                     for key, values in data["over"].items())
        points = tuple(p["values"] for p in data["points"])
        records = tuple({"scenario": data["scenario"], "seed": data["seed"],
                         **{k: v for k, v in p.items() if k != "values"}}
                        for p in data["points"])
        return cls(name=data["scenario"], axes=axes, points=points, records=records)


def run_sweep(axes: list[Axis], points: list[dict], scenarios: list, executor=None,
              progress=None, curves=()) -> SweepResult:
    """Run every point of a grid from :func:`gainsim.sweeps.spec.point_scenarios`.

    Parameters
    ----------
    axes, points, scenarios
        The swept axes, every grid point ``{key: value}`` and its validated scenario.
    executor
        From :func:`gainsim.engine.executors.make_executor`; ``None`` runs here.
    progress
        ``progress(points_done, points_total)``.
    curves
        Point numbers (as in ``sweep.json``, from 0) whose curves are kept too: the arrays
        ``traces.npz`` of ``gainsim run`` holds, in :attr:`SweepResult.curves`. Every other
        point keeps only its summary (memory: points × policies, not × grid).
    """
    from gainsim.engine.executors import execute

    records = execute(scenarios, executor, summarise=True, progress=progress,
                      curves=frozenset(curves))
    kept = {i: records[i].pop("traces") for i in sorted(set(curves))}
    return SweepResult(name=scenarios[0].name, axes=tuple(axes), points=tuple(points),
                       records=tuple(records), curves=kept)


def sweep(path, over: list[str] | None = None, executor=None, progress=None) -> SweepResult:
    """Sweep a scenario file: ``over`` as ``["KEY=SPEC", ...]``, else its ``[sweep]`` table."""
    from gainsim.sweeps.spec import parse_over, point_scenarios, read_toml, table_axes

    data, source = read_toml(path)
    axes = [parse_over(text) for text in over] if over else table_axes(data)
    points, scenarios = point_scenarios(data, source, axes)
    return run_sweep(axes, points, scenarios, executor, progress)


def best_points(sweep: SweepResult) -> list[dict]:
    """Per policy: the point of lowest steady-state tracking error (never diverged there).

    ``None`` values when the policy diverged (or had no error) at every point.
    ``optimal_fixed_gain`` is theory's η* at that point, where a formula applies.
    """
    out = []
    for p, name in enumerate(sweep.policy_names):
        rows = [(r["policies"][p], point) for r, point in zip(sweep.records, sweep.points)]
        ok = [(e["steady_state_tracking_error"], i) for i, (e, _) in enumerate(rows)
              if not e["diverged"] and e["steady_state_tracking_error"] is not None]
        if not ok:
            out.append({"policy": name, "values": None, "steady_state_tracking_error": None,
                        "steady_state_tracking_error_ci95": [None, None],
                        "optimal_fixed_gain": None, "varies": _varies(sweep, p)})
            continue
        _, i = min(ok)
        entry, point = rows[i]
        out.append({"policy": name, "values": point,
                    "steady_state_tracking_error": entry["steady_state_tracking_error"],
                    "steady_state_tracking_error_ci95": entry["steady_state_tracking_error_ci95"],
                    "optimal_fixed_gain": entry.get("optimal_fixed_gain"),
                    "varies": _varies(sweep, p)})
    return out


def _varies(sweep: SweepResult, policy: int) -> bool:
    """Whether the swept keys change this policy's results at all."""
    from gainsim.analysis.paired import PAIRED_FIELDS

    def own(record):  # the paired fields change with the best policy, not with this one
        return {k: v for k, v in record["policies"][policy].items() if k not in PAIRED_FIELDS}

    first = own(sweep.records[0])
    return any(own(r) != first for r in sweep.records[1:])


def sweep_dict(sweep: SweepResult) -> dict:
    """The public ``sweep.json`` contract (see ``docs/sweeps.md``)."""
    head = sweep.records[0]
    return {"scenario": sweep.name, "seed": head["seed"], "replicas": head["replicas"],
            "over": {a.key: list(a.values) for a in sweep.axes},
            "specs": {a.key: a.spec for a in sweep.axes},
            "points": [{"values": point, **{k: v for k, v in rec.items()
                                            if k not in ("scenario", "seed")},
                        **({"curves": curves_file(i)} if i in sweep.curves else {})}
                       for i, (point, rec) in enumerate(zip(sweep.points, sweep.records))],
            "best": best_points(sweep)}


def curves_file(point: int) -> str:
    """Where a sweep directory holds the curves of a chosen point (``--curves``)."""
    return f"curves/point-{point}.npz"


def gain_policy(sweep: SweepResult) -> int | None:
    """The policy whose constant gain the first axis is (``policy[i].gain`` or its ``.eta``),
    so that theory's bounds and η* belong on its x axis; else ``None``."""
    from gainsim.sweeps.spec import split_key

    parts = split_key(sweep.axes[0].key)
    if parts[0][0] != "policy" or parts[0][1] is None:
        return None
    rest = [name for name, _ in parts[1:]]
    i = parts[0][1]
    if rest == ["gain"] or (rest == ["gain", "eta"]
                            and sweep.records[0]["policies"][i]["gain"] == "constant"):
        return i
    return None


def best_lines(sweep: SweepResult) -> list[str]:
    """What the terminal prints: the best value of each policy the sweep changes."""
    lines = []
    best = best_points(sweep)
    shown = [b for b in best if b["varies"]] or best
    width = max(len(b["policy"]) for b in shown)
    for b in shown:
        if b["values"] is None:
            lines.append(f"  {b['policy']:<{width}}  diverged at every point")
            continue
        where = ", ".join(f"{k} = {_fmt(v)}" for k, v in b["values"].items())
        lo, hi = b["steady_state_tracking_error_ci95"]
        ci = "" if lo is None else f" (95% CI {lo:.4g}–{hi:.4g})"
        star = b["optimal_fixed_gain"]
        theory = f"; theory η* = {star:.4g}" if star is not None else ""
        lines.append(f"  {b['policy']:<{width}}  best at {where}: error "
                     f"{b['steady_state_tracking_error']:.4g}{ci}{theory}")
    return lines


def _fmt(v) -> str:
    return f"{v:.4g}" if isinstance(v, float) and math.isfinite(v) else str(v)


def csv_rows(sweep: SweepResult) -> tuple[list[str], list[list]]:
    """``sweep.csv``: one row per point × policy; the swept keys first, then the columns of
    ``summary.csv``."""
    from gainsim.report.outdir import policy_table

    header, rows = None, []
    keys = [a.key for a in sweep.axes]
    for point, rec in zip(sweep.points, sweep.records):
        columns, body = policy_table(rec["policies"])
        header = header or keys + columns
        rows += [[point[k] for k in keys] + row for row in body]
    return header, rows
