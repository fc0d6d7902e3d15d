"""The ``data`` plant: recorded samples, checked against recursions and closed forms by hand.

* the regressor rows (inputs, lags, bias) of a tiny table, written out by hand;
* LMS on the local-level model (no inputs, ``bias = true``) is exponential smoothing:
  the prediction errors and the final level equal the recursion
  ``level += eta (d - level)`` computed here in plain Python;
* the Kalman tracker's gain on it settles at the closed form
  ``K = P/(P + r)``, ``P = (q + sqrt(q² + 4qr))/2`` (Harvey 1989, §4.1);
* packets of any size, and every policy, see the same rows; bad data is one line, exit 2,
  nothing written (``gainsim validate`` finds it too).
"""
from __future__ import annotations

import math
import sys

import numpy as np
import pytest

import gainsim
import gainsim.catalog  # noqa: F401  (registers every kind in the catalogue's order first)
from gainsim.cli.main import main
from gainsim.fields import FieldError
from gainsim.report.text import summary_dict
from gainsim.scenario import ScenarioError, dumps, load, loads
from gainsim.signals.data import Data

SCENARIO = """
name = "log"
[plant]
kind = "data"
path = "log.csv"
target = "d"
bias = true
[[policy]]
name = "LMS"
estimator = "lms"
gain = 0.3
"""


def write(tmp_path, csv_text: str, scenario: str = SCENARIO):
    (tmp_path / "log.csv").write_text(csv_text)
    path = tmp_path / "log.toml"
    path.write_text(scenario)
    return path


def only_problem(path) -> str:
    with pytest.raises(ScenarioError) as err:
        load(path)
    assert len(err.value.problems) == 1, err.value.problems
    return str(err.value)


def level_tables(d, eta: float, **plant) -> dict:
    return {"name": "level", "plant": {"kind": "data", "target": "d", "bias": True, **plant},
            "metrics": {"grid": len(d), "steady_state_window": 0.5},
            "policy": [{"name": "LMS", "estimator": "lms", "gain": eta}]}


def test_regressor_rows_by_hand():
    # u = 10..50, d = 1..5, lags = 2, bias: row k is (u_k, d_{k-1}, d_{k-2}, 1) from k = 3
    plant = Data.from_arrays({"u": [10.0, 20, 30, 40, 50], "d": [1.0, 2, 3, 4, 5]},
                             target="d", inputs=("u",), lags=2, bias=True)
    np.testing.assert_array_equal(plant.samples.x, [[30, 2, 1, 1], [40, 3, 2, 1], [50, 4, 3, 1]])
    np.testing.assert_array_equal(plant.samples.d, [3, 4, 5])
    assert plant.samples.names == ("u", "d[k-1]", "d[k-2]", "1") and plant.rows == 3


def test_lms_on_the_local_level_model_is_exponential_smoothing():
    d = [5.0, 7.0, 6.0, 9.0, 8.0, 4.0, 6.5, 7.25]
    eta = 0.3
    res = gainsim.run(level_tables(d, eta), data={"d": np.array(d)})
    level, errors = 0.0, []  # by hand: predict with the level, then smooth it
    for value in d:
        errors.append((value - level) ** 2)
        level = (1 - eta) * level + eta * value
    te = res.curves["tracking_error_mean"][0, 1:]  # one sample per monitor interval
    np.testing.assert_allclose(te, errors, rtol=1e-13)
    assert res.summary["policies"][0]["theta_final"] == [pytest.approx(level, rel=1e-13)]
    assert res.summary["policies"][0]["steady_state_tracking_error"] == \
        pytest.approx(np.mean(errors[4:]), rel=1e-13)


def test_kalman_gain_on_the_local_level_model_settles_at_the_closed_form():
    rng = np.random.default_rng(3)
    q, r = 0.5, 2.0
    d = np.cumsum(rng.normal(0, math.sqrt(q), 400)) + rng.normal(0, math.sqrt(r), 400)
    tables = level_tables(d, 0.1)
    tables["policy"] = [{"name": "Kalman", "estimator": "lms",
                         "gain": {"kind": "kalman", "q": q, "r": r}}]
    res = gainsim.run(tables, data={"d": d})
    P = (q + math.sqrt(q * q + 4 * q * r)) / 2  # 1.280776... : P = q + P r / (P + r)
    assert res.summary["policies"][0]["eta_final"] == pytest.approx(P / (P + r), rel=1e-12)
    assert P / (P + r) == pytest.approx(0.390388, rel=1e-6)  # sqrt(4.25) = 2.0616, by hand


def test_packets_of_any_size_and_every_policy_see_the_same_rows():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 2))
    d = x @ [1.0, -0.5] + 0.1 * rng.normal(size=300)
    tables = {"name": "p", "plant": {"kind": "data", "target": "d", "inputs": ["x"], "lags": 1},
              "stream": {"dropout": 0.2, "latency": {"kind": "uniform", "low": 0.0, "high": 3.0}},
              "run": {"replicas": 2, "samples": 299},
              "policy": [{"name": "a", "estimator": "lms", "gain": 0.05},
                         {"name": "b", "estimator": "lms", "gain": 0.2}]}
    runs = []
    for packet in (1, 7, 16384):
        tables["stream"]["packet"] = packet
        runs.append(gainsim.run(tables, data={"x": x, "d": d}))
    for other in runs[1:]:
        for key, value in runs[0].curves.items():
            np.testing.assert_array_equal(value, other.curves[key], err_msg=key)
    summary = runs[0].summary
    assert summary["policies"][0]["updates"] == summary["policies"][1]["updates"] < 299
    assert "same 299 recorded rows" in summary["replica_note"]
    assert "same 299 recorded rows" in gainsim.report.text.headline(summary)


def test_no_truth_gives_null_misalignment_and_figures_cope(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    d = [1.0, 2.0, 1.5, 3.0, 2.5, 2.0]
    res = gainsim.run(level_tables(d, 0.5), data={"d": d})
    entry = res.summary["policies"][0]
    assert entry["final_misalignment"] is None and entry["steady_state_misalignment"] is None
    assert entry["convergence_time"] is None and res.summary["noise_floor"] is None
    assert entry["excess_mse"] is None and entry["steady_state_tracking_error"] > 0
    from gainsim.figures import KINDS

    for kind in KINDS:
        if kind != "path":
            ax = res.plot(kind)
            assert all(np.isfinite(line.get_ydata()).any() for line in ax.get_lines()
                       if len(line.get_ydata())), kind
            plt.close(ax.figure)
    res.save(tmp_path / "run")
    assert "nan" not in (tmp_path / "run" / "summary.json").read_text().lower()
    assert (tmp_path / "run" / "report.html").exists()
    reopened = gainsim.open_run(tmp_path / "run")  # the arrays were saved beside it
    np.testing.assert_array_equal(reopened.scenario.plant.samples.d, d)
    assert main(["report", str(tmp_path / "run")]) == 0


def test_a_shipped_file_path_is_relative_to_the_scenario_and_round_trips(tmp_path, monkeypatch):
    path = write(tmp_path, "d,x\n1,0.5\n2,0.25\n3,1\n")
    monkeypatch.chdir("/")  # not the scenario's folder
    scenario = load(path)
    assert scenario.plant.rows == 3 and scenario.run.samples == 3  # every row by default
    assert loads(dumps(scenario)) == scenario


def test_npz_with_a_matrix_of_inputs(tmp_path):
    X = np.arange(12.0).reshape(6, 2)
    np.savez(tmp_path / "log.npz", X=X, y=X.sum(axis=1))
    path = tmp_path / "log.toml"
    path.write_text(SCENARIO.replace("log.csv", "log.npz").replace('target = "d"\nbias = true',
                                                                   'target = "y"\ninputs = ["X"]'))
    plant = load(path).plant
    np.testing.assert_array_equal(plant.samples.x, X)
    assert plant.samples.names == ("X[0]", "X[1]")


def test_parquet_reads_with_pyarrow(tmp_path):
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"d": [1.0, 2.0, 4.0]}), tmp_path / "log.parquet")
    path = tmp_path / "log.toml"
    path.write_text(SCENARIO.replace("log.csv", "log.parquet"))
    np.testing.assert_array_equal(load(path).plant.samples.d, [1.0, 2.0, 4.0])


def test_parquet_without_pyarrow_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pyarrow", None)  # import pyarrow raises ImportError
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    (tmp_path / "log.parquet").write_bytes(b"PAR1")
    path = tmp_path / "log.toml"
    path.write_text(SCENARIO.replace("log.csv", "log.parquet"))
    assert "log.toml: plant.path: log.parquet: reading Parquet needs pyarrow" in only_problem(path)


@pytest.mark.parametrize("csv_text, expected", [
    ("d,x\n1,2\n", "plant.path: log.csv has 1 rows; lags = 0 needs at least 2"),
    ("d,x\n1,2\n2,oops\n3,4\n", None),  # x is not used: no problem
    ("d,x\n1,2\nzz,3\n3,4\n", "plant.target: log.csv row 2 (line 3), column 'd': not a number ('zz')"),
    ("d,x\n1,2\nnan,3\n3,4\n", "plant.target: log.csv row 2 (line 3), column 'd': not finite (nan)"),
    ("d,x\n1,2\n\n-inf,3\n3,4\n", "plant.target: log.csv row 2 (line 4), column 'd': not finite (-inf)"),
    ("d,x\n1,2\n2\n3,4\n", "plant.path: log.csv line 3: 1 cells, the header has 2"),
    ("dd,x\n1,2\n2,3\n", "plant.target: log.csv has no column 'd' (did you mean 'dd'?"),
])
def test_bad_data_is_one_line(tmp_path, csv_text, expected):
    path = write(tmp_path, csv_text)
    if expected is None:
        assert load(path).plant.rows == 3
    else:
        assert expected in only_problem(path)


@pytest.mark.parametrize("old, new, expected", [
    ('path = "log.csv"', 'path = "missing.csv"', "plant.path: missing.csv: file not found"),
    ('path = "log.csv"', 'path = "."', "plant.path: .: must end in .csv, .npz or .parquet"),
    ('path = "log.csv"', 'path = "sub.csv"', "plant.path: sub.csv: not a regular file (a directory)"),
    ('bias = true', 'bias = true\ninputs = ["x1"]', "plant.inputs[0]: log.csv has no column 'x1' "
                                                    "(did you mean 'x'?"),
    ('bias = true', 'bias = false', "plant.inputs: no regressor"),
    ('gain = 0.3', 'gain = { kind = "kalman", q = 0.1 }',
     "policy[0].gain.r: missing: a data plant has no true value to default to"),
    ('gain = 0.3', 'gain = "polyak"', "policy[0].gain.f_star: missing"),
    ('estimator = "lms"', 'estimator = { kind = "least_squares", mode = "wiener" }',
     "policy[0].estimator: 'least_squares' as configured needs the true theta_star"),
    ('name = "log"', 'name = "log"\n[run]\nreplicas = 3',
     "run.replicas: must be 1 for a data plant unless the stream adds randomness"),
    ('name = "log"', 'name = "log"\n[run]\nsamples = 4', "run.samples: asks for 4 samples; log.csv has 3"),
    ('name = "log"', 'name = "log"\n[stream]\narrivals = "poisson"', "stream.arrivals: must be 'periodic'"),
])
def test_bad_plant_keys_are_one_line(tmp_path, old, new, expected):
    (tmp_path / "sub.csv").mkdir()
    path = write(tmp_path, "d,x\n1,2\n2,3\n3,4\n", SCENARIO.replace(old, new))
    assert expected in only_problem(path)


def test_cli_validate_and_run_refuse_bad_data_with_exit_2_and_write_nothing(tmp_path, capsys):
    path = write(tmp_path, "d\n1\n2\nbad\n")
    out = tmp_path / "out"
    assert main(["validate", str(path)]) == 2
    assert main(["run", str(path), "-o", str(out)]) == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert lines == [f"{path}: plant.target: log.csv row 3 (line 4), column 'd': "
                     "not a number ('bad')"] * 2
    assert not out.exists()
    good = write(tmp_path, "d\n1\n2\n3\n")
    assert main(["run", str(good), "-o", str(out), "--replicas", "2"]) == 2
    assert "--replicas: must be 1 for a data plant" in capsys.readouterr().err
    assert not out.exists()


def test_python_arrays_are_checked_like_a_file():
    with pytest.raises(FieldError, match=r"inputs\[0\]: data= row 2, column 'x'\[:, 1\]: not finite"):
        Data.from_arrays({"x": [[1.0, 2.0], [3.0, np.inf], [5, 6]], "d": [1.0, 2, 3]},
                         target="d", inputs=("x",))
    with pytest.raises(ScenarioError, match="replicas: must be 1"):
        gainsim.run(level_tables([1.0, 2.0, 3.0], 0.1), data={"d": [1.0, 2.0, 3.0]}, replicas=2)


def test_a_regular_time_column_gives_the_periodic_run_and_irregular_times_are_kept():
    rng = np.random.default_rng(5)
    d = np.cumsum(rng.normal(size=40))
    base = level_tables(d, 0.2)
    base["metrics"]["grid"] = 8
    base["stream"] = {"rate": 0.5}  # rows 2 s apart
    periodic = gainsim.run(base, data={"d": d})
    timed = dict(base, plant={**base["plant"], "time": "year"})
    years = 1900.0 + 2.0 * np.arange(40)  # the same 2 s gaps: the first sample at t = 2
    dated = gainsim.run(timed, data={"d": d, "year": years})
    for key, value in periodic.curves.items():
        np.testing.assert_array_equal(value, dated.curves[key], err_msg=key)
    assert dated.scenario.duration == 80.0
    # irregular: years 0, 1, 3, 7, 15, 31 are samples at t = 1, 2, 4, 8, 16, 32 (shifted by
    # the first gap, 1); grid 4 over 32 s puts 4, 1, 0 and 1 samples in the intervals
    # (0, 8], (8, 16], (16, 24], (24, 32] (a sample at a grid time belongs to the interval
    # it closes)
    irregular = {**timed, "metrics": {"grid": 4}}
    res = gainsim.run(irregular, data={"d": np.arange(6.0), "year": [0.0, 1, 3, 7, 15, 31]})
    assert res.scenario.duration == 32.0
    assert res.summary["policies"][0]["updates"] == 6
    te = res.curves["tracking_error_mean"][0, 1:]
    # level 0, then level += 0.2 (d - level): errors d - level at each sample, by hand
    level, errs = 0.0, []
    for value in range(6):
        errs.append((value - level) ** 2)
        level += 0.2 * (value - level)
    np.testing.assert_allclose(te, [np.mean(errs[:4]), errs[4], np.nan, errs[5]], rtol=1e-13)


def test_time_column_problems(tmp_path):
    scenario = SCENARIO.replace('bias = true', 'bias = true\ntime = "t"')
    path = write(tmp_path, "d,t\n1,0\n2,1\n3,1\n", scenario)
    assert "plant.time: log.csv row 3 (line 4), column 't': times must increase (got 1 after 1)" \
        in only_problem(path)
    path = write(tmp_path, "d,t\n1,0\n2,1\n3,2\n", scenario.replace('name = "log"',
                                                                   'name = "log"\n[run]\nduration = 9'))
    assert "run.duration: asks for 9 s; the last sample of log.csv is measured at 3 s" \
        in only_problem(path)


def test_a_sweep_of_a_plant_key_reads_the_file_relative_to_the_scenario(tmp_path, monkeypatch):
    from gainsim.sweeps.spec import Axis, point_scenarios, read_toml

    path = write(tmp_path, "d\n1\n2\n4\n8\n16\n")
    monkeypatch.chdir("/")
    data, source = read_toml(path)
    _, scenarios = point_scenarios(data, source, [Axis("plant.lags", (0, 2), "list")])
    assert [s.plant.rows for s in scenarios] == [5, 3]
    assert [s.run.samples for s in scenarios] == [5, 3]  # every row, for each point
