"""Every demo: its printed simulated numbers agree with their closed forms."""
import pytest

from gainsim.cli import main
from gainsim.demos import demos, run_demo, scenario_path

import gainsim


def _check(numbers):
    for n in numbers:
        if isinstance(n.simulated, float) and isinstance(n.closed_form, float):
            assert n.simulated == pytest.approx(n.closed_form, rel=n.rel_tol, abs=1e-12), n.label


def test_every_demo_scenario_ships_and_validates():
    for demo in demos().values():
        for stem in demo.scenarios:
            assert gainsim.load(scenario_path(stem)).policy


def test_goldilocks_numbers_are_the_closed_forms():
    numbers = {n.label: n for n in run_demo("goldilocks", figures=False).numbers}
    assert numbers["too small (η = 0.05): steps to 1 % of L₀"].closed_form == 22  # ln .01/2ln .9
    assert numbers["just right (η = 0.5): steps to 1 % of L₀"].simulated == 1
    assert numbers["overshooting (η = 0.9): steps to 1 % of L₀"].closed_form == 11
    assert numbers["diverging (η = 1.1): diverges at step"].closed_form == 67     # 5·1.2^k > 1e6
    assert numbers["Goldilocks gain 1/f''"].closed_form == 0.5
    _check(numbers.values())


def test_curvature_numbers_are_the_closed_forms():
    numbers = {n.label: n for n in run_demo("curvature", figures=False).numbers}
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
