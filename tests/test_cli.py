"""The command line end to end: files written, exit codes, error lines."""
import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from conftest import fir_toml

from gainsim.cli.main import main

# three policies on a small random-walk FIR (500 samples at 100 Hz); "boom" diverges
TINY = fir_toml(name="tiny", drift='{ kind = "random_walk", std = 1e-3 }', rate=100.0,
                samples=500, replicas=3, seed=7, grid=50, policies="""
[[policy]]
name = "slow"
estimator = "lms"
gain = 0.01
[[policy]]
name = "fast"
estimator = "lms"
gain = 0.1
[[policy]]
name = "boom"
estimator = "lms"
gain = 5.0
""")

KEYS = {"name", "steady_state_tracking_error", "steady_state_tracking_error_ci95",
        "final_misalignment", "steady_state_misalignment", "excess_mse", "convergence_time",
        "diverged", "diverged_at", "updates", "eta_final"}


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(textwrap.dedent(TINY))
    return path


def test_run_writes_the_run_directory(tiny, tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(tiny), "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "DIVERGED" in printed and str(out) in printed
    files = {p.name for p in out.iterdir()}
    assert files == {"summary.json", "summary.csv", "traces.npz", "replicas.npz",
                     "manifest.json", "scenario.resolved.toml", "report.html",
                     "tracking_error.png", "eta.png", "steady_state.png", "replicas.png",
                     "theta.png", "root_locus.png"}
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scenario"] == "tiny" and summary["seed"] == 7 and summary["replicas"] == 3
    by_name = {p["name"]: p for p in summary["policies"]}
    assert all(KEYS <= set(p) for p in by_name.values())
    assert by_name["boom"]["diverged"] and by_name["boom"]["diverged_at"] > 0
    assert not by_name["fast"]["diverged"] and by_name["fast"]["diverged_at"] is None
    assert by_name["fast"]["eta_final"] == 0.1 and by_name["fast"]["updates"] == 500
    ranked = sorted(["fast", "slow"], key=lambda n: by_name[n]["steady_state_tracking_error"])
    assert printed.index(ranked[0]) < printed.index(ranked[1]) < printed.index("boom")
    lo, hi = by_name["fast"]["steady_state_tracking_error_ci95"]
    assert lo < by_name["fast"]["steady_state_tracking_error"] < hi
    traces = np.load(out / "traces.npz")
    assert traces["tracking_error_mean"].shape == (3, 51) and traces["t"][-1] == 5.0
    manifest = json.loads((out / "manifest.json").read_text())
    assert {"numpy", "scipy", "simpy", "gainsim"} <= set(manifest["versions"])


def test_same_seed_gives_identical_files_for_any_worker_count(tiny, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    assert main(["run", str(tiny), "-o", str(a), "--quiet"]) == 0
    assert main(["run", str(tiny), "-o", str(b), "--quiet", "--workers", "2"]) == 0
    assert (a / "summary.json").read_bytes() == (b / "summary.json").read_bytes()
    ta, tb = np.load(a / "traces.npz"), np.load(b / "traces.npz")
    for key in ta.files:
        np.testing.assert_array_equal(ta[key], tb[key])


def test_seed_and_replicas_override_the_file(tiny, tmp_path):
    out = tmp_path / "o"
    assert main(["run", str(tiny), "-o", str(out), "--seed", "3", "--replicas", "2", "--quiet"]) == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["seed"] == 3 and summary["replicas"] == 2
    assert "seed = 3" in (out / "scenario.resolved.toml").read_text()


def test_bad_scenario_exits_2_with_one_line_and_no_run_dir(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text(textwrap.dedent(TINY).replace("gain = 0.1", "gain = -0.1"))
    out = tmp_path / "never"
    proc = subprocess.run([sys.executable, "-m", "gainsim", "run", str(bad), "-o", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"{bad}: policy[1].gain: must be > 0 (got -0.1)"
    assert "Traceback" not in proc.stderr and not out.exists()
    assert list(tmp_path.iterdir()) == [bad]


def test_validate_reports_every_file(tiny, tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[plant\n")
    assert main(["validate", str(tiny), str(bad), str(tmp_path / "missing.toml")]) == 2
    captured = capsys.readouterr()
    assert "tiny.toml: ok" in captured.out
    assert "bad.toml: TOML syntax error" in captured.err
    assert "missing.toml: file not found" in captured.err


def test_existing_output_needs_force(tiny, tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["run", str(tiny), "-o", str(out), "--quiet", "--seed", "1"]) == 0
    assert main(["run", str(tiny), "-o", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["run", str(tiny), "-o", str(out), "--force", "--quiet"]) == 0
    assert json.loads((out / "summary.json").read_text())["seed"] == 7
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o", "tiny.toml"]


def test_bad_override_is_a_usage_error(tiny, capsys):
    assert main(["run", str(tiny), "--replicas", "0"]) == 2
    assert "--replicas: must be >= 1 (got 0)" in capsys.readouterr().err


def test_list_shows_every_kind(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for kind in ("fir", "quadratic", "random_walk", "lms", "nlms", "gd", "constant", "poisson"):
        assert f"  {kind} " in out


def test_progress_bar_explains_a_long_wait_before_the_first_replica(capsys, monkeypatch):
    import time

    from gainsim.cli import main as cli

    monkeypatch.setattr(cli._Progress, "DELAY", 0.05)
    bar = cli._Progress(enabled=True)
    bar(0, 4)
    time.sleep(0.3)  # the timer fires while no replica is done
    first = capsys.readouterr().err
    assert "replicas 0/4" in first and "compile" in first
    bar(4, 4)
    bar.close()
    last = capsys.readouterr().err
    assert "replicas 4/4 [" + "#" * 30 + "]" in last and "compile" not in last
    quiet = cli._Progress(enabled=False)
    quiet(0, 4)
    quiet.close()
    assert capsys.readouterr().err == ""


def test_the_command_flushes_its_output_and_keeps_its_exit_code(tmp_path):
    # gainsim.cli.main.entry ends the process with os._exit after the command
    import contextlib
    import io

    listed = subprocess.run([sys.executable, "-m", "gainsim", "list"], capture_output=True,
                            text=True)
    assert listed.returncode == 0
    here = io.StringIO()
    with contextlib.redirect_stdout(here):
        assert main(["list"]) == 0
    assert listed.stdout == here.getvalue()           # every line reached the pipe
    missing = subprocess.run([sys.executable, "-m", "gainsim", "validate",
                              str(tmp_path / "nope.toml")], capture_output=True, text=True)
    assert missing.returncode == 2 and len(missing.stderr.strip().splitlines()) == 1
