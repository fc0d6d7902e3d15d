"""The files of a run directory.

:func:`write_files` writes everything ``gainsim run`` leaves in a run directory from a
:class:`~gainsim.report.rundata.RunData`; :func:`write_report` (re)draws the figures and
``report.html`` from it (``gainsim report``, :mod:`gainsim.cli.report`, does this for a
saved directory, so a figure is fixed without simulating again).
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from gainsim.figures.common import png_bytes


def poles_section(data, figure: bool = True) -> tuple[list[list[str]], bytes | None] | None:
    """The z-plane table and the root-locus PNG of the run (:mod:`gainsim.report.poles`);
    ``figure=False``: the table only (the PNG ``None``)."""
    import matplotlib

    matplotlib.use("Agg")
    from gainsim.report.poles import report_section

    section = report_section(data, figure)
    if section is None:
        return None
    table, fig = section
    return table, (png_bytes(fig) if fig is not None else None)


def report_html(data, figures, created: str | None = None, poles=None, lead=()) -> str:
    """The text of ``report.html`` for ``data``, its rendered ``figures`` and ``poles``
    (:func:`poles_section`); ``lead``: sections put first (a demo's numbers and figures)."""
    from gainsim.predict.explain import explain_text
    from gainsim.report.html import render
    from gainsim.scenario import dumps

    return render(data, figures, explain_text(data.scenario), dumps(data.scenario),
                  created or time.strftime("%Y-%m-%dT%H:%M:%S%z"), poles, lead)


def write_report(folder: Path, data, html_path: Path | None = None, lead=()) -> Path:
    """Draw every figure into ``folder`` (``root_locus.png`` too, when the plant has
    eigen-modes and a policy is a fixed linear loop) and write ``report.html`` (or
    ``html_path``). The costliest figures go to a helper process when one runs
    (:mod:`gainsim.report.figure_helper`); this process draws the rest meanwhile, and
    whatever the helper could not."""
    import matplotlib

    matplotlib.use("Agg")
    from gainsim.figures import report_figures
    from gainsim.report.figure_helper import ROOT_LOCUS, collect, remote_figures

    listed = report_figures(data)
    future = remote_figures(data, [name for name, _, _ in listed] + [ROOT_LOCUS])
    handed = set(future.names) if future is not None else set()
    pngs = {name: png_bytes(draw(data).figure) for name, _, draw in listed
            if name not in handed}
    poles = poles_section(data, figure=ROOT_LOCUS not in handed)
    pngs.update(collect(future))
    for name, _, draw in listed:
        if name not in pngs:  # the helper could not draw it: draw it here
            pngs[name] = png_bytes(draw(data).figure)
    if poles is not None and ROOT_LOCUS in handed:
        poles = (poles[0], pngs.pop(ROOT_LOCUS, None) or poles_section(data)[1])
    figures = [(name, caption, pngs[name]) for name, caption, _ in listed]
    for name, _, png in figures:
        (folder / name).write_bytes(png)
    if poles is not None and poles[1] is not None:
        (folder / ROOT_LOCUS).write_bytes(poles[1])
    target = html_path or folder / "report.html"
    target.write_text(report_html(data, figures, poles=poles, lead=lead), encoding="utf-8")
    return target


def write_sweep_report(folder: Path, html_path: Path | None = None) -> Path:
    """Redraw ``sweep.png`` and write ``report.html`` of a sweep directory from its saved
    ``sweep.json``, ``sweep.csv``, ``scenario.toml`` and ``manifest.json``."""
    import csv

    import matplotlib

    matplotlib.use("Agg")
    from gainsim.report.html import render_sweep
    from gainsim.sweeps.sweep import SweepResult
    from gainsim.sweeps.plot import plot_sweep

    folder = Path(folder)
    with (folder / "sweep.csv").open(newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    manifest = (json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
                if (folder / "manifest.json").is_file() else None)
    saved = json.loads((folder / "sweep.json").read_text(encoding="utf-8"))
    png = png_bytes(plot_sweep(SweepResult.from_dict(saved)).figure)
    (folder / "sweep.png").write_bytes(png)
    page = render_sweep(saved, header, rows, png,
                        (folder / "scenario.toml").read_text(encoding="utf-8"), manifest,
                        time.strftime("%Y-%m-%dT%H:%M:%S%z"))
    target = html_path or folder / "report.html"
    target.write_text(page, encoding="utf-8")
    return target


def write_files(folder: Path, data, lead=()) -> None:
    """Every file of a run directory (see ``docs/outputs.md``), written into ``folder``;
    ``lead``: sections put first in ``report.html`` (:func:`gainsim.report.html.render`)."""
    from gainsim.scenario import dumps

    (folder / "summary.json").write_text(
        json.dumps(data.summary, indent=2, allow_nan=False, ensure_ascii=False) + "\n",
        encoding="utf-8")
    write_csv(folder / "summary.csv", data.summary["policies"])
    np.savez_compressed(folder / "traces.npz", **data.traces)
    np.savez_compressed(folder / "replicas.npz", **data.replicas)
    (folder / "scenario.resolved.toml").write_text(dumps(_with_own_files(folder, data.scenario)))
    (folder / "manifest.json").write_text(json.dumps(data.manifest, indent=2) + "\n")
    write_report(folder, data, lead=lead)


def _with_own_files(folder: Path, scenario):
    """The scenario to resolve, after writing the files its plant needs beside it (a data
    plant given arrays from Python saves them as ``data.npz``, so the folder reopens)."""
    import dataclasses

    own = getattr(scenario.plant, "run_dir_files", None)
    if own is None:
        return scenario
    plant, files = own()
    for name, arrays in files.items():
        np.savez_compressed(folder / name, **arrays)
    return dataclasses.replace(scenario, plant=plant)


def write_csv(path: Path, policies: list[dict]) -> None:
    """``summary.csv``: every policy key but ``theta_final`` (a list; it is in ``summary.json``)."""
    from gainsim.report.outdir import policy_table, write_csv as write_table

    write_table(path, *policy_table([{k: v for k, v in p.items() if k != "theta_final"}
                                     for p in policies]))


def with_manifest(run, command_line: str):
    """The RunData of ``run`` (anything with ``run_data()``), with a manifest: a RunData
    read from disk keeps its own, fresh results get one naming ``command_line``."""
    from dataclasses import replace

    data = run.run_data()
    if data.manifest is None or data is not run:
        data = replace(data, manifest=manifest(data.summary, command_line))
    return data


def write_run(out: Path, run, command_line: str, force: bool = False) -> Path:
    """Write the run directory ``out`` of ``run`` as ``gainsim run`` does: checked first,
    filled in a hidden sibling, committed exclusively (:mod:`gainsim.report.rundir`)."""

    from gainsim.report.rundir import check_target, commit, discard, prepare

    out = Path(out)
    check_target(out, force)
    tmp = prepare(out)
    try:
        write_files(tmp, with_manifest(run, command_line))
        return commit(tmp, out, force)
    except BaseException:
        discard(tmp)
        raise


def manifest(summary: dict, command_line: str) -> dict:
    """Versions, seed, replicas, command line and creation time of a run."""
    import importlib
    import platform

    # the modules' own __version__ (importlib.metadata scans every installed package: ~50 ms)
    packages = ("gainsim", "numpy", "scipy", "simpy", "matplotlib", "numba")
    versions = {p: importlib.import_module(p).__version__ for p in packages}
    return {"versions": versions | {"python": platform.python_version()},
            "seed": summary["seed"], "replicas": summary["replicas"],
            "command_line": command_line,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z")}
