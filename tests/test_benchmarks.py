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
