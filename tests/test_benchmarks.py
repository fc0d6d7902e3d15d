"""The scripts in ``benchmarks/`` keep running as documented: every gainsim name they
import exists (a renamed or moved function broke ``profile_run.py`` once), and the
profiling script runs end to end on a small scenario."""
import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = sorted((ROOT / "benchmarks").glob("*.py"))


def _gainsim_imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "gainsim":
            yield node.module, [a.name for a in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "gainsim":
                    yield alias.name, []


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_every_gainsim_name_a_benchmark_imports_exists(path):
    for module, names in _gainsim_imports(path):
        mod = importlib.import_module(module)
        for name in names:
            assert hasattr(mod, name) or importlib.util.find_spec(f"{module}.{name}"), \
                f"{path.name}: from {module} import {name}: no such name"


def test_profile_run_prints_its_phases():
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "profile_run.py"),
                           str(ROOT / "scenarios" / "goldilocks.toml"), "--top", "5"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "| aggregation (collect) |" in proc.stdout and "cumulative" in proc.stdout


def test_results_of_some_sections_replace_only_those_rows():
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import bench_user as b
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    old = ("2026-01-01 — gainsim: speed a user feels\n\n- machine: m\n- command: `c`\n\n"
           "| section | case | figure | goal | status | repeats |\n|---|---|---|---|---|---|\n"
           "| 1 import | a | 1× | | | |\n| 4 threads | t | 0.8 | | | |\n"
           "| 5 cold start | c | 9 s | | | |\n| 5 cold start | d | 8 s | | | |\n")
    text = b.merge(old, [b.Row("5 cold start", "c", "7 s")], "bench --only cold", "0.1/0.1/0.1")
    lines = text.splitlines()
    assert lines[:4] == old.splitlines()[:4]              # the header kept
    assert lines[4].startswith("- sections 5 cold start measured again on ")
    rows = [line for line in lines if line.startswith("| ") and "section |" not in line]
    assert rows == ["| 1 import | a | 1× | | | |", "| 4 threads | t | 0.8 | | | |",
                    "| 5 cold start | c | 7 s |  |  |  |"]
    again = b.merge(text, [b.Row("5 cold start", "c", "6 s")], "bench --only cold", "0/0/0")
    assert sum("measured again" in line for line in again.splitlines()) == 1  # the newest
