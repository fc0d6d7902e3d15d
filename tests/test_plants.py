"""Plants describe themselves: columns, error label, theory inputs, baseline objective.

The family string is only the estimator <-> plant match tag; everything else a module
needs from a plant it asks the plant. This suite runs the same checks over every
registered plant (one example per kind) and checks each description against values
worked out by hand.
"""
from __future__ import annotations

import numpy as np
import pytest

from gainsim.catalog import kinds
from gainsim.engine.sim import Rngs
from gainsim.signals.data import Data
from gainsim.signals.fir import Fir
from gainsim.signals.inputs import White
from gainsim.signals.mrac import Mrac
from gainsim.signals.quadratic import Quadratic
from gainsim.engine.stream import Stream

EXAMPLES = {"fir": Fir(taps=3, input=White(std=2.0), noise_std=0.5),
            "quadratic": Quadratic(theta0=(1.0, -1.0), eigenvalues=(1.0, 3.0),
                                   gradient_noise_std=0.2),
            "mrac": Mrac(),
            "data": Data.from_arrays({"u": np.arange(8.0), "d": np.arange(8.0) ** 2},
                                     target="d", inputs=("u",), lags=1, bias=True)}


def test_every_plant_kind_has_an_example():
    assert set(EXAMPLES) == set(kinds("plant"))


@pytest.mark.parametrize("kind", sorted(EXAMPLES))
def test_plant_describes_itself(kind):
    plant = EXAMPLES[kind]
    cls = type(plant)
    assert isinstance(cls.family, str) and cls.family
    assert cls.error_label and "\n" not in cls.error_label
    rngs = Rngs.from_seed(np.random.SeedSequence(1))
    state, theta_star = plant.init(rngs)
    cols, _ = plant.packet(state, np.arange(1.0, 6.0), rngs)
    assert tuple(sorted(cols)) == tuple(sorted(cls.columns))  # exactly the declared columns
    assert all(len(v) == 5 for v in cols.values())
    assert np.shape(theta_star) == (plant.n,)
    # a plant has closed forms on a curvature matrix, or its own analysis, or (recorded
    # data, no truth) neither
    if getattr(cls, "has_truth", True):
        assert hasattr(plant, "theory") != hasattr(plant, "policy_theory")
    else:
        assert not hasattr(plant, "theory") and hasattr(plant, "explain_text")


def test_fir_theory_inputs_by_hand():
    # white input of std 2 through 3 taps: R = 4 I; mean bound 2/4; the exact LMS
    # mean-square bound for white Gaussian input 2/((n + 2) sigma²) = 2/(5 * 4) = 0.1
    pt = EXAMPLES["fir"].theory(0.0)
    assert pt.matrix_name == "R" and pt.error_name == "predicted e²"
    np.testing.assert_array_equal(pt.matrix, 4.0 * np.eye(3))
    assert pt.noise_var == 0.25 and pt.white_std == 2.0
    assert pt.mean_bound == 0.5 and pt.mean_square_bound == pytest.approx(0.1)
    assert pt.kalman_floor() is None  # no closed form for random regressors


def test_quadratic_theory_inputs_by_hand():
    # H = diag(1, 3): GD is stable for eta < 2/3; without drift the fastest fixed gain
    # is 2/(1 + 3) = 0.5; the gradient noise variance is 0.04
    pt = EXAMPLES["quadratic"].theory(0.0)
    assert pt.matrix_name == "H" and pt.error_name == "predicted loss"
    assert pt.mean_bound == pytest.approx(2 / 3) and pt.noise_var == pytest.approx(0.04)
    assert pt.mean_square_bound is None
    assert pt.optimum()[1] is None  # gradient noise, no drift: a smaller gain is always better
    assert Quadratic(theta0=(1.0, -1.0), eigenvalues=(1.0, 3.0)).theory(0.0).optimum()[1] == 0.5


def test_data_description_by_hand():
    # rows k = 1..7 of u = k, d = k²: x_k = (k, (k-1)², 1); R̂ = XᵀX/7 has R̂[2, 2] = 1 and
    # R̂[0, 0] = (1 + 4 + ... + 49)/7 = 140/7 = 20
    plant = EXAMPLES["data"]
    assert plant.n == 3 and plant.rows == 7 and np.isnan(plant.noise_floor)
    assert plant.describe() == "data, 7 samples from data=, target 'd', regressors u, d[k-1], 1"
    R = plant.curvature()
    assert R[2, 2] == 1.0 and R[0, 0] == 20.0
    f, grad = plant.window_objective(np.array([[1.0, 0, 1]]), np.array([2.0]))
    assert f(np.zeros(3)) == 2.0  # ½ · 2² / 1


def test_dropout_stretches_the_drift_per_update():
    from gainsim.signals.drift import RandomWalk

    plant = Fir(taps=2, drift=RandomWalk(std=0.1))
    np.testing.assert_allclose(plant.theory(0.5).Q, 0.02 * np.eye(2))  # 0.01 / (1 - 0.5)


def test_window_objectives_by_hand_and_their_gradients():
    # fir: rows x = (1, 0), (0, 2), d = (1, 1); at theta = 0 the loss is (1 + 1)/(2·2) = 0.5
    # and the gradient -(Xᵀd)/2 = -(1, 2)/2
    f, grad = EXAMPLES["fir"].window_objective(np.array([[1.0, 0, 0], [0, 2.0, 0]]),
                                               np.array([1.0, 1.0]))
    assert f(np.zeros(3)) == 0.5
    np.testing.assert_array_equal(grad(np.zeros(3)), [-0.5, -1.0, 0.0])
    # quadratic: one sample with theta_star = (1, 0), no noise: f = ½ (θ−θ*)ᵀH(θ−θ*)
    f, grad = EXAMPLES["quadratic"].window_objective(np.array([[1.0, 0.0]]), np.zeros((1, 2)))
    assert f(np.array([0.0, 1.0])) == pytest.approx(0.5 * (1 + 3))
    np.testing.assert_allclose(grad(np.array([0.0, 1.0])), [-1.0, 3.0])


def test_mrac_states_its_stream_needs():
    plant = EXAMPLES["mrac"]
    assert plant.stream_problem(Stream()) is None
    assert "periodic" in plant.stream_problem(Stream(arrivals="poisson"))


def test_fir_with_independent_regressors_describes_itself_by_hand():
    from gainsim.signals.inputs import Independent

    plant = Fir(taps=3, input=Independent(eigenvalues=(1.0, 2.0, 4.0)), noise_std=0.5)
    # R = diag(1, 2, 4): mean bound 2/4; not white, so the mean-square bound is 2/tr R = 2/7
    pt = plant.theory(0.0)
    np.testing.assert_array_equal(pt.matrix, np.diag([1.0, 2.0, 4.0]))
    assert pt.independent and pt.white_std is None
    assert pt.mean_bound == 0.5 and pt.mean_square_bound == pytest.approx(2 / 7)
    assert "independent Gaussian regressors (given R)" in plant.describe()
    rngs = Rngs.from_seed(np.random.SeedSequence(1))
    state, _ = plant.init(rngs)
    cols, _ = plant.packet(state, np.arange(1.0, 6.0), rngs)
    assert cols["x"].shape == (5, 3) and cols["d"].shape == (5,)
    white = Fir(taps=3, input=Independent(std=2.0)).theory(0.0)
    assert white.white_std == 2.0 and white.mean_square_bound == pytest.approx(0.1)


@pytest.mark.parametrize("taps, samples", [(1, 3), (2, 1025), (16, 5000), (33, 700)])
def test_tapped_delay_line_measurements_are_the_row_sums_in_tap_order(taps, samples):
    """d_k = θᵀx_k + v_k with x_k = [u_k, …, u_{k-n+1}], summed as a plain loop does:
    0.0, then θ_0 x_0, θ_1 x_1, … in order, then the noise (the numbers of every run
    depend on that order). The tap-by-tap kernel must give those bits for one θ, and the
    row-by-row one for a θ per sample (drift)."""
    from gainsim.signals.assemble import fir_samples

    rng = np.random.default_rng(taps)
    history, u = rng.standard_normal(taps - 1), rng.standard_normal(samples)
    noise, theta = rng.standard_normal(samples), rng.standard_normal(taps)
    line = np.concatenate([history, u])
    for thetas in (theta[None, :], rng.standard_normal((samples, taps))):
        x, d = fir_samples(history, u, thetas, noise)
        want = np.empty(samples)
        for k in range(samples):
            row, acc = thetas[0 if thetas.shape[0] == 1 else k], 0.0
            for j in range(taps):
                assert x[k, j] == line[k + taps - 1 - j]
                acc += float(row[j]) * float(line[k + taps - 1 - j])
            want[k] = acc + float(noise[k])
        np.testing.assert_array_equal(d, want)
