"""The typed, frozen scenario: what a TOML file becomes once it is validated."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gainsim.scenario.fields import at_least_one, between, nonneg, param, positive
from gainsim.stream import Stream


@dataclass(frozen=True)
class Policy:
    """One contender: a display name, an estimator and a gain policy."""

    name: str = param(doc="display name (default: estimator and gain)")
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


@dataclass(frozen=True)
class Scenario:
    """A validated scenario file."""

    name: str = param(doc="scenario name (default: the file name)")
    plant: Any = param(doc="plant or target to learn or track", family="plant")
    policy: tuple[Policy, ...] = param(doc="the gain policies to compare ([[policy]] tables)")
    description: str = param("", doc="one paragraph shown in reports")
    stream: Stream = param(Stream(), doc="sample stream ([stream] table)")
    run: Run = param(Run(duration=100.0), doc="run settings ([run] table)")
    metrics: Metrics = param(Metrics(), doc="metric settings ([metrics] table)")

    @classmethod
    def from_dict(cls, data: dict, source: str = "<dict>") -> "Scenario":
        """A scenario from the tables of a scenario file as Python dicts and lists.

        Validated exactly like a file (the dict is written as TOML and loaded); raises
        :class:`~gainsim.scenario.ScenarioError` whose lines carry the key paths, e.g.
        ``<dict>: policy[0].gain: must be > 0 (got -0.1)``.
        """
        from gainsim.scenario.load import loads_dict

        return loads_dict(data, source)

    @property
    def duration(self) -> float:
        """Simulated seconds: ``run.duration`` or ``run.samples / stream.rate``."""
        if self.run.duration is not None:
            return self.run.duration
        return self.run.samples / self.stream.rate
