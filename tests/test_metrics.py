"""Metric definitions against values worked by hand."""
import math

import numpy as np
import pytest

from gainsim.metrics import mean_ci95, settling_time


def test_settling_time_of_a_first_order_response():
    # curve = 0.5^k from 1 to steady 0: the 5 % band is 0.05; 0.5^5 = 0.031 is the
    # first value inside and it stays inside, so it settles at t = 5
    t = np.arange(41.0)
    curve = 0.5**t
    assert settling_time(t, curve, steady=0.0, band_frac=0.05, start=30) == 5.0


def test_a_curve_still_falling_in_its_window_has_not_settled():
    t = np.arange(101.0)
    curve = 25 * 0.98 ** (2 * t)          # goldilocks eta = 0.01: still halving in the window
    steady = curve[75:].mean()
    assert settling_time(t, curve, steady, 0.05, start=75) is None


def test_noisy_steady_state_settles():
    rng = np.random.default_rng(0)
    t = np.arange(200.0)
    curve = 1.0 + 9.0 * 0.9**t + 0.05 * rng.random(200)
    steady = curve[150:].mean()
    when = settling_time(t, curve, steady, 0.05, start=150)
    # 9 * 0.9^k < 0.05 * 9 (band, up to the 0.05 noise) from k ≈ 29
    assert 25 <= when <= 35


def test_student_t_interval():
    # mean 2, sample std 1, n = 4: half width t_{0.975, 3} * 1 / 2 = 3.1824 / 2
    values = np.array([2 - math.sqrt(1.5), 2.0, 2.0, 2 + math.sqrt(1.5)])  # sample std = 1
    mean, (lo, hi) = mean_ci95(values)
    assert mean == pytest.approx(2.0)
    assert hi - mean == pytest.approx(3.182446305 / 2, rel=1e-8)
    assert mean - lo == pytest.approx(hi - mean)
    assert mean_ci95(np.array([1.0, np.nan]))[1] == (None, None)
