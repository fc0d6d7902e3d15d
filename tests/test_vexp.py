"""The vectorised exp of the per-weight laws against the C library's ``math.exp``."""
import math

import numpy as np
import pytest

from gainsim.gains.vexp import HIGHEST, LOWEST, exp_in_range, exp_into


def ulps(got: np.ndarray, want: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.where(got == want, 0.0, np.abs(got - want) / np.spacing(np.abs(want)))


@pytest.mark.parametrize("lo, hi", [(-1.0, 1.0), (-30.0, 5.0), (LOWEST, HIGHEST)])
def test_within_one_ulp_of_math_exp(lo, hi):
    x = np.random.default_rng(0).uniform(lo, hi, 300_000)
    got = np.empty_like(x)
    exp_into(x, got)
    want = np.array([math.exp(v) for v in x])
    assert ulps(got, want).max() <= 1.0
    assert np.mean(got == want) > 0.85  # most results are the correctly rounded double


def test_exact_where_exp_is_exact_and_at_the_edges():
    x = np.array([0.0, -0.0, 1.0, math.log(2.0), LOWEST, HIGHEST])
    got = np.empty_like(x)
    exp_into(x, got)
    assert got[0] == 1.0 and got[1] == 1.0 and got[2] == math.e
    assert ulps(got[3:], np.array([2.0, math.exp(LOWEST), math.exp(HIGHEST)])).max() <= 1.0


def test_every_double_outside_the_fast_range_goes_to_math_exp():
    x = np.array([np.inf, -np.inf, np.nan, 709.7, 710.0, -708.5, -740.0, -746.0, 0.5])
    got = np.empty_like(x)
    exp_into(x, got)
    want = np.array([math.inf, 0.0, math.nan, math.exp(709.7), math.inf, math.exp(-708.5),
                     math.exp(-740.0), 0.0, math.exp(0.5)])
    assert np.array_equal(got[:8], want[:8], equal_nan=True)
    # the in-range element is computed as on the fast path
    assert got[8] == exp_in_range(0.5) and ulps(got[8:], want[8:]).max() <= 1.0


def test_value_depends_on_the_element_alone_and_in_place_is_allowed():
    x = np.random.default_rng(1).uniform(-20.0, 3.0, 64)
    fast = np.empty_like(x)
    exp_into(x, fast)
    mixed = x.copy()
    mixed[7] = 800.0  # forces the element-by-element path
    slow = np.empty_like(x)
    exp_into(mixed, slow)
    assert np.array_equal(np.delete(slow, 7), np.delete(fast, 7)) and slow[7] == math.inf
    inplace = x.copy()
    exp_into(inplace, inplace)
    assert np.array_equal(inplace, fast)
