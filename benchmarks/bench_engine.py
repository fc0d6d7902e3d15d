"""Throughput of gainsim's simpy engine against baselines measured in the same run.

Run from the repository root::

    python benchmarks/bench_engine.py                       # 10^5 samples, print the table
    python benchmarks/bench_engine.py --out benchmarks/RESULTS.md

Setting: 16-tap LMS, white input (R = I), sigma_v = 0.1, eta = 0.01, one process.
Every timing is the median of a few repeats after one warm-up run; every result is
reported as samples/s and as a ratio against a baseline timed in this same process,
so numbers from different machines are compared by ratio, not by absolute speed.
The "goals" are design targets: the script reports whether they are met and never
fails because of them.
"""
from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import resource
import statistics
import sys
import time
import tracemalloc
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import numba
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import machine  # noqa: E402

import gainsim  # noqa: E402
import gainsim.engine.stream  # noqa: E402
from gainsim.estimators.aligned import copy_aligned, empty_aligned, zeros_aligned  # noqa: E402
from gainsim.estimators.lms import lms_kernel  # noqa: E402
from gainsim.engine.sim import simulate  # noqa: E402

TAPS = 16
ETA = 0.01
NOISE_STD = 0.1
RATE = 1000.0
GRID = 200
DEFAULT_PACKET = gainsim.engine.stream.Stream().packet  # the engine default
REPO = Path(__file__).resolve().parent.parent


# --------------------------------------------------------------------------- helpers

def median_time(fn, repeats: int, warmup: bool = True,
                collect: bool = True) -> tuple[float, object]:
    """Median wall time of ``fn()`` over ``repeats`` calls (after one untimed call), each
    after ``gc.collect()`` (``collect=False``: back to back)."""
    out = fn() if warmup else None
    times = []
    for _ in range(repeats):
        if collect:
            gc.collect()
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), out


def alternating_ratios(base, case, pairs: int) -> list[float]:
    """``time(base) / time(case)`` of ``pairs`` pairs timed in alternation (each after
    ``gc.collect()``), sorted: this machine's speed drifts by tens of per cent within
    minutes, so two medians timed minutes apart are not comparable; a pair is."""
    ratios = []
    for _ in range(pairs):
        gc.collect()
        t0 = time.perf_counter()
        base()
        t1 = time.perf_counter()
        gc.collect()
        t2 = time.perf_counter()
        case()
        ratios.append((t1 - t0) / (time.perf_counter() - t2))
    return sorted(ratios)


def spread_note(ratios: list[float], digits: int = 2) -> str:
    return (f"median of {len(ratios)} alternating pairs, spread "
            f"{ratios[0]:.{digits}f}–{ratios[-1]:.{digits}f}×")


def fmt_rate(x: float) -> str:
    if x >= 1e6:
        return f"{x / 1e6:.2f} M"
    if x >= 1e3:
        return f"{x / 1e3:.1f} k"
    return f"{x:.0f}"


def fmt_time(s: float) -> str:
    return f"{s * 1e3:.1f} ms" if s < 1 else f"{s:.2f} s"


def fmt_ratio(r: float) -> str:
    return f"{r:.3g}×" if r < 10 else f"{r:.0f}×"


# --------------------------------------------------------------------------- data

def make_data(samples: int, seed: int = 12345):
    """Pre-generated regression stream: white tapped delay line, d = theta*ᵀx + v."""
    rng = np.random.default_rng(seed)
    u = rng.standard_normal(samples + TAPS - 1)
    X = np.ascontiguousarray(np.lib.stride_tricks.sliding_window_view(u, TAPS)[:, ::-1])
    theta_star = rng.standard_normal(TAPS) / np.sqrt(TAPS)
    d = X @ theta_star + NOISE_STD * rng.standard_normal(samples)
    return X, d, theta_star


# --------------------------------------------------------------------------- baselines

def python_loop(X, d, eta):
    """Baseline (a): plain Python loop, numpy per sample."""
    th = np.zeros(X.shape[1])
    for i in range(X.shape[0]):
        xi = X[i]
        e = d[i] - th @ xi
        th += (eta * e) * xi
    return th


def padasip_run(X, d, eta):
    """Baseline (b): padasip FilterLMS.run; its update is w += mu * e * x, so mu = eta."""
    import padasip as pa
    f = pa.filters.FilterLMS(n=X.shape[1], mu=eta, w="zeros")
    f.run(d, X)
    return f.w


@numba.njit(cache=False, fastmath=False)
def numba_loop(X, d, eta):  # pragma: no cover - compiled
    """Baseline (c), the reference: hand-written compiled LMS over pre-generated X, d."""
    m, n = X.shape
    th = np.zeros(n)
    s = 0.0
    for i in range(m):
        y = 0.0
        for j in range(n):
            y += th[j] * X[i, j]
        e = d[i] - y
        for j in range(n):
            th[j] += eta * e * X[i, j]
        s += e * e
    return th, s


@numba.njit(cache=False, fastmath=False)
def numba_bank_loop(X, d, etaT):  # pragma: no cover - compiled
    """Hand-written LMS bank with gainsim's layout (``(n, P)``, policies innermost, arrays
    on 64-byte boundaries as the bank kernel's), no monitor and no divergence check: the
    bound for the bank kernel (row 4 b). Unaligned, it ran 1.5x slower or not, by chance
    of where numba's allocator put ``th`` and ``y`` (gainsim.estimators.aligned)."""
    m, n = X.shape
    P = etaT.shape[1]
    th = zeros_aligned(n * P).reshape((n, P))
    y = empty_aligned(P)
    for i in range(m):
        y[:] = 0.0
        for j in range(n):
            xij = X[i, j]
            for q in range(P):
                y[q] += th[j, q] * xij
        for q in range(P):
            y[q] = d[i] - y[q]
        for j in range(n):
            xij = X[i, j]
            for q in range(P):
                th[j, q] += etaT[j, q] * y[q] * xij
    return th


# --------------------------------------------------------------------------- engine

@dataclass(frozen=True, eq=False)
class ReplayPlant:
    """A plant that serves slices of pre-generated arrays (the plant protocol of gainsim.engine.sim).

    The sensor asks one packet ahead, so the last packet can reach past the end of the
    data: those samples are measured after the run ends, are never applied, and are
    served as zeros.
    """

    x: np.ndarray
    d: np.ndarray
    theta: np.ndarray
    kind: ClassVar[str] = "replay"
    family: ClassVar[str] = "regression"
    columns: ClassVar[tuple[str, ...]] = ("x", "d", "theta_star")  # what packet() serves

    @property
    def n(self) -> int:
        return self.x.shape[1]

    @property
    def noise_floor(self) -> float:
        return NOISE_STD**2

    def start_estimate(self) -> np.ndarray:
        return np.zeros(self.n)

    def init(self, rngs):
        return 0, self.theta.copy()

    def packet(self, state, t, rngs):
        start, m = state, t.size
        x, d = self.x[start:start + m], self.d[start:start + m]
        if x.shape[0] < m:  # past the end of the data
            x = np.concatenate([x, np.zeros((m - x.shape[0], self.n))])
            d = np.concatenate([d, np.zeros(m - d.shape[0])])
        cols = {"x": x, "d": d, "theta_star": np.broadcast_to(self.theta, (m, self.n))}
        return cols, start + m


COST_CASES = (("LMS, constant gain", "0.01"),
              ("IDBD", '{ kind = "idbd", meta_rate = 0.01, eta0 = 0.01 }'),
              ("Autostep", '{ kind = "autostep" }'),
              ("RLS (n = 16)", '{ kind = "rls", forgetting_factor = 0.999 }'),
              ("Adam", '{ kind = "adam", eta = 0.001 }'))


def gain_policies(gain: str, copies: int) -> str:
    return "".join(f'\n[[policy]]\nname = "p{k}"\nestimator = "lms"\ngain = {gain}\n'
                   for k in range(copies))


def scenario_text(samples: int, etas, packet: int = DEFAULT_PACKET, grid: int = GRID,
                  policy_lines: str = "") -> str:
    policies = policy_lines + "".join(
        f'\n[[policy]]\nname = "lms {k} eta={eta:.6g}"\nestimator = "lms"\ngain = {float(eta)!r}\n'
        for k, eta in enumerate(etas))
    return f"""
name = "bench"
[plant]
kind = "fir"
taps = {TAPS}
noise_std = {NOISE_STD}
input = {{ kind = "white", std = 1.0 }}
drift = {{ kind = "none" }}

[stream]
arrivals = "periodic"
rate = {RATE}
packet = {packet}

[run]
samples = {samples}
seed = 0

[metrics]
grid = {grid}
{policies}"""


def make_scenario(samples: int, etas=(ETA,), packet: int = DEFAULT_PACKET):
    return gainsim.loads(scenario_text(samples, etas, packet))


def run_engine(scenario):
    return simulate(scenario, np.random.SeedSequence(0))


# --------------------------------------------------------------------------- benchmark

@dataclass
class Row:
    section: str
    case: str
    samples: int
    seconds: float | None
    rate: float | None          # samples/s (or updates/s for the bank)
    ratio: str = ""
    goal: str = ""
    met: str = ""
    note: str = ""


def cold_start_seconds(gain: str | None = None) -> float:
    """Wall time of a fresh interpreter that compiles the kernels into an empty cache
    (constant-gain LMS, or one LMS policy with ``gain``)."""
    import subprocess
    import tempfile

    text = (scenario_text(10_000, (ETA,)) if gain is None
            else scenario_text(10_000, (), policy_lines=gain_policies(gain, 1)))
    code = ("import time, numpy as np, gainsim; from gainsim.engine.sim import simulate; "
            "t = time.perf_counter(); "
            f"simulate(gainsim.loads({text!r}), "
            "np.random.SeedSequence(0)); print(time.perf_counter() - t)")
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "NUMBA_CACHE_DIR": cache}
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                             text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def warm_start_seconds() -> tuple[float, float]:
    """``(import, first run)`` wall times of a fresh interpreter whose kernels are in
    numba's cache (this process's cache, filled by now): what a second ``gainsim run``
    costs. numba loads its own lazy registries (and scipy's BLAS check) with the first
    cached kernel, so a lighter import moves that cost into the first run: compare the sum."""
    import subprocess

    code = ("import time; t0 = time.perf_counter(); import numpy as np, gainsim; "
            "from gainsim.engine.sim import simulate; t1 = time.perf_counter(); "
            f"sc = gainsim.loads({scenario_text(10_000, (ETA,))!r}); "
            "t2 = time.perf_counter(); simulate(sc, np.random.SeedSequence(0)); "
            "print(t1 - t0, time.perf_counter() - t2)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    imp, run = out.stdout.strip().splitlines()[-1].split()
    return float(imp), float(run)


def verdict(value: float, goal: float) -> str:
    return "met" if value >= goal else "**missed**"


def bench(samples: int, repeats: int, slow_repeats: int, log) -> tuple[list[Row], list[str]]:
    rows: list[Row] = []
    notes: list[str] = []
    N = samples

    # ---- first run of the end-to-end case: kernel compile or cache load, before anything
    # else in this process calls lms_kernel
    e2e = make_scenario(N)
    t0 = time.perf_counter()
    run_engine(e2e)
    first_run = time.perf_counter() - t0
    stats = lms_kernel.stats
    cache = ("loaded from numba cache" if sum(stats.cache_hits.values())
             else "compiled (no numba cache)" if sum(stats.cache_misses.values())
             else "cache state unknown")
    log(f"first end-to-end run: {first_run:.3f} s ({cache})")
    warm_import, warm_run = warm_start_seconds()
    log(f"second process (kernels in the cache): import {warm_import:.2f} s, first run "
        f"{warm_run:.2f} s")
    cold = cold_start_seconds()
    cold_idbd = cold_start_seconds(dict(COST_CASES)["IDBD"])
    log(f"cold start (empty numba cache, fresh process): {cold:.2f} s, with IDBD {cold_idbd:.2f} s")
    notes.append(f"Cold start, a fresh process with an empty numba cache (import, compile every "
                 f"kernel the end-to-end case uses, run it): {cold:.2f} s; the same with one "
                 f"IDBD policy instead (its law's own sample loop): {cold_idbd:.2f} s. A second "
                 f"run of a scenario loads the kernels from the cache instead (first run in "
                 f"this process: {first_run:.2f} s, {cache}). A second process with the "
                 f"kernels in the cache: import gainsim {warm_import:.2f} s + first run of the "
                 f"end-to-end case (10⁴ samples) {warm_run:.2f} s = "
                 f"{warm_import + warm_run:.2f} s (numba loads its lazy registries with the "
                 f"first cached kernel, so compare the sum).")

    X, d, theta_star = make_data(N)

    # ---- (c) numba loop, the reference
    t0 = time.perf_counter()
    numba_loop(X[:10], d[:10], ETA)
    numba_compile = time.perf_counter() - t0
    t_ref, (th_ref, e2_ref) = median_time(lambda: numba_loop(X, d, ETA), repeats)
    ref = N / t_ref
    log(f"numba loop: {fmt_rate(ref)} samples/s")

    # ---- (a) Python loop
    t_py, th_py = median_time(lambda: python_loop(X, d, ETA), slow_repeats, warmup=False)
    log(f"python loop: {fmt_rate(N / t_py)} samples/s")
    rows.append(Row("1 baselines", "(a) Python loop, numpy per sample", N, t_py, N / t_py,
                    ratio=f"{fmt_ratio((N / t_py) / ref)} numba loop"))
    if not np.allclose(th_py, th_ref, rtol=1e-9, atol=1e-12):
        notes.append("WARNING: Python loop and numba loop disagree on the final weights.")

    # ---- (b) padasip
    try:
        import padasip  # noqa: F401
        have_padasip = True
    except ImportError:
        have_padasip = False
    pad = None
    if have_padasip:
        t_pad, th_pad = median_time(lambda: padasip_run(X, d, ETA), slow_repeats, warmup=False)
        pad = N / t_pad
        log(f"padasip: {fmt_rate(pad)} samples/s")
        same = np.allclose(th_pad, th_ref, rtol=1e-9, atol=1e-12)
        rows.append(Row("1 baselines", f"(b) padasip {machine.version('padasip')} FilterLMS(n=16, "
                        f"mu={ETA}).run(d, x)", N, t_pad, pad,
                        ratio=f"{fmt_ratio(pad / ref)} numba loop",
                        note="same weights as numba loop" if same else "**weights differ**"))
    else:
        rows.append(Row("1 baselines", "(b) padasip FilterLMS.run", N, None, None,
                        note="skipped: padasip not installed (pip install padasip)"))
    rows.append(Row("1 baselines", "(c) numba loop over pre-generated X, d (reference)", N,
                    t_ref, ref, ratio="1×", note=f"first call (compile) {fmt_time(numba_compile)}"))

    # ---- 2. engine overhead: the same samples through the engine, 1 policy
    replay = dataclasses.replace(make_scenario(N), plant=ReplayPlant(X, d, theta_star))
    t_rep, tr = median_time(lambda: run_engine(replay), repeats)
    mis_ref = float(np.sum((th_ref - theta_star) ** 2))
    exact = (tr.samples == N and int(tr.err_cnt.sum()) == N
             and np.isclose(tr.err_sum.sum(), e2_ref, rtol=1e-9)
             and np.isclose(tr.misalignment[0, -1], mis_ref, rtol=1e-9))
    rep_pairs = alternating_ratios(lambda: numba_loop(X, d, ETA), lambda: run_engine(replay),
                                   max(repeats, 15))
    r = statistics.median(rep_pairs)
    rows.append(Row("2 engine overhead", "engine, replayed samples, 1 LMS policy", N, t_rep,
                    N / t_rep, ratio=f"{fmt_ratio(r)} numba loop", goal="≥ 0.8× numba loop",
                    met=verdict(r, 0.8),
                    note=("same result as numba loop" if exact else "**result differs**")
                         + "; " + spread_note(rep_pairs)))
    log(f"engine replay: {fmt_rate(N / t_rep)} samples/s ({r:.3f} of numba loop)")
    # gc.collect() before a repeat walks every Python object and leaves the caches cold
    # for the engine's Python part (~0.3 ms warm, ~0.8 ms after a collection, measured);
    # replicas of a run follow each other without one
    t_rep_b2b, _ = median_time(lambda: run_engine(replay), repeats, collect=False)
    t_ref_b2b, _ = median_time(lambda: numba_loop(X, d, ETA), repeats, collect=False)
    rows.append(Row("2 engine overhead", "  same, both timed back to back (no gc.collect() "
                    "between repeats)", N, t_rep_b2b, N / t_rep_b2b,
                    ratio=f"{fmt_ratio(t_ref_b2b / t_rep_b2b)} numba loop",
                    note=f"numba loop back to back: {fmt_time(t_ref_b2b)}"))
    # the floor of the per-packet work: the whole stream in one packet leaves only a
    # replica's fixed Python (groups, banks, simpy, records) beside the kernel
    whole = dataclasses.replace(replay, stream=dataclasses.replace(replay.stream,
                                                                   packet=N + 1))
    one_pairs = alternating_ratios(lambda: numba_loop(X, d, ETA), lambda: run_engine(whole),
                                   max(repeats, 15))
    t_one, _ = median_time(lambda: run_engine(whole), repeats)
    rows.append(Row("2 engine overhead", "  same, the whole stream in one packet (the "
                    "per-run Python alone beside the kernel)", N, t_one, N / t_one,
                    ratio=f"{fmt_ratio(statistics.median(one_pairs))} numba loop",
                    note="the bound of any per-packet saving; " + spread_note(one_pairs)))

    # ---- 3. end to end: gainsim generation + engine, 1 policy
    t_e2e, _ = median_time(lambda: run_engine(e2e), repeats)
    e2e_rate = N / t_e2e
    r_ref = e2e_rate / ref
    rows.append(Row("3 end to end", "fir plant + engine, 1 LMS policy", N, t_e2e, e2e_rate,
                    ratio=f"{fmt_ratio(r_ref)} numba loop", goal="≥ 0.25× numba loop",
                    met=verdict(r_ref, 0.25),
                    note=f"first run {fmt_time(first_run)} ({cache})"))
    if pad is not None:
        # padasip and the end-to-end run alternate, one ratio per pair: this machine's
        # speed drifts by tens of per cent within minutes, and padasip (pure Python) was
        # timed minutes earlier than the engine otherwise
        pairs = alternating_ratios(lambda: padasip_run(X, d, ETA), lambda: run_engine(e2e),
                                   max(slow_repeats, 15))
        r_pad = statistics.median(pairs)
        rows.append(Row("3 end to end", "  same, against padasip (timed in alternation)", N,
                        t_e2e, e2e_rate, ratio=f"{fmt_ratio(r_pad)} padasip",
                        goal="≥ 50× padasip", met=verdict(r_pad, 50.0),
                        note=spread_note(pairs, 0)))
    else:
        rows.append(Row("3 end to end", "  same, against padasip", N, t_e2e, e2e_rate,
                        note="skipped: padasip not installed"))
    log(f"end to end: {fmt_rate(e2e_rate)} samples/s")

    # ---- 4. bank: 64 constant gains over one stream (one kernel call per interval)
    etas = tuple(float(v) for v in np.geomspace(1e-3, 0.05, 64))
    bank = make_scenario(N, etas)
    t_bank, trb = median_time(lambda: run_engine(bank), repeats)
    upd = 64 * N / t_bank
    rows.append(Row("4 bank", "fir plant + engine, 64 LMS policies (η = 0.001…0.05)", N,
                    t_bank, upd, ratio=f"{fmt_ratio(upd / ref)} numba loop (per update)",
                    goal="≥ 200 M updates/s", met=verdict(upd, 200e6),
                    note="rate column = estimator updates/s"))
    if not (trb.updates == N).all():
        notes.append("WARNING: a bank policy diverged or missed updates.")
    log(f"bank: {fmt_rate(upd)} updates/s")
    # 4 b: the same bank on replayed samples against the hand-written bank loop, one thread
    threads = numba.get_num_threads()
    numba.set_num_threads(1)
    etaT = copy_aligned(np.repeat(np.array(etas)[None, :], TAPS, axis=0))
    t_hand, th_hand = median_time(lambda: numba_bank_loop(X, d, etaT), repeats)
    replay_bank = dataclasses.replace(bank, plant=ReplayPlant(X, d, theta_star))
    t_rb, _ = median_time(lambda: run_engine(replay_bank), repeats)
    bank_pairs = alternating_ratios(lambda: numba_bank_loop(X, d, etaT),
                                    lambda: run_engine(replay_bank), max(repeats, 15))
    numba.set_num_threads(threads)
    r_bank = statistics.median(bank_pairs)
    rows.append(Row("4 bank", "  engine, replayed samples, 64 LMS policies, one thread", N,
                    t_rb, 64 * N / t_rb, ratio=f"{fmt_ratio(r_bank)} hand-written bank",
                    goal="≥ 0.8× hand-written bank", met=verdict(r_bank, 0.8),
                    note=f"hand-written bank loop, same (n, P) layout: {fmt_time(t_hand)}; "
                         + spread_note(bank_pairs)))
    log(f"bank vs hand-written bank loop: {r_bank:.2f}")

    # ---- 5. packet size sweep (end to end, 1 policy)
    for packet in (1, 16, 256, 1024, 4096):
        n_p = min(N, 10_000) if packet == 1 else N
        sc = make_scenario(n_p, packet=packet)
        reps = slow_repeats if packet == 1 else repeats
        t_p, _ = median_time(lambda: run_engine(sc), reps)
        rp = n_p / t_p
        rows.append(Row("5 packet sweep", f"end to end, packet = {packet}", n_p, t_p, rp,
                        ratio=f"{fmt_ratio(rp / e2e_rate)} packet {DEFAULT_PACKET}",
                        note="default" if packet == DEFAULT_PACKET else ""))
        log(f"packet {packet}: {fmt_rate(rp)} samples/s")

    # ---- 6. memory: 8 policies, N and 10 N samples on the same monitor grid, and 10 N on a
    # 10x finer grid (same samples per interval as the N run)
    etas8 = tuple(float(v) for v in np.geomspace(1e-3, 0.05, 8))
    peaks = {}
    for n_m, grid in ((N, GRID), (10 * N, GRID), (10 * N, 10 * GRID)):
        sc = gainsim.loads(scenario_text(n_m, etas8, grid=grid))
        run_engine(sc)  # warm
        gc.collect()
        tracemalloc.start()
        tracemalloc.reset_peak()
        t0 = time.perf_counter()
        run_engine(sc)
        dt = time.perf_counter() - t0
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peaks[(n_m, grid)] = peak
        stream_bytes = n_m * (2 * TAPS + 2) * 8  # x, theta_star, d, arrival of the whole run
        base = peaks[(N, GRID)]
        if n_m == N:
            ratio, goal, met = "1×", "", ""
        elif grid == GRID:
            ratio = f"{peak / base:.2f}× the {N:.0e} run".replace("e+0", "e")
            goal = "no growth with samples (≤ 1.5×)"
            met = "met" if peak <= 1.5 * base else "**missed**"
        else:
            ratio = f"{peak / base:.2f}× the {N:.0e} run".replace("e+0", "e")
            goal, met = "", ""
        rows.append(Row("6 memory", f"8 LMS policies, grid {grid} ({n_m // grid} samples/interval): "
                        f"peak traced allocation {peak / 2**20:.2f} MiB", n_m, dt, n_m / dt,
                        ratio=ratio, goal=goal, met=met,
                        note=f"{100 * peak / stream_bytes:.2f}% of the whole stream's arrays "
                             f"({stream_bytes / 2**20:.0f} MiB); timed under tracemalloc"))
        log(f"memory {n_m} grid {grid}: peak {peak / 2**20:.2f} MiB")
    # ---- 7. cost per update of adaptive gains, relative to constant LMS in the same engine:
    # (time with 4 copies of the policy - time with 1 copy) / 3 removes the shared cost of
    # generating the stream; 4 copies keep constant LMS on its one-policy kernel. Every
    # case runs once per round, in turn, and each round gives its own ratios to LMS (the
    # median over rounds is reported): this machine's speed drifts by tens of per cent
    # within minutes, so costs timed minutes apart were not comparable.
    scenarios = {(label, copies): gainsim.loads(scenario_text(
        N, (), policy_lines=gain_policies(gain, copies)))
        for label, gain in COST_CASES for copies in (1, 4)}
    for sc in scenarios.values():
        run_engine(sc)  # kernels loaded
    rounds = []
    for _ in range(max(repeats, 9)):
        times = {}
        for key, sc in scenarios.items():
            gc.collect()
            t0 = time.perf_counter()
            run_engine(sc)
            times[key] = time.perf_counter() - t0
        rounds.append({label: (times[label, 4] - times[label, 1]) / 3 / N
                       for label, _ in COST_CASES})
    per_update = {label: statistics.median(r[label] for r in rounds) for label, _ in COST_CASES}
    ratios = {label: sorted(r[label] / r["LMS, constant gain"] for r in rounds)
              for label, _ in COST_CASES}
    for label, goal in (("IDBD", 5.0), ("Autostep", 5.0), ("RLS (n = 16)", 15.0),
                        ("Adam", None), ("LMS, constant gain", None)):
        ratio = statistics.median(ratios[label])
        rows.append(Row("7 gain cost", f"{label}: cost per update", N, None,
                        1.0 / per_update[label], ratio=f"{ratio:.2f}× LMS",
                        goal=f"≤ {goal:g}× LMS" if goal else "",
                        met=("met" if ratio <= goal else "**missed**") if goal else "",
                        note=f"median of {len(rounds)} rounds, spread "
                             f"{ratios[label][0]:.2f}–{ratios[label][-1]:.2f}×"))
        log(f"{label}: {ratio:.2f}x LMS per update")
    return rows, notes


def table(rows: list[Row]) -> str:
    head = ("| section | case | samples | median time | samples/s | ratio | goal | status | note |\n"
            "|---|---|---:|---:|---:|---:|---|---|---|")
    lines = [head]
    for r in rows:
        lines.append("| " + " | ".join([
            r.section, r.case, f"{r.samples:.0e}".replace("e+0", "e"),
            fmt_time(r.seconds) if r.seconds is not None else "–",
            fmt_rate(r.rate) if r.rate is not None else "–",
            r.ratio, r.goal, r.met, r.note]) + " |")
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--samples", type=int, default=100_000, help="samples per run (default 1e5)")
    ap.add_argument("--repeats", type=int, default=5, help="timed repeats of fast cases")
    ap.add_argument("--slow-repeats", type=int, default=3,
                    help="timed repeats of the pure-Python baselines and packet = 1")
    ap.add_argument("--out", type=Path, help="also write the results to this markdown file")
    args = ap.parse_args(argv)

    parts = ["python benchmarks/bench_engine.py"]
    if args.samples != 100_000:
        parts.append(f"--samples {args.samples}")
    if args.repeats != 5:
        parts.append(f"--repeats {args.repeats}")
    if args.slow_repeats != 3:
        parts.append(f"--slow-repeats {args.slow_repeats}")
    if args.out:
        out = args.out.resolve()
        try:
            shown = out.relative_to(REPO)
        except ValueError:
            shown = Path(args.out.name)
        parts.append(f"--out {shown.as_posix()}")
    command = " ".join(parts)

    def log(msg: str) -> None:
        print(msg, file=sys.stderr, flush=True)

    load_before = machine.load_average()
    t0 = time.perf_counter()
    rows, notes = bench(args.samples, args.repeats, args.slow_repeats, log)
    total = time.perf_counter() - t0
    text = (table(rows) + "\n\n"
            + f"Setting: {TAPS}-tap LMS, white input, σᵥ = {NOISE_STD}, η = {ETA}, monitor grid "
              f"{GRID}, one process; median of {args.repeats} repeats "
              f"({args.slow_repeats} for the pure-Python baselines and packet = 1) after one "
              f"warm-up run. Whole benchmark: {total:.0f} s; process max RSS "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB.\n"
            + "".join(f"\n{n}\n" for n in notes))
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(machine.header("gainsim engine benchmark", command, load_before)
                            + "\n"
                            + text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
