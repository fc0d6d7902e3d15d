"""``gainsim demo [NAME] [-o DIR]``: list the demos, or run one and print its proof.

Running a demo writes a run directory per scenario (the same files as ``gainsim run``)
plus the demo's own figures, and prints every number next to its closed form.
"""
from __future__ import annotations

import sys
import textwrap
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser("demo", help="teaching demos: list them, or run one (numbers next to "
                                    "their closed forms, figures)")
    p.add_argument("name", nargs="?", help="demo to run (omit to list them)")
    p.add_argument("-o", "--output", help="folder to write (default: runs/demo-NAME)")
    p.add_argument("--force", action="store_true", help="replace an existing folder")
    p.add_argument("--html", action="store_true", help="also write the offline interactive "
                   "page (goldilocks: η slider; curvature: momentum α/β sliders)")


def _cell(x) -> str:
    if x is None:
        return "—"
    if isinstance(x, str):
        return x
    return f"{x:.6g}"


def number_rows(numbers) -> list[list[str]]:
    """Header and one row per :class:`~gainsim.demos.Number`."""
    return [["", "simulated", "closed form", "formula"]] + [
        [n.label, _cell(n.simulated), _cell(n.closed_form), n.formula] for n in numbers]


def command(args) -> int:
    from gainsim.demos import demos, run_demo, scenario_path

    catalog = demos()
    if args.name is None:
        width = max(map(len, catalog))
        for name, demo in catalog.items():
            print(f"  {name:<{width}}  {demo.summary}")
        print("run one with: gainsim demo NAME [-o DIR]")
        return 0
    if args.name not in catalog:
        print(f"gainsim: demo {args.name!r}: unknown (allowed: {', '.join(catalog)})",
              file=sys.stderr)
        return 2
    out = Path(args.output) if args.output else Path("runs") / f"demo-{args.name}"
    if out.exists() and not args.force:
        print(f"gainsim: {out}: already exists (use --force to replace it)", file=sys.stderr)
        return 2
    demo = catalog[args.name]
    if args.html and demo.page is None:
        with_page = ", ".join(n for n, d in catalog.items() if d.page is not None)
        print(f"gainsim: demo {args.name!r}: --html: no interactive page (pages: {with_page})",
              file=sys.stderr)
        return 2
    from gainsim.cli.warmup import say

    return _run(demo, run_demo(args.name, note=say), out, scenario_path, args.html)


def _run(demo, output, out: Path, scenario_path, html: bool) -> int:
    import time

    import matplotlib

    matplotlib.use("Agg")
    from gainsim.cli.run_dir import write_run_dir
    from gainsim.report.html import demo_sections, render_demo
    from gainsim.report.text import format_table, headline
    from gainsim.figures.common import png_bytes

    figures = [(name, f"Figure of the {demo.name} demo.", png_bytes(fig))
               for name, fig in output.figures.items()]
    sections = demo_sections(demo.summary, [list(row) for row in demo.table],
                             number_rows(output.numbers), figures)
    single = len(demo.scenarios) == 1
    written, runs = [], []
    for stem, results in zip(demo.scenarios, output.results):
        folder = out if single else out / stem
        write_run_dir(folder, results, argv=sys.argv, lead=sections if single else ())
        written.append(str(folder))
        runs.append((results.scenario.name, f"{stem}/report.html", headline(results)))
    files = [name for name, _, _ in figures]
    for name, _, png in figures:
        (out / name).write_bytes(png)
    if not single:
        (out / "report.html").write_text(
            render_demo(demo.name, demo.summary, sections, runs,
                        time.strftime("%Y-%m-%dT%H:%M:%S%z")), encoding="utf-8")
    files.append("report.html")
    if html:
        name, text = demo.page(output.results)
        (out / name).write_text(text, encoding="utf-8")
        files.append(name)
    print(f"demo {demo.name}: {demo.summary}")
    for stem, results in zip(demo.scenarios, output.results):
        print(f"  scenario {scenario_path(stem)}")
        text = " ".join(results.scenario.description.split())
        if text:
            print(textwrap.fill(text, 92, initial_indent="  ", subsequent_indent="  "))
    print()
    if demo.table:
        print(format_table([list(row) for row in demo.table]))
        print()
    print(format_table(number_rows(output.numbers)))
    print()
    print(f"wrote {', '.join(written)}/ (run files; {', '.join(files)})")
    return 0
