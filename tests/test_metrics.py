"""Metric definitions against values worked by hand."""
import math
import warnings

import numpy as np
import pytest

from gainsim.analysis.metrics import (band, mean_ci95, nanmean_replicas, replica_curves,
                                      settling_time)
from gainsim.analysis.replica_stats import band_of


@pytest.fixture(params=["numpy", "compiled"])
def stats_path(request, monkeypatch):
    """Run a test on both paths of :mod:`gainsim.analysis.replica_stats`: numpy for small
    arrays, the compiled passes above ``NUMPY_MAX`` entries (forced with 0)."""
    from gainsim.analysis import replica_stats

    if request.param == "compiled":
        monkeypatch.setattr(replica_stats, "NUMPY_MAX", 0)
    return request.param


def nanquantiles(values, qs):
    """``np.nanquantile(values, q, axis=0)`` for each ``q``, from the compiled band."""
    values = np.asarray(values, dtype=float)
    flat = values.reshape(values.shape[0], -1)
    return [band_of(flat, q, q)[1].reshape(values.shape[1:]) for q in qs]


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


def test_nanquantiles_by_hand(stats_path):
    # column [1, 2, 3, 4] (+ a NaN): h = (n - 1) q = 0.3 and 2.7, linear between neighbours
    col = np.array([[3.0], [np.nan], [1.0], [4.0], [2.0]])
    p10, p90 = nanquantiles(col, (0.1, 0.9))
    assert p10[0] == pytest.approx(1.3, abs=1e-15) and p90[0] == pytest.approx(3.7, abs=1e-15)


@pytest.mark.parametrize("replicas", [1, 2, 3, 20, 21])
def test_nanquantiles_equal_numpy_bit_for_bit(replicas, stats_path):
    rng = np.random.default_rng(replicas)
    values = rng.lognormal(size=(replicas, 5, 40))
    values[rng.random(values.shape) < 0.3] = np.nan        # scattered NaNs
    values[:, 0, :] = np.nan                               # a column without values
    values[1:, 1, :] = np.nan                              # one value left
    values[0, 2, 3:] = np.inf                              # overflowed errors
    values[:, 3, ::7] = np.inf
    values[replicas // 2:, 4, 10:] = np.nan                # replicas that diverged at t_10
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for q, got in zip((0.1, 0.9, 0.5, 0.0, 1.0),
                          nanquantiles(values, (0.1, 0.9, 0.5, 0.0, 1.0))):
            want = np.nanquantile(values, q, axis=0)
            np.testing.assert_array_equal(got, want)
        means = band({"x": values})["x_mean"]
        np.testing.assert_array_equal(means, np.nanmean(values, axis=0))


def test_band_keeps_a_negative_zero_mean(stats_path):
    # replicas added in order from the first one (NaN as 0.0), as gainsim always has:
    # -0.0 alone stays -0.0; -0.0 + (NaN as 0.0) is +0.0
    values = np.array([[-0.0, -0.0], [-0.0, np.nan]])[:, None, :]
    mean = band({"x": values})["x_mean"]
    assert list(np.signbit(mean).ravel()) == [True, False]
    assert list(np.signbit(nanmean_replicas(values)).ravel()) == [True, False]


EDGE = """
name = "edge"
[plant]
kind = "fir"
taps = 2
noise_std = 0.1
[run]
samples = 400
replicas = {replicas}
[metrics]
grid = 20
{policies}[[policy]]
name = "edge"
estimator = "lms"
gain = 0.95
"""  # an LMS gain at the edge of stability: replicas diverge at different times


def test_band_of_a_run_with_diverged_replicas_equals_numpy():
    from gainsim import loads, run

    scenario = loads(EDGE.format(replicas=6, policies=""))
    res = run(scenario)
    from gainsim.engine.runner import replica_seeds
    from gainsim.engine.sim import simulate

    traces = [simulate(res.scenario, s) for s in replica_seeds(res.seed, res.replicas)]
    curves = replica_curves(traces)
    gone = np.isnan(curves["misalignment"][:, 0, :])
    assert (gone.any(axis=0) & ~gone.all(axis=0)).any()  # replicas diverged at different times
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for name, values in curves.items():
            for q, key in ((0.1, "p10"), (0.9, "p90")):
                np.testing.assert_array_equal(res.curves[f"{name}_{key}"],
                                              np.nanquantile(values, q, axis=0))


@pytest.mark.parametrize("replicas", [1, 2, 7])
def test_nanmean_replicas_equals_numpy_bit_for_bit(replicas, stats_path):
    rng = np.random.default_rng(replicas)
    values = rng.normal(size=(replicas, 4, 30, 3))
    values[rng.random(values.shape) < 0.3] = np.nan
    values[:, 0] = np.nan                                   # no replica has a value
    values[0, 1, :, :] = np.inf
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want = np.nanmean(values, axis=0)
    np.testing.assert_array_equal(nanmean_replicas(list(values)), want)
    np.testing.assert_array_equal(nanmean_replicas(values), want)  # an array iterates by row


def test_a_slow_decay_that_never_reached_its_band_has_no_settling_time():
    # GD at gamma = 0.01 on the bowl diag(0.1, 1) from (1, 1): the slow mode decays as
    # (1 - 0.001)^(2k), so over 200 iterations |theta|² only falls from 2 to about 0.69;
    # the window's own mean is no steady level (its quarters differ by ~0.05, five times
    # the 1 % band of ~0.013), so no settling time is reported
    t = np.arange(201.0)
    curve = 0.999 ** (2 * t) + 0.99 ** (2 * t)
    steady = curve[151:].mean()
    assert settling_time(t, curve, steady, 0.01, start=151) is None
    # the fast bowl diag(2, 20) at gamma = 0.01 does reach 1 % of its start: it settles
    fast = 0.98 ** (2 * t) + 0.8 ** (2 * t)
    assert settling_time(t, fast, fast[151:].mean(), 0.01, start=151) is not None


def test_the_engine_reports_no_settling_time_for_the_slow_bowl():
    import gainsim

    raw = {"name": "bowl", "plant": {"kind": "quadratic", "eigenvalues": [0.1, 1.0],
                                      "theta0": [1.0, 1.0]},
           "stream": {"rate": 1.0}, "run": {"samples": 200},
           "metrics": {"grid": 200, "convergence_band": 0.01},
           "policy": [{"estimator": "gd", "gain": 0.01}]}
    summary = gainsim.run(raw).summary["policies"][0]
    assert summary["final_misalignment"] > 0.5          # still far from 0 at the end
    assert summary["convergence_time"] is None


def test_growing_curves_by_hand():
    from gainsim.analysis.metrics import is_growing

    t = np.arange(101.0)
    grows = 25 * 1.02 ** (2 * t)                  # GD at eta = 1.01 on w², pole -1.02
    assert is_growing(np.r_[np.nan, grows[1:]], 76)
    assert not is_growing(25 * 0.98 ** (2 * t), 76)       # converging
    rng = np.random.default_rng(1)
    noisy = 1.0 + 0.1 * rng.standard_normal(101)           # stationary noise
    assert not is_growing(noisy, 76)
    # a jump at 80 the estimate is recovering from: the quarters do not all rise
    jump = np.where(t < 80, 0.01, 0.01 + 5 * 0.9 ** (t - 80))
    assert not is_growing(jump, 76)


def test_growing_quarters_are_numpys_array_split_by_hand():
    """Five values split as np.array_split does: [1, 2.5] [2] [3] [4], means 1.75 < 2 < 3 < 4
    and 4 > 1.5 x 1.75 (a split that put the longer quarter last would see 1 < 2.5 > 2)."""
    from gainsim.analysis.metrics import is_growing

    assert is_growing(np.array([1.0, 2.5, 2.0, 3.0, 4.0]), 0)
    assert not is_growing(np.array([1.0, 2.0, 2.5, 3.0, 4.0])[::-1].copy(), 0)


def test_a_run_growing_below_the_divergence_norm_is_flagged_and_ranked_after():
    import gainsim
    from gainsim.report.text import format_table, summary_rows

    raw = gainsim.load("scenarios/goldilocks.toml")
    raw = gainsim.scenario.to_dict(raw)
    raw["policy"][3]["gain"] = {"kind": "constant", "eta": 1.01}   # |1 - 2.02| = 1.02
    result = gainsim.run(raw)
    policies = result.summary["policies"]
    assert [p["growing"] for p in policies] == [False, False, False, True]
    assert not policies[3]["diverged"]
    table = format_table(summary_rows(result.summary))
    last = table.splitlines()[-1]
    assert last.startswith("4  diverging (1.1) (GROWING: no steady state)")
    # it is not the best even with a lower error than every ordinary run would need
    assert result.summary["best_policy"] == "just right (0.5)"


@pytest.mark.parametrize("n", range(1, 13))
def test_sorting_network_sorts_every_zero_one_input(n):
    # the 0-1 principle (Knuth, TAOCP 3, §5.3.4, Theorem Z): a comparator network sorts
    # every input iff it sorts every sequence of 0s and 1s
    import itertools

    from gainsim.analysis.replica_stats import sorting_network

    network = sorting_network(n)
    assert np.all(network[:, 0] < network[:, 1]) and (network.size == 0 or network.max() < n)
    for bits in itertools.product((0, 1), repeat=n):
        v = list(bits)
        for a, b in network:
            v[a], v[b] = min(v[a], v[b]), max(v[a], v[b])
        assert v == sorted(bits)


def test_sorting_network_has_batchers_comparator_count():
    # Batcher's odd-even merge sort of n = 2^t values: (t^2 - t + 4) 2^(t-2) - 1
    # comparators (Knuth, TAOCP 3, §5.3.4): 63 for 16, 191 for 32
    from gainsim.analysis.replica_stats import sorting_network

    assert [len(sorting_network(n)) for n in (16, 32)] == [63, 191]


@pytest.mark.parametrize("replicas", [1, 2, 3, 5, 8])
def test_nanmean_equals_numpy_whichever_replica_first_holds_a_nan(replicas, stats_path):
    # two replicas per compiled pass while none holds a NaN, counts from the first NaN on
    rng = np.random.default_rng(replicas)
    for first_nan in [None, *range(replicas)]:
        values = rng.normal(size=(replicas, 3, 50))
        if first_nan is not None:
            values[first_nan:][rng.random(values[first_nan:].shape) < 0.2] = np.nan
            values[first_nan, 0, :] = np.nan
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            want = np.nanmean(values, axis=0)
        np.testing.assert_array_equal(nanmean_replicas(list(values)), want)


def test_last_finite_value_of_each_row():
    from gainsim.analysis.metrics import last_finite

    v = np.array([[[1.0, 2.0, np.nan], [np.nan] * 3, [np.inf, 3.0, 4.0], [5.0, np.inf, 6.0]]])
    last, has = last_finite(v)
    assert last.tolist() == [[2.0, 0.0, 4.0, 6.0]] and has.tolist() == [[True, False, True, True]]


@pytest.mark.parametrize("replicas", [1, 3, 8])
def test_the_mean_of_constant_gains_equals_numpy_on_their_full_records(replicas, stats_path):
    """Constant gains are kept once per policy (``eta_constant``); their replica mean must
    be ``np.nanmean`` of the per-time records they stand for, bit for bit (three 0.1s add
    up to 0.30000000000000004: the mean is not the gain)."""
    from gainsim.analysis.metrics import constant_gain_mean
    from gainsim.engine.sim import constant_gain_record

    rng = np.random.default_rng(replicas)
    gains = np.array([[0.1, 0.1, 0.1], [0.3, 0.7, 1e-3], [0.01, 0.02, 0.05]])
    records = []
    for _ in range(replicas):
        eta_mean = np.tile(gains.mean(axis=1)[:, None], (1, 12))
        eta_mean[rng.random(eta_mean.shape) < 0.3] = np.nan  # not recorded (diverged)
        eta_mean[0, -1] = np.nan                              # never recorded at the end
        records.append((eta_mean, constant_gain_record(gains, eta_mean)))
    counts = sum((~np.isnan(m)).astype(np.int64) for m, _ in records)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want = np.nanmean(np.stack([r for _, r in records]), axis=0)
    got = constant_gain_mean(gains, counts, replicas)
    np.testing.assert_array_equal(got, want)
    if replicas == 3:
        assert (counts == 3).any() and got[0][counts[0] == 3][0, 0] == 0.30000000000000004 / 3


def test_a_bank_of_constant_gains_records_its_gains_once_and_a_divergence_as_nan():
    from gainsim import loads, run
    from gainsim.engine.runner import replica_seeds
    from gainsim.engine.sim import simulate

    scenario = loads(EDGE.format(replicas=4, policies='[[policy]]\nname = "slow"\n'
                                 'estimator = "lms"\ngain = 0.1\n'))
    traces = [simulate(scenario, s) for s in replica_seeds(0, 4)]
    assert all(tr.eta_vector is None for tr in traces)
    np.testing.assert_array_equal(traces[0].eta_constant, [[0.1, 0.1], [0.95, 0.95]])
    for tr in traces:
        record = tr.eta_vectors()
        assert record.shape == (2, 21, 2) and (record[0] == 0.1).all()
        gone = np.isnan(tr.misalignment[1])
        np.testing.assert_array_equal(np.isnan(record[1]), np.repeat(gone[:, None], 2, axis=1))
        assert (record[1][~gone] == 0.95).all()
    assert any(np.isnan(tr.misalignment[1]).any() for tr in traces)  # "edge" diverged
    res = run(scenario, seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want = np.nanmean(np.stack([tr.eta_vectors() for tr in traces]), axis=0)
    np.testing.assert_array_equal(res.curves["eta_vector_mean"], want)


def test_bands_from_one_reused_buffer_equal_the_bands_of_the_stacked_curves():
    """``collect`` fills one (R, P, G+1) buffer per curve in turn (``replica_bands``); the
    numbers must be those of ``band`` over the stacked curves, diverged replicas included."""
    from gainsim import loads
    from gainsim.analysis.metrics import replica_bands
    from gainsim.engine.runner import replica_seeds
    from gainsim.engine.sim import simulate

    scenario = loads(EDGE.format(replicas=5, policies='[[policy]]\nname = "slow"\n'
                                 'estimator = "lms"\ngain = 0.05\n'))
    traces = [simulate(scenario, s) for s in replica_seeds(3, 5)]
    assert any(np.isnan(tr.misalignment[1]).any() for tr in traces)  # "edge" diverged
    from gainsim.analysis.metrics import constant_gains

    assert constant_gains(traces)  # the gain curves come from each policy's one value
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want = band(replica_curves(traces))
        got = replica_bands(traces)
    assert got.keys() == want.keys() and len(got) == 15
    for key, value in want.items():
        np.testing.assert_array_equal(got[key], value, err_msg=key)
        same = ~np.isnan(value)
        np.testing.assert_array_equal(got[key][same].view(np.int64),
                                      value[same].view(np.int64), err_msg=key)  # bits
    # the tracking error of an interval is err_sum / err_cnt, nan without samples and at t = 0
    err_sum = np.stack([tr.err_sum for tr in traces])
    err_cnt = np.stack([tr.err_cnt for tr in traces])
    assert (err_cnt == 0).any()
    with np.errstate(invalid="ignore", divide="ignore"):
        by_hand = np.where(err_cnt > 0, err_sum / err_cnt, np.nan)
    te = replica_curves(traces)["tracking_error"]
    assert np.isnan(te[:, :, 0]).all()
    np.testing.assert_array_equal(te[:, :, 1:], by_hand)


@pytest.mark.parametrize("executor", ["serial", "process"])
def test_a_run_folds_each_replicas_records_into_numpys_mean(executor, stats_path, monkeypatch):
    """A run keeps no replica's (P, G+1, n) records: each is folded into the running mean
    as it comes (TraceFold), in replica order whichever process ran it. The means must be
    ``np.nanmean`` over the stacked records of the same replicas, bit for bit: estimates of
    replicas that diverged at different times, and per-time gains of an adaptive law."""
    from gainsim import loads
    from gainsim.engine.executors import ProcessPool, Serial, execute, opened
    from gainsim.engine.results import collect
    from gainsim.engine.runner import replica_seeds
    from gainsim.engine.sim import simulate

    scenario = loads(EDGE.format(replicas=7, policies='[[policy]]\nname = "idbd"\n'
                                 'estimator = "lms"\n'
                                 'gain = { kind = "idbd", meta_rate = 0.01, eta0 = 0.05 }\n'))
    traces = [simulate(scenario, s) for s in replica_seeds(0, 7)]
    assert any(np.isnan(tr.theta[1]).any() for tr in traces)  # "edge" diverged
    assert all(tr.eta_vector is not None for tr in traces)    # IDBD records its gains
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want_theta = np.nanmean(np.stack([tr.theta for tr in traces]), axis=0)
        want_eta = np.nanmean(np.stack([tr.eta_vectors() for tr in traces]), axis=0)
    from gainsim.engine import executors

    monkeypatch.setattr(executors, "STARTUP_SECONDS", 0.0)  # blocks go out, however small
    pool = Serial() if executor == "serial" else ProcessPool(2)
    with opened(pool):
        fold = execute([scenario], pool, summarise=False)[0]
    assert len(fold.traces) == 7 and all(tr.theta is None and tr.eta_vector is None
                                         for tr in fold.traces)
    res = collect(scenario, fold)
    np.testing.assert_array_equal(res.curves["theta_hat_mean"], want_theta)
    np.testing.assert_array_equal(res.curves["eta_vector_mean"], want_eta)
    # a list of traces is folded too, and left as it was
    again = collect(scenario, traces)
    np.testing.assert_array_equal(again.curves["theta_hat_mean"], want_theta)
    assert all(tr.theta is not None for tr in traces)


def test_blocks_that_arrive_out_of_order_are_folded_in_replica_order(stats_path):
    """A pool hands blocks back as they finish; the fold must wait for the earlier ones
    (floating-point addition is not associative: another order, other bits)."""
    from gainsim import loads
    from gainsim.engine.executors import _Plan, simulate_block
    from gainsim.engine.results import collect

    scenario = loads(EDGE.format(replicas=6, policies=""))
    plan = _Plan([scenario], summarise=False)
    blocks = {start: simulate_block(scenario, start, start + 2) for start in (0, 2, 4)}
    want = collect(scenario, [tr for s in (0, 2, 4) for tr in blocks[s]])
    assert not plan.add_block(0, 4, blocks[4])
    assert not plan.add_block(0, 0, blocks[0])
    assert len(plan.folds[0].traces) == 2  # 4..5 waits for 2..3
    assert plan.add_block(0, 2, blocks[2])
    got = collect(scenario, plan.results[0])
    for key, value in want.curves.items():
        np.testing.assert_array_equal(got.curves[key], value, err_msg=key)


def test_replica_seeds_are_the_spawned_children_and_a_block_is_their_slice():
    """Replica r's seed is child r of SeedSequence(seed).spawn(R), made directly; a block
    start..R-1 is the slice of the whole list (same entropy, spawn key, pool size, state)."""
    from gainsim.engine.results import replica_seeds

    spawned = np.random.SeedSequence(2026).spawn(9)
    ours = replica_seeds(2026, 9)
    block = replica_seeds(2026, 9, start=4)
    for want, got in zip(spawned, ours):
        assert (got.entropy, got.spawn_key, got.pool_size) == (want.entropy, want.spawn_key,
                                                               want.pool_size)
        np.testing.assert_array_equal(got.generate_state(8), want.generate_state(8))
    assert [s.spawn_key for s in block] == [s.spawn_key for s in spawned[4:]]


def test_a_fold_gives_its_mean_again_and_takes_nothing_after_it(stats_path):
    """The sums are divided in place when the mean is taken: a second collect of the same
    fold must see the same mean (not the mean divided again), and adding after it fails."""
    from gainsim.analysis.replica_stats import NanMeanFold, NUMPY_MAX

    rows = np.random.default_rng(0).normal(size=(3, 50))
    fold = NanMeanFold(compiled=rows.size > NUMPY_MAX)
    fold.add(rows[0], rows[1])
    fold.add(rows[2])
    first = fold.mean().copy()
    np.testing.assert_array_equal(fold.mean(), first)
    np.testing.assert_array_equal(first, np.nanmean(rows, axis=0))
    with pytest.raises(ValueError, match="mean was taken"):
        fold.add(rows[0])


def test_bands_of_folded_traces_with_adaptive_gains_equal_those_of_the_whole_traces():
    """A folded trace keeps neither per-time gains nor constant ones (TraceFold drops the
    record): its gain curves must take the general path, not the constant gains' one."""
    from gainsim import loads
    from gainsim.analysis.metrics import constant_gains, replica_bands
    from gainsim.engine.results import TraceFold
    from gainsim.engine.runner import replica_seeds
    from gainsim.engine.sim import simulate

    scenario = loads(EDGE.format(replicas=4, policies='[[policy]]\nname = "idbd"\n'
                                 'estimator = "lms"\n'
                                 'gain = { kind = "idbd", meta_rate = 0.05 }\n'))
    whole = [simulate(scenario, s) for s in replica_seeds(2, 4)]
    fold = TraceFold(4)
    fold.extend([simulate(scenario, s) for s in replica_seeds(2, 4)])
    assert not constant_gains(whole) and not constant_gains(fold.traces)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        want = band(replica_curves(whole))
        got = replica_bands(fold.traces)
    assert np.ptp(np.nan_to_num(want["eta_p90"][0])) > 0  # IDBD's gain moves
    for key, value in want.items():
        np.testing.assert_array_equal(got[key], value, err_msg=key)
