"""The sample stream: when samples are measured, how late they arrive, which are lost.

Pure numpy; the simpy processes in :mod:`gainsim.engine.sim` call these per packet
with the replica's generators (:class:`gainsim.engine.sim.Rngs`). Each draw comes from
its own generator (``arrivals``, ``latency``, ``dropout``), so a packet of 1 and a
packet of 1000 draw the same numbers in the same order; a stream that draws nothing
(periodic, no or constant latency, no dropout) touches no generator.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from gainsim.registry import register
from gainsim.fields import at_least_one, nonneg, param, positive, probability


@register("latency")
@dataclass(frozen=True)
class NoLatency:
    kind: ClassVar[str] = "none"
    summary: ClassVar[str] = "samples arrive when they are measured"
    shorthand_field: ClassVar[str | None] = None

    def arrive(self, t: np.ndarray, rngs) -> np.ndarray:
        """Arrival times of samples measured at ``t``: ``t`` itself."""
        return t


@register("latency")
@dataclass(frozen=True)
class ConstantLatency:
    kind: ClassVar[str] = "constant"
    summary: ClassVar[str] = "every sample arrives a fixed delay after it is measured"
    shorthand_field: ClassVar[str | None] = "value"
    value: float = param(doc="delay in seconds", check=nonneg)

    def arrive(self, t: np.ndarray, rngs) -> np.ndarray:
        """Arrival times of samples measured at ``t``: ``t + value``."""
        return t + self.value


@register("latency")
@dataclass(frozen=True)
class UniformLatency:
    kind: ClassVar[str] = "uniform"
    summary: ClassVar[str] = "delay uniform in [low, high] (jitter reorders samples)"
    shorthand_field: ClassVar[str | None] = None
    low: float = param(doc="shortest delay in seconds", check=nonneg)
    high: float = param(doc="longest delay in seconds", check=nonneg, note=">= low")

    def problems(self):
        if self.high < self.low:
            yield "high", f"must be >= low = {self.low} (got {self.high})"

    def arrive(self, t: np.ndarray, rngs) -> np.ndarray:
        """Arrival times of samples measured at ``t``: ``t + U(low, high)``."""
        return t + (self.low + (self.high - self.low) * rngs.latency.random(t.size))


@register("latency")
@dataclass(frozen=True)
class ExponentialLatency:
    kind: ClassVar[str] = "exponential"
    summary: ClassVar[str] = "delay = offset + exponential(mean): a queue-like random delay"
    shorthand_field: ClassVar[str | None] = None
    mean: float = param(doc="mean of the random part in seconds", check=positive)
    offset: float = param(0.0, doc="fixed part in seconds", check=nonneg)

    def arrive(self, t: np.ndarray, rngs) -> np.ndarray:
        """Arrival times of samples measured at ``t``: ``t + offset + Exp(mean)``."""
        return t + (self.offset + rngs.latency.exponential(self.mean, t.size))


@dataclass(frozen=True)
class Stream:
    """How samples are measured and delivered.

    Sample ``i`` (from 1) is measured at ``t_i = i / rate`` (periodic) or after
    exponential gaps of mean ``1/rate`` (Poisson), arrives at ``t_i + latency_i``
    unless dropped with probability ``dropout``, and learners apply samples in
    arrival order (ties in measurement order). ``packet`` only sets how many samples
    are generated per simpy event: it changes speed, never results.
    """

    arrivals: str = param("periodic", doc="arrival process", choices=("periodic", "poisson"))
    rate: float = param(1.0, doc="samples per second", check=positive)
    latency: Any = param(NoLatency(), doc="delay from measurement to arrival",
                         family="latency", shorthand="constant")
    dropout: float = param(0.0, doc="probability that a sample is lost", check=probability)
    packet: int = param(16384, doc="samples generated per simpy event (speed only)",
                        check=at_least_one)
    feedback_delay: int = param(
        0, doc="updates by which the gradient is stale: update k uses the estimate of step "
        "k − D (delayed LMS, asynchronous SGD; gd and lms with a constant gain)", check=nonneg)

    @property
    def in_order(self) -> bool:
        """True when samples always arrive in measurement order and none is lost."""
        return self.dropout == 0 and type(self.latency).kind in ("none", "constant")

    def times(self, start_index: int, last_time: float, m: int, rngs,
              duration: float = math.inf):
        """Measurement times of samples ``start_index+1 .. start_index+m``.

        A periodic stream stops at the first sample at or after ``duration``; a Poisson
        stream draws its gaps from ``rngs.arrivals``.
        """
        if self.arrivals == "periodic":
            if math.isfinite(duration):
                needed = math.ceil(duration * self.rate - 1e-9) - start_index
                m = max(1, min(m, needed))
            # float bounds: the same integers (exact below 2**53), no int64 array to convert;
            # divided in place (the same quotients, no second array)
            t = np.arange(float(start_index + 1), float(start_index + m + 1))
            t /= self.rate
            return t
        gaps = rngs.arrivals.exponential(1.0 / self.rate, m)
        gaps[0] += last_time  # sequential cumsum: identical for any packet size
        return np.cumsum(gaps)

    def deliver(self, t: np.ndarray, rngs) -> np.ndarray:
        """Arrival times of samples measured at ``t``; ``inf`` for a dropped sample
        (drawn from ``rngs.dropout``). May be ``t`` itself: neither is written to later."""
        arrival = self.latency.arrive(t, rngs)
        if self.dropout > 0:
            if arrival is t:
                arrival = t.copy()
            arrival[rngs.dropout.random(t.size) < self.dropout] = np.inf
        return arrival
