"""Every demo: its printed simulated numbers agree with their closed forms."""
from functools import lru_cache

import pytest

from gainsim.cli.main import main
from gainsim.demos import demos, run_demo, scenario_path

import gainsim


@lru_cache(maxsize=None)
def _numbers(name):
    return tuple(run_demo(name, figures=False).numbers)


def _check(numbers):
    for n in numbers:
        if isinstance(n.simulated, float) and isinstance(n.closed_form, float):
            assert n.simulated == pytest.approx(n.closed_form, rel=n.rel_tol, abs=1e-12), n.label


def test_every_demo_scenario_ships_and_validates():
    for demo in demos().values():
        for stem in demo.scenarios:
            assert gainsim.load(scenario_path(stem)).policy


def test_goldilocks_numbers_are_the_closed_forms():
    numbers = {n.label: n for n in _numbers("goldilocks")}
    assert numbers["too small (η = 0.05): steps to 1 % of L₀"].closed_form == 22  # ln .01/2ln .9
    assert numbers["just right (η = 0.5): steps to 1 % of L₀"].simulated == 1
    assert numbers["overshooting (η = 0.9): steps to 1 % of L₀"].closed_form == 11
    assert numbers["diverging (η = 1.1): diverges at step"].closed_form == 67     # 5·1.2^k > 1e6
    assert numbers["Goldilocks gain 1/f''"].closed_form == 0.5
    _check(numbers.values())


def test_curvature_numbers_are_the_closed_forms():
    numbers = {n.label: n for n in _numbers("curvature")}
    assert numbers["GD η* = 2/(λmin+λmax): rate ρ"].closed_form == pytest.approx(19 / 21)
    assert numbers["Newton (η = H⁻¹): steps to 1e-6"].simulated == 1
    _check(numbers.values())


def test_demo_command_lists_runs_and_refuses_unknown_names(tmp_path, capsys):
    assert main(["demo"]) == 0
    listing = capsys.readouterr().out
    assert all(name in listing for name in demos())
    assert main(["demo", "goldilocks", "-o", str(tmp_path / "g")]) == 0
    out = capsys.readouterr().out
    assert "22         22" in out
    assert (tmp_path / "g" / "bowl.png").is_file() and (tmp_path / "g" / "summary.json").is_file()
    assert main(["demo", "nonsense"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "goldilocks" in err


@pytest.mark.parametrize("name", ["schedules", "adaptive", "per_parameter", "line_search",
                                  "adaptive_control", "delay"])
def test_demo_numbers_match_their_closed_forms(name):
    numbers = _numbers(name)
    compared = [n for n in numbers if isinstance(n.simulated, float)
                and isinstance(n.closed_form, float)]
    assert len(compared) >= 4
    _check(numbers)


def test_schedules_demo_makes_its_point():
    """Decay wins on a fixed target, loses by far on a drifting one; η* sits on the floor."""
    n = {x.label: x for x in _numbers("schedules")}
    const, decay = "constant η* = 0.0488: loss, last 25 %", "1/k (inverse time): loss, last 25 %"
    assert n[f"fixed target, {decay}"].simulated < n[f"fixed target, {const}"].simulated / 10
    assert n[f"drifting target, {decay}"].simulated > 10 * n[f"drifting target, {const}"].simulated
    floor = n["drifting target: Kalman floor (best causal tracker)"].closed_form
    assert n[f"drifting target, {const}"].closed_form == pytest.approx(floor, rel=1e-9)


def test_qualitative_rows_agree_too():
    """yes/no rows (divergence, Wolfe conditions) print the same answer as theory."""
    for name in ("adaptive_control", "line_search", "delay"):
        for n in _numbers(name):
            if n.simulated in ("yes", "no"):
                assert n.simulated == n.closed_form, n.label


def test_demo_report_puts_the_numbers_and_figures_first(tmp_path):
    """A one-scenario demo's report.html leads with its claim, its numbers next to their
    closed forms and its own figures, then the run's sections."""
    assert main(["demo", "goldilocks", "-o", str(tmp_path / "g")]) == 0
    html = (tmp_path / "g" / "report.html").read_text(encoding="utf-8")
    order = [html.index(f'<h2 id="{sid}">') for sid in ("claim", "numbers", "demo-figures",
                                                        "ranking", "poles")]
    assert order == sorted(order)
    numbers = html[order[1]:order[2]]
    assert "<td>too small (η = 0.05): steps to 1 % of L₀</td><td>22</td><td>22</td>" in numbers
    assert 'id="bowl.png"' in html


def test_a_demo_of_several_scenarios_links_each_report():
    from gainsim.report.html import demo_sections, render_demo

    sections = demo_sections("claim", [], [["", "simulated", "closed form", "formula"],
                                           ["rate", "0.5", "0.5", "1 − ηλ"]], [])
    page = render_demo("x", "claim", sections, [("a", "a/report.html", "a: 1 policy")], "now")
    assert '<a href="a/report.html">a</a>' in page and "<td>0.5</td><td>0.5</td>" in page
    assert page.count('<h2 id="') == 3


def test_a_demo_compiles_the_laws_of_all_its_scenarios_in_one_batch(monkeypatch):
    """One ``compile_ahead`` over every scenario of the demo (the schedules demo has two),
    before any of them runs, so their laws compile side by side together."""
    from gainsim.engine import warmup

    class Stop(Exception):
        pass

    seen = []

    def record(scenarios, note=None):
        seen.append([s.name for s in scenarios])
        raise Stop

    monkeypatch.setattr(warmup, "compile_ahead", record)
    with pytest.raises(Stop):
        run_demo("schedules")
    expected = [gainsim.load(scenario_path(s)).name for s in demos()["schedules"].scenarios]
    assert len(expected) == 2 and seen == [expected]
