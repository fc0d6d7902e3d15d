"""Where a `gainsim run` spends its time: phases, then the functions that dominate.

Run from the repository root::

    python benchmarks/profile_run.py                              # scenarios/quickstart.toml
    python benchmarks/profile_run.py scenarios/drift_tracking.toml --top 30

It does what ``gainsim run SCENARIO`` does, in this process and in the same order,
timing each phase (imports, loading the scenario, the replicas, aggregation, the
files), then repeats the whole run under ``cProfile`` and prints the functions with
the most cumulative time. The first run in a process also loads (or compiles) the
numba kernels; the phase table says which phase paid for it. Only public functions
of gainsim are used, so the script keeps working while the internals change.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import tempfile
import time
from pathlib import Path

T0 = time.perf_counter()
REPO = Path(__file__).resolve().parent.parent


def phases(scenario_path: str, out: Path) -> list[tuple[str, float]]:
    """Wall time of each phase of one run, in the order ``gainsim run`` does them."""
    t = time.perf_counter()
    import gainsim
    from gainsim.cli.run_dir import write_run_dir
    from gainsim.engine.runner import collect, replica_seeds
    from gainsim.engine.sim import simulate

    marks = [("import gainsim (+ cli, runner, sim)", time.perf_counter() - t)]
    t = time.perf_counter()
    scenario = gainsim.load(scenario_path)
    marks.append(("load and validate the scenario", time.perf_counter() - t))
    seeds = replica_seeds(scenario.run.seed, scenario.run.replicas)
    t = time.perf_counter()
    first = simulate(scenario, seeds[0])
    marks.append(("first replica (numba cache load or compile)", time.perf_counter() - t))
    t = time.perf_counter()
    traces = [first] + [simulate(scenario, s) for s in seeds[1:]]
    marks.append((f"other {len(seeds) - 1} replicas", time.perf_counter() - t))
    t = time.perf_counter()
    results = collect(scenario, traces)
    marks.append(("aggregation (collect)", time.perf_counter() - t))
    t = time.perf_counter()
    write_run_dir(out / "phases", results, argv=["gainsim", "run", scenario_path])
    marks.append(("write the run directory (json, npz, figures)", time.perf_counter() - t))
    return marks


def profiled(scenario_path: str, out: Path, top: int) -> str:
    from gainsim.cli.main import main

    prof = cProfile.Profile()
    prof.enable()
    main(["run", scenario_path, "-o", str(out / "profiled"), "--quiet", "--force"])
    prof.disable()
    buf = io.StringIO()
    pstats.Stats(prof, stream=buf).sort_stats("cumulative").print_stats(top)
    return buf.getvalue()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario", nargs="?", default="scenarios/quickstart.toml")
    ap.add_argument("--top", type=int, default=25, help="functions listed (default 25)")
    args = ap.parse_args(argv)
    if not Path(args.scenario).is_file():
        print(f"profile_run.py: {args.scenario}: no such scenario file", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        marks = phases(args.scenario, Path(tmp))
        total = sum(s for _, s in marks)
        print(f"phases of one run of {args.scenario} (first run in this process)\n")
        print("| phase | seconds | share |\n|---|---:|---:|")
        for name, s in marks:
            print(f"| {name} | {s:.3f} | {100 * s / total:.0f} % |")
        print(f"| total | {total:.3f} | |\n")
        print("second run under cProfile (warm: kernels already loaded):\n")
        print(profiled(args.scenario, Path(tmp), args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
