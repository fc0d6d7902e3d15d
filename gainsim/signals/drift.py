"""Drift models: how the true parameters ``theta_star`` move with time.

Each model is a frozen dataclass with ``init(theta0, rng) -> state`` and
``path(state, t, rng) -> (theta_star, state)`` giving ``theta_star`` at the sample
measurement times ``t`` (shape ``(m, n)``). Calls on consecutive packets give the
same numbers as one call on the whole stream, bit for bit.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from gainsim.registry import register
from gainsim.fields import nonneg, param, positive


@register("drift")
@dataclass(frozen=True)
class NoDrift:
    kind: ClassVar[str] = "none"
    summary: ClassVar[str] = "theta_star stays where it starts"
    shorthand_field: ClassVar[str | None] = None

    def init(self, theta0: np.ndarray, rng: np.random.Generator) -> Any:
        return theta0

    def path(self, state, t: np.ndarray, rng: np.random.Generator):
        return np.broadcast_to(state, (t.size, state.size)), state

    def per_step_covariance(self, n: int) -> np.ndarray:
        return np.zeros((n, n))


@register("drift")
@dataclass(frozen=True)
class RandomWalk:
    """``theta_star_k = theta_star_{k-1} + std * w_k`` at every sample (``Q = std² I``)."""

    kind: ClassVar[str] = "random_walk"
    summary: ClassVar[str] = "Gaussian random walk: one step of std per sample, Q = std² I"
    shorthand_field: ClassVar[str | None] = None
    std: float = param(doc="standard deviation of each per-sample step", check=nonneg)

    def init(self, theta0: np.ndarray, rng: np.random.Generator) -> Any:
        return theta0

    def path(self, state, t: np.ndarray, rng: np.random.Generator):
        steps = self.std * rng.standard_normal((t.size, state.size))
        steps[0] += state  # cumsum is sequential: same sums as one long stream
        theta = np.cumsum(steps, axis=0)
        return theta, theta[-1].copy()

    def per_step_covariance(self, n: int) -> np.ndarray:
        return self.std**2 * np.eye(n)


@register("drift")
@dataclass(frozen=True)
class Sinusoid:
    """``theta_star_i(t) = theta0_i + amplitude [sin(2 pi t / period + phi_i) - sin(phi_i)]``.

    The phases ``phi_i = 2 pi i / n`` spread the weights over a cycle; subtracting
    ``sin(phi_i)`` makes ``theta_star(0) = theta0``.
    """

    kind: ClassVar[str] = "sinusoid"
    summary: ClassVar[str] = "each weight oscillates from its start, phases spread over 2 pi"
    shorthand_field: ClassVar[str | None] = None
    amplitude: float = param(doc="amplitude of the oscillation", check=nonneg)
    period: float = param(doc="period in seconds", check=positive)

    def init(self, theta0: np.ndarray, rng: np.random.Generator) -> Any:
        return theta0

    def path(self, state, t: np.ndarray, rng: np.random.Generator):
        phase = 2 * np.pi * np.arange(state.size) / state.size
        wave = np.sin(2 * np.pi * t[:, None] / self.period + phase) - np.sin(phase)
        return state + self.amplitude * wave, state


@register("drift")
@dataclass(frozen=True)
class Jumps:
    """At each listed time, ``theta_star`` jumps by a Gaussian vector of std ``std``."""

    kind: ClassVar[str] = "jumps"
    summary: ClassVar[str] = "abrupt changes: theta_star jumps at given times"
    shorthand_field: ClassVar[str | None] = None
    times: tuple[float, ...] = param(doc="jump times in seconds (increasing)", check=nonneg,
                                     note="in order")
    std: float = param(1.0, doc="standard deviation of each jump per weight", check=positive)

    def problems(self):
        if any(b <= a for a, b in zip(self.times, self.times[1:])):
            yield "times", "must be strictly increasing"

    def init(self, theta0: np.ndarray, rng: np.random.Generator) -> Any:
        offsets = self.std * rng.standard_normal((len(self.times), theta0.size))
        return np.cumsum(np.vstack([theta0, offsets]), axis=0)

    def path(self, state, t: np.ndarray, rng: np.random.Generator):
        return state[np.searchsorted(np.asarray(self.times), t, side="right")], state


@register("drift")
@dataclass(frozen=True)
class SignFlip:
    """The chosen weights change sign every ``interval`` seconds."""

    kind: ClassVar[str] = "sign_flip"
    summary: ClassVar[str] = "chosen weights flip sign at a fixed interval"
    shorthand_field: ClassVar[str | None] = None
    indices: tuple[int, ...] = param(doc="0-based indices of the weights that flip", check=nonneg,
                                     note="< n")
    interval: float = param(doc="seconds between flips", check=positive)

    def init(self, theta0: np.ndarray, rng: np.random.Generator) -> Any:
        bad = [i for i in self.indices if i >= theta0.size]
        if bad:
            raise ValueError(f"sign_flip index {bad[0]} is out of range for {theta0.size} weights")
        return theta0

    def path(self, state, t: np.ndarray, rng: np.random.Generator):
        sign = np.where(np.floor(t / self.interval) % 2 == 1, -1.0, 1.0)
        theta = np.repeat(state[None, :], t.size, axis=0)
        idx = list(self.indices)
        theta[:, idx] *= sign[:, None]
        return theta, state
