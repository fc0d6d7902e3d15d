"""Where the engine spends its time: companion to bench_engine.py (read-only on gainsim).

    python benchmarks/profile_engine.py [--samples N]

1. Wall time of each piece of ``gainsim.sim.simulate`` on the end-to-end case
   (fir plant, white input, 1 and 64 LMS policies), measured by wrapping the
   functions the engine calls with timers *in this process only*.
2. Fixed cost per call of the pieces (numba dispatch of ``lms_kernel`` with no
   samples, one simpy timeout, ``record``-like numpy bookkeeping).
3. Kernel variants on the 64-policy bank, to show what the compiled inner loop
   could reach (these are prototypes defined here, not gainsim code).
4. Throughput against the monitor grid size (per-interval overhead).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

import numba
import numpy as np
import simpy

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_engine as B  # noqa: E402
import gainsim.sim as sim  # noqa: E402
from gainsim.estimators import lms as lms_mod  # noqa: E402
from gainsim.signals import fir as fir_mod  # noqa: E402


def med(fn, repeats=5):
    fn()
    ts = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


# ------------------------------------------------------------------ 1. breakdown

ACC: dict = defaultdict(float)
CNT: dict = defaultdict(int)


def timed(name, fn):
    def wrapper(*a, **k):
        t0 = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            ACC[name] += time.perf_counter() - t0
            CNT[name] += 1
    return wrapper


def breakdown(samples: int, policies: int, repeats: int = 5):
    etas = (B.ETA,) if policies == 1 else tuple(np.geomspace(1e-3, 0.05, policies))
    sc = B.make_scenario(samples, etas)
    total = med(lambda: B.run_engine(sc), repeats)
    originals = {
        "Fir.packet (generation)": (fir_mod.Fir, "packet"),
        "Stream.times + deliver": None,
        "Channel.send": (sim.Channel, "send"),
        "Channel.receive": (sim.Channel, "receive"),
        "Truth.record": (sim.Truth, "record"),
        "Bank.start_interval": (sim.Bank, "start_interval"),
        "Lms.apply (kernel call)": (lms_mod.Lms, "apply"),
    }
    saved = []
    for name, target in originals.items():
        if target is None:
            continue
        cls, attr = target
        orig = cls.__dict__[attr]
        saved.append((cls, attr, orig))
        setattr(cls, attr, timed(name, orig))
    # Stream is frozen; wrap its class methods
    from gainsim.stream import Stream
    for attr in ("times", "deliver"):
        orig = Stream.__dict__[attr]
        saved.append((Stream, attr, orig))
        setattr(Stream, attr, timed("Stream.times + deliver", orig))
    # the kernel itself, inside Lms.apply
    orig_kernel = lms_mod.lms_kernel
    lms_mod.lms_kernel = timed("  of which lms_kernel", orig_kernel)
    # record() is a closure inside simulate: time it through the learner's call
    orig_learner = sim.learner

    def learner(env, plant, channel, groups, truth, limit2, record):
        return orig_learner(env, plant, channel, groups, truth, limit2,
                            timed("record (monitor)", record))
    sim.learner = learner
    try:
        ACC.clear()
        CNT.clear()
        for _ in range(repeats):
            B.run_engine(sc)
        inst = {k: v / repeats for k, v in ACC.items()}
        cnt = {k: v // repeats for k, v in CNT.items()}
    finally:
        for cls, attr, orig in saved:
            setattr(cls, attr, orig)
        lms_mod.lms_kernel = orig_kernel
        sim.learner = orig_learner
    return total, inst, cnt


# ------------------------------------------------------------------ 2. fixed costs

def fixed_costs():
    bank = sim.Bank.create(np.zeros(16), np.full((1, 16), B.ETA))
    x0, d0, a0 = np.empty((0, 16)), np.empty(0), np.empty(0)
    x1, d1, a1 = np.zeros((1, 16)), np.zeros(1), np.ones(1)
    k = lms_mod.lms_kernel

    def call(x, d, a):
        for _ in range(10_000):
            k(x, d, a, bank.eta, 0.0, False, 1e12, bank.theta, bank.alive, bank.updates,
              bank.diverged_at, bank.err_sum, bank.err_cnt)
    out = {"lms_kernel call, 0 samples (numba dispatch of 13 args)": med(lambda: call(x0, d0, a0), 3) / 1e4,
           "lms_kernel call, 1 sample": med(lambda: call(x1, d1, a1), 3) / 1e4}

    def timeouts():
        env = simpy.Environment()

        def proc():
            for i in range(10_000):
                yield env.timeout(1.0)
        env.process(proc())
        env.run()
    out["simpy timeout + resume"] = med(timeouts, 3) / 1e4

    ch_cols = {"x": np.zeros((1024, 16)), "d": np.zeros(1024), "theta_star": np.zeros((1024, 16))}
    arr = np.arange(1, 1025) / 1000.0

    def receive():
        for j in range(100):
            ch = sim.Channel()
            ch.send(ch_cols, arr)
            ch.receive(0.5)    # half due, half held back
    out["Channel.send + receive, 1024 in flight, 500 due"] = med(receive, 3) / 100

    def receive_xd():
        cols = {"x": ch_cols["x"], "d": ch_cols["d"]}
        for j in range(100):
            ch = sim.Channel()
            ch.send(cols, arr)
            ch.receive(0.5)
    out["  same without the theta_star column"] = med(receive_xd, 3) / 100
    return out


# ------------------------------------------------------------------ 3. kernel variants

@numba.njit(cache=False, fastmath=True)
def lms_fastmath(x, d, arrival, eta, limit2, theta, alive, updates, diverged_at, err_sum,
                 err_cnt):  # pragma: no cover - compiled
    """lms_kernel (LMS branch) with fastmath: reductions may be reassociated."""
    m, n = x.shape
    for p in range(theta.shape[0]):
        if not alive[p]:
            continue
        th = theta[p]
        et = eta[p]
        s = 0.0
        c = 0
        for i in range(m):
            y = 0.0
            for j in range(n):
                y += th[j] * x[i, j]
            e = d[i] - y
            norm2 = 0.0
            for j in range(n):
                th[j] += et[j] * e * x[i, j]
                norm2 += th[j] * th[j]
            updates[p] += 1
            if np.isfinite(e):
                s += e * e
                c += 1
            if not (norm2 <= limit2):
                alive[p] = False
                diverged_at[p] = arrival[i]
                break
        err_sum[p] = s
        err_cnt[p] = c


@numba.njit(cache=False, fastmath=False)
def lms_policy_inner(x, d, arrival, etaT, limit2, thetaT, alive, updates, diverged_at,
                     err_sum, err_cnt):  # pragma: no cover - compiled
    """The LMS arithmetic of lms_kernel, per policy in the same order, but policies innermost.

    ``thetaT``/``etaT`` are (n, P): for each sample and tap the loop over policies is
    independent work (no reassociation needed), so LLVM vectorises it across policies
    and every policy's numbers stay bit-identical. Branch-free: a policy that diverges
    gets its gains zeroed (it freezes) instead of leaving the loop.
    ``err_sum``/``err_cnt`` accumulate (the caller resets them per interval).
    """
    m, n = x.shape
    P = thetaT.shape[1]
    y = np.empty(P)
    norm2 = np.empty(P)
    g = np.empty(P)
    for i in range(m):
        y[:] = 0.0
        for j in range(n):
            xij = x[i, j]
            for p in range(P):
                y[p] += thetaT[j, p] * xij
        di = d[i]
        for p in range(P):
            g[p] = di - y[p]
            norm2[p] = 0.0
        for j in range(n):
            xij = x[i, j]
            for p in range(P):
                t = thetaT[j, p] + etaT[j, p] * g[p] * xij
                thetaT[j, p] = t
                norm2[p] += t * t
        for p in range(P):
            if alive[p]:
                updates[p] += 1
                e = g[p]
                if np.isfinite(e):
                    err_sum[p] += e * e
                    err_cnt[p] += 1
                if not (norm2[p] <= limit2):
                    alive[p] = False
                    diverged_at[p] = arrival[i]
                    for j in range(n):
                        etaT[j, p] = 0.0


def kernel_variants(samples: int, P: int = 64, chunk: int = 500):
    X, d, _ = B.make_data(samples)
    arr = np.arange(1, samples + 1) / B.RATE
    etas = np.geomspace(1e-3, 0.05, P)
    eta = np.repeat(etas[:, None], 16, axis=1)

    def fresh():
        return sim.Bank.create(np.zeros(16), eta)

    def run_gainsim(c):
        b = fresh()
        for s in range(0, samples, c):
            b.start_interval()
            lms_mod.lms_kernel(X[s:s + c], d[s:s + c], arr[s:s + c], b.eta, 0.0, False, 1e12,
                               b.theta, b.alive, b.updates, b.diverged_at, b.err_sum, b.err_cnt)
        return b

    def run_fast(c):
        b = fresh()
        for s in range(0, samples, c):
            b.start_interval()
            lms_fastmath(X[s:s + c], d[s:s + c], arr[s:s + c], b.eta, 1e12, b.theta, b.alive,
                         b.updates, b.diverged_at, b.err_sum, b.err_cnt)
        return b

    def run_inner(c):
        b = fresh()
        thT, etT = np.ascontiguousarray(b.theta.T), np.ascontiguousarray(b.eta.T)
        for s in range(0, samples, c):
            b.start_interval()
            lms_policy_inner(X[s:s + c], d[s:s + c], arr[s:s + c], etT, 1e12, thT, b.alive,
                             b.updates, b.diverged_at, b.err_sum, b.err_cnt)
        b.theta[:] = thT.T
        return b

    ref = run_gainsim(chunk).theta
    res = {}
    for name, fn in (("gainsim lms_kernel, one call per interval", run_gainsim),
                     ("same loop with fastmath=True", run_fast),
                     ("policies innermost, (n, P) layout, no fastmath", run_inner)):
        t = med(lambda: fn(chunk), 5)
        th = fn(chunk).theta
        exact = "bit-identical" if np.array_equal(th, ref) else \
            f"max rel diff {np.max(np.abs(th - ref) / np.abs(ref)):.1e}"
        res[name] = (P * samples / t, exact)
    t_one = med(lambda: run_gainsim(samples), 5)
    res["gainsim lms_kernel, one call for the whole stream"] = (P * samples / t_one, "")
    return res


def single_policy(samples: int):
    """lms_kernel with one policy against the numba loop (no engine around it)."""
    X, d, _ = B.make_data(samples)
    arr = np.arange(1, samples + 1) / B.RATE
    eta = np.full((1, 16), B.ETA)

    def run(c):
        b = sim.Bank.create(np.zeros(16), eta)
        for s in range(0, samples, c):
            lms_mod.lms_kernel(X[s:s + c], d[s:s + c], arr[s:s + c], b.eta, 0.0, False, 1e12,
                               b.theta, b.alive, b.updates, b.diverged_at, b.err_sum, b.err_cnt)
    return {"numba loop (reference)": samples / med(lambda: B.numba_loop(X, d, B.ETA)),
            "lms_kernel, one call for the whole stream": samples / med(lambda: run(samples)),
            "lms_kernel, 500 samples per call (grid 200)": samples / med(lambda: run(500))}


# ------------------------------------------------------------------ 4. grid sweep

def grid_sweep(samples: int):
    out = []
    for grid in (20, 200, 2000):
        sc = B.gainsim.loads(B.scenario_text(samples, (B.ETA,), grid=grid))
        t = med(lambda: B.run_engine(sc), 5)
        out.append((grid, samples / t))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=100_000)
    args = ap.parse_args()
    N = args.samples
    X, d, _ = B.make_data(N)
    B.numba_loop(X, d, B.ETA)
    t_ref = med(lambda: B.numba_loop(X, d, B.ETA))
    print(f"numba loop reference: {N / t_ref / 1e6:.1f} M samples/s "
          f"({t_ref * 1e3:.2f} ms for {N} samples)\n")

    for P in (1, 64):
        total, inst, cnt = breakdown(N, P)
        print(f"### simulate, end to end, {P} polic{'y' if P == 1 else 'ies'}, {N} samples, "
              f"grid {B.GRID}, packet {B.DEFAULT_PACKET}: {total * 1e3:.1f} ms\n")
        print("| piece | calls | total ms | µs/call | % of run |\n|---|---:|---:|---:|---:|")
        covered = 0.0
        for k, v in sorted(inst.items(), key=lambda kv: -kv[1]):
            if not k.startswith("  "):
                covered += v
            print(f"| {k} | {cnt[k]} | {v * 1e3:.2f} | {v / cnt[k] * 1e6:.1f} | "
                  f"{100 * v / total:.0f}% |")
        print(f"| rest (simpy loop, learner/sensor bodies) | | {(total - covered) * 1e3:.2f} | | "
              f"{100 * (total - covered) / total:.0f}% |\n")

    print("### fixed cost per call\n\n| piece | µs |\n|---|---:|")
    for k, v in fixed_costs().items():
        print(f"| {k} | {v * 1e6:.2f} |")

    print(f"\n### one policy, kernel alone, {N} samples\n")
    print("| kernel | samples/s | vs numba loop |\n|---|---:|---:|")
    sp = single_policy(N)
    for k, rate in sp.items():
        print(f"| {k} | {rate / 1e6:.1f} M | {rate / sp['numba loop (reference)']:.2f} |")

    print(f"\n### bank kernel variants, 64 policies, {N} samples, 500 samples per call\n")
    print("| kernel | updates/s | vs gainsim |\n|---|---:|---|")
    for k, (rate, exact) in kernel_variants(N).items():
        print(f"| {k} | {rate / 1e6:.1f} M | {exact} |")

    print(f"\n### end to end, 1 policy, against the monitor grid ({N} samples)\n")
    print("| grid | samples/interval | samples/s | vs numba loop |\n|---:|---:|---:|---:|")
    for grid, rate in grid_sweep(N):
        print(f"| {grid} | {N // grid} | {rate / 1e6:.2f} M | {rate * t_ref / N:.3f} |")


if __name__ == "__main__":
    main()
