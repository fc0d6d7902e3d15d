"""Save the outputs of every shipped scenario, or check that they are unchanged, bit for bit.

Renovations must keep the numbers: run ``save`` on the code before a change and
``compare`` after it (same machine, same package versions)::

    python benchmarks/snapshot_outputs.py save snapshots/before
    python benchmarks/snapshot_outputs.py compare snapshots/before

``compare`` runs every ``scenarios/*.toml`` again and checks every field of every
policy in ``summary.json`` (except ``seconds_per_update``, a wall-clock time) with
``==`` and every array of ``traces.npz`` with ``numpy.array_equal`` (NaN equal to NaN).
It prints one line per difference and exits 1 if there is any. Fields and arrays that
only the new outputs have are listed as additions and are not differences.
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
    from gainsim.cli.main import main

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


def _compare_dicts(where: str, old: dict, new: dict, problems: list, added: set) -> None:
    """Record changed or removed keys as problems; keys only in ``new`` are additions."""
    for key in sorted(set(old) | set(new)):
        if key not in new:
            problems.append(f"{where}.{key}: removed")
        elif key not in old:
            added.add(key)
        elif old[key] != new[key]:
            problems.append(f"{where}.{key}: {old[key]!r} -> {new[key]!r}")


def differences(before: Path, after: Path) -> tuple[list[str], set[str]]:
    """Every difference between two snapshot folders (one line each), and the added keys.

    A key or array that exists only in the new outputs is an addition (new fields are
    allowed: the contract is additive); a changed or missing one is a difference.
    """
    problems: list[str] = []
    added: set[str] = set()
    for old_dir in sorted(p for p in before.iterdir() if p.is_dir()):
        name, new_dir = old_dir.name, after / old_dir.name
        if not new_dir.is_dir():
            problems.append(f"{name}: not produced")
            continue
        old = _strip(json.loads((old_dir / "summary.json").read_text()))
        new = _strip(json.loads((new_dir / "summary.json").read_text()))
        old_pol, new_pol = old.pop("policies"), new.pop("policies")
        _compare_dicts(f"{name}: summary", old, new, problems, added)
        if len(old_pol) != len(new_pol):
            problems.append(f"{name}: {len(old_pol)} policies -> {len(new_pol)}")
        for i, (a, b) in enumerate(zip(old_pol, new_pol)):
            _compare_dicts(f"{name}: summary policy[{i}]", a, b, problems, added)
        with np.load(old_dir / "traces.npz") as a, np.load(new_dir / "traces.npz") as b:
            for key in sorted(set(a.files) | set(b.files)):
                if key not in b.files:
                    problems.append(f"{name}: traces {key} removed")
                elif key not in a.files:
                    added.add(f"traces.npz:{key}")
                elif not np.array_equal(a[key], b[key], equal_nan=a[key].dtype.kind == "f"):
                    problems.append(f"{name}: traces {key} differs")
    return problems, added


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
        problems, added = differences(args.folder, Path(tmp))
    for line in problems:
        print(line)
    if added:
        print(f"added (allowed): {', '.join(sorted(added))}")
    print("identical" if not problems else f"{len(problems)} differences")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
