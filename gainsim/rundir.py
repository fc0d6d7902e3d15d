"""The files of a run directory.

:func:`write_files` writes everything ``gainsim run`` leaves in a run directory from a
:class:`~gainsim.rundata.RunData`; :func:`write_report` (re)draws the figures and
``report.html`` from it (``gainsim report``, :mod:`gainsim.cli_report`, does this for a
saved directory, so a figure is fixed without simulating again).
"""
from __future__ import annotations

import csv
import io
import json
import time
from pathlib import Path

import numpy as np

DPI = 110


def figure_pngs(data) -> list[tuple[str, str, bytes]]:
    """``(file name, caption, PNG bytes)`` of every figure of the run, drawn off-screen."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gainsim.figures import report_figures

    out = []
    for name, caption, draw in report_figures(data):
        fig = draw(data).figure
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
        plt.close(fig)
        out.append((name, caption, buf.getvalue()))
    return out


def report_html(data, figures, created: str | None = None) -> str:
    """The text of ``report.html`` for ``data`` and its rendered ``figures``."""
    from gainsim.explain import explain_text
    from gainsim.html_report import render
    from gainsim.scenario import dumps

    return render(data, figures, explain_text(data.scenario), dumps(data.scenario),
                  created or time.strftime("%Y-%m-%dT%H:%M:%S%z"))


def write_report(folder: Path, data, html_path: Path | None = None) -> Path:
    """Draw every figure into ``folder`` and write ``report.html`` (or ``html_path``)."""
    figures = figure_pngs(data)
    for name, _, png in figures:
        (folder / name).write_bytes(png)
    target = html_path or folder / "report.html"
    target.write_text(report_html(data, figures), encoding="utf-8")
    return target


def write_files(folder: Path, data) -> None:
    """Every file of a run directory (see ``docs/outputs.md``), written into ``folder``."""
    from gainsim.scenario import dumps

    (folder / "summary.json").write_text(
        json.dumps(data.summary, indent=2, allow_nan=False, ensure_ascii=False) + "\n",
        encoding="utf-8")
    write_csv(folder / "summary.csv", data.summary["policies"])
    np.savez_compressed(folder / "traces.npz", **data.traces)
    np.savez_compressed(folder / "replicas.npz", **data.replicas)
    (folder / "scenario.resolved.toml").write_text(dumps(data.scenario))
    (folder / "manifest.json").write_text(json.dumps(data.manifest, indent=2) + "\n")
    write_report(folder, data)


def write_csv(path: Path, policies: list[dict]) -> None:
    """``summary.csv``: the scalar fields of every policy; each interval as two columns.

    ``theta_final`` (a list) is left out: it is in ``summary.json``.
    """
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        intervals = {"steady_state_tracking_error_ci95": ("ci95_low", "ci95_high"),
                     "difference_to_best_ci95": ("difference_ci95_low", "difference_ci95_high")}
        columns = [k for k in policies[0] if k not in intervals and k != "theta_final"]
        spans = [k for k in intervals if k in policies[0]]
        writer.writerow(columns + [c for k in spans for c in intervals[k]])
        for p in policies:
            writer.writerow([("" if p[c] is None else p[c]) for c in columns]
                            + ["" if v is None else v for k in spans for v in p[k]])


def manifest(summary: dict, command_line: str) -> dict:
    """Versions, seed, replicas, command line and creation time of a run."""
    import platform
    from importlib.metadata import version

    packages = ("gainsim", "numpy", "scipy", "simpy", "matplotlib", "numba")
    return {"versions": {p: version(p) for p in packages} | {"python": platform.python_version()},
            "seed": summary["seed"], "replicas": summary["replicas"],
            "command_line": command_line,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
