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
from gainsim.signals.normals import scaled_normal


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
        steps = scaled_normal(rng, (t.size, state.size), self.std)
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


@dataclass
class OneFlipState:
    """``flip = "one"``: the weights now and how many flips have happened."""

    theta: np.ndarray
    flips: int


@register("drift")
@dataclass(frozen=True)
class SignFlip:
    """The chosen weights change sign every ``interval`` seconds.

    ``flip = "all"`` (the default): every listed weight flips at each interval
    boundary. ``flip = "one"``: at each boundary one of the listed weights, chosen
    uniformly at random (the drift generator), flips: Sutton's (1992) tracking task,
    20 inputs, 5 relevant weights ±1, one flip every 20 examples. The draws happen
    flip by flip, so the numbers do not depend on the packet size.

    References
    ----------
    R. S. Sutton, "Adapting bias by gradient descent: an incremental version of
    delta-bar-delta", AAAI-92, pp. 171–176, 1992.
    """

    kind: ClassVar[str] = "sign_flip"
    summary: ClassVar[str] = "chosen weights flip sign at a fixed interval (all, or one at random)"
    shorthand_field: ClassVar[str | None] = None
    indices: tuple[int, ...] = param(doc="0-based indices of the weights that flip", check=nonneg,
                                     note="< n")
    interval: float = param(doc="seconds between flips", check=positive)
    flip: str = param("all", doc="at each interval: all listed weights flip, or one of them "
                      "chosen at random", choices=("all", "one"))

    def init(self, theta0: np.ndarray, rng: np.random.Generator) -> Any:
        bad = [i for i in self.indices if i >= theta0.size]
        if bad:
            raise ValueError(f"sign_flip index {bad[0]} is out of range for {theta0.size} weights")
        return theta0 if self.flip == "all" else OneFlipState(theta=theta0.copy(), flips=0)

    def path(self, state, t: np.ndarray, rng: np.random.Generator):
        if self.flip == "one":
            return self._one_path(state, t, rng)
        sign = np.where(np.floor(t / self.interval) % 2 == 1, -1.0, 1.0)
        theta = np.repeat(state[None, :], t.size, axis=0)
        idx = list(self.indices)
        theta[:, idx] *= sign[:, None]
        return theta, state

    def _one_path(self, state: OneFlipState, t: np.ndarray, rng: np.random.Generator):
        count = np.floor(t / self.interval).astype(np.int64)   # flips that happened by t
        new = max(int(count[-1]) - state.flips, 0)
        picks = np.asarray(self.indices)[rng.integers(len(self.indices), size=new)]
        rows = np.repeat(state.theta[None, :], new + 1, axis=0)  # theta after each new flip
        for j, i in enumerate(picks, start=1):
            rows[j:, i] *= -1.0
        theta = rows[np.clip(count - state.flips, 0, new)]
        return theta, OneFlipState(theta=rows[-1].copy(), flips=state.flips + new)
