"""``gainsim report RUN_DIR [-o FILE]``: redraw the figures and ``report.html`` of a run
directory from its saved files, without simulating (see ``docs/outputs.md``)."""
from __future__ import annotations

import sys
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("report", help="redraw the figures and report.html of a run directory "
                                      "from its saved files (no simulation)")
    p.add_argument("run_dir", help="run directory written by gainsim run (or a sweep directory)")
    p.add_argument("-o", "--output", help="write the HTML here (default: RUN_DIR/report.html)")


def command(args) -> int:
    """``gainsim report RUN_DIR [-o FILE]``: figures and report.html from the saved files."""
    from gainsim.report.rundata import RunData
    from gainsim.report.runfiles import write_report
    from gainsim.scenario import ScenarioError

    folder = Path(args.run_dir)
    if not folder.is_dir():
        print(f"gainsim: {folder}: not a directory", file=sys.stderr)
        return 2
    if (folder / "sweep.json").is_file():
        return _sweep(folder, args.output)
    try:
        data = RunData.load(folder)
    except (FileNotFoundError, ScenarioError, ValueError, KeyError) as err:
        print(f"gainsim: {err}", file=sys.stderr)
        return 2
    target = write_report(folder, data, Path(args.output) if args.output else None)
    print(f"wrote {target} and the figures in {folder}/")
    return 0


def _sweep(folder: Path, output: str | None) -> int:
    from gainsim.report.runfiles import write_sweep_report

    try:
        target = write_sweep_report(folder, Path(output) if output else None)
    except (FileNotFoundError, ValueError, KeyError) as err:
        print(f"gainsim: {folder}: not a complete sweep directory ({err})", file=sys.stderr)
        return 2
    print(f"wrote {target}")
    return 0
