"""Speed of this checkout against another one (e.g. before a renovation), same machine.

Two versions of gainsim cannot be imported in one process, so this script runs the same
measurements in alternating subprocesses, one per source tree, ``--rounds`` times, and
reports per case the median over rounds of each round's fastest call. The fastest call
of a process is the least noisy estimate of what the code costs when nothing else runs;
the median over processes, because the same code varies by up to ±25 % from one process
to the next (seen on the 64-policy bank: where numpy places the arrays)::

    git worktree add ../gainsim-before <commit>
    python benchmarks/ab_trees.py ../gainsim-before --rounds 4 --out benchmarks/AB.md

Cases: the engine cases of ``bench_engine.py`` (one LMS policy end to end and on replayed
samples, a 64-policy bank end to end and on one thread, the cost of each adaptive law)
and every shipped scenario both trees can load, through ``simulate`` (MRAC included).
``--cold`` adds the first run with an empty numba cache (compile time) of a few
scenarios and of one policy of each gain law of ``COST_CASES``. A tree is driven through
its own ``benchmarks/bench_engine.py``, so the other tree must have one with
``make_scenario``, ``make_data``, ``ReplayPlant``, ``COST_CASES``, ``gain_policies``,
``scenario_text`` and ``simulate``.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
COLD_SCENARIOS = ("quickstart", "mrac_mit", "sutton_idbd")


def load_average() -> str:
    sys.path.insert(0, str(HERE))
    from machine import load_average as la
    return la()


def measure(root: str, scenarios: list[str], repeats: int) -> dict:  # runs in the subprocess
    """Fastest of ``repeats`` timed calls (after one warm-up) of every case, in seconds."""
    import dataclasses
    import time

    sys.path[:0] = [root, os.path.join(root, "benchmarks")]
    import numba
    import numpy as np

    import bench_engine as b
    import gainsim

    def fastest(fn, k=repeats):
        fn()
        best = float("inf")
        for _ in range(k):
            t = time.perf_counter()
            fn()
            best = min(best, time.perf_counter() - t)
        return best

    N = 100_000
    X, d, theta = b.make_data(N)
    out = {}
    one = b.make_scenario(N)
    out["1 LMS policy, end to end"] = fastest(lambda: b.run_engine(one))
    rep = dataclasses.replace(one, plant=b.ReplayPlant(X, d, theta))
    out["1 LMS policy, replayed samples"] = fastest(lambda: b.run_engine(rep))
    for name, gain in b.COST_CASES:
        sc = gainsim.loads(b.scenario_text(N, (), policy_lines=b.gain_policies(gain, 1)))
        out[f"1 policy, {name}"] = fastest(lambda: b.run_engine(sc))
    bank = b.make_scenario(N, np.linspace(0.001, 0.05, 64))
    out["64 LMS policies, end to end"] = fastest(lambda: b.run_engine(bank))
    bank_rep = dataclasses.replace(bank, plant=b.ReplayPlant(X, d, theta))
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    out["64 LMS policies, replayed, one thread"] = fastest(lambda: b.run_engine(bank_rep))
    numba.set_num_threads(threads)
    for path in scenarios:
        try:
            sc = gainsim.load(path)
        except Exception:  # noqa: BLE001 - a scenario the other tree does not know
            continue
        seed = np.random.SeedSequence(0)
        out[f"scenario {Path(path).stem}"] = fastest(lambda: b.simulate(sc, seed), 3)
    return out


def cold(root: str, what: str) -> float | None:  # runs in the subprocess
    """Seconds of the first ``simulate`` (the numba cache is empty) of the scenario file
    ``what``, or of one policy with the gain law of ``COST_CASES`` named ``what``."""
    import time

    sys.path[:0] = [root, os.path.join(root, "benchmarks")]
    import numpy as np

    import bench_engine as b
    import gainsim
    try:
        if what.endswith(".toml"):
            sc = gainsim.load(what)
        else:
            gain = dict(b.COST_CASES)[what]
            sc = gainsim.loads(b.scenario_text(10_000, (), policy_lines=b.gain_policies(gain, 1)))
    except Exception:  # noqa: BLE001
        return None
    t = time.perf_counter()
    b.simulate(sc, np.random.SeedSequence(0))
    return time.perf_counter() - t


def _child(args: list[str], cache: str) -> object:
    env = dict(os.environ, NUMBA_CACHE_DIR=cache)
    env.pop("PYTHONPATH", None)
    code = f"import sys, json; sys.path.insert(0, {str(HERE)!r}); import ab_trees; " \
           f"print(json.dumps(ab_trees.{args[0]}(*json.loads(sys.argv[1]))))"
    res = subprocess.run([sys.executable, "-c", code, json.dumps(args[1:])], env=env,
                         capture_output=True, text=True, check=True)
    return json.loads(res.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("other", help="the other source tree (e.g. a git worktree of an older commit)")
    ap.add_argument("--rounds", type=int, default=4, help="alternating subprocess pairs")
    ap.add_argument("--repeats", type=int, default=7, help="timed calls per case and round")
    ap.add_argument("--cold", action="store_true", help="also the first run, empty numba cache")
    ap.add_argument("--out", help="write the table (markdown) here as well")
    a = ap.parse_args(argv)
    trees = {"other": str(Path(a.other).resolve()), "this": str(ROOT)}
    scenarios = [str(p) for p in sorted((ROOT / "scenarios").glob("*.toml"))
                 if p.stem != "baselines"]  # scipy baselines: Python loops, not the engine
    load_before = load_average()
    tmp = Path(tempfile.mkdtemp(prefix="gainsim-ab-"))
    rounds: dict[str, dict[str, list]] = {"other": {}, "this": {}}
    try:
        for r in range(a.rounds):
            for who, root in trees.items():
                got = _child(["measure", root, scenarios, a.repeats], str(tmp / who))
                for case, sec in got.items():
                    rounds[who].setdefault(case, []).append(sec)
            print(f"round {r + 1}/{a.rounds} done", file=sys.stderr)
        colds: dict[str, dict[str, float | None]] = {"other": {}, "this": {}}
        if a.cold:
            import bench_engine

            cases = [str(ROOT / "scenarios" / f"{stem}.toml") for stem in COLD_SCENARIOS]
            cases += [name for name, _ in bench_engine.COST_CASES]
            for case in cases:
                label = Path(case).stem if case.endswith(".toml") else f"1 policy, {case}"
                for who, root in trees.items():
                    cache = tmp / f"cold-{who}"
                    colds[who][label] = _child(["cold", root, case], str(cache))
                    shutil.rmtree(cache, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    import statistics
    best = {who: {case: statistics.median(v) for case, v in cases.items()}
            for who, cases in rounds.items()}
    sys.path.insert(0, str(HERE))
    from machine import header
    command = (f"python benchmarks/ab_trees.py <other tree> --rounds {a.rounds} "
               f"--repeats {a.repeats}{' --cold' if a.cold else ''}")
    lines = [header(f"{ROOT.name} against {Path(a.other).name} (alternating processes)",
                    command, load_before),
             "| case | other | this | this / other (time) | within 5 % |",
             "|---|---:|---:|---:|---|"]
    for case, t_this in best["this"].items():
        t_other = best["other"].get(case)
        if t_other is None:
            lines.append(f"| {case} | – | {t_this * 1e3:.2f} ms | | new case |")
            continue
        r = t_this / t_other
        lines.append(f"| {case} | {t_other * 1e3:.2f} ms | {t_this * 1e3:.2f} ms | {r:.3f} | "
                     f"{'yes' if r <= 1.05 else '**no**'} |")
    for label, t_this in colds["this"].items():
        t_other = colds["other"].get(label)
        if t_this is None or t_other is None:
            continue
        ok = "yes" if t_this <= 1.05 * t_other else "**no**"
        lines.append(f"| cold first run, {label} (compile) | {t_other:.2f} s | "
                     f"{t_this:.2f} s | {t_this / t_other:.3f} | {ok} |")
    lines += ["", "Per case: the median over rounds (processes) of each round's fastest call; "
              "ratio < 1: this tree is faster."]
    text = "\n".join(lines) + "\n"
    print(text)
    if a.out:
        Path(a.out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
