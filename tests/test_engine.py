"""Engine semantics: the simpy stream equals the plain loop; packets change speed only."""
import numpy as np
import pytest

from conftest import fir_scenario, policies
from gainsim.engine.offline import run_offline
from gainsim.engine.sim import Channel, Rngs, simulate


def _same(a, b):
    for name in ("err_sum", "err_cnt", "misalignment", "eta", "updates", "diverged_at"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_zero_latency_periodic_run_equals_offline_loop_bit_for_bit():
    scen = fir_scenario(samples=300, grid=300, input='{kind = "ar1", pole = 0.8}',
                        drift='{kind = "random_walk", std = 0.01}', packet=64,
                        policies=policies(("lms", 0.05), ("nlms", 0.5), ("lms", 0.2)))
    seed = np.random.SeedSequence(11)
    trace = simulate(scen, seed)
    ref = run_offline(scen, seed)
    # one sample per interval: the interval's error sum is that sample's e²
    np.testing.assert_array_equal(trace.err_sum, ref.errors)
    np.testing.assert_array_equal(trace.theta[:, -1], ref.theta)  # estimate recorded on the grid


def test_lms_equals_a_straightforward_numpy_loop():
    scen = fir_scenario(samples=500, grid=500, noise_std=0.3, policies=policies(("lms", 0.07)))
    seed = np.random.SeedSequence(5)
    trace = simulate(scen, seed)
    rngs = Rngs.from_seed(seed)
    state, theta_star = scen.plant.init(rngs)
    cols, _ = scen.plant.packet(state, np.arange(1, 501) / 1.0, rngs)
    theta = np.zeros(4)
    errors, mis, thetas = [], [np.sum(theta_star**2)], [theta]
    for x, d in zip(cols["x"], cols["d"]):
        e = d - theta @ x
        theta = theta + 0.07 * e * x
        errors.append(e * e)
        mis.append(np.sum((theta - theta_star) ** 2))
        thetas.append(theta)
    np.testing.assert_allclose(trace.err_sum[0], errors, rtol=1e-10)
    np.testing.assert_allclose(trace.misalignment[0], mis, rtol=1e-10)
    np.testing.assert_allclose(trace.theta[0], thetas, rtol=1e-10, atol=1e-14)
    np.testing.assert_array_equal(trace.theta_star, np.tile(theta_star, (501, 1)))  # no drift


@pytest.mark.parametrize("stream", [
    dict(),
    dict(latency='{kind = "uniform", low = 0.0, high = 3.5}', dropout=0.2),
    dict(arrivals="poisson", latency='{kind = "exponential", mean = 2.0}', dropout=0.1),
])
def test_packet_size_never_changes_results(stream):
    kw = dict(samples=400, grid=37, input='{kind = "ar1", pole = 0.9}',
              drift='{kind = "random_walk", std = 0.01}',
              policies=policies(("lms", 0.05), ("nlms", 0.3)), **stream)
    seed = np.random.SeedSequence(2)
    base = simulate(fir_scenario(packet=100, **kw), seed)
    for packet in (1, 7, 1000):
        _same(simulate(fir_scenario(packet=packet, **kw), seed), base)


def test_replica_generators_are_numpy_spawned_children_made_on_first_use():
    from gainsim.engine.sim import RNG_STREAMS

    rngs = Rngs.from_seed(np.random.SeedSequence(11, spawn_key=(3,)))
    children = np.random.SeedSequence(11, spawn_key=(3,)).spawn(len(RNG_STREAMS))
    assert not rngs._made  # nothing seeded yet
    for name in ("noise", "init", "dropout"):
        i = RNG_STREAMS.index(name)
        assert np.array_equal(getattr(rngs, name).random(4),
                              np.random.default_rng(children[i]).random(4)), name
    assert sorted(rngs._made) == ["dropout", "init", "noise"]
    # a periodic stream with no latency and no dropout draws nothing
    sc = fir_scenario(policies=policies(("lms", 0.01)), samples=300, packet=64)
    seen = []
    original = Rngs._stream
    try:
        Rngs._stream = lambda self, name: seen.append(name) or original(self, name)
        simulate(sc, np.random.SeedSequence(0))
    finally:
        Rngs._stream = original
    assert "noise" in seen and not {"arrivals", "latency", "dropout"} & set(seen)


def test_channel_delivers_in_arrival_order_and_holds_late_samples():
    ch = Channel()
    ch.send({"i": np.array([0, 1, 2])}, np.array([3.0, 1.0, np.inf]))
    ch.send({"i": np.array([3, 4])}, np.array([1.0, 5.0]))
    cols, arr = ch.receive(3.0)
    assert cols["i"].tolist() == [1, 3, 0]      # ties keep measurement order
    assert arr.tolist() == [1.0, 1.0, 3.0]
    cols, arr = ch.receive(4.9)
    assert cols == {} or cols["i"].size == 0
    cols, arr = ch.receive(5.0)
    assert cols["i"].tolist() == [4]            # the dropped sample (inf) never arrives


def test_constant_latency_delays_learning_by_that_time():
    kw = dict(samples=100, grid=100, policies=policies(("lms", 0.1)))
    seed = np.random.SeedSequence(4)
    now = simulate(fir_scenario(**kw), seed)
    late = simulate(fir_scenario(latency=3.0, **kw), seed)
    # samples measured at t arrive at t + 3: the same errors, three intervals later
    np.testing.assert_array_equal(late.err_sum[0, 3:], now.err_sum[0, :-3])
    assert late.err_cnt[0, :3].sum() == 0 and late.updates[0] == 97


def test_dropout_loses_the_stated_fraction():
    scen = fir_scenario(samples=20000, grid=10, dropout=0.25, policies=policies(("lms", 0.01)))
    trace = simulate(scen, np.random.SeedSequence(1))
    # binomial(20000, 0.75): std = 61; allow 5 std
    assert abs(trace.updates[0] - 15000) < 5 * 61


def test_poisson_arrivals_have_the_stated_rate():
    scen = fir_scenario(samples=20000, rate=50.0, arrivals="poisson", grid=10,
                        policies=policies(("lms", 0.01)))
    trace = simulate(scen, np.random.SeedSequence(1))
    # samples in 400 s at rate 50 ~ Poisson(20000): std 141; allow 5 std
    assert abs(trace.samples - 20000) < 5 * 141
    assert trace.updates[0] == trace.samples


def test_replica_results_do_not_depend_on_worker_layout():
    # Replica r must see the same samples and give the same numbers whether replicas run
    # in order, in reverse order (no state carried from one replica to the next) or in a
    # pool of two processes (no state shared through the parent process).
    from gainsim.engine.runner import replica_seeds, run

    scenario = fir_scenario(samples=300, replicas=3, grid=10, noise_std=0.3,
                            drift='{kind = "random_walk", std = 0.01}',
                            policies=policies(("lms", 0.05), ("nlms", 0.5)))
    seeds = replica_seeds(scenario.run.seed, scenario.run.replicas)
    forward = [simulate(scenario, s) for s in seeds]
    backward = [simulate(scenario, s) for s in reversed(seeds)][::-1]
    for a, b in zip(forward, backward):
        for name in ("err_sum", "misalignment", "eta", "updates"):
            np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert not np.array_equal(forward[0].err_sum, forward[1].err_sum)  # replicas differ
    serial, pooled = run(scenario, workers=1), run(scenario, workers=2)
    assert serial.curves.keys() == pooled.curves.keys()
    for name, curve in serial.curves.items():
        np.testing.assert_array_equal(curve, pooled.curves[name], err_msg=name)
    assert serial.policies == pooled.policies


@pytest.mark.parametrize("size", [9, 17])
def test_bank_kernel_equals_one_policy_at_a_time(size, monkeypatch):
    # 9 policies take the policies-innermost kernel on this thread, 17 in two blocks on
    # numba's threads (forced: this little work would run on one); one policy takes the
    # plain kernel
    import gainsim.estimators.lms as lms

    monkeypatch.setattr(lms, "bank_blocks", lambda policies, *_: 1 if policies < 16 else 2)
    etas = [0.004 * 2 ** (8 * i / (size - 1)) for i in range(size)]  # the last ones diverge
    kw = dict(samples=3000, grid=30, noise_std=0.5, drift='{kind = "random_walk", std = 0.01}')
    seed = np.random.SeedSequence(3)
    for est in ("lms", "nlms"):
        scale = 1.0 if est == "lms" else 2.0
        bank = simulate(fir_scenario(policies=policies(*[(est, e * scale) for e in etas]), **kw),
                        seed)
        assert np.isfinite(bank.diverged_at).any() and np.isnan(bank.diverged_at).any()
        for p, eta in enumerate(etas):
            one = simulate(fir_scenario(policies=policies((est, eta * scale)), **kw), seed)
            for name in ("err_sum", "err_cnt", "misalignment", "eta", "updates", "diverged_at"):
                np.testing.assert_array_equal(getattr(bank, name)[p], getattr(one, name)[0])


def test_one_block_of_a_bank_never_launches_the_thread_pool():
    # waking numba's workers costs milliseconds per kernel call when the other core is busy
    import os
    import subprocess
    import sys

    code = ("import numpy as np, numba.np.ufunc.parallel as par\n"
            "from conftest import fir_scenario, policies\n"
            "from gainsim.engine.sim import simulate\n"
            "pol = policies(*[('lms', 0.001 * (k + 1)) for k in range(15)])\n"
            "simulate(fir_scenario(samples=2000, policies=pol), np.random.SeedSequence(0))\n"
            "print(par._is_initialized)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=os.path.dirname(os.path.abspath(__file__)), check=True)
    assert out.stdout.split() == ["False"]


def test_a_bank_never_splits_beyond_the_threads_numba_may_use():
    # a process pool's workers call numba.set_num_threads(1): two blocks would run one
    # after the other on that thread, each slower than the whole bank in one block
    import os
    import subprocess
    import sys

    code = ("import numba\n"
            "from gainsim.estimators.threads import MIN_WORK, bank_blocks, numba_threads\n"
            "args = (32, MIN_WORK // 16 // 32 + 1, 16)\n"
            "before = (numba_threads(), bank_blocks(*args, runnable=1, own=1, cores=2))\n"
            "numba.set_num_threads(1)\n"
            "print(*before, numba_threads(), bank_blocks(*args, runnable=1, own=1, cores=2))\n")
    env = dict(os.environ, NUMBA_NUM_THREADS="2")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env=env, check=True)
    assert out.stdout.split() == ["2", "2", "1", "1"]


def test_aligned_arrays_start_on_64_byte_boundaries_and_copy_exactly():
    from gainsim.estimators.aligned import (copy_aligned, empty_aligned, zeros_aligned,
                                            zeros_aligned_int)

    a = np.random.default_rng(0).standard_normal((5, 13))
    for size in (1, 7, 8, 64, 100):
        assert empty_aligned(size).ctypes.data % 64 == 0 and empty_aligned(size).size == size
        z = zeros_aligned_int(size)
        assert z.ctypes.data % 64 == 0 and z.dtype == np.int64 and not z.any()
        f = zeros_aligned(size)
        assert f.ctypes.data % 64 == 0 and f.dtype == np.float64 and not f.any()
    c = copy_aligned(a[:, 3:11])  # a strided view, as a block of the bank
    assert c.ctypes.data % 64 == 0 and c.flags.c_contiguous
    np.testing.assert_array_equal(c, a[:, 3:11])


def test_bank_threads_only_when_they_cannot_slow_the_call():
    from gainsim.estimators.threads import (MIN_WORK, bank_blocks, own_runnable_threads,
                                            runnable_tasks)

    big = MIN_WORK // 16 // 32 + 1                        # samples: enough work for 32 x 16
    assert bank_blocks(32, big, 16, runnable=1, own=1, cores=2) == 2   # an idle core now
    assert bank_blocks(32, big, 16, runnable=2, own=2, cores=2) == 2   # both tasks are ours
    assert bank_blocks(32, big, 16, runnable=2, own=1, cores=2) == 1   # the other core busy
    assert bank_blocks(32, big, 16, runnable=3, own=2, cores=2) == 1   # busy, our worker too
    assert bank_blocks(32, big, 16, runnable=3, own=1, cores=4) == 2   # 2 of 3 others free
    assert bank_blocks(32, big, 16, runnable=2, own=None, cores=2) == 1  # ours unknown: 1
    assert bank_blocks(32, big, 16, runnable=None, own=None, cores=2) == 2  # work decides
    assert bank_blocks(32, big // 2, 16, runnable=1, own=1, cores=2) == 1  # too little work
    assert bank_blocks(15, 10 * big, 16, runnable=1, own=1, cores=2) == 1  # one block of work
    assert bank_blocks(512, big, 16, runnable=1, own=1, cores=1) == 1      # one core
    assert runnable_tasks("0.50 0.41 0.30 3/412 12345\n") == 3
    assert runnable_tasks("garbage") is None
    assert own_runnable_threads() >= 1                 # this thread runs while it reads


def test_numba_cache_folder_is_keyed_on_the_compiled_sources():
    import numba

    from gainsim._numba_cache import source_digest

    assert numba.config.CACHE_DIR.endswith(f"gainsim-{source_digest()}")


def test_per_parameter_gain_is_recorded_on_the_grid():
    pol = '[[policy]]\nname = "i"\nestimator = "lms"\ngain = { kind = "idbd", meta_rate = 0.05 }\n'
    trace = simulate(fir_scenario(samples=400, grid=8, policies=pol), np.random.SeedSequence(1))
    vec = trace.eta_vector[0]                          # (G+1, n)
    assert vec.shape == (9, 4) and np.all(np.isfinite(vec))
    assert np.ptp(vec[-1]) > 0                         # IDBD learns a different gain per weight
    np.testing.assert_allclose(trace.eta[0], vec.mean(axis=1), rtol=1e-12)
    np.testing.assert_array_equal(trace.eta_min[0], vec.min(axis=1))
    np.testing.assert_array_equal(trace.eta_max[0], vec.max(axis=1))
    np.testing.assert_array_equal(vec[0], np.full(4, 0.01))   # exp(beta0) = eta0 before learning


def test_schedule_on_the_time_clock_follows_time_not_updates():
    # half the samples are lost: on the update clock a step schedule drops after 100
    # updates (~200 samples); on the time clock after 100 nominal samples (t = 100 s)
    def run(clock):
        pol = ('[[policy]]\nname = "s"\nestimator = "lms"\n'
               f'clock = "{clock}"\n'
               'gain = { kind = "step", eta0 = 0.1, step_size = 100, gamma = 0.1 }\n')
        return simulate(fir_scenario(samples=300, grid=300, dropout=0.5, policies=pol),
                        np.random.SeedSequence(2))
    by_time, by_updates = run("time"), run("updates")
    np.testing.assert_allclose(by_time.eta[0, 110:200], 0.01)     # t >= 100 s: dropped
    assert np.all(by_time.eta[0, 2:99] == 0.1)
    k = np.cumsum(by_updates.err_cnt[0])                           # updates applied by t
    assert by_updates.eta[0, 150] == (0.1 if k[149] <= 100 else 0.01)
    assert np.any(by_updates.eta[0, 100:200] == 0.1)               # still at 0.1 after 100 s


def test_a_chunk_without_samples_records_and_never_calls_a_kernel(monkeypatch):
    # an empty chunk would make every law's loop compile a second time (numpy calls an
    # empty regressor array C-contiguous, the delay line's regressors are a strided view);
    # monitor times passed before any sample arrived are recorded with the first chunk that
    # has samples, so a run whose samples arrive never records on its own (snapshot_live
    # is not even compiled), and one that ends with none recorded does so at its end
    from gainsim.estimators.bank import Bank
    from gainsim.estimators.groups import FastGroup, GeneralGroup

    sizes, idle = [], []
    for cls in (FastGroup, GeneralGroup):
        real = cls.advance
        monkeypatch.setattr(cls, "advance", lambda self, chunk, real=real: (
            sizes.append(chunk.arrival.size), real(self, chunk))[1])
    real_idle = Bank.record_monitor_times
    monkeypatch.setattr(Bank, "record_monitor_times", lambda self, chunk: (
        idle.append(chunk.grid_j.copy()), real_idle(self, chunk))[1])
    pol = policies(("lms", 0.05)) + '\n[[policy]]\nname = "i"\nestimator = "lms"\n' \
        'gain = { kind = "idbd", meta_rate = 0.05 }\n'
    scen = fir_scenario(samples=300, grid=30, packet=16, policies=pol, latency="40.0")
    seed = np.random.SeedSequence(4)
    trace = simulate(scen, seed)
    assert sizes and min(sizes) > 0
    assert idle == []                        # every monitor time went with samples
    _, theta_star0 = scen.plant.init(Rngs.from_seed(seed))
    # monitor times 0, 10, ..., 40 s come before the first arrival (t = 1 s + 40 s):
    # theta_hat is still 0 and each gain its initial value
    np.testing.assert_array_equal(trace.misalignment[:, :5], np.sum(theta_star0 ** 2))
    np.testing.assert_array_equal(trace.eta[:, :5], [[0.05] * 5, [0.01] * 5])
    # no sample arrives before the end (latency 400 s > 300 s): one record at the end
    sizes.clear()
    late = simulate(fir_scenario(samples=300, grid=30, packet=16, policies=pol,
                                 latency="400.0"), seed)
    assert sizes == [] and len(idle) == 2 and list(idle[0]) == list(range(31))
    np.testing.assert_array_equal(late.misalignment, np.sum(theta_star0 ** 2))
    np.testing.assert_array_equal(late.eta, [[0.05] * 31, [0.01] * 31])
    assert (late.updates == 0).all()
    assert np.all(trace.misalignment[:, 5] != trace.misalignment[:, 0])


@pytest.mark.parametrize("packet", [1, 7, 16384, (1 << 16) + 3])
def test_periodic_times_are_the_sample_index_over_the_rate(packet):
    """Sample ``i`` (from 1) is measured at ``i / rate``, one IEEE division of the exact
    integer, whatever the packet (``i * (1 / rate)`` would differ in ~a fifth of them)."""
    from gainsim.engine.stream import Stream

    rate, samples = 48_000.0, 200_003
    stream = Stream(rate=rate, packet=packet)
    duration = samples / rate
    got, index, last = [], 0, 0.0
    while index < samples and len(got) < 40:  # the first 40 packets (packet 1: 40 samples)
        t = stream.times(index, last, packet, None, duration)
        got.append(t.copy())
        t[:] = -1.0  # each packet is the caller's own array, writable
        index, last = index + t.size, float(got[-1][-1])
    got = np.concatenate(got)
    want = np.array([i / rate for i in range(1, got.size + 1)])
    assert np.array_equal(got.view(np.int64), want.view(np.int64))
    end = stream.times(samples - 5, 0.0, packet, None, duration)  # stops at the duration
    assert end.size == min(packet, 5) and end[-1] == (samples - 5 + end.size) / rate
