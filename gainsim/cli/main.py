"""``gainsim run | validate | list | explain``: the only module that reads or writes files."""
from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from pathlib import Path

from gainsim.cli import demo as cli_demo

from gainsim.cli import poles as cli_poles

from gainsim.cli import report as cli_report

from gainsim.cli import warmup as cli_warmup
from gainsim.cli.run_dir import check_overrides, write_files

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
    run.add_argument("--workers", type=int, default=1,
                     help="processes computing, this one included (results do not change)")
    run.add_argument("--force", action="store_true",
                     help="replace an existing run directory (one with a gainsim manifest.json)")
    run.add_argument("--allow-large", action="store_true",
                     help="run even above the size limits (see docs/outputs.md)")
    run.add_argument("--quiet", action="store_true", help="print only where the files went")
    val = sub.add_parser("validate", help="check scenario files without running them")
    val.add_argument("scenarios", nargs="+", help="scenario TOML files")
    val.add_argument("--allow-large", action="store_true",
                     help="accept scenarios above the size limits (as run --allow-large)")
    sub.add_parser("list", help="list the known plant, stream, estimator and gain kinds")
    exp = sub.add_parser("explain", help="print what theory predicts for a scenario, without "
                                         "running it")
    exp.add_argument("scenario", help="scenario TOML file")
    for command in _COMMANDS.values():
        command.add_parser(sub)
    from gainsim.cli.sweep import add_commands as add_sweep_commands

    add_sweep_commands(sub)
    return parser


def entry() -> None:
    """The ``gainsim`` command: :func:`main`, then a quick exit.

    When a command has finished, its files are committed and closed; what is left is
    the interpreter's teardown, which only frees memory: ~0.35 s once numba's and
    matplotlib's modules are loaded (measured on this project's 2-core machine, a tenth
    of a warm ``gainsim run``). So the streams are flushed, the ``atexit`` handlers run
    (multiprocessing's, logging's), and the process ends with ``os._exit``. An uncaught
    exception still takes the normal way out, with its traceback.
    """
    import atexit

    from gainsim.collector import tune

    tune()  # before numba, scipy and matplotlib are imported (gainsim.collector)
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # the reader went away, or it was closed
            pass
    atexit._run_exitfuncs()  # what the interpreter would run before its teardown
    os._exit(code)


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from gainsim.cli.sweep import cmd_sweep, cmd_tune

    handler = {"run": cmd_run, "validate": cmd_validate, "list": cmd_list,
               "explain": cmd_explain, "sweep": cmd_sweep, "tune": cmd_tune,
               **{name: m.command for name, m in _COMMANDS.items()}}[args.command]
    from gainsim.engine.lifetime import Terminated, terminate_on_signals

    terminate_on_signals()  # SIGTERM/SIGHUP clean up like Ctrl-C
    try:
        return handler(args)
    except KeyboardInterrupt:
        print("gainsim: interrupted", file=sys.stderr)
        return 130
    except Terminated as sig:
        print(f"gainsim: terminated ({sig})", file=sys.stderr)
        return 128 + sig.signum
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
    from gainsim.predict.explain import explain_text
    from gainsim.scenario import ScenarioError, load

    from gainsim.scenario.sizes import MAX_MEMORY, estimate, format_bytes

    try:
        scenario = load(args.scenario)
    except ScenarioError as err:
        print(err, file=sys.stderr)
        return EXIT_USAGE
    size = estimate(scenario)
    if size.explain_memory > MAX_MEMORY:  # the n x n input correlation matrix
        print(f"{args.scenario}: {size.size_key}: explain needs about "
              f"{format_bytes(size.explain_memory)} for the n x n correlation matrix (limit "
              f"{format_bytes(MAX_MEMORY)}); lower {size.size_key}", file=sys.stderr)
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
        problem = _size_problem(scenario, path, args.replicas if hasattr(args, "replicas")
                                else None, args.allow_large)
        if problem:
            print(problem, file=sys.stderr)
            status = EXIT_USAGE
            continue
        print(f"{path}: ok ({len(scenario.policy)} policies, "
              f"plant {type(scenario.plant).kind})")
    return status


def _size_problem(scenario, path: str, replicas: int | None, allow_large: bool) -> str | None:
    """The one-line refusal of a scenario over the size limits (``validate`` and ``run``)."""
    from gainsim.scenario.sizes import estimate

    too_big = None if allow_large else estimate(scenario, replicas=replicas).problem()
    if too_big is None:
        return None
    key, message = too_big
    if replicas is not None and key == "run.replicas":
        key, message = "--replicas", message.replace("run.replicas", "--replicas")
    return f"{path}: {key}: run {message} (or pass --allow-large)"


def _replica_problem(scenario, path: str, replicas: int | None) -> str | None:
    """``--replicas`` against a plant's limit (a data plant: 1 unless the stream is random)."""
    from gainsim.scenario.load import replicas_problem

    message = None if replicas is None else replicas_problem(scenario, replicas)
    return f"{path}: --replicas: {message}" if message else None


def cmd_run(args) -> int:
    from gainsim.engine.lifetime import raise_if_terminated
    from gainsim.report.figure_helper import helping
    from gainsim.report.notes import collect_notes
    from gainsim.report.rundir import OutputError, check_target, default_dir, discard, prepare
    from gainsim.engine.runner import run
    from gainsim.scenario import ScenarioError, load
    from gainsim.scenario.sizes import NOTE_WORK, estimate

    problem = check_overrides(args)
    if problem:
        return _fail(problem)
    try:
        scenario = load(args.scenario)
    except ScenarioError as err:
        print(err, file=sys.stderr)
        return EXIT_USAGE
    problem = (_replica_problem(scenario, args.scenario, args.replicas)
               or _size_problem(scenario, args.scenario, args.replicas, args.allow_large))
    if problem:
        print(problem, file=sys.stderr)
        return EXIT_USAGE
    size = estimate(scenario, replicas=args.replicas)
    out = Path(args.output) if args.output else default_dir(scenario.name)
    try:
        check_target(out, args.force)
        tmp = prepare(out)  # created and probed before simulating
    except OutputError as err:
        return _fail(str(err))
    try:
        progress = _Progress(enabled=not args.quiet and sys.stderr.isatty(),
                             note=size.text() if size.work > NOTE_WORK else "")
        with collect_notes() as notes:
            cli_warmup.compile_first([scenario], args.quiet)
            split = cli_warmup.split_first([scenario], args.quiet)
            # a process that draws the costliest figures alongside this one (and, in a
            # first run of a constant-gain bank, first compiles the plant's kernels)
            with helping(split.task() if split else None) as sensor:
                if split is not None:
                    split.compile_here(sensor)
                results = run(scenario, seed=args.seed, replicas=args.replicas,
                              workers=args.workers, progress=progress)
                progress.close()
                raise_if_terminated()
                out = _save(tmp, out, results, args.force)
    except BaseException:
        discard(tmp)
        raise
    if out is None:
        return 1
    if not args.quiet:
        from gainsim.report.text import format_table, headline, summary_rows

        print(headline(results))
        print()
        print(format_table(summary_rows(results)))
        print()
    for note in notes if results.applied > 0 else ():  # with no sample, only the warning
        print(f"gainsim: note: {note}", file=sys.stderr)
    if results.applied == 0:
        print("gainsim: warning: no sample reached the learners (dropout, latency or a run "
              "shorter than one sample period): nothing was learned", file=sys.stderr)
    print(f"wrote {out}/ (report.html, summary.json, summary.csv, traces.npz, replicas.npz, "
          "figures, scenario.resolved.toml, manifest.json)")
    return 0


def _save(tmp: Path, out: Path, results, force: bool) -> Path | None:
    """Write the run into ``tmp`` and commit it to ``out``; on failure keep it safe.

    Returns where the run went, or ``None`` after printing where the results were kept.
    """
    from gainsim.report.rundir import OutputError, Taken, commit, discard, rescue_dir

    try:
        write_files(tmp, results, sys.argv)
        return commit(tmp, out, force)
    except Taken as err:
        print(f"gainsim: {err}", file=sys.stderr)
        return None
    except (OSError, OutputError) as err:
        reason = getattr(err, "strerror", None) or str(err)
        discard(tmp)
        try:
            safe = rescue_dir(results.scenario.name)
            write_files(safe, results, sys.argv)
        except OSError as again:
            print(f"gainsim: {out}: cannot write the run ({reason}); keeping the results "
                  f"elsewhere failed too ({again.strerror or again})", file=sys.stderr)
            return None
        print(f"gainsim: {out}: cannot write the run ({reason}); results kept in {safe}/",
              file=sys.stderr)
        return None


class _Progress:
    """A one-line progress bar on stderr, shown only once a run takes over 1.5 s.

    While no replica has finished, a timer says why the wait may be long: the first
    run of a kernel compiles it (seconds per gain law), later runs load it from the cache.
    """

    DELAY = 1.5  # seconds before anything is shown

    def __init__(self, enabled: bool, note: str = ""):
        self.enabled, self.start, self.shown = enabled, time.monotonic(), False
        self.note = f"  {note}" if note else ""
        self.done, self.total, self.timer = 0, 0, None

    def __call__(self, done: int, total: int) -> None:
        from gainsim.engine.lifetime import raise_if_terminated

        raise_if_terminated()  # a SIGTERM swallowed while numba compiled
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
                if self.done == 0 else self.note)
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

