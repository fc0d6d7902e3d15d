"""Output folders and flat tables: written whole or not at all.

Every command that writes a directory (``run``, ``sweep``, ``tune``) fills a hidden
sibling ``.NAME.partial-PID`` and renames it into place when every file is written,
so an interrupted command (Ctrl-C, an error) never leaves a complete-looking folder.
"""
from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path
from typing import Callable

# Interval fields of a policy entry and the two csv columns each becomes.
INTERVALS = {"steady_state_tracking_error_ci95": ("ci95_low", "ci95_high"),
             "difference_to_best_ci95": ("difference_ci95_low", "difference_ci95_high")}


def write_atomically(out: Path, fill: Callable[[Path], None]) -> None:
    """Call ``fill(folder)`` on a hidden sibling of ``out``, then rename it to ``out``.

    An existing ``out`` is replaced only once the new folder is complete; on any error
    or interrupt the partial folder is removed and ``out`` is left as it was.
    """
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.parent / f".{out.name}.partial-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        fill(tmp)
        if out.exists():
            old = out.parent / f".{out.name}.old-{os.getpid()}"
            out.rename(old)
            tmp.rename(out)
            shutil.rmtree(old)
        else:
            tmp.rename(out)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def policy_table(policies: list[dict]) -> tuple[list[str], list[list]]:
    """Columns and rows of per-policy entries: every key in order, the intervals split into
    two columns each at the end, ``None`` as an empty cell."""
    spans = [k for k in INTERVALS if k in policies[0]]
    columns = [k for k in policies[0] if k not in INTERVALS]
    header = columns + [c for k in spans for c in INTERVALS[k]]
    rows = [[("" if p[c] is None else p[c]) for c in columns]
            + ["" if v is None else v for k in spans for v in p[k]] for p in policies]
    return header, rows


def write_csv(path: Path, header: list[str], rows: list[list]) -> None:
    with Path(path).open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
