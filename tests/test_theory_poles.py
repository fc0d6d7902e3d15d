"""Pole functions of gainsim.theory (gainsim.theory.poles) against numpy.roots and closed forms."""
import math

import numpy as np
import pytest

from gainsim.theory import (delay_stability_bound, delayed_gd_poles, gd_poles,
                                  heavy_ball_poles, heavy_ball_regime_map,
                                  heavy_ball_stability_bound, nesterov_poles,
                                  nesterov_stability_bound, regime, spectral_radius)


def _same_roots(a, b, tol=1e-9):
    a, b = np.sort_complex(np.asarray(a)), np.sort_complex(np.asarray(b))
    return np.allclose(a, b, atol=tol)


@pytest.mark.parametrize("eta_lam, beta", [(0.1, 0.5), (1.0, 0.9), (3.5, 0.8), (0.01, 0.0),
                                           (2.0, 0.3)])
def test_heavy_ball_poles_are_the_roots_of_the_quadratic(eta_lam, beta):
    z = heavy_ball_poles(eta_lam, beta, 1.0)
    assert _same_roots(z, np.roots([1.0, -(1 + beta - eta_lam), beta]))


@pytest.mark.parametrize("eta_lam, beta", [(0.1, 0.5), (1.5, 0.9), (0.9, 0.3)])
def test_nesterov_poles_are_the_roots_of_its_quadratic(eta_lam, beta):
    a = 1 - eta_lam
    assert _same_roots(nesterov_poles(eta_lam, beta, 1.0), np.roots([1, -(1 + beta) * a, beta * a]))


@pytest.mark.parametrize("delay", [0, 1, 2, 3, 5])
@pytest.mark.parametrize("eta_lam", [0.05, 0.3, 0.9, 1.7])
def test_delayed_poles_are_the_roots_of_z_to_the_d_plus_1(delay, eta_lam):
    coeffs = np.zeros(delay + 2)
    coeffs[0], coeffs[1] = 1.0, -1.0
    coeffs[-1] += eta_lam  # D = 0: z - 1 + eta lam
    z = delayed_gd_poles(eta_lam, 1.0, delay)
    assert z.shape == (delay + 1,)
    assert _same_roots(z, np.roots(coeffs), tol=1e-8)


def test_delayed_poles_closed_forms_for_d0_and_d1():
    lam = np.array([0.5, 2.0])
    assert np.allclose(delayed_gd_poles(0.3, lam, 0)[:, 0], 1 - 0.3 * lam)
    # D = 1: z = (1 ± sqrt(1 - 4 eta lam)) / 2
    z = delayed_gd_poles(0.3, lam, 1)
    for zi, a in zip(z, 0.3 * lam):
        r = np.sqrt(complex(1 - 4 * a))
        assert _same_roots(zi, [(1 + r) / 2, (1 - r) / 2])


def test_gd_poles_and_regimes_of_the_goldilocks_bowl():
    lam = 2.0  # L = w²
    cases = {0.01: "monotone", 0.5: "monotone", 0.9: "oscillating", 1.1: "unstable"}
    for eta, label in cases.items():
        z = gd_poles(eta, [lam])
        assert z[0] == pytest.approx(1 - 2 * eta)
        assert regime(z) == label
        assert spectral_radius(z) == pytest.approx(abs(1 - 2 * eta))


@pytest.mark.parametrize("delay, bound", [(0, 2.0), (1, 1.0), (2, 0.6180339887498949)])
def test_delay_bound_values(delay, bound):
    assert delay_stability_bound(delay) == pytest.approx(bound, rel=1e-12)


@pytest.mark.parametrize("delay", [0, 1, 2, 5, 10])
def test_delay_bound_is_where_the_spectral_radius_crosses_one(delay):
    b = delay_stability_bound(delay)
    assert spectral_radius(delayed_gd_poles(b * (1 - 1e-6), 1.0, delay)) < 1
    assert spectral_radius(delayed_gd_poles(b * (1 + 1e-6), 1.0, delay)) > 1
    assert spectral_radius(delayed_gd_poles(b, 1.0, delay)) == pytest.approx(1.0, abs=1e-9)
    # the crossing pole sits at angle pi / (2D + 1)
    z = delayed_gd_poles(b, 1.0, delay)
    top = z[np.argmax(np.abs(z) - 1e-6 * (z.imag < 0))]
    assert abs(np.angle(top)) == pytest.approx(math.pi / (2 * delay + 1), abs=1e-6)


def test_heavy_ball_stability_triangle():
    """Inside 0 <= beta < 1, 0 < eta lam < 2(1 + beta): rho < 1; outside: rho >= 1."""
    rng = np.random.default_rng(0)
    a = rng.uniform(-0.5, 4.5, 4000)
    beta = rng.uniform(0, 0.999, 4000)
    inside = (a > 0) & (a < 2 * (1 + beta))
    rho = np.max(np.abs(heavy_ball_poles(a, beta, 1.0)), axis=-1)
    margin = np.minimum(np.abs(a), np.abs(a - 2 * (1 + beta))) > 1e-6
    assert np.all((rho < 1)[inside & margin])
    assert np.all((rho >= 1)[~inside & margin])
    assert heavy_ball_stability_bound(0.5) == 3.0
    with pytest.raises(ValueError):
        heavy_ball_stability_bound(1.0)


def test_nesterov_bound_is_where_its_radius_crosses_one():
    for beta in (0.0, 0.5, 0.9):
        b = nesterov_stability_bound(beta)
        assert spectral_radius(nesterov_poles(b * (1 - 1e-7), beta, 1.0)) < 1
        assert spectral_radius(nesterov_poles(b * (1 + 1e-7), beta, 1.0)) > 1


def test_regime_map_regions_match_the_discriminant():
    a = np.linspace(0.01, 4.5, 200)[None, :]
    beta = np.linspace(0.0, 0.99, 100)[:, None]
    codes = heavy_ball_regime_map(a, beta)
    disc = (1 + beta - a) ** 2 - 4 * beta
    stable = a < 2 * (1 + beta)
    assert np.all(codes[~stable] == 3)
    assert np.all(codes[stable & (disc < -1e-9)] == 1)          # complex: ringing
    assert np.all(codes[stable & (disc > 1e-9) & (1 + beta - a > 0)] == 0)  # real, positive
    assert np.all(codes[stable & (disc > 1e-9) & (1 + beta - a < 0)] == 2)  # real, negative
    # Polyak's optimum sits on the monotone/complex boundary: a double root of modulus sqrt(beta)
    lo, hi, kappa = 1.0, 100.0, 100.0
    eta = 4 / (math.sqrt(hi) + math.sqrt(lo)) ** 2
    b = ((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1)) ** 2
    for lam in (lo, hi):
        z = heavy_ball_poles(eta, b, lam)
        assert np.allclose(np.abs(z), math.sqrt(b), rtol=1e-6)


def test_bad_arguments_raise():
    with pytest.raises(ValueError):
        delayed_gd_poles(0.1, 1.0, -1)
    with pytest.raises(ValueError):
        delay_stability_bound(1.5)
