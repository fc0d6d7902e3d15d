"""gainsim poles: every fixed-gain policy's spectral radius against its simulated rate."""
import math
from pathlib import Path

import pytest

import gainsim
from gainsim.cli.main import main
from gainsim.predict.zplane import policy_loops, simulated_rate, updates_axis

ROOT = Path(__file__).resolve().parent.parent
CURVATURE = ROOT / "gainsim" / "demos" / "scenarios" / "curvature.toml"
GOLDILOCKS = ROOT / "scenarios" / "goldilocks.toml"


def test_loops_of_the_curvature_bowl_are_the_closed_forms():
    loops = policy_loops(gainsim.load(CURVATURE))
    assert [lp is None for lp in loops] == [False, False, False, True, False]
    assert loops[0].spectral_radius == pytest.approx(0.95)            # 1 - 0.05 * 1
    assert loops[1].spectral_radius == pytest.approx(19 / 21)         # (κ-1)/(κ+1)
    assert loops[2].regime == "unstable"
    assert loops[1].regime == "oscillating"                           # stiff pole at -19/21
    hb = loops[4]
    assert hb.method == "heavy ball"
    kappa = 20.0
    assert hb.spectral_radius == pytest.approx((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1),
                                               rel=1e-6)
    assert hb.stability_bound == pytest.approx(2 * (1 + hb.beta) / 20)


def test_simulated_rate_matches_the_spectral_radius():
    scenario = gainsim.load(CURVATURE)
    results = gainsim.run(scenario)
    k = updates_axis(scenario, results.t)
    for i, lp in enumerate(policy_loops(scenario)):
        rate = simulated_rate(k, results.curves["misalignment_mean"][i])
        if lp is None:          # Newton: deadbeat, nothing left to fit
            assert rate is None
            continue
        # heavy ball at Polyak's optimum has a double pole: k ρ^k, so the fit runs 1.5 % high
        tol = 0.015 if lp.method == "heavy ball" else 1e-3
        assert rate == pytest.approx(lp.spectral_radius, rel=tol), lp.policy


def test_poles_command_prints_theory_next_to_simulation_and_writes_figures(tmp_path, capsys):
    assert main(["poles", str(GOLDILOCKS), "-o", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    rows = {line.split("  ")[0]: line.split() for line in out.splitlines()}
    assert rows["overshooting (0.9)"][-3:] == ["0.8", "oscillating", "0.8"]
    assert rows["diverging (1.1)"][-3:] == ["1.2", "unstable", "1.2"]
    assert (tmp_path / "root_locus.png").stat().st_size > 10_000
    assert (tmp_path / "momentum_map.png").stat().st_size > 10_000


def test_poles_refuses_a_plant_without_eigenvalues(tmp_path, capsys):
    status = main(["poles", str(ROOT / "scenarios" / "mrac_mit.toml"), "-o", str(tmp_path),
                   "--no-run"])
    assert status == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "plant.kind" in err
