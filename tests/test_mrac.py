"""Model-reference adaptive control: loop, integrator, convergence and the MIT instability."""
import math
import textwrap

import numpy as np
import pytest

import gainsim
from gainsim import theory
from gainsim.estimators.mrac import rk4
from gainsim.engine.sim import simulate

FIRST = """
name = "m"
[plant]
kind = "mrac"
process = {{ kind = "first_order", a = 1.0, b = 0.5 }}
command = {{ kind = "square", amplitude = 1.0, period = 20.0 }}
a_m = 2.0
b_m = 2.0
{extra}
[stream]
rate = 100.0
[run]
duration = {duration}
[metrics]
grid = {grid}
{policies}
"""

FEEDFORWARD = """
name = "ff"
[plant]
kind = "mrac"
process = {{ kind = "second_order", k = 1.0, a1 = 1.0, a2 = 1.0 }}
command = {{ kind = "steps", times = [0.0], values = [{u0}] }}
k0 = 1.0
theta0 = [0.9]
[stream]
rate = 50.0
[run]
duration = 200.0
[metrics]
grid = 200
{policies}
"""


def pol(name, est, gain):
    return f'[[policy]]\nname = "{name}"\nestimator = "{est}"\ngain = {gain}\n'


def test_rk4_matches_the_analytic_first_order_response():
    # fixed theta, constant command: y' = -(a + b th2) y + b th1 uc, y(0) = 0, so
    # y(t) = b th1 uc / (a + b th2) (1 - exp(-(a + b th2) t)); the model likewise.
    a, b, am, bm, th, uc = 1.0, 0.5, 2.0, 2.0, np.array([3.0, 1.0]), 1.5
    prm = np.array([b, a, 0.0, am, bm, 1.0])
    z = np.zeros(4)
    work = [np.empty(4) for _ in range(5)]
    for _ in range(10):
        rk4(0, prm, z, th, uc, 0.1, 10, *work)
    pole = a + b * th[1]
    # RK4 with h = 0.01: global error O(h⁴) ≈ 1e-8 × (pole⁴ y) ~ 2e-10 here
    assert z[0] == pytest.approx(b * th[0] * uc / pole * (1 - math.exp(-pole)), abs=1e-9)
    assert z[1] == pytest.approx(bm * uc / am * (1 - math.exp(-am)), abs=1e-9)
    # the sensitivity filter of uc: a_m/(p + a_m) uc = uc (1 - exp(-a_m t))
    assert z[2] == pytest.approx(uc * (1 - math.exp(-am)), abs=1e-9)


def test_ideal_parameters_follow_the_model_exactly():
    ideal = theory.mrac_ideal_first_order(1.0, 0.5, 2.0, 2.0)
    assert ideal == (4.0, 2.0)
    text = FIRST.format(extra=f"theta0 = [{ideal[0]}, {ideal[1]}]", duration=40.0, grid=40,
                        policies=pol("ideal", "mit", 1e-12))
    trace = simulate(gainsim.loads(textwrap.dedent(text)), np.random.SeedSequence(0))
    assert np.max(trace.err_sum[0]) < 1e-20           # e = y - y_m vanishes
    assert np.max(trace.misalignment[0]) < 1e-20       # theta stays at the ideal


def test_mit_and_lyapunov_converge_to_the_ideal_parameters():
    text = FIRST.format(extra="", duration=300.0, grid=30,
                        policies=pol("mit", "mit", 2.0) + pol("lyap", "lyapunov", 2.0))
    trace = simulate(gainsim.loads(textwrap.dedent(text)), np.random.SeedSequence(0))
    for p in range(2):
        mis = trace.misalignment[p]
        assert mis[0] == pytest.approx(20.0)           # |(4, 2) - (0, 0)|² at the start
        assert mis[-1] < 1e-3 * mis[0]
        assert np.isnan(trace.diverged_at[p])


@pytest.mark.parametrize("u0", [1.0, 2.0])
def test_mit_feedforward_instability_is_on_the_side_theory_predicts(u0):
    bound = theory.mrac_feedforward_gain_bound(1.0, 1.0, 1.0, 1.0, u0)  # a1 a2² / (k k0 u0²)
    assert bound == pytest.approx(1.0 / u0**2)
    text = FEEDFORWARD.format(u0=u0, policies=pol("below", "mit_feedforward", 0.7 * bound)
                              + pol("above", "mit_feedforward", 1.3 * bound))
    trace = simulate(gainsim.loads(textwrap.dedent(text)), np.random.SeedSequence(0))
    below, above = trace.misalignment
    assert below[-1] < 1e-6 * below[0]                           # converges to k0/k
    assert not np.isfinite(above[-1]) or above[-1] > 100 * above[0]  # oscillation grows


def test_normalised_mit_rule_is_insensitive_to_the_command_amplitude():
    # gamma = 0.5 is 2x above the plain rule's bound at u0 = 2, but the normalised rule's
    # loop gain is gamma u0² / (alpha + y_m²) ≈ gamma with y_m = k0 u0 / a2 = u0
    text = FEEDFORWARD.format(u0=2.0, policies=pol("plain", "mit_feedforward", 0.5)
                              + pol("norm", "mit_feedforward_normalized", 0.5))
    trace = simulate(gainsim.loads(textwrap.dedent(text)), np.random.SeedSequence(0))
    plain, norm = trace.misalignment
    assert norm[-1] < 1e-6 * norm[0]
    assert not np.isfinite(plain[-1]) or plain[-1] > plain[0]


def test_wrong_controller_for_the_process_is_a_validation_error():
    text = FEEDFORWARD.format(u0=1.0, policies=pol("x", "mit", 0.5))
    with pytest.raises(gainsim.ScenarioError, match="'mit' needs process kind 'first_order'"):
        gainsim.loads(textwrap.dedent(text))


def test_explain_states_the_ideal_parameters_and_the_gain_bound():
    import pathlib

    from gainsim.predict.explain import explain_text

    root = pathlib.Path(__file__).resolve().parents[1]
    text = explain_text(gainsim.load(root / "scenarios" / "mrac_instability.toml"))
    assert "θ* = (1)" in text and "level u0 = 2" in text
    lines = {line.split("  ")[0]: line for line in text.splitlines()}
    assert "0.25" in lines["MIT γ=0.1 (stable)"] and "stable" in lines["MIT γ=0.1 (stable)"]
    assert "unstable" in lines["MIT γ=0.3 (above 0.25: unstable)"]
    text = explain_text(gainsim.load(root / "scenarios" / "mrac_mit.toml"))
    assert "θ* = (4, 2)" in text


def test_shipped_mrac_scenarios_show_what_they_claim():
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[1]
    res = gainsim.run(gainsim.load(root / "scenarios" / "mrac_instability.toml"))
    by = {p.name: p for p in res.policies}
    assert not by["MIT γ=0.1 (stable)"].diverged and not by["normalised MIT γ=0.6"].diverged
    assert by["MIT γ=0.3 (above 0.25: unstable)"].diverged and by["MIT γ=0.6"].diverged


def test_mrac_needs_a_periodic_lossless_stream():
    text = FEEDFORWARD.format(u0=1.0, policies=pol("x", "mit_feedforward", 0.5))
    text = text.replace("rate = 50.0", "rate = 50.0\ndropout = 0.1")
    with pytest.raises(gainsim.ScenarioError, match="stream: an mrac plant needs"):
        gainsim.loads(textwrap.dedent(text))
