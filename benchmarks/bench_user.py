"""What a user waits for around the kernels: import, a warm run, aggregation, threads, cold start.

Run from the repository root::

    python benchmarks/bench_user.py                          # print the table (~3 min)
    python benchmarks/bench_user.py --out benchmarks/RESULTS_user.md
    python benchmarks/bench_user.py --only import,warm       # some sections
    python benchmarks/bench_user.py --only suite --cold-repeats 1  # the test suite, cold

Every figure is a ratio of two things timed side by side in this run (whole
processes interleaved A, B, A, B ...; in-process timings alternated the same way),
so a load that comes and goes hits both sides alike. Each section gives the best
ratio, the median and the spread over the repeats; a goal is judged on the median.
The goals are the ones of the speed issue; the script never fails because of them.
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import machine  # noqa: E402

import gainsim  # noqa: E402
from gainsim.analysis.metrics import BAND  # noqa: E402
from gainsim.engine.results import TraceFold  # noqa: E402
from gainsim.engine.runner import collect, replica_seeds  # noqa: E402
from gainsim.engine.sim import simulate  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PY = sys.executable


@dataclass
class Row:
    section: str
    case: str
    figure: str
    goal: str = ""
    status: str = ""
    note: str = ""


def spread(ratios: list[float]) -> str:
    return (f"best {min(ratios):.3g}, median {statistics.median(ratios):.3g}, "
            f"spread {min(ratios):.3g}–{max(ratios):.3g} ({len(ratios)} pairs)")


def verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


def wall(cmd: list[str], env: dict | None = None, cwd: Path = REPO) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)
    return time.perf_counter() - t0


def compile_bytecode() -> None:
    """gainsim's bytecode for this tree (and the ``--before`` one), as ``pip install`` writes
    it for numpy, numba and matplotlib. This project's machines set
    ``PYTHONDONTWRITEBYTECODE=1``: without this step every timed process compiled gainsim's
    sources again (~0.15 s of a warm quickstart run; none of the bare imports' time)."""
    for tree in (REPO, BEFORE_DIR):
        if tree is not None:
            subprocess.run([PY, "-m", "compileall", "-q", str(tree / "gainsim")], check=True,
                           stdout=subprocess.DEVNULL)


def interleaved(runs: list[tuple[list[str], dict | None]], repeats: int) -> list[list[float]]:
    """Wall times of whole processes, run in turn (A, B, C, A, B, C ...) after one untimed
    run each (which also fills each one's numba cache), gainsim's bytecode compiled first
    (:func:`compile_bytecode`)."""
    compile_bytecode()
    for cmd, env in runs:
        wall(cmd, env, _cwd(env))
    times = [[] for _ in runs]
    for _ in range(repeats):
        for k, (cmd, env) in enumerate(runs):
            times[k].append(wall(cmd, env, _cwd(env)))
    return times


BEFORE: dict | None = None  # environment that runs the code before the change (--before)
BEFORE_DIR: Path | None = None  # ... and its source tree, where those runs start


def _cwd(env: dict | None) -> Path:
    """Where a run starts: the tree of the code it runs (``python -c`` and ``-m`` put the
    working directory first on ``sys.path``, ahead of ``PYTHONPATH``)."""
    return BEFORE_DIR if env is not None and env is BEFORE else REPO


def with_before(label: str, cmd: list[str], base: list[str], repeats: int, goal: float | None,
                section: str, base_label: str) -> list[Row]:
    """Rows ``cmd / base`` for this code and, with ``--before``, the code before the change."""
    runs = [(cmd, None), (base, None)] + ([(cmd, BEFORE)] if BEFORE else [])
    times = interleaved(runs, repeats)
    rows = []
    for who, t in (("", times[0]), ("before the change: ", times[2] if BEFORE else None)):
        if t is None:
            continue
        ratios = [x / y for x, y in zip(t, times[1])]
        med = statistics.median(ratios)
        rows.append(Row(section, f"{who}{label} / {base_label}",
                        f"{med:.2f}× ({statistics.median(t):.2f} s / "
                        f"{statistics.median(times[1]):.2f} s)",
                        "" if goal is None else f"≤ {goal}×",
                        "" if goal is None or who else verdict(med <= goal), spread(ratios)))
    return rows


# --------------------------------------------------------------------------- 1 import

def section_import(repeats: int) -> list[Row]:
    base = [PY, "-c", "import numpy, numba"]
    rows = []
    for code, goal in (("import gainsim", 1.3), ("from gainsim import load, run", None)):
        rows += with_before(f"`{code}`", [PY, "-c", code], base, repeats, goal, "1 import",
                            "`import numpy, numba` (whole processes)")
    return rows


# --------------------------------------------------------------------------- 2 warm run

def section_warm(repeats: int) -> list[Row]:
    out = Path(tempfile.mkdtemp(prefix="gainsim-bench-"))
    try:
        run = [PY, "-m", "gainsim", "run", "scenarios/quickstart.toml", "-o", str(out / "run"),
               "--force", "--quiet"]
        return with_before("`gainsim run scenarios/quickstart.toml` (warm cache)", run,
                           [PY, "-c", "import numpy, numba, matplotlib.pyplot"], repeats, 2.0,
                           "2 warm run", "`import numpy, numba, matplotlib.pyplot`")
    finally:
        shutil.rmtree(out, ignore_errors=True)


# --------------------------------------------------------------------------- 3 aggregation

def bank_scenario(policies: int, samples: int, grid: int = 200, replicas: int = 1):
    lines = "".join(f'\n[[policy]]\nname = "lms {k}"\nestimator = "lms"\n'
                    f"gain = {eta!r}\n" for k, eta in
                    enumerate(np.linspace(0.001, 0.05, policies).tolist()))
    return gainsim.loads(f"""
name = "bench-bank"
[plant]
kind = "fir"
taps = 16
noise_std = 0.1
input = {{ kind = "white", std = 1.0 }}
drift = {{ kind = "random_walk", std = 1e-3 }}
[stream]
rate = 1000.0
[run]
samples = {samples}
replicas = {replicas}
seed = 0
[metrics]
grid = {grid}
{lines}""")


def band_nanquantile(curves: dict) -> dict:
    """The band as it was computed before: ``np.nanquantile`` along the replica axis."""
    import warnings

    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for name, values in curves.items():
            out[f"{name}_mean"] = np.nanmean(values, axis=0)
            out[f"{name}_p10"] = np.nanquantile(values, BAND[0], axis=0)
            out[f"{name}_p90"] = np.nanquantile(values, BAND[1], axis=0)
    return out


def simulate_and_aggregate(scenario, seeds) -> tuple[float, float, object]:
    """What a run does in this process, timed in two parts: simulating each replica, and
    aggregating (folding each trace as it comes, :class:`TraceFold`, then ``collect``).
    Returns ``(simulation seconds, aggregation seconds, results)``."""
    fold = TraceFold(len(seeds))
    sim = agg = 0.0
    for seed in seeds:
        t0 = time.perf_counter()
        trace = simulate(scenario, seed)
        t1 = time.perf_counter()
        fold.extend([trace])
        del trace
        t2 = time.perf_counter()
        sim, agg = sim + (t1 - t0), agg + (t2 - t1)
    t0 = time.perf_counter()
    results = collect(scenario, fold)
    return sim, agg + time.perf_counter() - t0, results


FRESH_PROCESS = """
import json, sys
sys.path.insert(0, {bench!r})
from gainsim.collector import tune
tune()  # as the gainsim command does
from bench_user import bank_scenario, collect, replica_seeds, simulate, simulate_and_aggregate
scenario = bank_scenario(64, {samples}, grid=2000, replicas=20)
seeds = replica_seeds(0, 20)
small = bank_scenario(64, 100, grid=20, replicas=2)
collect(small, [simulate(small, s) for s in seeds[:2]])  # the kernels loaded
sim, agg, _ = simulate_and_aggregate(scenario, seeds)
print(json.dumps([sim, agg]))
"""


def fresh_process_aggregation(samples: int, label: str, repeats: int) -> Row:
    """Aggregation against simulation in a fresh process: what one ``gainsim run`` sees
    (every array of the run on fresh memory, whose first touch is slow here)."""
    code = FRESH_PROCESS.format(bench=str(Path(__file__).resolve().parent), samples=samples)
    runs = [json.loads(subprocess.run([PY, "-c", code], cwd=REPO, check=True,
                                      capture_output=True, text=True).stdout)
            for _ in range(repeats)]
    ratios = [agg / sim for sim, agg in runs]
    med = statistics.median(ratios)
    return Row("3 aggregation", "  the same in a fresh process (what one `gainsim run` sees: "
               f"fresh memory), {label} samples",
               f"{100 * med:.1f} % ({statistics.median(a for _, a in runs):.3f} s / "
               f"{statistics.median(s for s, _ in runs):.2f} s)", "≤ 10 %",
               verdict(med <= 0.10), spread(ratios))


def section_aggregation(repeats: int) -> list[Row]:
    from gainsim.analysis import metrics

    scenario = bank_scenario(64, 10_000, grid=2000, replicas=20)
    seeds = replica_seeds(0, 20)
    simulate(scenario, seeds[0])  # kernels loaded or compiled
    sims, aggs = [], []
    for _ in range(repeats):
        sim, agg, results = simulate_and_aggregate(scenario, seeds)
        sims.append(sim)
        aggs.append(agg)
    traces = [simulate(scenario, s) for s in seeds]  # whole, for the old way (once)
    curves = metrics.replica_curves(traces)
    t0 = time.perf_counter()
    old = band_nanquantile(curves)
    old_seconds = time.perf_counter() - t0
    listed = collect(scenario, traces)  # a list of whole traces: the same numbers
    same = all(np.array_equal(results.curves[k], old[k], equal_nan=True) for k in old)
    same_list = all(np.array_equal(results.curves[k], v, equal_nan=True)
                    for k, v in listed.curves.items())
    del traces, curves
    ratios = [a / s for a, s in zip(aggs, sims)]
    med = statistics.median(ratios)
    old_ratio = old_seconds / statistics.median(sims)
    long = bank_scenario(64, 100_000, grid=2000, replicas=20)  # 50 samples per interval
    long_ratios = []
    for _ in range(max(1, repeats // 3)):
        sim, agg, _ = simulate_and_aggregate(long, seeds)
        long_ratios.append(agg / sim)
    long_med = statistics.median(long_ratios)
    return [Row("3 aggregation", "aggregation (each trace folded as it comes, then `collect`: "
                "curves, bands, summaries) / simulation, "
                "64 LMS policies × grid 2000 × 20 replicas × 10⁴ samples",
                f"{100 * med:.1f} % ({statistics.median(aggs):.3f} s / "
                f"{statistics.median(sims):.2f} s)", "≤ 10 %", verdict(med <= 0.10),
                spread(ratios)),
            fresh_process_aggregation(10_000, "10⁴", max(3, repeats // 2)),
            Row("3 aggregation", "  the same with 10⁵ samples (50 per monitor interval)",
                f"{100 * long_med:.1f} %", "≤ 10 %", verdict(long_med <= 0.10),
                spread(long_ratios)),
            Row("3 aggregation", "  `np.nanquantile` band alone (the old way) / simulation",
                f"{100 * old_ratio:.0f} % ({old_seconds:.2f} s, timed once)", "", "",
                "bands identical to the new ones: " + ("yes, bit for bit" if same else "**NO**")
                + "; `collect` of the whole traces gives the folded run's numbers: "
                + ("yes, bit for bit" if same_list else "**NO**"))]


# --------------------------------------------------------------------------- 4 threads

BANK_SIZES = (1, 2, 4, 7, 8, 12, 15, 16, 24, 31, 32, 48, 64, 128, 256, 512)


def _time_bank(scenario, threads: int) -> float:
    numba.set_num_threads(threads)
    t0 = time.perf_counter()
    simulate(scenario, np.random.SeedSequence(1))
    return time.perf_counter() - t0


def thread_ratios(repeats: int, samples: int) -> list[tuple[int, float, float]]:
    """Per bank size: median ratio single-thread / default time (≥ 1 = threads help), spread."""
    default = numba.config.NUMBA_NUM_THREADS
    out = []
    for P in BANK_SIZES:
        scenario = bank_scenario(P, samples)
        _time_bank(scenario, 1), _time_bank(scenario, default)  # warm-up
        ratios = []
        for _ in range(repeats):
            one = _time_bank(scenario, 1)
            ratios.append(one / _time_bank(scenario, default))
        out.append((P, statistics.median(ratios), max(ratios) - min(ratios)))
    numba.set_num_threads(default)
    return out


def section_threads(repeats: int, samples: int = 20_000) -> list[Row]:
    rows = []
    for mode in ("as the machine is", "plus one busy-loop process"):
        busy = None
        if mode != "as the machine is":
            busy = subprocess.Popen([PY, "-c", "while True: pass"])
        try:
            res = thread_ratios(repeats, samples)
        finally:
            if busy is not None:
                busy.kill()
                busy.wait()
        worst = min(r for _, r, _ in res)
        rows.append(Row("4 threads", f"single-thread time / default-threads time, {mode} "
                        f"(bank sizes 1…512, {samples} samples; P < 8 never uses threads, so "
                        "its deviation from 1 is the noise)",
                        f"worst {worst:.2f} (P = {[P for P, r, _ in res if r == worst][0]})",
                        "≥ 0.95 for every size", verdict(worst >= 0.95),
                        ", ".join(f"P={P}: {r:.2f}" for P, r, _ in res)))
    return rows


# --------------------------------------------------------------------------- 5 cold start

def section_cold(repeats: int) -> list[Row]:
    rows = []
    tmp = Path(tempfile.mkdtemp(prefix="gainsim-cold-"))
    try:
        for name, goal in (("quickstart", None), ("drift_tracking", 10.0)):
            colds, warms = [], []
            for k in range(repeats):
                cache = tmp / f"cache-{name}-{k}"
                env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
                run = [PY, "-m", "gainsim", "run", f"scenarios/{name}.toml", "-o",
                       str(tmp / "run"), "--force", "--quiet"]
                colds.append(wall(run, env))
                warms.append(wall(run, env))
                shutil.rmtree(cache, ignore_errors=True)
            cold, warm = statistics.median(colds), statistics.median(warms)
            serial = []
            for k in range(repeats):  # the same first run, laws compiled one after the other
                cache = tmp / f"cache-{name}-s{k}"
                serial.append(wall(run, {**os.environ, "NUMBA_CACHE_DIR": str(cache),
                                         "GAINSIM_COMPILE_AHEAD": "0"}))
                shutil.rmtree(cache, ignore_errors=True)
            warmed = []
            for k in range(repeats):  # gainsim warmup (laws compiled side by side), then run
                cache = tmp / f"cache-{name}-w{k}"
                env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
                warmed.append(wall([PY, "-m", "gainsim", "warmup", f"scenarios/{name}.toml",
                                    "--workers", str(machine.nproc())], env)
                              + wall(run, env))
                shutil.rmtree(cache, ignore_errors=True)
            extra = (Row("5 cold start", f"  `gainsim warmup scenarios/{name}.toml` "
                            f"({machine.nproc()} workers), then the run",
                            f"{statistics.median(warmed):.1f} s", "", "",
                            ", ".join(f"{w:.1f}" for w in warmed) + " s"))
            if goal is None:
                rows.append(Row("5 cold start", f"first `gainsim run scenarios/{name}.toml` "
                                "(empty numba cache) vs its warm run",
                                f"{cold:.1f} s cold, {warm:.1f} s warm",
                                "cold ≤ 1.5 × warm + 1 s", verdict(cold <= 1.5 * warm + 1),
                                f"cold runs {', '.join(f'{c:.1f}' for c in colds)} s"))
            else:
                rows.append(Row("5 cold start", f"first `gainsim run scenarios/{name}.toml` "
                                "(empty numba cache)", f"{cold:.1f} s cold, {warm:.1f} s warm",
                                f"cold ≤ {goal:.0f} s", verdict(cold <= goal),
                                f"cold runs {', '.join(f'{c:.1f}' for c in colds)} s"))
            rows.append(Row("5 cold start", "  the same first run with `GAINSIM_COMPILE_AHEAD=0` "
                            "(nothing compiled side by side: neither laws on helper processes nor a "
                            "constant bank's draws in the figure helper)",
                            f"{statistics.median(serial):.1f} s", "", "",
                            ", ".join(f"{w:.1f}" for w in serial) + " s"))
            rows.append(extra)
            if goal is not None:
                rows += python_first_runs(name, repeats, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return rows


def python_first_runs(name: str, repeats: int, tmp: Path) -> list[Row]:
    """A first ``gainsim.run()`` from Python (a script, empty cache), with and without
    compiling ahead (``GAINSIM_COMPILE_AHEAD=0`` is how the Python API ran before it did)."""
    script = [PY, "-c", f"import gainsim; gainsim.run('scenarios/{name}.toml')"]
    times: dict = {"1": [], "0": []}
    for k in range(repeats):  # interleaved
        for ahead in ("1", "0"):
            cache = tmp / f"cache-{name}-py{ahead}-{k}"
            times[ahead].append(wall(script, {**os.environ, "NUMBA_CACHE_DIR": str(cache),
                                              "GAINSIM_COMPILE_AHEAD": ahead}))
            shutil.rmtree(cache, ignore_errors=True)
    return [Row("5 cold start", f"  first `gainsim.run('scenarios/{name}.toml')` from Python "
                "(a script, empty numba cache; laws compiled ahead on helper processes)",
                f"{statistics.median(times['1']):.1f} s", "", "",
                ", ".join(f"{w:.1f}" for w in times["1"]) + " s"),
            Row("5 cold start", "  the same with `GAINSIM_COMPILE_AHEAD=0` (the Python API "
                "before it compiled ahead)", f"{statistics.median(times['0']):.1f} s", "", "",
                ", ".join(f"{w:.1f}" for w in times["0"]) + " s")]


def section_suite(repeats: int) -> list[Row]:
    """The whole test suite as the README runs it (``pytest``: 2 processes), from an
    empty numba cache: what a contributor's first ``pytest`` (and every CI run) waits.
    One timed run per repeat; pytest's own cache is left alone (``-p no:cacheprovider``)."""
    walls, failed = [], []
    for _ in range(max(1, repeats)):
        cache = Path(tempfile.mkdtemp(prefix="gainsim-suite-cache-"))
        try:
            t0 = time.perf_counter()
            proc = subprocess.run([PY, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                                  env={**os.environ, "NUMBA_CACHE_DIR": str(cache)}, cwd=REPO,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            walls.append(time.perf_counter() - t0)
            if proc.returncode != 0:  # a red suite's time says nothing: report it instead
                failed.append(proc.stdout.strip().splitlines()[-1] if proc.stdout else "")
        finally:
            shutil.rmtree(cache, ignore_errors=True)
    med = statistics.median(walls)
    note = ", ".join(f"{w:.0f}" for w in walls) + " s"
    if failed:
        note += "; FAILED: " + " / ".join(failed)
    return [Row("5 cold suite", "the whole test suite (`pytest`, 2 processes) from an empty "
                "numba cache", f"{med:.0f} s", "≤ 180 s", verdict(med <= 180 and not failed),
                note)]


SECTIONS = {"import": section_import, "warm": section_warm, "aggregation": section_aggregation,
            "threads": section_threads, "cold": section_cold, "suite": section_suite}


def table(rows: list[Row]) -> str:
    lines = ["| section | case | figure | goal | status | repeats |", "|---|---|---|---|---|---|"]
    lines += [f"| {r.section} | {r.case} | {r.figure} | {r.goal} | {r.status} | {r.note} |"
              for r in rows]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=7, help="pairs per ratio (default 7)")
    ap.add_argument("--cold-repeats", type=int, default=2, help="cold starts per scenario")
    ap.add_argument("--only", help="comma-separated sections: " + ",".join(SECTIONS))
    ap.add_argument("--out", type=Path, help="also write the results to this markdown file")
    ap.add_argument("--before", type=Path,
                    help="a source tree of gainsim before a change (e.g. `git archive main`): "
                         "import and warm-run rows for it too, side by side")
    args = ap.parse_args(argv)
    names = args.only.split(",") if args.only else [k for k in SECTIONS if k != "suite"]
    unknown = sorted(set(names) - set(SECTIONS))
    if unknown:
        print(f"bench_user.py: --only: unknown section {unknown[0]!r} "
              f"(allowed: {', '.join(SECTIONS)})", file=sys.stderr)
        return 2
    command = "python benchmarks/bench_user.py" + "".join(
        f" {flag} {value}" for flag, value in (("--repeats", args.repeats),
                                              ("--cold-repeats", args.cold_repeats),
                                              ("--only", args.only),
                                              ("--before", args.before and "BEFORE"))
        if value is not None)
    global BEFORE, BEFORE_DIR
    tmp_cache = None
    if args.before:
        BEFORE_DIR = args.before.resolve()
        tmp_cache = tempfile.mkdtemp(prefix="gainsim-before-cache-")
        BEFORE = {**os.environ, "PYTHONPATH": str(args.before.resolve()),
                  "NUMBA_CACHE_DIR": tmp_cache}
    load_before = machine.load_average()
    rows = []
    for name in names:
        print(f"section {name} ...", file=sys.stderr, flush=True)
        reps = args.cold_repeats if name in ("cold", "suite") else args.repeats
        rows += SECTIONS[name](reps)
        print(table(rows), file=sys.stderr, flush=True)  # so far, in case of a long run
    if tmp_cache:
        shutil.rmtree(tmp_cache, ignore_errors=True)
    text = machine.header("gainsim: speed a user feels", command, load_before) + "\n" \
        + table(rows) + "\n"
    print(text)
    if args.out:
        if args.only and args.out.exists():  # some sections again: keep the others' rows
            text = merge(args.out.read_text(encoding="utf-8"), rows, command, load_before)
        args.out.write_text(text, encoding="utf-8")
    return 0


def merge(old: str, rows: list[Row], command: str, load_before: str) -> str:
    """``old`` (a results file) with the rows of the sections in ``rows`` replaced by
    them, and a line saying when and how those sections were measured again."""
    fresh = {r.section for r in rows}
    lines = old.rstrip("\n").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("| section |"))
    kept = [line for line in lines[start + 2:] if line.startswith("| ")
            and line.split("|")[1].strip() not in fresh]
    new = table(rows).split("\n")[2:]
    merged = sorted(kept + new, key=lambda line: line.split("|")[1].strip()[:1])  # stable
    which = f"- sections {', '.join(sorted(fresh))} measured again on "
    lines = [line for line in lines if not line.startswith(which)]  # an older such line
    start = next(i for i, line in enumerate(lines) if line.startswith("| section |"))
    note = (f"{which}"
            f"{datetime.datetime.now():%Y-%m-%d %H:%M} on {machine.cpu_model()}, SIMD "
            f"{machine.simd_level()} (a machine of this kind may differ from the header's): "
            f"`{command}`, load average before {load_before}, after {machine.load_average()}")
    return "\n".join(lines[:start - 1] + [note, ""] + lines[start:start + 2] + merged) + "\n"


if __name__ == "__main__":
    sys.exit(main())
