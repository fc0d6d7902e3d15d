"""The run directory ``gainsim run`` writes, and the checks and names shared by the commands.

``write_run_dir`` writes every file into a hidden sibling and renames it into place, so
a crash or Ctrl-C never leaves a half-written run that looks complete. Split from
:mod:`gainsim.cli` so the command modules (``cli_demo.py``, ``cli_sweep.py``) use it
without importing the module that registers them.
"""
from __future__ import annotations

import json
import shlex
import time
from pathlib import Path

import numpy as np


def check_overrides(args) -> str | None:
    for name, low in (("replicas", 1), ("seed", 0), ("workers", 1)):
        value = getattr(args, name)
        if value is not None and value < low:
            return f"--{name}: must be >= {low} (got {value})"
    return None


def default_dir(name: str) -> Path:
    """``runs/NAME-YYYYmmdd-HHMMSS`` with NAME made safe (:func:`gainsim.rundir.default_dir`)."""
    from gainsim.rundir import default_dir as safe_default_dir

    return safe_default_dir(name)


def write_run_dir(out: Path, results, argv: list[str]) -> None:
    """Write every file into a hidden sibling, then rename it into place (atomic)."""
    from gainsim.outdir import write_atomically

    write_atomically(out, lambda folder: write_files(folder, results, argv))


def write_files(folder: Path, results, argv: list[str]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gainsim.report import plot_eta, plot_tracking_error, summary_dict, trace_arrays
    from gainsim.scenario import dumps

    summary = summary_dict(results)
    (folder / "summary.json").write_text(
        json.dumps(summary, indent=2, allow_nan=False, ensure_ascii=False) + "\n",
        encoding="utf-8")
    _write_csv(folder / "summary.csv", summary["policies"])
    np.savez_compressed(folder / "traces.npz", **trace_arrays(results))
    (folder / "scenario.resolved.toml").write_text(dumps(results.scenario))
    for name, plot in (("tracking_error.png", plot_tracking_error), ("eta.png", plot_eta)):
        ax = plot(results)
        ax.figure.tight_layout()
        ax.figure.savefig(folder / name, dpi=110)
        plt.close(ax.figure)
    (folder / "manifest.json").write_text(json.dumps(manifest(results, argv), indent=2) + "\n")


def _write_csv(path: Path, policies: list[dict]) -> None:
    from gainsim.outdir import policy_table, write_csv

    write_csv(path, *policy_table(policies))


def manifest(results, argv: list[str]) -> dict:
    import importlib
    import platform

    # the modules' own __version__ (importlib.metadata scans every installed package: ~50 ms)
    packages = ("gainsim", "numpy", "scipy", "simpy", "matplotlib", "numba")
    versions = {p: importlib.import_module(p).__version__ for p in packages}
    return {"versions": versions | {"python": platform.python_version()},
            "seed": results.seed, "replicas": results.replicas,
            "command_line": shlex.join(["gainsim", *argv[1:]]), "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
