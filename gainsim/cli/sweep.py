"""``gainsim sweep`` and ``gainsim tune``: arguments, progress, files and what is printed."""
from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path
from types import SimpleNamespace

EXIT_USAGE = 2
MAX_CURVES = 16  # points of a sweep whose curves --curves keeps (a chosen few)
OUTPUTS = {"sweep": "report.html, sweep.json, sweep.csv, sweep.png, scenario.toml, manifest.json",
           "range": "range_test.json, range_test.png, scenario.resolved.toml, manifest.json",
           "tune": "tune.json, manifest.json"}


def add_commands(sub) -> None:
    """Register ``sweep`` and ``tune`` on the main parser's subcommands."""
    sweep = sub.add_parser("sweep", help="run a scenario over a range (or grid) of values of "
                                         "one or two keys; or a gain range test")
    sweep.add_argument("scenario", help="scenario TOML file")
    sweep.add_argument("--over", action="append", default=[], metavar="KEY=SPEC",
                       help="a key and its values: a,b,c | logspace:LO:HI:N | "
                            "linspace:LO:HI:N (twice: a grid); default: the [sweep] table")
    sweep.add_argument("--range-test", metavar="POLICY",
                       help="instead: one run whose gain rises geometrically (--bounds LO HI)")
    sweep.add_argument("--bounds", nargs=2, type=float, metavar=("LO", "HI"),
                       help="gain range of --range-test (default: from theory's bound)")
    sweep.add_argument("--curves", metavar="I,J,...",
                       help=f"also keep the curves (traces.npz arrays) of these points, "
                            f"numbered as in sweep.json from 0 (at most {MAX_CURVES})")
    tune = sub.add_parser("tune", help="find the value of one key that minimises a policy's "
                                       "steady-state tracking error")
    tune.add_argument("scenario", help="scenario TOML file")
    tune.add_argument("--policy", required=True, help="policy name")
    tune.add_argument("--param", metavar="KEY", help="key to tune (default: the policy's "
                                                     "base gain)")
    tune.add_argument("--bounds", nargs=2, type=float, metavar=("LO", "HI"),
                      help="search range (default: below theory's stability bound)")
    for p in (sweep, tune):
        p.add_argument("-o", "--output", help="output directory (default: runs/NAME-"
                                              f"{p.prog.split()[-1]}-TIMESTAMP)")
        p.add_argument("--replicas", type=int, help="override run.replicas")
        p.add_argument("--seed", type=int, help="override run.seed")
        p.add_argument("--workers", type=int, default=1, help="processes computing, this one "
                                                              "included (results do not change)")
        p.add_argument("--executor", choices=("serial", "process", "dask"), default="process",
                       help="where replicas run (default: process, serial for 1 worker)")
        p.add_argument("--scheduler", metavar="ADDRESS",
                       help="dask scheduler address (default: start a LocalCluster)")
        p.add_argument("--force", action="store_true", help="replace an existing directory")
        p.add_argument("--quiet", action="store_true", help="print only where the files went")


def _fail(message: str) -> int:
    print(message if ": " in message else f"gainsim: {message}", file=sys.stderr)
    return EXIT_USAGE


class Progress:
    """``points 12/64 [#####.....] ETA 0:41`` on stderr when it is a terminal."""

    def __init__(self, enabled: bool, what: str = "points"):
        self.enabled, self.what, self.start, self.shown = enabled, what, time.monotonic(), False

    def __call__(self, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        elapsed = time.monotonic() - self.start
        if total:
            eta = elapsed / done * (total - done) if done else None
            fill = int(30 * done / total)
            bar = f"[{'#' * fill}{'.' * (30 - fill)}]"
            when = f"  ETA {_clock(eta)}" if eta is not None else "  (starting)"
            text = f"  {self.what} {done}/{total} {bar}{when}"
        else:
            text = f"  {self.what} {done} evaluated, {_clock(elapsed)} so far"
        sys.stderr.write(f"\r{text}\033[K")
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _clock(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m // 60}:{m % 60:02d}:{s:02d}" if m >= 60 else f"{m}:{s:02d}"


def _prepare(args):
    """Checked overrides, the file's TOML (overrides written in) and the output folder."""
    from gainsim.cli.run_dir import check_overrides as _check_overrides
    from gainsim.cli.run_dir import default_dir as _default_dir
    from gainsim.sweeps.spec import read_toml

    problem = _check_overrides(args)
    if problem:
        raise _Usage(f"gainsim: {problem}")
    if args.scheduler and args.executor != "dask":
        raise _Usage("gainsim: --scheduler: only with --executor dask")
    data, source = read_toml(args.scenario)
    for key in ("replicas", "seed"):
        if getattr(args, key) is not None:
            data.setdefault("run", {})[key] = getattr(args, key)
    name = data.get("name", Path(args.scenario).stem)
    kind = "range" if getattr(args, "range_test", None) else args.command
    out = Path(args.output) if args.output else _default_dir(f"{name}-{kind}")
    from gainsim.report.rundir import OutputError, check_target

    try:
        check_target(out, args.force)  # taken, or --force on something that is not ours
    except OutputError as err:
        raise _Usage(f"gainsim: {err}") from None
    args.target = _Target(out, args.force)
    return data, source, args.target


class _Target:
    """Where a command's files go: a hidden folder beside ``out`` (:meth:`open`, made and
    probed once the input is checked, before simulating), committed to ``out``
    exclusively as ``gainsim run`` does (:func:`gainsim.report.rundir.commit`): of two commands
    writing the same ``-o``, one wins and the other says where its files went."""

    def __init__(self, out: Path, force: bool):
        self.out, self.force, self.tmp = out, force, None

    def __str__(self) -> str:
        return str(self.out)

    def open(self) -> None:
        from gainsim.report.rundir import OutputError, prepare

        try:
            self.tmp = prepare(self.out)
        except OutputError as err:
            raise _Usage(f"gainsim: {err}") from None

    def discard(self) -> None:
        """Remove the hidden folder if it is still there (nothing was committed)."""
        if self.tmp is not None:
            from gainsim.report.rundir import discard

            discard(self.tmp)

    def write(self, fill) -> Path | None:
        """``fill(folder)``, then commit; where the files went, or ``None`` after one line
        on stderr: another command took ``out`` meanwhile (its files are left whole, ours
        are put beside it) or the folder could not be written."""
        from gainsim.report.rundir import OutputError, Taken, commit

        if self.tmp is None:
            self.open()
        try:
            fill(self.tmp)
            return commit(self.tmp, self.out, self.force)
        except Taken as err:
            print(f"gainsim: {err}", file=sys.stderr)
        except (OSError, OutputError) as err:
            print(f"gainsim: {self.out}: cannot write ({getattr(err, 'strerror', None) or err})",
                  file=sys.stderr)
        self.discard()
        return None


class _Usage(Exception):
    """A usage problem: print the message, exit 2."""


def _executor(args):
    from gainsim.engine.executors import make_executor

    try:
        return make_executor(args.executor, args.workers, args.scheduler)
    except (RuntimeError, OSError) as err:
        raise _Usage(f"gainsim: --executor {args.executor}: {err}") from None


def _guarded(body):
    """Run ``body(args)``: usage problems and scenario errors become one line, exit 2;
    Python warnings raised meanwhile become one-line notes (:mod:`gainsim.report.notes`), printed
    at the end; the hidden output folder never outlives the command uncommitted."""
    def run(args) -> int:
        from gainsim.report.notes import collect_notes
        from gainsim.scenario import ScenarioError
        from gainsim.sweeps.spec import SweepError

        notes: list[str] = []
        try:
            with collect_notes() as notes:
                return body(args)
        except (_Usage, SweepError) as err:
            return _fail(str(err))
        except ScenarioError as err:
            print(err, file=sys.stderr)
            return EXIT_USAGE
        finally:
            if getattr(args, "target", None) is not None:
                args.target.discard()
            for note in notes:
                print(f"gainsim: note: {note}", file=sys.stderr)
    return run


@_guarded
def cmd_sweep(args) -> int:
    from gainsim.sweeps.spec import SweepError, parse_over, table_axes

    if args.range_test:
        return _range_test(args)
    if args.bounds:
        raise _Usage("gainsim: --bounds: only with --range-test (or gainsim tune)")
    data, source, out = _prepare(args)
    try:
        axes = [parse_over(text) for text in args.over] or table_axes(data)
    except SweepError as err:
        raise SweepError(f"{source}: {err}") from None
    if len(axes) > 2:
        raise _Usage(f"{source}: --over: at most two keys (a grid), got {len(axes)}")
    from gainsim.sweeps.sweep import run_sweep

    from gainsim.engine.executors import opened
    from gainsim.sweeps.spec import point_scenarios

    points, scenarios = point_scenarios(data, source, axes)  # all checked before anything runs
    curves = _chosen_points(args.curves, len(points))
    out.open()
    from gainsim.cli.warmup import compile_first

    compile_first(scenarios, args.quiet)
    progress = Progress(enabled=not args.quiet and sys.stderr.isatty())
    try:
        with opened(_executor(args)) as executor:
            sweep = run_sweep(axes, points, scenarios, executor, progress, curves)
    finally:
        progress.close()
    where = _write_sweep(out, sweep, data, args)
    if where is None:
        return 1
    if not args.quiet:
        from gainsim.sweeps.sweep import best_lines

        n = len(sweep.points)
        print(f"{sweep.name}: {n} point{'s' if n != 1 else ''} over "
              f"{' × '.join(a.key for a in sweep.axes)}, {sweep.records[0]['replicas']} "
              f"replicas each (seed {sweep.records[0]['seed']})")
        print("\n".join(best_lines(sweep)))
        print()
    print(f"wrote {where}/ ({OUTPUTS['sweep']}{', curves/' if sweep.curves else ''})")
    return 0


def _chosen_points(text: str | None, n: int) -> list[int]:
    """``--curves 0,5``: point numbers, each in 0 .. n - 1, at most :data:`MAX_CURVES`."""
    if text is None:
        return []
    try:
        chosen = [int(part) for part in text.split(",")]
    except ValueError:
        raise _Usage(f"gainsim: --curves: point numbers separated by commas, e.g. 0,5 "
                     f"(got {text!r})") from None
    bad = [i for i in chosen if not 0 <= i < n]
    if bad:
        raise _Usage(f"gainsim: --curves: point {bad[0]} does not exist (the sweep has {n} "
                     f"point{'s' if n != 1 else ''}: 0 .. {n - 1})")
    chosen = sorted(set(chosen))
    if len(chosen) > MAX_CURVES:
        raise _Usage(f"gainsim: --curves: at most {MAX_CURVES} points (got {len(chosen)}); "
                     "a sweep keeps summaries, curves only for a chosen few")
    return chosen


def _write_sweep(out: _Target, sweep, data: dict, args) -> Path | None:
    import tomli_w

    from gainsim.report.outdir import write_csv
    from gainsim.sweeps.sweep import csv_rows, curves_file, sweep_dict

    def fill(folder: Path) -> None:
        _agg()
        if sweep.curves:
            import numpy as np

            (folder / "curves").mkdir()
            for point, arrays in sweep.curves.items():
                np.savez_compressed(folder / curves_file(point), **arrays)
        _json(folder / "sweep.json", sweep_dict(sweep))
        write_csv(folder / "sweep.csv", *csv_rows(sweep))
        (folder / "scenario.toml").write_text(tomli_w.dumps(data), encoding="utf-8")
        _json(folder / "manifest.json", _manifest(args, sweep.records[0]))
        from gainsim.report.runfiles import write_sweep_report

        write_sweep_report(folder)  # draws sweep.png from sweep.json, as `gainsim report` does

    return out.write(fill)


def _range_test(args) -> int:
    from gainsim.sweeps.range_test import RangeTestError, range_test
    from gainsim.scenario import dumps, loads

    if args.over:
        raise _Usage("gainsim: --range-test: runs one ramp; drop --over")
    if args.curves:
        raise _Usage("gainsim: --curves: only for a sweep (--range-test writes its one curve)")
    if args.executor == "dask":
        raise _Usage("gainsim: --range-test: one run (use --executor process --workers N)")
    data, source, out = _prepare(args)
    import tomli_w

    scenario = loads(tomli_w.dumps({k: v for k, v in data.items() if k != "sweep"}),
                     source=source, default_name=Path(args.scenario).stem)
    out.open()
    progress = Progress(enabled=not args.quiet and sys.stderr.isatty(), what="replicas")
    try:
        rt = range_test(scenario, args.range_test, tuple(args.bounds) if args.bounds else None,
                        workers=args.workers, progress=progress)
    except RangeTestError as err:
        raise _Usage(f"{source}: --range-test: {err}") from None
    finally:
        progress.close()
    from gainsim.sweeps.range_test import ramp_scenario, find_policy
    from gainsim.sweeps.plot import plot_range_test

    ramp = ramp_scenario(scenario, find_policy(scenario, args.range_test), rt.lo, rt.hi)

    def fill(folder: Path) -> None:
        _agg()
        _json(folder / "range_test.json", rt.to_dict())
        _save(plot_range_test(rt), folder / "range_test.png")
        (folder / "scenario.resolved.toml").write_text(dumps(ramp), encoding="utf-8")
        _json(folder / "manifest.json", _manifest(args, {"seed": scenario.run.seed,
                                                         "replicas": scenario.run.replicas}))

    where = out.write(fill)
    if where is None:
        return 1
    if not args.quiet:
        print(f"{rt.name}: gain range test of {rt.policy}, η from {rt.lo:.3g} to {rt.hi:.3g}")
        print(f"  suggested gain {_g(rt.suggested)} ({rt.rule})")
        if rt.diverged_eta is not None:
            print(f"  diverged once η reached {rt.diverged_eta:.4g}")
        theory = [f"{label} {v:.4g}" for label, v in (
            ("η* =", rt.optimal_fixed_gain), ("2/λmax =", rt.stability_bound),
            ("mean-square bound =", rt.mean_square_bound)) if v is not None]
        if theory:
            print(f"  theory: {', '.join(theory)}")
        print()
    print(f"wrote {where}/ ({OUTPUTS['range']})")
    return 0


@_guarded
def cmd_tune(args) -> int:
    from gainsim.sweeps.tune import tune

    data, source, out = _prepare(args)
    from gainsim.engine.executors import opened

    out.open()
    progress = Progress(enabled=not args.quiet and sys.stderr.isatty(), what="candidates")
    try:
        with opened(_executor(args)) as executor:
            result = tune(data, source, args.policy, args.param,
                          tuple(args.bounds) if args.bounds else None, executor, progress)
    finally:
        progress.close()
    def fill(folder: Path) -> None:
        _json(folder / "tune.json", result.to_dict())
        _json(folder / "manifest.json", _manifest(args, {"seed": result.seed,
                                                         "replicas": result.replicas}))

    where = out.write(fill)
    if where is None:
        return 1
    if not args.quiet:
        b = result.best
        lo, hi = b.ci95
        ci = "" if lo is None else f" (95% CI {lo:.4g}–{hi:.4g})"
        print(f"{result.name}: tuned {result.key} of {result.policy!r} in "
              f"[{result.bounds[0]:.3g}, {result.bounds[1]:.3g}], {len(result.evaluations)} "
              f"candidates × {result.replicas} replicas (same seeds)")
        print(f"  best {result.key} = {b.value:.4g}: error {_g(b.error)}{ci}")
        note = (f"neighbours ×/÷ {math.exp(result.step):.3g} overlap its CI (finer would be "
                "noise)" if result.resolved
                else "neighbours still distinguishable at the finest step")
        print(f"  {note}")
        if result.optimal_fixed_gain is not None:
            print(f"  theory η* = {result.optimal_fixed_gain:.4g}")
        print()
    print(f"wrote {where}/ ({OUTPUTS['tune']})")
    return 0


def _g(x) -> str:
    return "—" if x is None else f"{x:.4g}"


def _json(path: Path, data: dict) -> None:
    path.write_text(json.dumps(data, indent=2, allow_nan=False, ensure_ascii=False) + "\n",
                    encoding="utf-8")


def _agg() -> None:
    import matplotlib

    matplotlib.use("Agg")  # files only, no window


def _save(ax, path: Path) -> None:
    import matplotlib.pyplot as plt

    ax.figure.tight_layout()
    ax.figure.savefig(path, dpi=110)
    plt.close(ax.figure)


def _manifest(args, head: dict) -> dict:
    from gainsim.cli.run_dir import manifest as run_manifest

    out = run_manifest(SimpleNamespace(seed=head["seed"], replicas=head["replicas"]), sys.argv)
    out.update({"executor": args.executor, "workers": args.workers})
    return out
