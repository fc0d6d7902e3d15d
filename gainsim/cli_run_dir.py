"""The run directory ``gainsim run`` writes, and the checks and names shared by the commands.

``write_run_dir`` writes every file into a hidden sibling and renames it into place, so
a crash or Ctrl-C never leaves a half-written run that looks complete. Split from
:mod:`gainsim.cli` so the command modules (``cli_demo.py``, ``cli_sweep.py``) use it
without importing the module that registers them.
"""
from __future__ import annotations

import shlex
import time
from pathlib import Path


def check_overrides(args) -> str | None:
    for name, low in (("replicas", 1), ("seed", 0), ("workers", 1)):
        value = getattr(args, name)
        if value is not None and value < low:
            return f"--{name}: must be >= {low} (got {value})"
    return None


def default_dir(name: str) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = Path("runs") / f"{name}-{stamp}"
    i = 1
    while path.exists():
        i += 1
        path = Path("runs") / f"{name}-{stamp}-{i}"
    return path


def write_run_dir(out: Path, results, argv: list[str]) -> None:
    """Write every file into a hidden sibling, then rename it into place (atomic): the
    files of :func:`gainsim.rundir.write_files`, ``report.html`` included."""
    from gainsim.rundata import RunData
    from gainsim.rundir import write_run

    data = results.run_data() if hasattr(results, "run_data") else RunData.from_results(results)
    write_run(out, data, shlex.join(["gainsim", *argv[1:]]))


def manifest(results, argv: list[str]) -> dict:
    """The manifest of a run with ``results.seed`` and ``results.replicas`` (sweeps use it)."""
    from gainsim.rundir import manifest as run_manifest

    return run_manifest({"seed": results.seed, "replicas": results.replicas},
                        shlex.join(["gainsim", *argv[1:]]))
