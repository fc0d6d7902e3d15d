"""Save the outputs of every shipped scenario, or check that they are unchanged, bit for bit.

Renovations must keep the numbers: run ``save`` on the code before a change and
``compare`` after it (same machine, same package versions)::

    python benchmarks/snapshot_outputs.py save snapshots/before
    python benchmarks/snapshot_outputs.py compare snapshots/before

``compare`` runs every ``scenarios/*.toml`` again and checks every field of every
policy in ``summary.json`` (except ``seconds_per_update``, a wall-clock time) with
``==`` and every array of ``traces.npz`` with ``numpy.array_equal`` (NaN equal to NaN).
It prints one line per difference and exits 1 if there is any.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
NOT_REPRODUCIBLE = {"seconds_per_update"}


def run_all(out: Path) -> list[str]:
    """Run every shipped scenario into ``out/<stem>``; return the stems."""
    from gainsim.cli import main

    stems = []
    for path in sorted((ROOT / "scenarios").glob("*.toml")):
        status = main(["run", str(path), "-o", str(out / path.stem), "--quiet", "--force"])
        if status != 0:
            raise SystemExit(f"{path.name}: gainsim run exited {status}")
        stems.append(path.stem)
    return stems


def _strip(summary: dict) -> dict:
    for policy in summary.get("policies", []):
        for key in NOT_REPRODUCIBLE:
            policy.pop(key, None)
    return summary


def differences(before: Path, after: Path) -> list[str]:
    """Every difference between two snapshot folders, one line each."""
    problems = []
    for old_dir in sorted(p for p in before.iterdir() if p.is_dir()):
        new_dir = after / old_dir.name
        if not new_dir.is_dir():
            problems.append(f"{old_dir.name}: not produced")
            continue
        old = _strip(json.loads((old_dir / "summary.json").read_text()))
        new = _strip(json.loads((new_dir / "summary.json").read_text()))
        if old != new:
            for i, (a, b) in enumerate(zip(old["policies"], new["policies"])):
                for key in sorted(set(a) | set(b)):
                    if a.get(key) != b.get(key):
                        problems.append(f"{old_dir.name}: summary policy[{i}].{key}: "
                                        f"{a.get(key)!r} -> {b.get(key)!r}")
            rest_old = {k: v for k, v in old.items() if k != "policies"}
            rest_new = {k: v for k, v in new.items() if k != "policies"}
            if rest_old != rest_new or len(old["policies"]) != len(new["policies"]):
                problems.append(f"{old_dir.name}: summary header or policy count differs")
        with np.load(old_dir / "traces.npz") as a, np.load(new_dir / "traces.npz") as b:
            for key in sorted(set(a.files) | set(b.files)):
                if key not in a.files or key not in b.files:
                    problems.append(f"{old_dir.name}: traces {key} only on one side")
                elif not np.array_equal(a[key], b[key], equal_nan=a[key].dtype.kind == "f"):
                    problems.append(f"{old_dir.name}: traces {key} differs")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("save", "compare"))
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    if args.action == "save":
        stems = run_all(args.folder)
        print(f"saved {len(stems)} scenarios in {args.folder}: {', '.join(stems)}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        run_all(Path(tmp))
        problems = differences(args.folder, Path(tmp))
    for line in problems:
        print(line)
    print("identical" if not problems else f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
