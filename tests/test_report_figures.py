"""Run directories: the new recorded quantities, every figure carries what it claims,
``gainsim report`` regenerates the same report from the saved files."""
import json
import re
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import gainsim  # noqa: E402
from conftest import fir_scenario, policies  # noqa: E402
from gainsim.cli.main import main  # noqa: E402
from gainsim.report.text import ranked  # noqa: E402

FIR = dict(taps=4, samples=600, grid=40, replicas=3, drift='{kind = "random_walk", std = 0.002}',
           policies=policies(("lms", 0.005), ("lms", 0.05), ("nlms", 0.3), ("lms", 0.9)))
ROOT = Path(__file__).resolve().parent.parent
GOLDILOCKS = (ROOT / "scenarios" / "goldilocks.toml").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def fir_run(tmp_path_factory):
    from gainsim.scenario import dumps

    folder = tmp_path_factory.mktemp("runs")
    path = folder / "fir.toml"
    path.write_text(dumps(fir_scenario(**FIR)))
    assert main(["run", str(path), "-o", str(folder / "fir"), "--quiet"]) == 0
    return folder / "fir"


@pytest.fixture(scope="module")
def bowl_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("runs")
    (folder / "bowl.toml").write_text(GOLDILOCKS)
    assert main(["run", str(folder / "bowl.toml"), "-o", str(folder / "bowl"), "--quiet"]) == 0
    return folder / "bowl"


def _lines(ax, ls):
    return [line for line in ax.get_lines() if line.get_linestyle() == ls]


def test_run_directory_holds_replicas_theta_and_report(fir_run):
    names = {p.name for p in fir_run.iterdir()}
    assert {"report.html", "replicas.npz", "steady_state.png", "replicas.png", "theta.png",
            "tracking_error.png", "eta.png", "summary.json", "traces.npz"} <= names
    summary = json.loads((fir_run / "summary.json").read_text())
    with np.load(fir_run / "replicas.npz") as rep, np.load(fir_run / "traces.npz") as tr:
        errors = rep["steady_state_tracking_error"]
        assert errors.shape == (3, 4) and list(rep["policy_names"]) == list(tr["policy_names"])
        for i, p in enumerate(summary["policies"]):
            finite = errors[:, i][np.isfinite(errors[:, i])]
            if p["steady_state_tracking_error"] is not None:  # the summary is their mean
                assert p["steady_state_tracking_error"] == pytest.approx(finite.mean(), rel=1e-12)
            theta = tr["theta_hat_mean"][i, -1]
            if p["theta_final"] is not None:
                assert p["theta_final"] == pytest.approx(list(theta), rel=0, abs=0)
        assert tr["theta_hat_mean"].shape == (4, 41, 4) and tr["theta_star_mean"].shape == (41, 4)
        # θ̂ starts at the plant's start estimate (zeros); θ* moves (random walk)
        np.testing.assert_array_equal(tr["theta_hat_mean"][:, 0], 0.0)
        assert np.ptp(tr["theta_star_mean"][:, 0]) > 0


def test_report_command_reproduces_the_report_from_saved_files(fir_run, tmp_path):
    before = (fir_run / "report.html").read_text()
    pngs = {p.name: p.read_bytes() for p in fir_run.glob("*.png")}
    out = tmp_path / "again.html"
    assert main(["report", str(fir_run), "-o", str(out)]) == 0
    stamp = re.compile(r'<time class="generated">[^<]*</time>')
    assert stamp.sub("", out.read_text()) == stamp.sub("", before)
    assert {p.name: p.read_bytes() for p in fir_run.glob("*.png")} == pngs


def test_report_command_rejects_a_folder_that_is_not_a_run(tmp_path, capsys):
    assert main(["report", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "summary.json: missing" in err


def test_tracking_error_draws_predicted_levels_floor_and_divergence(fir_run):
    data = gainsim.open_run(fir_run)
    ax = data.plot("tracking_error")
    levels = {round(line.get_ydata()[0], 15) for line in _lines(ax, "--")
              if len(set(line.get_ydata())) == 1}
    for p in data.summary["policies"]:
        if p["predicted_steady_state_tracking_error"] is not None and not p["diverged"]:
            assert round(p["predicted_steady_state_tracking_error"], 15) in levels
    floors = [line for line in _lines(ax, ":") if line.get_ydata()[0] == pytest.approx(0.01)]
    assert floors, "noise floor sigma_v^2 = 0.01 drawn dotted"
    assert data.summary["policies"][3]["diverged"]  # eta = 0.9 > 2/((n+2)σ²) blows up
    assert [line for line in ax.get_lines() if line.get_marker() == "x"]
    plt.close("all")


def test_eta_shades_unstable_gains_and_draws_nlms_at_its_effective_gain(fir_run):
    data = gainsim.open_run(fir_run)
    ax = data.plot("eta")
    data_y = [(p.get_transform() - ax.transData).transform(p.get_path().vertices)[:, 1]
              for p in ax.patches]
    bottoms = sorted(round(min(y), 12) for y in data_y)
    # white input, n = 4, σ² = 1: mean-square bound 2/((n+2)σ²) = 1/3, mean bound 2/λmax = 2
    assert bottoms[:2] == [round(1 / 3, 12), 2.0]
    nlms = [line for line in ax.get_lines() if "effective gain" in line.get_label()]
    assert len(nlms) == 1
    np.testing.assert_allclose(nlms[0].get_ydata(), 0.3 / (1e-6 + 4.0), rtol=1e-12)
    plt.close("all")


def test_theta_figure_draws_estimate_and_truth_of_every_weight(fir_run):
    data = gainsim.open_run(fir_run)
    best = ranked(data.summary)[0]
    ax = data.plot("theta")
    solid, dashed = _lines(ax, "-"), [ln for ln in _lines(ax, "--") if len(ln.get_xdata())]
    assert len(solid) == 4 and len(dashed) == 4
    for k in range(4):
        np.testing.assert_array_equal(solid[k].get_ydata(), data.traces["theta_hat_mean"][best, :, k])
        np.testing.assert_array_equal(dashed[k].get_ydata(), data.traces["theta_star_mean"][:, k])
    plt.close("all")


def test_steady_state_panel_lists_policies_best_first(fir_run):
    data = gainsim.open_run(fir_run)
    ax = data.plot("steady_state")
    ticks = sorted(zip(ax.get_yticks(), (t.get_text() for t in ax.get_yticklabels())),
                   reverse=True)
    labels = [text for _, text in ticks]  # top row first
    assert labels == [data.summary["policies"][i]["name"] for i in ranked(data.summary)]
    assert "over the noise floor" in ax.get_xlabel()
    plt.close("all")


def test_replica_spread_shows_each_replica(fir_run):
    data = gainsim.open_run(fir_run)
    ax = data.plot("replicas")
    points = [ln for ln in ax.get_lines() if ln.get_marker() == "o"]
    best = ranked(data.summary)[0]
    errors = data.replicas["steady_state_tracking_error"][:, best]
    assert sorted(points[0].get_xdata()) == sorted(errors)
    plt.close("all")


def test_quadratic_path_lies_on_the_parabola_and_loss_counts_updates(bowl_run):
    data = gainsim.open_run(bowl_run)
    ax = data.plot("path", policy="overshooting (0.9)")
    iterates = next(ln for ln in ax.get_lines() if ln.get_label() == "iterates θ̂ₖ")
    x, y = iterates.get_xdata(), iterates.get_ydata()
    np.testing.assert_allclose(y, x ** 2, rtol=1e-12)  # L = ½·2·θ²
    np.testing.assert_allclose(x[:3], [5.0, 5.0 * (1 - 1.8), 5.0 * (1 - 1.8) ** 2])  # pole 1−ηλ
    assert len(x) == 101  # one dot per update: grid = samples
    ax2 = data.plot("tracking_error")
    assert ax2.get_xlabel() == "update count k" and "loss" in ax2.get_ylabel()
    assert (bowl_run / "path.png").is_file()
    plt.close("all")


def test_two_dimensional_path_is_drawn_over_contours(tmp_path):
    text = GOLDILOCKS.replace("eigenvalues = [2.0]", "eigenvalues = [1.0, 4.0]").replace(
        "theta0 = [5.0]", "theta0 = [2.0, 1.0]")
    res = gainsim.run(text)
    ax = res.plot("path", policy=0)
    assert ax.collections, "contour lines"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("θ₁", "θ₂")
    plt.close("all")


def test_big_bank_is_a_colour_scale_not_a_legend():
    gains = ", ".join(f"{g:.4g}" for g in np.geomspace(0.002, 0.2, 14))
    res = gainsim.run(fir_scenario(samples=300, grid=20, policies=(
        f'[[policy]]\nestimator = "lms"\ngain = [{gains}]\n')))
    ax = res.plot("tracking_error")
    assert ax.get_legend() is None or len(ax.get_legend().get_texts()) <= 3
    assert len(ax.figure.axes) == 2, "a colour bar"
    panel = res.plot("steady_state")
    assert panel.get_xscale() == "log" and panel.get_xlabel() == "initial gain η₀"
    plt.close("all")


def test_a_sweep_directory_gets_a_report_too(fir_run, tmp_path):
    scenario = fir_run / "scenario.resolved.toml"
    out = tmp_path / "sweep"
    assert main(["sweep", str(scenario), "--over", "policy[0].gain.eta=0.002,0.01,0.03",
                 "--replicas", "2", "-o", str(out), "--quiet"]) == 0
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 1 and "<script" not in html
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    assert body.count("<tr>") == 3 * 4  # 3 points × 4 policies, as sweep.csv
    png = (out / "sweep.png").read_bytes()
    (out / "sweep.png").unlink()          # the report redraws the figure from sweep.json
    again = tmp_path / "again.html"
    assert main(["report", str(out), "-o", str(again)]) == 0
    stamp = re.compile(r'<time class="generated">[^<]*</time>')
    assert stamp.sub("", again.read_text()) == stamp.sub("", html)
    assert (out / "sweep.png").read_bytes() == png


def test_a_saved_sweep_json_gives_back_the_sweep():
    from gainsim.sweeps.sweep import SweepResult, sweep_dict
    from gainsim.sweeps.spec import Axis

    records = tuple({"scenario": "s", "seed": 3, "replicas": 2, "policies": [
        {"name": "a", "diverged": False, "steady_state_tracking_error": e,
         "steady_state_tracking_error_ci95": [e, e], "optimal_fixed_gain": 0.2}]}
        for e in (0.5, 0.25))
    sweep = SweepResult("s", (Axis("policy[0].gain", (0.1, 0.2), "0.1,0.2"),),
                        ({"policy[0].gain": 0.1}, {"policy[0].gain": 0.2}), records)
    saved = json.loads(json.dumps(sweep_dict(sweep)))
    assert SweepResult.from_dict(saved) == sweep


def test_report_of_an_older_run_directory_leaves_out_what_it_lacks(fir_run, tmp_path):
    import shutil

    old = tmp_path / "old"
    shutil.copytree(fir_run, old)
    (old / "replicas.npz").unlink()
    for name in ("report.html", "theta.png", "replicas.png"):
        (old / name).unlink()
    with np.load(old / "traces.npz") as npz:
        kept = {k: npz[k] for k in npz.files if not k.startswith("theta_")}
    np.savez_compressed(old / "traces.npz", **kept)
    assert main(["report", str(old)]) == 0
    html = (old / "report.html").read_text()
    # tracking error, steady state, eta, and the root locus (LMS on an FIR plant)
    assert html.count("data:image/png;base64,") == 4 and 'id="root_locus.png"' in html
    assert not (old / "theta.png").exists()


def test_report_has_the_z_plane_section_with_the_closed_form_poles(bowl_run):
    """Goldilocks bowl f'' = 2: GD's pole is 1 − 2η (0.98, 0, −0.8, −1.2 for its gains)."""
    html = (bowl_run / "report.html").read_text(encoding="utf-8")
    assert '<h2 id="poles">' in html and (bowl_run / "root_locus.png").is_file()
    section = html[html.index('<h2 id="poles">'):html.index('<h2 id="scenario">')]
    rows = re.findall(r"<tr><td>([^<]*)</td><td>gd η=([^<]*)</td><td>([^<]*)</td>"
                      r"<td>([^<]*)</td><td>([^<]*)</td>", section)
    assert len(rows) == 4
    for _, eta, pole, rho, regime in rows:
        z = 1 - 2 * float(eta)
        assert float(pole) == pytest.approx(z, abs=5e-4) and float(rho) == pytest.approx(abs(z),
                                                                                        abs=5e-4)
        assert regime == ("unstable" if abs(z) >= 1 else "monotone" if z >= 0 else "oscillating")


def test_report_leaves_out_the_z_plane_without_a_fixed_linear_loop(tmp_path):
    from gainsim.scenario import dumps

    path = tmp_path / "adam.toml"
    path.write_text(dumps(fir_scenario(taps=2, samples=200, grid=10, replicas=1,
                                       policies=policies(("lms", '{ kind = "adam", eta = 0.01 }')))))
    assert main(["run", str(path), "-o", str(tmp_path / "r"), "--quiet"]) == 0
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert 'id="poles"' not in html and not (tmp_path / "r" / "root_locus.png").exists()


def test_a_helper_process_draws_the_costliest_figures_the_same_bytes(fir_run, tmp_path,
                                                                    monkeypatch):
    from gainsim.estimators import threads
    from gainsim.report import figure_helper

    if threads.CORES < 2:
        pytest.skip("the helper needs two cores")
    handed = []
    real = figure_helper.collect
    monkeypatch.setattr(figure_helper, "collect",
                        lambda future: handed.append(real(future)) or handed[-1])
    monkeypatch.setenv("GAINSIM_FIGURE_HELPER", "1")
    assert main(["run", str(fir_run / "scenario.resolved.toml"), "-o", str(tmp_path / "h"),
                 "--quiet"]) == 0
    assert len(handed) == 1 and sorted(handed[0]) == sorted(figure_helper.REMOTE)
    for png in fir_run.glob("*.png"):                  # fir_run drew every figure here
        assert (tmp_path / "h" / png.name).read_bytes() == png.read_bytes(), png.name


def test_figures_the_helper_could_not_draw_are_drawn_here(fir_run, tmp_path, monkeypatch):
    from gainsim.estimators import threads
    from gainsim.report import figure_helper

    if threads.CORES < 2:
        pytest.skip("the helper needs two cores")
    monkeypatch.setattr(figure_helper, "collect", lambda future: {})  # as if it failed
    monkeypatch.setenv("GAINSIM_FIGURE_HELPER", "1")
    assert main(["run", str(fir_run / "scenario.resolved.toml"), "-o", str(tmp_path / "f"),
                 "--quiet"]) == 0
    names = sorted(p.name for p in fir_run.glob("*.png"))
    assert "root_locus.png" in names
    assert sorted(p.name for p in (tmp_path / "f").glob("*.png")) == names
    for name in names:
        assert (tmp_path / "f" / name).read_bytes() == (fir_run / name).read_bytes(), name


def _zlib_level_class(png: bytes) -> int:
    """FLEVEL of the first IDAT's zlib header (RFC 1950: 0 fastest, 1 fast, 2 default, 3
    maximum; zlib writes 1 for levels 2-5 and 2 for level 6)."""
    import struct

    pos = 8  # after the PNG signature
    while pos < len(png):
        length, kind = struct.unpack(">I4s", png[pos:pos + 8])
        if kind == b"IDAT":
            return png[pos + 9] >> 6
        pos += 12 + length
    raise AssertionError("no IDAT chunk")


def test_run_pngs_are_written_at_a_fast_zlib_level_with_the_same_pixels(fir_run):
    import io

    from PIL import Image

    from gainsim.figures.common import PNG_COMPRESS_LEVEL, png_bytes

    assert _zlib_level_class((fir_run / "theta.png").read_bytes()) == 1  # level 3, not 6
    fig, ax = plt.subplots()
    ax.plot(np.sin(np.linspace(0, 10, 500)))
    fast = png_bytes(fig)
    fig, ax = plt.subplots()
    ax.plot(np.sin(np.linspace(0, 10, 500)))
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110)  # Pillow's default level, 6
    plt.close(fig)
    default = buf.getvalue()
    assert PNG_COMPRESS_LEVEL == 3 and _zlib_level_class(default) == 2
    assert _zlib_level_class(fast) == 1
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(fast))),
                          np.asarray(Image.open(io.BytesIO(default))))
