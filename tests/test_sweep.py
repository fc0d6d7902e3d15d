"""gainsim sweep / tune / --range-test: specs, errors, theory, sweep = run, outputs."""
import json
import math
import textwrap

import numpy as np
import pytest

from conftest import fir_toml

from gainsim.cli.main import main
from gainsim.sweeps.spec import SweepError, parse_over, parse_spec, point_scenarios

# Random-walk FIR with known theory: n = 10, sigma_v = 1, white input (R = I), drift std
# 0.01 per sample (Q = 1e-4 I): eta* = sqrt(tr Q / (sigma_v^2 tr R)) = sqrt(1e-3 / 10) = 0.01.
RANDOM_WALK = """
name = "rw"
[plant]
kind = "fir"
taps = 10
noise_std = 1.0
drift = { kind = "random_walk", std = 0.01 }
[stream]
rate = 1000.0
[run]
samples = 20000
replicas = 4
seed = 5
[metrics]
grid = 40
steady_state_window = 0.5
[[policy]]
name = "lms"
estimator = "lms"
gain = 0.01
"""
ETA_STAR = math.sqrt(10 * 0.01 ** 2 / (1.0 ** 2 * 10 * 1.0))

# two policies on a small random-walk FIR (the conftest template: 500 samples at 100 Hz)
TINY = fir_toml(name="tiny", drift='{ kind = "random_walk", std = 1e-3 }', rate=100.0,
                samples=500, replicas=3, seed=7, grid=50, policies="""
[[policy]]
name = "slow"
estimator = "lms"
gain = 0.01
[[policy]]
name = "adam"
estimator = "lms"
gain = { kind = "adam", eta = 0.01 }
""")


@pytest.fixture
def write(tmp_path):
    def _write(text, name="s.toml"):
        path = tmp_path / name
        path.write_text(textwrap.dedent(text))
        return path
    return _write


def test_specs_give_the_documented_values():
    assert parse_over("policy[0].gain=0.001,0.01, 3").values == (0.001, 0.01, 3)
    np.testing.assert_allclose(parse_spec("k", "logspace:0.001:0.1:3").values,
                               [0.001, 0.01, 0.1], rtol=1e-15)
    assert parse_spec("k", "linspace:0:1:5").values == (0.0, 0.25, 0.5, 0.75, 1.0)
    assert parse_spec("k", "logspace:0.5:0.5:1").values == (0.5,)
    assert parse_spec("k", [1, 2.5]).values == (1, 2.5)


@pytest.mark.parametrize("over, says", [
    ("policy[0].gian=0.1", "policy[0].gian: unknown key (did you mean 'gain'?)"),
    ("plant.drift.sdt=0.1", "plant.drift.sdt: unknown key (did you mean 'std'?)"),
    ("policy[5].gain=0.1", "policy[5]: no such table (the file has 2 [[policy]] tables)"),
    ("policy[0].estimator=0.1", "policy[0].estimator: not a numeric key (holds 'lms')"),
    ("policy[1].gain=0.1", "policy[1].gain: a table (adam), not a number; sweep one of its"),
    ("policy[0].name=1", "policy[0].name: not a numeric key (holds 'slow')"),
    ("policy[0].clock=1", "policy[0].clock: must be a string"),
    ("policy[0].gain=", "empty range"),
    ("policy[0].gain=logspace:0.01:0.1:0", "N must be an integer >= 1"),
    ("policy[0].gain=logspace:0.1:0.01:3", "needs LO < HI"),
    ("policy[0].gain=logspace:0:0.1:3", "logspace needs LO > 0"),
    ("policy[0].gain=linspace:1:0:3", "needs LO < HI"),
    ("policy[0].gain=lin:1:2", "'lin:1:2' is not a number"),
    ("policy[0].gain=0.01,-1", "policy[0].gain: must be > 0 (got -1) (swept value policy[0].gain=-1)"),
    ("run.replicas=0.5", "run.replicas: must be an integer"),
    ("policy[0].gain", "must be KEY=SPEC"),
])
def test_bad_sweeps_are_one_line_exit_2_nothing_written(write, tmp_path, capsys, over, says):
    path = write(TINY)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--over", over, "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert says in err and "\n" not in err and "Traceback" not in err
    assert err.startswith("s.toml: ") or err.startswith("gainsim: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"]  # nothing written


def test_every_grid_point_is_validated_before_anything_runs(write):
    data_path = write(TINY)
    from gainsim.sweeps.spec import read_toml

    data, source = read_toml(data_path)
    axes = [parse_over("policy[1].gain.eta=0.01,0.1"), parse_over("plant.noise_std=0.1,-1")]
    with pytest.raises(SweepError, match=r"s.toml: plant.noise_std: .*\(swept value "
                                         r"policy\[1\].gain.eta=0.01, plant.noise_std=-1\)"):
        point_scenarios(data, source, axes)


def test_sweep_over_one_value_equals_run_bit_for_bit(write, tmp_path):
    path = write(TINY)
    assert main(["run", str(path), "-o", str(tmp_path / "run"), "--quiet"]) == 0
    assert main(["sweep", str(path), "--over", "policy[0].gain=0.01",
                 "-o", str(tmp_path / "sweep"), "--quiet"]) == 0
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    sweep = json.loads((tmp_path / "sweep" / "sweep.json").read_text())
    assert sweep["over"] == {"policy[0].gain": [0.01]}
    (point,) = sweep["points"]
    assert point["values"] == {"policy[0].gain": 0.01}
    assert point["policies"] == summary["policies"]  # every field, exactly
    assert point["best_policy"] == summary["best_policy"]


def test_lms_u_curve_minimum_and_tune_land_on_theory(write, tmp_path, capsys):
    assert ETA_STAR == pytest.approx(0.01)
    path = write(RANDOM_WALK)
    out = tmp_path / "sweep"
    assert main(["sweep", str(path), "--over", "policy[0].gain=logspace:0.002:0.05:11",
                 "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "best at policy[0].gain = 0.01" in printed and "theory η* = 0.01" in printed
    data = json.loads((out / "sweep.json").read_text())
    errors = [p["policies"][0]["steady_state_tracking_error"] for p in data["points"]]
    best = data["over"]["policy[0].gain"][int(np.argmin(errors))]
    assert ETA_STAR / 1.5 <= best <= ETA_STAR * 1.5
    assert data["best"][0]["values"] == {"policy[0].gain": best}
    assert data["points"][0]["policies"][0]["optimal_fixed_gain"] == pytest.approx(ETA_STAR)
    assert (out / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = (out / "sweep.csv").read_text().splitlines()
    assert rows[0].startswith("policy[0].gain,name,") and len(rows) == 1 + 11

    assert main(["tune", str(path), "--policy", "lms", "-o", str(tmp_path / "tune")]) == 0
    tuned = json.loads((tmp_path / "tune" / "tune.json").read_text())
    assert tuned["key"] == "policy[0].gain"
    assert abs(tuned["best_value"] / ETA_STAR - 1) <= 0.2
    assert tuned["optimal_fixed_gain"] == pytest.approx(ETA_STAR)
    values = [e["value"] for e in tuned["evaluations"]]
    assert values == sorted(values) and len(values) >= 5


def test_sweep_table_in_the_file(write, tmp_path, capsys):
    path = write(TINY + '\n[sweep]\nover = { "policy[0].gain" = "0.005,0.02" }\n')
    assert main(["validate", str(path)]) == 0
    assert main(["run", str(path), "-o", str(tmp_path / "run"), "--quiet"]) == 0
    assert main(["sweep", str(path), "-o", str(tmp_path / "sw"), "--quiet"]) == 0
    sweep = json.loads((tmp_path / "sw" / "sweep.json").read_text())
    assert sweep["over"] == {"policy[0].gain": [0.005, 0.02]}
    capsys.readouterr()
    bad = write(TINY + '\n[sweep]\nover = { "policy[0].gain" = "logspace:0:1:3" }\n', "b.toml")
    assert main(["validate", str(bad)]) == 2
    assert 'b.toml: sweep.over."policy[0].gain": logspace needs LO > 0' in capsys.readouterr().err


def test_interrupted_sweep_leaves_no_directory(write, tmp_path, monkeypatch):
    import gainsim.sweeps.sweep

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(gainsim.sweeps.sweep, "run_sweep", interrupted)
    path = write(TINY)
    assert main(["sweep", str(path), "--over", "policy[0].gain=0.01,0.02",
                 "-o", str(tmp_path / "out")]) == 130
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"]


def test_range_test_figure_and_suggestion(write, tmp_path, capsys):
    path = write(RANDOM_WALK)
    out = tmp_path / "rt"
    assert main(["sweep", str(path), "--range-test", "lms", "--bounds", "1e-4", "0.5",
                 "-o", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "suggested gain" in printed and "theory: η* = 0.01" in printed
    result = json.loads((out / "range_test.json").read_text())
    assert (out / "range_test.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert result["eta_min"] == 1e-4 and result["eta_max"] == 0.5
    eta = np.array(result["eta"])
    ratios = eta[1:] / eta[:-1]
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-9)  # geometric on the grid too
    # the run diverges near the mean-square bound 2/((n+2) sigma^2) = 1/6
    assert result["diverged_at_gain"] == pytest.approx(1 / 6, rel=0.5)
    assert ETA_STAR / 2 <= result["suggested_gain"] <= ETA_STAR * 2


def test_range_test_errors(write, tmp_path, capsys):
    path = write(TINY)
    assert main(["sweep", str(path), "--range-test", "nobody", "-o", str(tmp_path / "o")]) == 2
    assert "no policy named 'nobody'" in capsys.readouterr().err
    assert main(["sweep", str(path), "--range-test", "slow", "--bounds", "0.1", "0.01",
                 "-o", str(tmp_path / "o")]) == 2
    assert "needs 0 < LO < HI" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_grid_of_two_keys(write, tmp_path, capsys):
    path = write(TINY)
    out = tmp_path / "grid"
    assert main(["sweep", str(path), "--over", "policy[0].gain=0.01,0.05",
                 "--over", "plant.noise_std=0.1,0.2", "-o", str(out), "--replicas", "2"]) == 0
    assert "4 points over policy[0].gain × plant.noise_std, 2 replicas" in capsys.readouterr().out
    data = json.loads((out / "sweep.json").read_text())
    assert [p["values"] for p in data["points"]] == [  # first key slowest
        {"policy[0].gain": g, "plant.noise_std": s} for g in (0.01, 0.05) for s in (0.1, 0.2)]
    assert [p["noise_floor"] for p in data["points"]] == pytest.approx([0.01, 0.04] * 2)
    rows = (out / "sweep.csv").read_text().splitlines()
    assert rows[0].startswith("policy[0].gain,plant.noise_std,name,") and len(rows) == 1 + 4 * 2
    assert (out / "sweep.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["replicas"] == 2 and manifest["executor"] == "process"


def test_existing_output_is_refused_before_running(write, tmp_path, capsys):
    path = write(TINY)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("keep me")
    assert main(["sweep", str(path), "--over", "policy[0].gain=0.01", "-o",
                 str(tmp_path / "mine")]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["sweep", str(path), "--over", "policy[0].gain=0.01", "-o",
                 str(tmp_path / "mine"), "--force"]) == 2
    assert "not a run directory" in capsys.readouterr().err
    assert (tmp_path / "mine" / "notes.txt").read_text() == "keep me"


def test_a_sweep_that_loses_the_output_to_another_says_so(write, tmp_path, monkeypatch, capsys):
    # Another sweep commits the same -o while this one runs: this one must not touch it.
    import gainsim.sweeps.sweep

    out = tmp_path / "out"
    real = gainsim.sweeps.sweep.run_sweep

    def meanwhile(*args, **kwargs):
        result = real(*args, **kwargs)
        out.mkdir()
        (out / "sweep.json").write_text('{"theirs": true}')
        return result

    monkeypatch.setattr(gainsim.sweeps.sweep, "run_sweep", meanwhile)
    path = write(TINY)
    assert main(["sweep", str(path), "--over", "policy[0].gain=0.01,0.02", "-o", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "another gainsim command wrote it" in err[0] and "out-2" in err[0], err
    assert sorted(p.name for p in out.iterdir()) == ["sweep.json"]  # theirs, untouched
    assert json.loads((out / "sweep.json").read_text()) == {"theirs": True}
    mine = json.loads((tmp_path / "out-2" / "sweep.json").read_text())
    assert mine["over"] == {"policy[0].gain": [0.01, 0.02]}
    assert not [p for p in tmp_path.iterdir() if ".partial" in p.name]


def test_two_concurrent_sweeps_into_one_directory(write, tmp_path):
    import subprocess
    import sys

    path = write(TINY.replace("samples = 500", "samples = 20000"))
    out = tmp_path / "out"
    procs = [subprocess.Popen([sys.executable, "-m", "gainsim", "sweep", str(path), "--over",
                               "policy[0].gain=logspace:0.001:0.1:6", "--seed", str(seed),
                               "-o", str(out), "--quiet"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for seed in (1, 2)]
    results = [(p.wait(timeout=600), *p.communicate()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    assert codes[0] == 0 and codes[1] != 0, results
    loser = next(err for code, _, err in results if code != 0)
    assert len(loser.strip().splitlines()) == 1 and "Traceback" not in loser, loser
    assert "already exists" in loser or "another gainsim command wrote it" in loser, loser
    # out holds one sweep, whole: its files agree on the seed
    seed = json.loads((out / "sweep.json").read_text())["seed"]
    assert json.loads((out / "manifest.json").read_text())["seed"] == seed
    assert f"seed = {seed}" in (out / "scenario.toml").read_text()
    assert not [p for p in tmp_path.iterdir() if ".partial" in p.name]


def test_warnings_during_a_sweep_are_notes(write, tmp_path, capsys, monkeypatch):
    import warnings

    import gainsim.sweeps.sweep

    real = gainsim.sweeps.sweep.run_sweep

    def warns(*args, **kwargs):
        warnings.warn("overflow encountered in multiply", RuntimeWarning)
        return real(*args, **kwargs)

    monkeypatch.setattr(gainsim.sweeps.sweep, "run_sweep", warns)
    path = write(TINY)
    assert main(["sweep", str(path), "--over", "policy[0].gain=0.01", "-o",
                 str(tmp_path / "o"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "RuntimeWarning" not in err and "warnings.warn" not in err, err
    assert "gainsim: note: numpy/scipy met overflowing" in err


def test_curves_of_chosen_points_equal_run_bit_for_bit(write, tmp_path, capsys):
    path = write(TINY)
    out = tmp_path / "sweep"
    assert main(["sweep", str(path), "--over", "policy[0].gain=0.01,0.03,0.05", "--curves",
                 "2,0", "-o", str(out), "--quiet"]) == 0
    data = json.loads((out / "sweep.json").read_text())
    assert [p.get("curves") for p in data["points"]] == [
        "curves/point-0.npz", None, "curves/point-2.npz"]
    assert sorted(p.name for p in (out / "curves").iterdir()) == ["point-0.npz", "point-2.npz"]
    # point 2 is the file with policy[0].gain = 0.05: its curves are that run's traces.npz
    single = write(TINY.replace("gain = 0.01", "gain = 0.05", 1), "p2.toml")
    assert main(["run", str(single), "-o", str(tmp_path / "run"), "--quiet"]) == 0
    with np.load(out / "curves" / "point-2.npz") as got, \
            np.load(tmp_path / "run" / "traces.npz") as want:
        assert sorted(got.files) == sorted(want.files)
        for name in want.files:
            np.testing.assert_array_equal(got[name], want[name], err_msg=name)
    capsys.readouterr()


@pytest.mark.parametrize("curves, says", [
    ("3", "--curves: point 3 does not exist (the sweep has 2 points: 0 .. 1)"),
    ("a", "--curves: point numbers separated by commas"),
    (",".join(map(str, range(17))), "--curves: at most 16 points (got 17)")])
def test_bad_curves_are_one_line_exit_2_nothing_written(write, tmp_path, capsys, curves, says):
    path = write(TINY)
    over = "policy[0].gain=logspace:0.001:0.1:20" if "17" in says else "policy[0].gain=0.01,0.02"
    assert main(["sweep", str(path), "--over", over, "--curves", curves,
                 "-o", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and says in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"]


def test_tune_with_an_unknown_policy_leaves_no_folder(write, tmp_path, capsys):
    # the output's parents are made before the policy is checked (inside tune): a
    # failing command removes the ones it made, and keeps one that was there
    path = write(TINY)
    (tmp_path / "kept").mkdir()
    for out in (tmp_path / "new" / "deeper" / "t", tmp_path / "kept" / "t"):
        assert main(["tune", str(path), "--policy", "nosuch", "-o", str(out)]) == 2
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "--policy: no policy named 'nosuch'" in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept", "s.toml"]
    assert list((tmp_path / "kept").iterdir()) == []
