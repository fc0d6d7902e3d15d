"""Regressor inputs: a scalar source fed through a tapped delay line.

The regressor at sample k is ``x_k = [u_k, u_{k-1}, ..., u_{k-n+1}]``. A white
source gives ``R = std² I``; an AR(1) source ``u_k = a u_{k-1} + sqrt(1-a²) std w_k``
gives the Toeplitz ``R_ij = std² a^|i-j|``, so the pole ``a`` sets the eigenvalue
spread of ``R`` (Haykin, *Adaptive Filter Theory*, 5th ed., 2014, ch. 1).
The delay line starts full of stationary samples, so ``R`` holds from sample 0.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from gainsim.registry import register
from gainsim.fields import between, param, positive


@dataclass
class DelayLine:
    """Per-replica input state: the last ``n-1`` source values and the AR state."""

    history: np.ndarray
    last: float


def _advance(state: DelayLine, u: np.ndarray) -> tuple[np.ndarray, DelayLine]:
    """New source values ``u`` and the delay-line state after them.

    The regressors themselves are built by :func:`gainsim.signals.assemble.fir_samples`.
    """
    k = state.history.size
    if k == 0:
        history = state.history
    elif u.size >= k:
        history = u[u.size - k:].copy()
    else:
        history = np.concatenate([state.history[u.size:], u])
    return u, DelayLine(history=history, last=float(u[-1]))


@register("input")
@dataclass(frozen=True)
class White:
    kind: ClassVar[str] = "white"
    summary: ClassVar[str] = "white Gaussian source, R = std² I"
    shorthand_field: ClassVar[str | None] = None
    std: float = param(1.0, doc="standard deviation of the source", check=positive)

    def correlation(self, n: int) -> np.ndarray:
        """The input correlation matrix ``R`` of the n-tap regressor."""
        return self.std**2 * np.eye(n)

    def init(self, n: int, rng: np.random.Generator) -> DelayLine:
        history = self.std * rng.standard_normal(n - 1)[::-1]
        return DelayLine(history=np.ascontiguousarray(history), last=0.0)

    def source(self, state: DelayLine, m: int, rng: np.random.Generator):
        """``m`` new source values and the new delay-line state."""
        return _advance(state, self.std * rng.standard_normal(m))


@register("input")
@dataclass(frozen=True)
class Ar1:
    kind: ClassVar[str] = "ar1"
    summary: ClassVar[str] = "AR(1)-coloured source u_k = a u_{k-1} + sqrt(1-a²) std w_k"
    shorthand_field: ClassVar[str | None] = None
    pole: float = param(doc="AR(1) coefficient a; |a| near 1 means a large eigenvalue spread",
                        check=between(-1.0, 1.0, open_low=True, open_high=True))
    std: float = param(1.0, doc="stationary standard deviation of the source", check=positive)

    def correlation(self, n: int) -> np.ndarray:
        lags = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
        return self.std**2 * self.pole**lags

    def init(self, n: int, rng: np.random.Generator) -> DelayLine:
        # Stationary start: u ~ N(0, std²), then n-1 steps of the recursion.
        first = self.std * rng.standard_normal()
        u = self._source(DelayLine(history=np.empty(0), last=first), n - 1, rng)
        return DelayLine(history=np.ascontiguousarray(u), last=float(u[-1]) if n > 1 else first)

    def _source(self, state: DelayLine, m: int, rng: np.random.Generator) -> np.ndarray:
        from scipy.signal import lfilter  # heavy (~0.3 s): imported for AR inputs only

        a = self.pole
        w = np.sqrt(1.0 - a * a) * self.std * rng.standard_normal(m)
        u, _ = lfilter([1.0], [1.0, -a], w, zi=np.array([a * state.last]))
        return u

    def source(self, state: DelayLine, m: int, rng: np.random.Generator):
        """``m`` new source values and the new delay-line state."""
        return _advance(state, self._source(state, m, rng))
