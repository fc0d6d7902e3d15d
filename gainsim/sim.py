"""The simpy event loop: sensor → channel → learners → monitor, one replica at a time.

Processes only carry samples through time and keep books; the arithmetic lives in
the plants (:mod:`gainsim.signals`), the stream (:mod:`gainsim.stream`) and the
compiled estimator kernels (:mod:`gainsim.estimators`).

Semantics
---------
* The sensor produces samples one *packet* ahead (``stream.packet`` samples per
  simpy event). A sample is invisible to learners until its arrival time, so the
  look-ahead never shows: results do not depend on the packet size.
* At each monitor time ``tau_j`` of the fixed grid the learners apply, in arrival
  order (ties in measurement order), every sample that arrived in
  ``(tau_{j-1}, tau_j]``; then the monitor records each policy's state.
* A zero-latency periodic run therefore equals the plain per-sample loop
  :func:`gainsim.offline.run_offline` bit for bit.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy

from gainsim.estimators.groups import make_groups

RNG_STREAMS = ("init", "input", "noise", "drift", "arrivals", "latency", "dropout")


@dataclass(frozen=True)
class Rngs:
    """One independent generator per source of randomness of a replica."""

    init: np.random.Generator
    input: np.random.Generator
    noise: np.random.Generator
    drift: np.random.Generator
    arrivals: np.random.Generator
    latency: np.random.Generator
    dropout: np.random.Generator

    @classmethod
    def from_seed(cls, seed: np.random.SeedSequence) -> "Rngs":
        # Like seed.spawn(), but pure: calling it twice gives the same generators.
        children = [np.random.SeedSequence(seed.entropy, spawn_key=seed.spawn_key + (i,),
                                           pool_size=seed.pool_size)
                    for i in range(len(RNG_STREAMS))]
        return cls(*(np.random.default_rng(c) for c in children))


@dataclass
class ReplicaTrace:
    """What the monitor recorded for one replica (P policies, G grid intervals)."""

    err_sum: np.ndarray       # (P, G) sum of squared a-priori errors in each interval
    err_cnt: np.ndarray       # (P, G) samples applied in each interval
    misalignment: np.ndarray  # (P, G+1) |theta_hat - theta_star|² at each grid time
    eta: np.ndarray           # (P, G+1) mean gain over parameters at each grid time
    eta_min: np.ndarray       # (P, G+1) smallest per-parameter gain
    eta_max: np.ndarray       # (P, G+1) largest per-parameter gain
    eta_vector: np.ndarray    # (P, n) per-parameter gain at the end of the run
    events: np.ndarray        # (P,) events raised by the gain laws (e.g. clips)
    updates: np.ndarray       # (P,) updates applied
    diverged_at: np.ndarray   # (P,) divergence time or nan
    samples: int              # samples measured up to the end of the run


class Channel:
    """Samples in flight: each is held until its arrival time, then handed out in order."""

    def __init__(self):
        self._cols: list[dict] = []
        self._arrival: list[np.ndarray] = []

    def send(self, cols: dict, arrival: np.ndarray) -> None:
        self._cols.append(cols)
        self._arrival.append(arrival)

    def receive(self, until: float) -> tuple[dict, np.ndarray]:
        """Every sample with arrival ≤ ``until``, in arrival order; dropped ones vanish."""
        if not self._arrival:
            return {}, np.empty(0)
        if len(self._arrival) == 1:
            cols, arrival = self._cols[0], self._arrival[0]
        else:
            cols = {k: np.concatenate([c[k] for c in self._cols]) for k in self._cols[0]}
            arrival = np.concatenate(self._arrival)
        due = arrival <= until
        later = np.isfinite(arrival) & ~due
        self._cols, self._arrival = ([{k: v[later] for k, v in cols.items()}],
                                     [arrival[later]]) if later.any() else ([], [])
        if due.all():
            take = slice(None)
        else:
            take = np.flatnonzero(due)
        out_arrival = arrival[take]
        if out_arrival.size > 1 and np.any(np.diff(out_arrival) < 0):
            order = np.argsort(out_arrival, kind="stable")
            take = order if isinstance(take, slice) else take[order]
            out_arrival = arrival[take]
        return {k: np.ascontiguousarray(v[take]) for k, v in cols.items()}, out_arrival


class Truth:
    """``theta_star`` at each grid time: the value of the last sample measured by then."""

    def __init__(self, grid: np.ndarray, theta0: np.ndarray):
        self.grid = grid
        self.values = np.empty((grid.size, theta0.size))
        self.done = 0
        self.last = theta0

    def record(self, t: np.ndarray, theta: np.ndarray) -> None:
        stop = int(np.searchsorted(self.grid, t[-1], side="right"))
        if stop > self.done:
            idx = np.searchsorted(t, self.grid[self.done:stop], side="right") - 1
            rows = theta[np.maximum(idx, 0)]
            rows[idx < 0] = self.last
            self.values[self.done:stop] = rows
            self.done = stop
        self.last = theta[-1]

    def finish(self) -> None:
        self.values[self.done:] = self.last
        self.done = self.grid.size


def sensor(env, plant, stream, state, rngs: Rngs, channel: Channel, truth: Truth,
           duration: float, counter: list):
    """Measure samples one packet ahead and put them in flight."""
    index, last_t = 0, 0.0
    while True:
        t = stream.times(index, last_t, stream.packet, rngs.arrivals)
        cols, state = plant.packet(state, t, rngs)
        channel.send(cols, stream.deliver(t, rngs.latency, rngs.dropout))
        truth.record(t, cols["theta_star"])
        counter[0] += int(np.count_nonzero(t <= duration))
        index, last_t = index + t.size, float(t[-1])
        if last_t >= duration:
            return
        yield env.timeout(last_t - env.now)


def learner(env, plant, channel: Channel, groups: list, truth: Truth, limit2: float,
            record):
    """At each grid time apply the samples that arrived, then let the monitor record."""
    grid = truth.grid
    record(0)
    for j in range(1, grid.size):
        yield env.timeout(grid[j] - env.now)
        cols, arrival = channel.receive(grid[j])
        for group in groups:
            group.bank.start_interval()
            if arrival.size:
                group.apply(cols, arrival, limit2, plant)
        record(j)


def simulate(scenario, seed: np.random.SeedSequence) -> ReplicaTrace:
    """Run one replica of ``scenario`` through the simpy event loop."""
    plant, stream, duration = scenario.plant, scenario.stream, scenario.duration
    rngs = Rngs.from_seed(seed)
    state, theta_star0 = plant.init(rngs)
    grid = np.linspace(0.0, duration, scenario.metrics.grid + 1)
    truth = Truth(grid, theta_star0)
    groups = make_groups(scenario.policy, plant.start_estimate(), plant)
    P, G = len(scenario.policy), scenario.metrics.grid
    trace = ReplicaTrace(err_sum=np.zeros((P, G)), err_cnt=np.zeros((P, G), dtype=np.int64),
                         misalignment=np.full((P, G + 1), np.nan), eta=np.full((P, G + 1), np.nan),
                         eta_min=np.full((P, G + 1), np.nan), eta_max=np.full((P, G + 1), np.nan),
                         eta_vector=np.full((P, plant.n), np.nan),
                         events=np.zeros(P, dtype=np.int64),
                         updates=np.zeros(P, dtype=np.int64), diverged_at=np.full(P, np.nan),
                         samples=0)

    def record(j: int) -> None:
        if j > 0:
            if truth.done <= j:  # the sensor always runs ahead of the learner
                raise AssertionError("theta_star not yet recorded at a grid time")
            for g in groups:
                trace.err_sum[g.rows, j - 1] = g.bank.err_sum
                trace.err_cnt[g.rows, j - 1] = g.bank.err_cnt
        target = theta_star0 if j == 0 else truth.values[j]
        for g in groups:
            dist = np.sum((g.bank.theta - target) ** 2, axis=1)
            trace.misalignment[g.rows, j] = np.where(g.bank.alive, dist, np.nan)
            for name, fn in (("eta", np.mean), ("eta_min", np.min), ("eta_max", np.max)):
                getattr(trace, name)[g.rows, j] = np.where(g.bank.alive, fn(g.bank.eta, axis=1),
                                                           np.nan)

    env = simpy.Environment()
    channel, counter = Channel(), [0]
    env.process(sensor(env, plant, stream, state, rngs, channel, truth, duration, counter))
    done = env.process(learner(env, plant, channel, groups, truth,
                               scenario.metrics.divergence_norm ** 2, record))
    env.run(until=done)
    for g in groups:
        trace.updates[g.rows] = g.bank.updates
        trace.diverged_at[g.rows] = g.bank.diverged_at
        trace.eta_vector[g.rows] = g.bank.eta
        trace.events[g.rows] = g.events
    trace.samples = counter[0]
    return trace
