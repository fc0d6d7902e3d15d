"""Sweep executors: a 64-point x 20-replica sweep on a 2-worker process pool vs serially.

Everything is timed in this one process, side by side, and reported as ratios:

1. the sweep (``quickstart``'s plant, one LMS policy, ``policy[0].gain`` over
   ``logspace:0.001:0.1:64``, 20 replicas of ``--samples`` samples, 40000 and 10000 by
   default, one row each) serially, then on a
   fresh ``ProcessPool(2)`` (this process and one spawned worker) *including* the
   worker's start-up (a user pays it too);
   goal: serial / pool >= 1.8. The results are checked to be equal.
2. ``gainsim.run`` of ``scenarios/quickstart.toml`` with ``workers=2`` against
   ``workers=1`` (median of ``--repeats``); goal: never slower (ratio >= 0.95, the
   noise of a shared machine), since small work falls back to this process.

The machine's CPU model and load average (before and after) are written next to the
numbers: other processes on the same cores distort the ratios.

    python benchmarks/bench_sweep.py                       # prints a markdown table
    python benchmarks/bench_sweep.py --out benchmarks/SWEEP_RESULTS.md
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from machine import header, load_average  # noqa: E402  (same folder)

SWEEP = """
name = "bench_sweep"
[plant]
kind = "fir"
taps = 16
noise_std = 0.1
drift = {{ kind = "random_walk", std = 1e-3 }}
[stream]
rate = 1000.0
[run]
samples = {samples}
replicas = 20
seed = 1
[metrics]
grid = 100
[[policy]]
name = "lms"
estimator = "lms"
gain = 0.01
"""


def sweep_case(samples: int) -> tuple[float, float, bool]:
    """(serial s, pool s including the spawned worker's start-up, equal)."""
    from gainsim.engine.executors import ProcessPool, Serial, execute
    from gainsim.sweeps.spec import parse_over, point_scenarios

    data = tomllib.loads(SWEEP.format(samples=samples))
    _, scenarios = point_scenarios(data, "bench", [parse_over(
        "policy[0].gain=logspace:0.001:0.1:64")])
    execute(scenarios[:1], Serial())  # kernels loaded here first
    started = time.perf_counter()
    serial = execute(scenarios, Serial())
    t_serial = time.perf_counter() - started
    started = time.perf_counter()
    pool = ProcessPool(2)  # this process and one spawned worker
    try:
        parallel = execute(scenarios, pool)
    finally:
        pool.close()
    t_pool = time.perf_counter() - started
    return t_serial, t_pool, parallel == serial


def worker_start_seconds(samples: int) -> float:
    """From making a pool to the first replica computed by its spawned worker (the
    interpreter, imports, numba's registries, the kernels loaded from the cache)."""
    from gainsim.engine.executors import ProcessPool, work
    from gainsim.sweeps.spec import parse_over, point_scenarios

    data = tomllib.loads(SWEEP.format(samples=samples))
    _, scenarios = point_scenarios(data, "bench", [parse_over("policy[0].gain=0.01")])
    started = time.perf_counter()
    pool = ProcessPool(2)
    try:
        pool._submit(work, ("block", 0, scenarios[0], 0, 1)).result()
    finally:
        pool.close()
    return time.perf_counter() - started


def run_case(repeats: int) -> tuple[float, float]:
    import gainsim

    scenario = gainsim.load(ROOT / "scenarios" / "quickstart.toml")
    gainsim.run(scenario, replicas=2)
    times = {1: [], 2: []}
    for _ in range(repeats):
        for workers in (1, 2):
            started = time.perf_counter()
            gainsim.run(scenario, workers=workers)
            times[workers].append(time.perf_counter() - started)
    return statistics.median(times[1]), statistics.median(times[2])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", default="40000,10000",
                        help="samples per replica of the sweep, one row each (comma-separated)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    sizes = [int(v) for v in args.samples.split(",")]
    before = load_average()
    rows, equal = [], True
    for samples in sizes:
        t_serial, t_pool, same = sweep_case(samples)
        start = worker_start_seconds(samples)
        equal &= same
        ratio = t_serial / t_pool
        bound = t_serial / ((t_serial + start) / 2)  # this process from 0, the worker from S
        rows.append(
            f"| sweep 64 points × 20 replicas × {samples} samples | {t_serial:.2f} s | "
            f"{t_pool:.2f} s | {ratio:.2f}× | ≥ 1.8× | {'met' if ratio >= 1.8 else 'missed'} | "
            f"pool time includes starting the spawned worker (S = {start:.2f} s, this process "
            f"computes meanwhile: at best W / ((W + S) / 2) = {bound:.2f}×); results "
            f"{'bit-identical' if same else 'DIFFER'} |")
    r1, r2 = run_case(args.repeats)
    run_ratio = r1 / r2
    command = f"python benchmarks/bench_sweep.py --samples {args.samples} --repeats {args.repeats}"
    lines = [
        header("gainsim sweep executors benchmark", command, before),
        "| case | serial | 2 workers | ratio | goal | status | note |",
        "|---|---:|---:|---:|---|---|---|",
        *rows,
        f"| run quickstart.toml, --workers 2 vs 1 (median of {args.repeats}) | {r1:.2f} s | "
        f"{r2:.2f} s | {run_ratio:.2f}× | ≥ 0.95× (never slower) | "
        f"{'met' if run_ratio >= 0.95 else 'missed'} | too small to pay for workers: "
        "stays in this process |",
    ]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    return 0 if equal else 1


if __name__ == "__main__":
    sys.exit(main())
