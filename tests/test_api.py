"""The Python / notebook API: gainsim.run on a path, TOML text or Scenario; repr and
_repr_html_; plot(kind, ax=); summary; to_frame; save; Scenario.from_dict."""
import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tomli_w  # noqa: E402

import gainsim  # noqa: E402
from gainsim.cli.main import main  # noqa: E402

TABLES = {"name": "api", "plant": {"kind": "fir", "taps": 3, "noise_std": 0.1,
                                   "drift": {"kind": "random_walk", "std": 0.001}},
          "run": {"samples": 400, "replicas": 2, "seed": 4}, "metrics": {"grid": 20},
          "policy": [{"name": "slow", "estimator": "lms", "gain": 0.01},
                     {"name": "fast", "estimator": "lms", "gain": 0.1}]}
TOML = tomli_w.dumps(TABLES)  # the same scenario as file text


@pytest.fixture(scope="module")
def res():
    return gainsim.run(TOML)


def test_a_path_a_toml_string_a_dict_and_a_scenario_give_the_same_run(res, tmp_path):
    path = tmp_path / "api.toml"
    path.write_text(TOML)
    scenario = gainsim.Scenario.from_dict(TABLES)
    assert scenario == gainsim.loads(TOML)
    for source in (str(path), path, scenario):
        assert gainsim.run(source).summary == res.summary
    three = gainsim.run(scenario, replicas=3)
    assert three.summary["replicas"] == 3 and three.replica_errors.shape == (3, 2)


def test_repr_is_the_terminal_table_and_html_is_a_table(res):
    text = repr(res)
    assert text.splitlines()[0].startswith("api: 2 policies, 2 replicas")
    from gainsim.report.text import ranked

    best, second = (res.summary["policies"][i]["name"] for i in ranked(res.summary))
    assert "steady-state tracking error" in text
    assert text.index(f"1  {best}") < text.index(f"2  {second}")
    html = res._repr_html_()
    assert html.count("<tr") == 3 and "<th>policy</th>" in html and 'class="best"' in html


def test_summary_is_what_summary_json_holds(res, tmp_path):
    out = res.save(tmp_path / "run")
    assert json.loads((out / "summary.json").read_text()) == res.summary
    assert set(res.summary["policies"][0]) >= {"name", "theta_final", "excess_mse"}


def test_save_writes_the_same_run_directory_as_the_cli(res, tmp_path):
    (tmp_path / "api.toml").write_text(TOML)
    assert main(["run", str(tmp_path / "api.toml"), "-o", str(tmp_path / "cli"), "--quiet"]) == 0
    res.save(tmp_path / "py")
    cli, py = tmp_path / "cli", tmp_path / "py"
    assert sorted(p.name for p in cli.iterdir()) == sorted(p.name for p in py.iterdir())
    for name in ("summary.json", "summary.csv", "scenario.resolved.toml"):
        assert (cli / name).read_bytes() == (py / name).read_bytes(), name
    for name in ("traces.npz", "replicas.npz"):
        with np.load(cli / name) as a, np.load(py / name) as b:
            assert a.files == b.files
            for key in a.files:
                np.testing.assert_array_equal(a[key], b[key])
    assert json.loads((py / "manifest.json").read_text())["command_line"].startswith("python:")
    with pytest.raises(FileExistsError):
        res.save(py)
    res.save(py, force=True)


def test_every_plot_kind_returns_axes_and_accepts_ax(res):
    for kind in ("tracking_error", "eta", "misalignment", "theta", "steady_state", "replicas"):
        ax = res.plot(kind)
        assert isinstance(ax, matplotlib.axes.Axes) and ax.has_data(), kind
        fig, mine = plt.subplots()
        assert res.plot(kind, ax=mine) is mine and mine.has_data(), kind
        plt.close("all")
    assert res.plot().get_title() == "api: tracking error"
    with pytest.raises(ValueError, match="plot kind 'nope'"):
        res.plot("nope")
    with pytest.raises(ValueError, match="quadratic"):
        res.plot("path")


def test_two_runs_share_one_axes(res):
    fig, ax = plt.subplots()
    res.plot("eta", ax=ax)
    gainsim.run(TOML, seed=5).plot("eta", ax=ax)
    assert len([ln for ln in ax.get_lines() if ln.get_label() in ("slow", "fast")]) == 4
    plt.close("all")


def test_to_frame_is_one_row_per_policy(res):
    pytest.importorskip("pandas", reason="pandas is in the [test] extra")
    frame = res.to_frame()
    assert list(frame.index) == ["slow", "fast"]
    assert frame.loc["fast", "steady_state_tracking_error"] == \
        res.summary["policies"][1]["steady_state_tracking_error"]
    assert {"ci95_low", "ci95_high"} <= set(frame.columns)


def test_to_frame_without_pandas_says_how_to_get_it(res, monkeypatch):
    monkeypatch.setitem(sys.modules, "pandas", None)  # import pandas now fails
    with pytest.raises(ImportError, match=r'gainsim\[data\]'):
        res.to_frame()


def test_a_saved_run_opens_with_the_same_api(res, tmp_path):
    saved = gainsim.open_run(res.save(tmp_path / "run"))
    assert saved.summary == res.summary and repr(saved) == repr(res)
    assert saved._repr_html_() == res._repr_html_()
    np.testing.assert_array_equal(saved.replicas["steady_state_tracking_error"],
                                  res.replica_errors)


@pytest.mark.parametrize("tables, line", [
    ({**TABLES, "policy": [{"estimator": "lms", "gain": -0.1}]},
     "<dict>: policy[0].gain: must be > 0 (got -0.1)"),
    ({**TABLES, "plant": {**TABLES["plant"], "taps": 0}}, "<dict>: plant.taps:"),
    ({**TABLES, "run": {"replicas": 2, "sede": 1}}, "<dict>: run.sede: unknown key"),
    ({**TABLES, "metrics": {"grid": 20, "extra": object()}}, "<dict>: not a TOML value"),
])
def test_from_dict_reports_problems_at_their_key_paths(tables, line):
    with pytest.raises(gainsim.ScenarioError) as err:
        gainsim.Scenario.from_dict(tables)
    assert any(str(err.value).splitlines()[i].startswith(line)
               for i in range(len(str(err.value).splitlines())))


def test_run_of_a_missing_file_is_a_scenario_error():
    with pytest.raises(gainsim.ScenarioError, match="file not found"):
        gainsim.run(str(Path("no") / "such.toml"))


def test_library_never_prints_or_shows():
    root = Path(gainsim.__file__).parent
    offenders = []
    for path in root.rglob("*.py"):
        if "cli" in path.relative_to(root).parts or path.name == "__main__.py":  # the CLI prints
            continue
        text = path.read_text(encoding="utf-8")
        if "plt.show(" in text or "print(" in text:
            offenders.append(path.name)
    assert offenders == []
