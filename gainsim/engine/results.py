"""What a run produced: :class:`Results`, the replica seeds, and :func:`collect`.

Replica ``r`` always uses ``SeedSequence(seed).spawn(replicas)[r]`` and its traces are
aggregated in replica order, so results are bit-identical whatever the executor or
number of workers. :mod:`gainsim.engine.runner` runs the replicas (through
:mod:`gainsim.engine.executors`, which also uses this module); split from it so the runner
and the executors do not import each other.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from gainsim.analysis.metrics import (PolicySummary, eta_vector_mean, replica_bands,
                                      replica_mean, replica_steady_errors, summarise)


@dataclass(frozen=True)
class Results:
    """Everything a run produced: per-policy summaries and curves on the grid.

    :func:`gainsim.run` hands it out wrapped in :class:`gainsim.api.RunResult`, which adds
    the ranked-table ``repr``, ``summary``, ``plot``, ``to_frame`` and ``save``.
    """

    scenario: object
    seed: int
    replicas: int
    t: np.ndarray                  # (G+1,) monitor grid
    curves: dict                   # name -> (P, G+1): mean / p10 / p90 of each metric
    policies: tuple[PolicySummary, ...]
    samples: float                 # mean samples measured per replica
    costs: np.ndarray | None = None  # (P, 4) mean cost sums of Python baselines (nan elsewhere)
    replica_errors: np.ndarray | None = None  # (R, P) steady-state error per replica (paired)
    applied: float = float("nan")  # mean samples per replica that reached the learners

    @property
    def policy_names(self) -> list[str]:
        return [p.name for p in self.policies]


def replica_seeds(seed: int, replicas: int) -> list[np.random.SeedSequence]:
    """The seed of every replica: children of one root ``SeedSequence``."""
    return np.random.SeedSequence(seed).spawn(replicas)


def collect(scenario, traces: list) -> Results:
    """Aggregate replica traces into :class:`Results`."""
    t = np.linspace(0.0, scenario.duration, scenario.metrics.grid + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = replica_bands(traces)
        mean["eta_vector_mean"] = eta_vector_mean(traces)
        mean["theta_hat_mean"] = replica_mean(traces, "theta")
        mean["theta_star_mean"] = replica_mean(traces, "theta_star")
        errors = replica_steady_errors(scenario, traces)
        policies = tuple(summarise(scenario, t, traces, mean, errors))
    return Results(scenario=scenario, seed=scenario.run.seed, replicas=scenario.run.replicas,
                   t=t, curves=mean, policies=policies,
                   samples=float(np.mean([tr.samples for tr in traces])),
                   costs=np.mean([tr.cost for tr in traces], axis=0),
                   replica_errors=errors,
                   applied=float(np.mean([applied_samples(tr) for tr in traces])))


def applied_samples(trace) -> int:
    """Samples that reached the learners in one replica (the most any policy saw)."""
    return int(trace.err_cnt.sum(axis=1).max()) if trace.err_cnt.size else 0
