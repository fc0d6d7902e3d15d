"""How big a scenario is: work and memory estimated from its resolved settings; how many
workers are too many (:func:`workers_problem`).

``gainsim run`` and ``gainsim explain`` call :func:`estimate` before anything is
simulated or allocated, refuse a scenario above :data:`MAX_WORK` or
:data:`MAX_MEMORY` (naming the key that makes it big; ``--allow-large`` overrides)
and show the estimate next to the progress bar above :data:`NOTE_WORK`.

Work is counted in *parameter updates*: one tap of one policy updated by one sample
(an LMS update of a 16-tap filter is 16). On the project's 2-core machine the engine
does about 2·10⁸ per second and core (16-tap LMS, ``benchmarks/bench_engine.py``), so
:data:`MAX_WORK` is roughly an hour and a half on one core.
"""
from __future__ import annotations

import math
import os
from dataclasses import dataclass

MAX_WORK = 1e12          # parameter updates; above: refused (about 1.5 h on one core)
NOTE_WORK = 1e10         # above: the estimate is printed with the progress bar (about a minute)
MAX_MEMORY = 4 * 2**30   # bytes held at once (recorded curves of every replica, packets, matrices)
PYTHON_UPDATE = 5000     # parameter updates one scipy-baseline step costs (Python and scipy calls)
MATRIX_GAINS = ("rls", "kalman")  # gain policies that carry an n x n matrix per policy
FLOAT = 8                # bytes
MAX_WORKERS = 256        # --workers above this (or above 4 per CPU) is refused


@dataclass(frozen=True)
class SizeEstimate:
    """Work and peak memory of a scenario, and the key that dominates each.

    Attributes
    ----------
    work
        Parameter updates over the whole run (samples × policies × replicas × cost per
        update; cost is taps for vector gains, taps² for RLS/Kalman, substeps for MRAC).
    memory
        Bytes held at once: every replica's recorded curves (the runner keeps them until
        it aggregates), one packet of samples, the matrices of the policies, and for
        ``explain`` the n × n input correlation matrix.
    work_key, memory_key
        The setting to lower to shrink each (a scenario key path).
    explain_memory, size_key
        Bytes ``gainsim explain`` needs (the n × n input correlation matrix and its
        eigensystem), and the key that sets n.
    """

    work: float
    memory: float
    work_key: str
    memory_key: str
    explain_memory: float = 0.0
    size_key: str = "plant.taps"

    def problem(self) -> tuple[str, str] | None:
        """``(key, message)`` if the scenario is over a limit, else ``None``."""
        if self.memory > MAX_MEMORY:
            return self.memory_key, (f"needs about {format_bytes(self.memory)} of memory (limit "
                                     f"{format_bytes(MAX_MEMORY)}); lower {self.memory_key}")
        if self.work > MAX_WORK:
            return self.work_key, (f"is about {self.work:.2g} parameter updates (limit "
                                   f"{MAX_WORK:.0e}, ~1.5 h on one core); lower {self.work_key}")
        return None

    def text(self) -> str:
        """``~3.8e+07 parameter updates, ~12 MB``: for the progress line."""
        return f"~{self.work:.2g} parameter updates, ~{format_bytes(self.memory)}"


def format_bytes(n: float) -> str:
    for unit, size in (("TB", 2**40), ("GB", 2**30), ("MB", 2**20), ("kB", 2**10)):
        if n >= size:
            return f"{n / size:.3g} {unit}"
    return f"{n:.0f} B"


def estimate(scenario, replicas: int | None = None) -> SizeEstimate:
    """Estimate work and memory of ``scenario`` (``replicas`` overrides ``run.replicas``).

    Uses only resolved settings (no array is built), in floating point so that absurd
    values (``taps = 10¹⁸``) give an estimate rather than an overflow.
    """
    from gainsim.gains.constant import gains_recorded_once

    plant, stream = scenario.plant, scenario.stream
    R = float(replicas if replicas is not None else scenario.run.replicas)
    n = float(plant.n)
    G = float(scenario.metrics.grid)
    samples = scenario.duration * stream.rate
    P = float(len(scenario.policy))
    substeps = float(getattr(plant, "substeps", 1))
    per_update = [_update_cost(p, n) * substeps for p in scenario.policy]
    work = samples * R * math.fsum(per_update)
    matrices = sum(n * n for p in scenario.policy if type(p.gain).kind in MATRIX_GAINS)
    # ReplicaTrace arrays, every replica: 8 numbers, θ̂ and (unless every gain is constant)
    # the per-parameter gain at each grid time. An upper bound: a run folds each replica's
    # θ̂ and gain records as it comes (engine.results.TraceFold), so in one process about
    # one replica's are held; a pool holds those of every block that finished before an
    # earlier one, which can be all of them.
    curves = R * P * (G + 1) * (8 + n + (0 if gains_recorded_once(scenario) else n)) * FLOAT
    drawn = stream.packet if stream.arrivals == "poisson" else min(stream.packet, samples + 1)
    packet = float(drawn) * (2 * n + 6) * FLOAT * 2  # a Poisson packet is drawn in full
    # a plant with closed forms (plant.theory) has its R or H and eigensystem computed
    explain = 4 * n * n * FLOAT if hasattr(plant, "theory") else 0.0
    memory = curves + packet + matrices * FLOAT + explain
    memory_key = _memory_key(scenario, {"curves": curves, "packet": packet,
                                        "matrices": explain + matrices * FLOAT}, R, G, n)
    work_key = _work_key(scenario, samples, R, n, substeps)
    size_key = "plant.taps" if hasattr(plant, "taps") else "plant.theta0"
    return SizeEstimate(work=work, memory=memory, work_key=work_key, memory_key=memory_key,
                        explain_memory=explain, size_key=size_key)


def _update_cost(policy, n: float) -> float:
    if hasattr(policy.estimator, "init_state"):  # a scipy baseline: Python per update
        return PYTHON_UPDATE + n * n
    if type(policy.gain).kind in MATRIX_GAINS:
        return n * n
    return n


def _memory_key(scenario, parts: dict, R: float, G: float, n: float) -> str:
    """The key behind the largest part of the memory estimate."""
    size_key = "plant.taps" if hasattr(scenario.plant, "taps") else "plant.theta0"
    biggest = max(parts, key=parts.get)
    if biggest == "packet":
        return "stream.packet"
    if biggest == "matrices":
        return size_key
    factors = {"run.replicas": R, "metrics.grid": G, size_key: n}
    return max(factors, key=factors.get)


def _work_key(scenario, samples, R, n, substeps) -> str:
    factors = {"run.duration" if scenario.run.duration is not None else "run.samples": samples,
               "run.replicas": R, "policy": float(len(scenario.policy))}
    if hasattr(scenario.plant, "taps"):
        factors["plant.taps"] = n
    if substeps > 1:
        factors["plant.substeps"] = substeps
    return max(factors, key=factors.get)


def workers_limit() -> int:
    """The most workers accepted: 4 per CPU of this machine, at most :data:`MAX_WORKERS`
    (more only queue for the same cores, each paying ~1 s of start-up and its memory)."""
    return min(4 * (os.cpu_count() or 1), MAX_WORKERS)


def workers_problem(workers: int) -> str | None:
    """What is wrong with a worker count, as the one line the commands print; or None."""
    if workers < 1:
        return f"--workers: must be >= 1 (got {workers})"
    limit = workers_limit()
    if workers > limit:
        return (f"--workers: must be <= {limit} (4 per CPU, {os.cpu_count() or 1} CPUs here, "
                f"at most {MAX_WORKERS}; got {workers})")
    return None
