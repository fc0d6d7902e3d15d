"""The simpy event loop: sensor → channel → learners → monitor, one replica at a time.

Processes only carry samples through time and keep books; the arithmetic lives in
the plants (:mod:`gainsim.signals`), the stream (:mod:`gainsim.engine.stream`) and the
compiled estimator kernels (:mod:`gainsim.estimators`).

Semantics
---------
* The sensor produces samples one *packet* ahead (``stream.packet`` samples per
  simpy event). A sample is invisible to learners until its arrival time, so the
  look-ahead never shows: results do not depend on the packet size.
* The learner wakes once per packet. It applies, in arrival order (ties in
  measurement order), every sample that has arrived by then; the kernels record
  each policy's state at every monitor time ``tau_j`` exactly between the last
  sample that arrived at or before ``tau_j`` and the first that arrived after it.
  Monitor times that pass while no sample arrives (``t = 0``; gaps of a lossy or
  delayed stream) are recorded with the next chunk that has samples, before its
  first one; only a run that ends without samples records them on their own.
* A zero-latency periodic run therefore equals the plain per-sample loop
  :func:`gainsim.engine.offline.run_offline` bit for bit.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gainsim.estimators.groups import make_groups

RNG_STREAMS = ("init", "input", "noise", "drift", "arrivals", "latency", "dropout")


class Rngs:
    """One independent generator per source of randomness of a replica.

    Attributes ``init``, ``input``, ``noise``, ``drift``, ``arrivals``, ``latency`` and
    ``dropout`` (:data:`RNG_STREAMS`): generator ``i`` is seeded by the child
    ``spawn_key + (i,)`` of the replica's seed, like ``seed.spawn()`` but pure (calling
    :meth:`from_seed` twice gives the same generators). Each is made when first used: a
    run that never draws a latency never pays for that generator (seeding seven
    generators was a third of the fixed cost of a short replica).
    """

    __slots__ = ("_seed", "_made")

    def __init__(self, seed: np.random.SeedSequence):
        self._seed = seed
        self._made: dict = {}

    @classmethod
    def from_seed(cls, seed: np.random.SeedSequence) -> "Rngs":
        return cls(seed)

    def _stream(self, name: str) -> np.random.Generator:
        rng = self._made.get(name)
        if rng is None:
            seed = self._seed
            child = np.random.SeedSequence(seed.entropy,
                                           spawn_key=seed.spawn_key + (RNG_STREAMS.index(name),),
                                           pool_size=seed.pool_size)
            rng = self._made[name] = np.random.default_rng(child)
        return rng


for _name in RNG_STREAMS:
    setattr(Rngs, _name, property(lambda self, _n=_name: self._stream(_n),
                                  doc=f"the generator of the {_name} draws"))
del _name


@dataclass
class ReplicaTrace:
    """What the monitor recorded for one replica (P policies, G grid intervals)."""

    err_sum: np.ndarray       # (P, G) sum of squared a-priori errors in each interval
    err_cnt: np.ndarray       # (P, G) samples applied in each interval
    misalignment: np.ndarray  # (P, G+1) |theta_hat - theta_star|² at each grid time
    eta: np.ndarray           # (P, G+1) mean gain over parameters at each grid time
    eta_min: np.ndarray       # (P, G+1) smallest per-parameter gain
    eta_max: np.ndarray       # (P, G+1) largest per-parameter gain
    eta_vector: np.ndarray | None  # (P, G+1, n) per-parameter gain at each grid time; None
                                   # when every gain is constant (``eta_constant``)
    events: np.ndarray        # (P,) events raised by the gain laws (e.g. clips)
    updates: np.ndarray       # (P,) updates applied
    diverged_at: np.ndarray   # (P,) divergence time or nan
    samples: int              # samples measured up to the end of the run
    cost: np.ndarray | None = None  # (P, 4) cost sums of Python baselines (nan elsewhere)
    theta: np.ndarray | None = None       # (P, G+1, n) estimate at each grid time
    theta_star: np.ndarray | None = None  # (G+1, n) true parameters at each grid time
    eta_constant: np.ndarray | None = None  # (P, n) the gains, when all are constant

    def eta_vectors(self) -> np.ndarray:
        """The per-parameter gain at each grid time (P, G+1, n), ``nan`` where nothing was
        recorded (a policy that had diverged): ``eta_vector``, or ``eta_constant`` repeated
        at every grid time the policy was recorded at (where ``eta`` is a number)."""
        if self.eta_vector is not None:
            return self.eta_vector
        return constant_gain_record(self.eta_constant, self.eta)


@dataclass(frozen=True)
class Chunk:
    """The samples a learner applies at one wake-up, and where the monitor times fall."""

    cols: dict               # per-sample columns (x, d, theta_star, noise ...) in arrival order
    arrival: np.ndarray      # (m,) arrival times, non-decreasing
    grid_pos: np.ndarray     # (g,) monitor time j falls before sample grid_pos[k]
    grid_j: np.ndarray       # (g,) the monitor indices j recorded in this chunk
    first_interval: int      # monitor interval (1..G) of the chunk's first sample
    truth: np.ndarray        # (G+1, n) theta_star at each monitor time
    limit2: float            # divergence threshold on |theta_hat|²
    plant: object
    rate: float              # stream rate (samples per second)


class Channel:
    """Samples in flight: each is held until its arrival time, then handed out in order.

    Dropped samples (arrival ``inf``) are discarded on entry. While arrivals stay in
    order (no latency, constant latency) packets are handed out as slices, without
    copies or sorting; random latency falls back to a stable merge.
    """

    def __init__(self):
        self._cols: list[dict] = []
        self._arrival: list[np.ndarray] = []
        self._ordered = True
        self._template: dict | None = None
        self.horizon = 0.0  # latest measurement time produced by the sensor

    def empty(self) -> dict:
        """Zero-length columns of the right shapes (nothing has arrived)."""
        if self._template is None:
            raise RuntimeError("the learner ran before the sensor sent anything")
        return self._template

    def send(self, cols: dict, arrival: np.ndarray, in_order: bool = False) -> None:
        """Put samples in flight; ``in_order`` promises sorted, finite arrivals."""
        if self._template is None:
            self._template = {k: v[:0] for k, v in cols.items()}
        if in_order:
            self._cols.append(cols)
            self._arrival.append(arrival)
            return
        keep = np.isfinite(arrival)
        if not keep.all():
            cols, arrival = {k: v[keep] for k, v in cols.items()}, arrival[keep]
        if arrival.size == 0:
            return
        last = self._arrival[-1][-1] if self._arrival else -np.inf
        if self._ordered and (arrival[0] < last or np.any(np.diff(arrival) < 0)):
            self._ordered = False
        self._cols.append(cols)
        self._arrival.append(arrival)

    def receive(self, until: float) -> tuple[dict, np.ndarray]:
        """Every sample with arrival ≤ ``until``, in arrival order."""
        if not self._arrival:
            return {}, np.empty(0)
        if self._ordered:
            return self._take_ordered(until)
        cols = {k: np.concatenate([c[k] for c in self._cols]) for k in self._cols[0]}
        arrival = np.concatenate(self._arrival)
        order = np.argsort(arrival, kind="stable")
        arrival = arrival[order]
        split = int(np.searchsorted(arrival, until, side="right"))
        cols = {k: v[order] for k, v in cols.items()}
        rest = slice(split, None)
        self._cols = [{k: v[rest] for k, v in cols.items()}] if split < arrival.size else []
        self._arrival = [arrival[rest]] if split < arrival.size else []
        self._ordered = True
        return {k: v[:split] for k, v in cols.items()}, arrival[:split]

    def _take_ordered(self, until: float):
        taken_cols, taken_arr = [], []
        while self._arrival:
            arr = self._arrival[0]
            split = int(np.searchsorted(arr, until, side="right"))
            if split == 0:
                break
            cols = self._cols[0]
            taken_cols.append({k: v[:split] for k, v in cols.items()})
            taken_arr.append(arr[:split])
            if split < arr.size:
                self._cols[0] = {k: v[split:] for k, v in cols.items()}
                self._arrival[0] = arr[split:]
                break
            self._cols.pop(0)
            self._arrival.pop(0)
        if not taken_arr:
            return {}, np.empty(0)
        if len(taken_arr) == 1:
            return taken_cols[0], taken_arr[0]
        return ({k: np.concatenate([c[k] for c in taken_cols]) for k in taken_cols[0]},
                np.concatenate(taken_arr))


class Truth:
    """``theta_star`` at each grid time: the value of the last sample measured by then."""

    def __init__(self, grid: np.ndarray, theta0: np.ndarray):
        self.grid = grid
        self.values = np.empty((grid.size, theta0.size))
        self.values[0] = theta0
        self.done = 1
        self.last = theta0

    def record(self, t: np.ndarray, theta: np.ndarray) -> None:
        if self.done < self.grid.size and t[-1] < self.grid[self.done]:
            self.last = theta[-1]
            return
        stop = int(np.searchsorted(self.grid, t[-1], side="right"))
        if stop > self.done:
            idx = np.searchsorted(t, self.grid[self.done:stop], side="right") - 1
            before = int(np.searchsorted(idx, 0))  # grid times before the packet's first sample
            rows = self.values[self.done:stop]
            rows[:before] = self.last
            # one row for every sample (a plant without drift broadcasts it): no gather
            rows[before:] = theta[0] if theta.strides[0] == 0 else theta[idx[before:]]
            self.done = stop
        self.last = theta[-1]


def packet_times(plant, stream, index: int, last_t: float, rngs: Rngs,
                 duration: float) -> np.ndarray:
    """Measurement times of the packet after sample ``index`` (the last measured at
    ``last_t``): the stream's, or the plant's own (recorded data with a time column)."""
    if getattr(plant, "own_times", False):
        return plant.sample_times(index, stream.packet, duration)
    return stream.times(index, last_t, stream.packet, rngs, duration)


def sensor(env, plant, stream, state, rngs: Rngs, channel: Channel, truth: Truth,
           duration: float, columns: tuple, counter: list):
    """Measure samples one packet ahead and put them in flight (at the stream's times, or
    the plant's own: recorded data with a time column)."""
    from gainsim.engine.lifetime import raise_if_terminated

    index, last_t = 0, 0.0
    while True:
        raise_if_terminated()  # a SIGTERM that came inside a compiled call's callback
        t = packet_times(plant, stream, index, last_t, rngs, duration)
        cols, state = plant.packet(state, t, rngs)
        truth.record(t, cols["theta_star"])
        channel.send({k: cols[k] for k in columns}, stream.deliver(t, rngs), stream.in_order)
        counter[0] += int(np.searchsorted(t, duration, side="right"))
        index, last_t = index + t.size, float(t[-1])
        channel.horizon = last_t
        if last_t >= duration:
            return
        yield env.timeout(last_t - env.now)


def learner(env, plant, channel: Channel, groups: list, truth: Truth, limit2: float,
            duration: float, rate: float):
    """Wake once per packet; apply what has arrived; the kernels record on the grid."""
    grid = truth.grid
    recorded = -1  # last monitor index written
    while True:
        now = env.now
        cols, arrival = channel.receive(now)
        cols = cols or channel.empty()
        upto = int(np.searchsorted(grid, now, side="right")) - 1
        # monitor times passed without a sample wait for the next chunk that has samples
        # (they fall before its first one; no estimate changed meanwhile: the same records)
        if arrival.size or (upto > recorded and now >= duration):
            grid_j = np.arange(recorded + 1, upto + 1)
            chunk = Chunk(cols=cols, arrival=arrival,
                          grid_pos=np.searchsorted(arrival, grid[grid_j], side="right"),
                          grid_j=grid_j, first_interval=recorded + 1, truth=truth.values,
                          limit2=limit2, plant=plant, rate=rate)
            for group in groups:
                if arrival.size:
                    group.advance(chunk)
                else:  # the run ends without a sample since: the monitor times only
                    group.bank.record_monitor_times(chunk)
            recorded = upto
        if now >= duration:
            return
        yield env.timeout(max(min(channel.horizon, duration) - now, 0.0))


def _columns(scenario) -> tuple:
    wanted = set()
    for policy in scenario.policy:
        wanted.update(getattr(policy.estimator, "columns", ("x", "d", "theta_star", "noise")))
    return tuple(c for c in scenario.plant.columns if c in wanted)


def simulate(scenario, seed: np.random.SeedSequence) -> ReplicaTrace:
    """Run one replica of ``scenario`` through the simpy event loop."""
    import simpy  # imported by the first simulation, not by ``import gainsim``

    plant, stream, duration = scenario.plant, scenario.stream, scenario.duration
    rngs = Rngs.from_seed(seed)
    state, theta_star0 = plant.init(rngs)
    G = scenario.metrics.grid
    truth = Truth(np.linspace(0.0, duration, G + 1), theta_star0)
    groups = make_groups(scenario.policy, plant.start_estimate(), plant, G,
                         stream.feedback_delay)
    env = simpy.Environment()
    channel, counter = Channel(), [0]
    env.process(sensor(env, plant, stream, state, rngs, channel, truth, duration,
                       _columns(scenario), counter))  # noqa: E501
    done = env.process(learner(env, plant, channel, groups, truth,
                               scenario.metrics.divergence_norm ** 2, duration, stream.rate))
    env.run(until=done)
    trace = _collect(groups, len(scenario.policy), G, plant.n, counter[0])
    trace.theta_star = truth.values
    return trace


def constant_gain_record(gains: np.ndarray, eta_mean: np.ndarray) -> np.ndarray:
    """What a per-time recording of constant ``gains`` (P, n) holds: row ``p`` at every grid
    time where ``eta_mean[p]`` (P, G+1) was recorded (not ``nan``), ``nan`` elsewhere."""
    recorded = ~np.isnan(eta_mean)
    return np.where(recorded[:, :, None], gains[:, None, :], np.nan)


_TRACE_FIELDS = (("err_sum", "err_sum"), ("err_cnt", "err_cnt"), ("misalignment", "mis"),
                 ("eta", "eta_mean"), ("eta_min", "eta_min"), ("eta_max", "eta_max"),
                 ("theta", "theta_vec"), ("updates", "updates"),
                 ("diverged_at", "diverged_at"))  # ReplicaTrace field <- Bank attribute


def _constant(bank) -> bool:
    """Whether ``bank`` records one gain per policy (constant gains), not one per time."""
    return bank.eta_vec.shape[1] == 1


def _gain_record(groups, P: int, G: int, n: int) -> tuple:
    """``(eta_vector, eta_constant)`` of the trace: ``(None, gains)`` when every group's
    gains are constant (no (P, G+1, n) record at all), else the per-time record."""
    if all(_constant(g.bank) for g in groups):
        gains = np.empty((P, n))
        for g in groups:
            gains[g.rows] = g.bank.last_gain
        return None, gains
    if _whole(groups, P):
        return groups[0].bank.eta_vec, None
    record = np.empty((P, G + 1, n))
    for g in groups:
        record[g.rows] = (constant_gain_record(g.bank.last_gain, g.bank.eta_mean)
                          if _constant(g.bank) else g.bank.eta_vec)
    return record, None


def _whole(groups, P: int) -> bool:
    """One group holding every policy, in order."""
    return len(groups) == 1 and list(groups[0].rows) == list(range(P))


def _collect(groups, P: int, G: int, n: int, samples: int) -> ReplicaTrace:
    eta_vector, eta_constant = _gain_record(groups, P, G, n)
    if _whole(groups, P):
        # its arrays are the trace (no copies; the (P, G+1, n) recordings are the
        # largest arrays of a run)
        g = groups[0]
        trace = ReplicaTrace(**{f: getattr(g.bank, a) for f, a in _TRACE_FIELDS},
                             eta_vector=eta_vector, eta_constant=eta_constant,
                             events=g.events, samples=samples)
    else:
        trace = ReplicaTrace(err_sum=np.zeros((P, G)), err_cnt=np.zeros((P, G), dtype=np.int64),
                             misalignment=np.empty((P, G + 1)), eta=np.empty((P, G + 1)),
                             eta_min=np.empty((P, G + 1)), eta_max=np.empty((P, G + 1)),
                             eta_vector=eta_vector, eta_constant=eta_constant,
                             events=np.zeros(P, dtype=np.int64),
                             updates=np.zeros(P, dtype=np.int64), diverged_at=np.empty(P),
                             samples=samples, theta=np.empty((P, G + 1, n)))
        for g in groups:
            for f, a in _TRACE_FIELDS:
                getattr(trace, f)[g.rows] = getattr(g.bank, a)
            trace.events[g.rows] = g.events
    trace.cost = np.full((P, 4), np.nan)
    for g in groups:
        if getattr(g, "cost", None) is not None:
            trace.cost[g.rows] = g.cost
    return trace
