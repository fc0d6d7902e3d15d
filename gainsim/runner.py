"""Replicas, seeds and executors: run a scenario and gather :class:`Results`.

Replica ``r`` always uses ``SeedSequence(seed).spawn(replicas)[r]``, so results are
bit-identical whatever the executor or number of workers.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np

from gainsim.metrics import (PolicySummary, band, eta_vector_mean, replica_curves,
                             replica_steady_errors, summarise)
from gainsim.sim import simulate


@dataclass(frozen=True)
class Results:
    """Everything a run produced: per-policy summaries and curves on the grid."""

    scenario: object
    seed: int
    replicas: int
    t: np.ndarray                  # (G+1,) monitor grid
    curves: dict                   # name -> (P, G+1): mean / p10 / p90 of each metric
    policies: tuple[PolicySummary, ...]
    samples: float                 # mean samples measured per replica
    costs: np.ndarray | None = None  # (P, 4) mean cost sums of Python baselines (nan elsewhere)
    applied: float = float("nan")  # mean samples per replica that reached the learners
    replica_errors: np.ndarray | None = None  # (R, P) steady-state error per replica (paired)

    @property
    def policy_names(self) -> list[str]:
        return [p.name for p in self.policies]


def replica_seeds(seed: int, replicas: int) -> list[np.random.SeedSequence]:
    """The seed of every replica: children of one root ``SeedSequence``."""
    return np.random.SeedSequence(seed).spawn(replicas)


def run(scenario, *, seed: int | None = None, replicas: int | None = None, workers: int = 1,
        progress: Callable[[int, int], None] | None = None) -> Results:
    """Simulate every replica of ``scenario`` and summarise.

    Parameters
    ----------
    seed, replicas
        Override ``scenario.run`` (the returned ``Results.scenario`` carries them).
    workers
        1 runs in this process; more use a process pool (:mod:`gainsim.executors`), unless
        the run is too small to pay for starting it. Results do not depend on it.
    progress
        Called as ``progress(done, total)`` before the first replica and after each.
    """
    run_cfg = replace(scenario.run, **{k: v for k, v in
                                       (("seed", seed), ("replicas", replicas)) if v is not None})
    scenario = replace(scenario, run=run_cfg)
    from gainsim.executors import execute, make_executor

    executor = make_executor("process", workers)
    try:
        traces = execute([scenario], executor, summarise=False, progress=progress)[0]
    finally:
        executor.close()
    return collect(scenario, traces)


def collect(scenario, traces: list) -> Results:
    """Aggregate replica traces into :class:`Results`."""
    t = np.linspace(0.0, scenario.duration, scenario.metrics.grid + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        curves = replica_curves(traces)
        mean = band(curves)
        mean["eta_vector_mean"] = eta_vector_mean(traces)
        policies = tuple(summarise(scenario, t, traces, curves, mean))
    return Results(scenario=scenario, seed=scenario.run.seed, replicas=scenario.run.replicas,
                   t=t, curves=mean, policies=policies,
                   samples=float(np.mean([tr.samples for tr in traces])),
                   costs=np.mean([tr.cost for tr in traces], axis=0),
                   replica_errors=replica_steady_errors(scenario, traces),
                   applied=float(np.mean([applied_samples(tr) for tr in traces])))


def applied_samples(trace) -> int:
    """Samples that reached the learners in one replica (the most any policy saw)."""
    return int(trace.err_cnt.sum(axis=1).max()) if trace.err_cnt.size else 0
