"""The run directory ``gainsim run`` writes, and the checks and names shared by the commands.

``write_run_dir`` writes every file into a hidden sibling and renames it into place, so
a crash or Ctrl-C never leaves a half-written run that looks complete. Split from
:mod:`gainsim.cli.main` so the command modules (``cli/demo.py``, ``cli/sweep.py``) use it
without importing the module that registers them.
"""
from __future__ import annotations

import shlex
from pathlib import Path


def check_overrides(args) -> str | None:
    """The one-line problem with ``--replicas``, ``--seed`` or ``--workers``, or None."""
    from gainsim.scenario.sizes import workers_problem

    for name, low in (("replicas", 1), ("seed", 0)):
        value = getattr(args, name)
        if value is not None and value < low:
            return f"--{name}: must be >= {low} (got {value})"
    return workers_problem(args.workers) if args.workers is not None else None


def default_dir(name: str) -> Path:
    """``runs/NAME-YYYYmmdd-HHMMSS`` with NAME made safe (:func:`gainsim.report.rundir.default_dir`)."""
    from gainsim.report.rundir import default_dir as safe_default_dir

    return safe_default_dir(name)


def write_run_dir(out: Path, results, argv: list[str], lead=()) -> None:
    """Write every file into a hidden sibling, then rename it into place (atomic);
    ``lead``: sections put first in ``report.html``."""
    from gainsim.report.outdir import write_atomically

    write_atomically(out, lambda folder: write_files(folder, results, argv, lead))


def write_files(folder: Path, results, argv: list[str], lead=()) -> None:
    """Every file of the run directory, ``report.html`` included
    (:func:`gainsim.report.runfiles.write_files`)."""
    from gainsim.report.rundata import RunData
    from gainsim.report.runfiles import with_manifest, write_files as write_run_files

    data = results if hasattr(results, "run_data") else RunData.from_results(results)
    write_run_files(folder, with_manifest(data, shlex.join(["gainsim", *argv[1:]])), lead)


def manifest(results, argv: list[str]) -> dict:
    """The manifest of a run with ``results.seed`` and ``results.replicas`` (sweeps use it)."""
    from gainsim.report.runfiles import manifest as run_manifest

    return run_manifest({"seed": results.seed, "replicas": results.replicas},
                        shlex.join(["gainsim", *argv[1:]]))
