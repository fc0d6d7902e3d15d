"""Compile the kernels a scenario needs ahead of its first run, one process per gain law.

numba compiles a kernel on its first call (seconds per adaptive law) and caches it;
a cold ``gainsim run`` therefore compiles its laws one after the other. Here each law
group of the scenarios (the constant-gain bank of an estimator; each adaptive gain
kind with its estimator) runs as a tiny probe — one replica, a few hundred samples —
in worker processes side by side, which fills the shared cache; the run afterwards
loads everything from it. Results never depend on it: probes only compile.
"""
from __future__ import annotations

import dataclasses
import multiprocessing as mp
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np

PROBE_SAMPLES = 200


@dataclasses.dataclass(frozen=True)
class Probe:
    label: str      # what it compiles, e.g. "fir: lms + idbd"
    scenario: object


def probes(scenarios) -> list[Probe]:
    """One tiny scenario per law group of ``scenarios``, duplicates across them merged."""
    from gainsim.gains.constant import Constant

    found: dict = {}
    for scenario in scenarios:
        groups: dict = {}
        for policy in scenario.policy:
            constant = isinstance(policy.gain, Constant)
            key = (type(scenario.plant).kind, type(policy.estimator).kind,
                   "constant" if constant else type(policy.gain).kind)
            groups.setdefault(key, []).append(policy)
        for key, members in groups.items():
            if key not in found:  # a constant bank keeps its size: 8+ take the bank kernel
                kept = tuple(members) if key[2] == "constant" else (members[0],)
                found[key] = Probe(f"{key[0]}: {key[1]} + {key[2]}", _tiny(scenario, kept))
    return list(found.values())


def _tiny(scenario, policies):
    samples = max(min(int(round(scenario.duration * scenario.stream.rate)), PROBE_SAMPLES), 1)
    run = dataclasses.replace(scenario.run, replicas=1, duration=None, samples=samples)
    metrics = dataclasses.replace(scenario.metrics, grid=min(scenario.metrics.grid, 10))
    return dataclasses.replace(scenario, run=run, metrics=metrics, policy=policies)


def _compile(probe: Probe) -> float:
    from gainsim.engine.sim import simulate

    t0 = time.perf_counter()
    simulate(probe.scenario, np.random.SeedSequence(0))
    return time.perf_counter() - t0


def warm(scenarios, workers: int = 2) -> list[tuple[str, float]]:
    """Run every probe (``workers`` processes side by side); ``(label, seconds)`` each."""
    todo = probes(scenarios)
    workers = max(1, min(workers, len(todo)))
    if workers == 1:
        return [(p.label, _compile(p)) for p in todo]
    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as pool:
        return list(zip([p.label for p in todo], pool.map(_compile, todo)))
