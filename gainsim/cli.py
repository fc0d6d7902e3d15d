"""``gainsim run | validate | list | explain``: the only module that reads or writes files."""
from __future__ import annotations

import argparse
import sys
import threading
import time
from pathlib import Path

from gainsim import cli_demo, cli_poles, cli_report, cli_warmup
from gainsim.cli_run_dir import check_overrides, default_dir, write_run_dir

EXIT_USAGE = 2
# Commands implemented in a module of their own: each has add_parser(sub) and command(args).
_COMMANDS = {"demo": cli_demo, "poles": cli_poles, "report": cli_report,
             "warmup": cli_warmup}


def _fail(message: str) -> int:
    print(f"gainsim: {message}", file=sys.stderr)
    return EXIT_USAGE


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gainsim", description="Online estimators with the learning rate as a loop gain.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="run a scenario file and write a run directory")
    run.add_argument("scenario", help="scenario TOML file")
    run.add_argument("-o", "--output", help="run directory (default: runs/NAME-TIMESTAMP)")
    run.add_argument("--replicas", type=int, help="override run.replicas")
    run.add_argument("--seed", type=int, help="override run.seed")
    run.add_argument("--workers", type=int, default=1, help="processes (results do not change)")
    run.add_argument("--force", action="store_true", help="replace an existing run directory")
    run.add_argument("--quiet", action="store_true", help="print only where the files went")
    val = sub.add_parser("validate", help="check scenario files without running them")
    val.add_argument("scenarios", nargs="+", help="scenario TOML files")
    sub.add_parser("list", help="list the known plant, stream, estimator and gain kinds")
    exp = sub.add_parser("explain", help="print what theory predicts for a scenario, without "
                                         "running it")
    exp.add_argument("scenario", help="scenario TOML file")
    for command in _COMMANDS.values():
        command.add_parser(sub)
    from gainsim.cli_sweep import add_commands as add_sweep_commands

    add_sweep_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from gainsim.cli_sweep import cmd_sweep, cmd_tune

    handler = {"run": cmd_run, "validate": cmd_validate, "list": cmd_list,
               "explain": cmd_explain, "sweep": cmd_sweep, "tune": cmd_tune,
               **{name: m.command for name, m in _COMMANDS.items()}}[args.command]
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("gainsim: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into head & co.
        sys.stderr.close()
        return 0


def cmd_list(args) -> int:
    from gainsim.catalog import kinds

    titles = {"plant": "plants", "input": "plant inputs (fir)", "drift": "drift models",
              "process": "processes (mrac)", "command": "reference commands (mrac)",
              "latency": "stream latency", "estimator": "estimators", "gain": "gain policies",
              "schedule": "schedules (also usable as eta = {kind = ...} of optimizer gains)"}
    width = max(len(kind) for family in titles for kind in kinds(family))
    for family, title in titles.items():
        print(f"{title}:")
        for kind, cls in sorted(kinds(family).items()):
            print(f"  {kind:<{width}}  {cls.summary}")
    print("stream arrivals:\n  periodic       t_i = i / rate\n"
          "  poisson        exponential gaps of mean 1 / rate")
    return 0


def cmd_explain(args) -> int:
    from gainsim.explain import explain_text
    from gainsim.scenario import ScenarioError, load

    try:
        scenario = load(args.scenario)
    except ScenarioError as err:
        print(err, file=sys.stderr)
        return EXIT_USAGE
    print(explain_text(scenario))
    return 0


def cmd_validate(args) -> int:
    from gainsim.scenario import ScenarioError, load

    status = 0
    for path in args.scenarios:
        try:
            scenario = load(path)
        except ScenarioError as err:
            print(err, file=sys.stderr)
            status = EXIT_USAGE
            continue
        print(f"{Path(path).name}: ok ({len(scenario.policy)} policies, "
              f"plant {type(scenario.plant).kind})")
    return status


def cmd_run(args) -> int:
    from gainsim.runner import run
    from gainsim.scenario import ScenarioError, load

    problem = check_overrides(args)
    if problem:
        return _fail(problem)
    try:
        scenario = load(args.scenario)
    except ScenarioError as err:
        print(err, file=sys.stderr)
        return EXIT_USAGE
    out = Path(args.output) if args.output else default_dir(scenario.name)
    if out.exists() and not args.force:
        return _fail(f"{out}: already exists (use --force to replace it)")
    progress = _Progress(enabled=not args.quiet and sys.stderr.isatty())
    results = run(scenario, seed=args.seed, replicas=args.replicas, workers=args.workers,
                  progress=progress)
    progress.close()
    from gainsim.rundata import RunData

    data = RunData.from_results(results)  # what the directory, the table and the page show
    write_run_dir(out, data, argv=sys.argv)
    if not args.quiet:
        from gainsim.report import format_table, headline, summary_rows

        print(headline(data.summary))
        print()
        print(format_table(summary_rows(data.summary)))
        print()
    print(f"wrote {out}/ (report.html, summary.json, summary.csv, traces.npz, replicas.npz, "
          "figures, scenario.resolved.toml, manifest.json)")
    return 0


class _Progress:
    """A one-line progress bar on stderr, shown only once a run takes over 1.5 s.

    While no replica has finished, a timer says why the wait may be long: the first
    run of a kernel compiles it (seconds per gain law), later runs load it from the cache.
    """

    DELAY = 1.5  # seconds before anything is shown

    def __init__(self, enabled: bool):
        self.enabled, self.start, self.shown = enabled, time.monotonic(), False
        self.done, self.total, self.timer = 0, 0, None

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        self.done, self.total = done, total
        if done == 0 and self.timer is None:
            self.timer = threading.Timer(self.DELAY, self._draw)
            self.timer.daemon = True
            self.timer.start()
        elif time.monotonic() - self.start >= self.DELAY:
            self._draw()

    def _draw(self) -> None:
        width = 30
        fill = int(width * self.done / self.total) if self.total else 0
        note = ("  (first runs compile the kernels; they are cached afterwards)"
                if self.done == 0 else "")
        sys.stderr.write(f"\r  replicas {self.done}/{self.total} "
                         f"[{'#' * fill}{'.' * (width - fill)}]{note}\033[K")
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()

