"""The typed, frozen parts of a scenario: policies, run and metric settings.

The :class:`~gainsim.scenario.load.Scenario` that holds them is defined next to its
loader, so that ``Scenario.from_dict`` validates without an import circle."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gainsim.fields import at_least_one, between, nonneg, param, positive


@dataclass(frozen=True)
class Policy:
    """One contender: a display name, an estimator and a gain policy."""

    name: str = param(doc="display name (default: estimator and gain)",
                      default_doc="estimator and gain", note="unique")
    estimator: Any = param(doc="how the error becomes an update", family="estimator",
                           shorthand="lms")
    gain: Any = param(doc="where eta comes from; a number means a constant gain",
                      family="gain", shorthand="constant")
    clock: str = param("updates", doc="what a schedule counts: updates applied, or time "
                       "(k = floor(t * rate) at the sample's arrival)",
                       choices=("updates", "time"))


@dataclass(frozen=True)
class Run:
    """How long and how many times to simulate."""

    seed: int = param(0, doc="root of numpy SeedSequence; same seed, same numbers", check=nonneg)
    replicas: int = param(1, doc="independent repetitions (Monte Carlo)", check=at_least_one)
    duration: float | None = param(None, doc="simulated seconds (give this or samples)",
                                   check=positive)
    samples: int | None = param(None, doc="number of samples; duration = samples / rate",
                                check=at_least_one)

    def problems(self):
        if (self.duration is None) == (self.samples is None):
            yield "duration", "give exactly one of run.duration or run.samples"


@dataclass(frozen=True)
class Metrics:
    """How the monitor records and how results are summarised."""

    grid: int = param(200, doc="monitor intervals over the run (fixed time grid)",
                      check=at_least_one)
    steady_state_window: float = param(
        0.25, doc="final fraction of the run averaged as steady state",
        check=between(0.0, 1.0, open_low=True))
    convergence_band: float = param(
        0.05, doc="settling band, as a fraction of the initial distance to steady state",
        check=between(0.0, 1.0, open_low=True, open_high=True))
    divergence_norm: float = param(
        1e6, doc="an estimate with norm above this (or not finite) has diverged",
        check=positive)
