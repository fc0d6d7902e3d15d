"""The plants' Gaussian draws: numpy's own values and generator state, whichever path."""
import numpy as np
import pytest

from gainsim.signals.normals import COMPILED_MIN, scaled_normal, standard_normal


@pytest.mark.parametrize("shape", [1, COMPILED_MIN - 1, COMPILED_MIN, 1000, (333, 7),
                                   (COMPILED_MIN, 16), (5, 0)])
def test_draws_equal_numpys_and_leave_the_generator_where_numpy_does(shape):
    ours, numpys = np.random.default_rng(7), np.random.default_rng(7)
    got, want = standard_normal(ours, shape), numpys.standard_normal(shape)
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    assert ours.bit_generator.state == numpys.bit_generator.state
    assert ours.random() == numpys.random()  # the next draw of any kind agrees


def test_the_ziggurats_rare_branches_equal_numpys():
    """2·10⁶ draws: about 0.5 % leave the ziggurat's rectangles (the wedge test, with its
    exp) and ~500 fall in the tail beyond r = 3.6541528853610088 (Marsaglia & Tsang
    2000, the base strip, with its log1p); all must be numpy's values."""
    ours, numpys = np.random.default_rng(2026), np.random.default_rng(2026)
    got, want = standard_normal(ours, 2_000_000), numpys.standard_normal(2_000_000)
    assert (np.abs(want) > 3.6541528853610088).sum() > 300  # the tail was drawn
    np.testing.assert_array_equal(got, want)
    assert ours.bit_generator.state == numpys.bit_generator.state


def test_packets_of_a_stream_draw_one_stream():
    """Draws in packets (the engine's way) continue each other: the same values as one
    long numpy draw, short packets by numpy, long ones compiled, in any mix."""
    ours, numpys = np.random.default_rng(3), np.random.default_rng(3)
    sizes = [5, COMPILED_MIN, 17, 4096, 1, 300]
    got = np.concatenate([standard_normal(ours, m) for m in sizes])
    np.testing.assert_array_equal(got, numpys.standard_normal(sum(sizes)))



@pytest.mark.parametrize("shape", [3, COMPILED_MIN, (COMPILED_MIN, 16)])
@pytest.mark.parametrize("scale", [0.1, 1.0, 1e-3, -2.5])
def test_scaled_draws_are_the_bits_of_the_product_numpy_gives(shape, scale):
    """The plants wrote ``std * standard_normal(...)``; scaling in place must not change a
    bit (the state after is numpy's too)."""
    ours, numpys = np.random.default_rng(11), np.random.default_rng(11)
    got, want = scaled_normal(ours, shape, scale), scale * numpys.standard_normal(shape)
    assert got.shape == want.shape
    assert np.array_equal(got.view(np.int64), want.view(np.int64))
    assert ours.bit_generator.state == numpys.bit_generator.state
