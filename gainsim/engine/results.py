"""What a run produced: :class:`Results`, the replica seeds, and :func:`collect`.

Replica ``r`` always uses ``SeedSequence(seed).spawn(replicas)[r]`` and its traces are
aggregated in replica order, so results are bit-identical whatever the executor or
number of workers. :mod:`gainsim.engine.runner` runs the replicas (through
:mod:`gainsim.engine.executors`, which also uses this module); split from it so the runner
and the executors do not import each other.
"""
from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass

import numpy as np

from gainsim.analysis.metrics import (PolicySummary, eta_vector_mean, replica_bands,
                                      replica_mean, replica_steady_errors, summarise)
from gainsim.analysis.replica_stats import NUMPY_MAX, NanMeanFold


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


def replica_seeds(seed: int, replicas: int, start: int = 0) -> list[np.random.SeedSequence]:
    """The seeds of replicas ``start .. replicas - 1``: children of one root ``SeedSequence``.

    Child ``r`` of ``SeedSequence(seed).spawn(replicas)`` is ``SeedSequence(seed,
    spawn_key=(r,))`` (the same entropy, spawn key and pool size, so the same state); made
    directly, a block of replicas costs its own seeds only, not the spawn of all of them
    (``spawn(1000)`` took 47 ms here, which a run of 1000 one-replica blocks paid 1000 times).
    """
    return [np.random.SeedSequence(seed, spawn_key=(r,)) for r in range(start, replicas)]


class TraceFold:
    """A point's replica traces in replica order, their largest records folded as they come.

    Each replica's estimate record ``theta`` (and per-parameter gain record
    ``eta_vector``), (P, G+1, n) each, is added to a running NaN-ignoring mean
    (:class:`gainsim.analysis.replica_stats.NanMeanFold`) and the trace is kept without
    it: a run then holds one such record instead of one per replica (64 policies ×
    grid 2000 × 16 taps: 16 MB each), and the memory of one replica is reused by the
    next instead of being touched fresh. The means are the bits of
    :func:`gainsim.analysis.metrics.replica_mean` and
    :func:`gainsim.analysis.metrics.eta_vector_mean` over the whole traces (the same
    additions in the same order). Traces must be added in replica order.
    """

    def __init__(self, replicas: int):
        self.replicas = replicas
        self.traces: list = []
        self._theta = self._eta = None  # NanMeanFold, made by the first trace

    def extend(self, traces: list, keep: bool = False) -> None:
        """Fold ``traces`` (the next replicas, in order), two per pass over the running
        sums; ``keep``: leave them as they are (copies without the folded records are
        kept), else their records are dropped."""
        for r in range(0, len(traces), 2):
            pair = traces[r:r + 2]
            if self._theta is None:
                self._theta = self._fold(pair[0].theta)
            self._theta.add(*(tr.theta for tr in pair))
            if self._eta is None and any(tr.eta_vector is not None for tr in pair):
                self._eta = self._fold(next(tr.eta_vector for tr in pair
                                            if tr.eta_vector is not None))
                for earlier in self.traces:  # none in a run (every replica alike)
                    self._eta.add(earlier.eta_vectors())
            if self._eta is not None:
                self._eta.add(*(tr.eta_vectors() for tr in pair))
            for tr in pair:
                if keep:
                    tr = dataclasses.replace(tr, theta=None, eta_vector=None)
                else:
                    tr.theta = tr.eta_vector = None
                self.traces.append(tr)

    @classmethod
    def of(cls, traces: list) -> "TraceFold":
        """A fold of a whole list of traces (in replica order), which is left as it is."""
        fold = cls(len(traces))
        fold.extend(traces, keep=True)
        return fold

    def _fold(self, record: np.ndarray) -> NanMeanFold:
        return NanMeanFold(compiled=record.size * self.replicas > NUMPY_MAX)

    def theta_mean(self) -> np.ndarray:
        """Mean estimate over replicas (P, G+1, n), NaN ignored (a diverged replica)."""
        return self._theta.mean()

    def eta_vector_mean(self) -> np.ndarray:
        """Mean per-parameter gain over replicas (P, G+1, n): the fold of the per-time
        records, or :func:`gainsim.analysis.metrics.eta_vector_mean` of traces whose gains
        are all constant (they carry the gains alone)."""
        return self._eta.mean() if self._eta is not None else eta_vector_mean(self.traces)


def collect(scenario, traces) -> Results:
    """Aggregate replica traces (a list in replica order, or a :class:`TraceFold`) into
    :class:`Results`; a list is left as it is."""
    fold = traces if isinstance(traces, TraceFold) else TraceFold.of(traces)
    traces = fold.traces
    t = np.linspace(0.0, scenario.duration, scenario.metrics.grid + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = replica_bands(traces)
        mean["eta_vector_mean"] = fold.eta_vector_mean()
        mean["theta_hat_mean"] = fold.theta_mean()
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
