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
from gainsim.signals.normals import scaled_normal, standard_normal


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
        return _advance(state, scaled_normal(rng, m, self.std))


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
        w = scaled_normal(rng, m, np.sqrt(1.0 - a * a) * self.std)
        u, _ = lfilter([1.0], [1.0, -a], w, zi=np.array([a * state.last]))
        return u

    def source(self, state: DelayLine, m: int, rng: np.random.Generator):
        """``m`` new source values and the new delay-line state."""
        return _advance(state, self._source(state, m, rng))


@register("input")
@dataclass(frozen=True)
class Independent:
    r"""Independent Gaussian regressors: each sample a fresh :math:`x_k \sim N(0, R)`.

    No delay line: the regressors of different samples are independent, the setting of
    the linear-regression view of online learning and of the exact Gaussian LMS theory
    (Feuer & Weinstein 1985). ``R = std² I`` by default; ``eigenvalues`` gives the
    diagonal ``R = diag(λ)`` (coordinates along its eigenvectors), ``covariance`` a full
    symmetric positive-definite ``R`` (``x = L z``, ``L`` its Cholesky factor).

    References
    ----------
    A. Feuer and E. Weinstein, "Convergence analysis of LMS filters with uncorrelated
    Gaussian data", IEEE Trans. ASSP 33(1), 1985.
    """

    kind: ClassVar[str] = "independent"
    summary: ClassVar[str] = "independent Gaussian regressors x ~ N(0, R), no delay line"
    shorthand_field: ClassVar[str | None] = None
    independent: ClassVar[bool] = True  # the plant draws whole regressors (vectors)
    std: float = param(1.0, doc="standard deviation of every input (R = std² I)",
                       check=positive)
    eigenvalues: tuple[float, ...] | None = param(
        None, doc="R = diag(eigenvalues) (default: std² I)", check=positive,
        default_doc="std² (×n)", note="`taps` entries")
    covariance: tuple[tuple[float, ...], ...] | None = param(
        None, doc="a full covariance R (rows), symmetric positive definite (default: std² I)",
        default_doc="std² I", note="`taps` × `taps`")

    def problems(self):
        if self.eigenvalues is not None and self.covariance is not None:
            yield "covariance", "give at most one of eigenvalues and covariance"
        if self.covariance is not None:
            c = np.array(self.covariance, dtype=float) if len({len(r) for r in self.covariance}) == 1 \
                else None
            if c is None or c.shape[0] != c.shape[1]:
                yield "covariance", "must be a square array of rows"
            elif not np.allclose(c, c.T) or np.linalg.eigvalsh(c)[0] <= 0:
                yield "covariance", "must be symmetric positive definite"

    def size_problem(self, n: int) -> str | None:
        """A message when ``eigenvalues`` / ``covariance`` do not have ``n`` entries."""
        if self.eigenvalues is not None and len(self.eigenvalues) != n:
            return f"eigenvalues must have {n} entries (taps) (got {len(self.eigenvalues)})"
        if self.covariance is not None and len(self.covariance) != n:
            return f"covariance must be {n} × {n} (taps) (got {len(self.covariance)} rows)"
        return None

    @property
    def white(self) -> bool:
        return self.eigenvalues is None and self.covariance is None

    def correlation(self, n: int) -> np.ndarray:
        """The input correlation ``R`` of the n-dimensional regressor."""
        if self.covariance is not None:
            return np.array(self.covariance, dtype=float)
        if self.eigenvalues is not None:
            return np.diag(np.array(self.eigenvalues, dtype=float))
        return self.std**2 * np.eye(n)

    def init(self, n: int, rng: np.random.Generator) -> DelayLine:
        return DelayLine(history=np.empty(0), last=0.0)  # no state: samples are independent

    def vectors(self, m: int, n: int, rng: np.random.Generator) -> np.ndarray:
        """``m`` fresh regressors, shape ``(m, n)`` (row by row: packet-size independent)."""
        z = standard_normal(rng, (m, n))
        if self.covariance is not None:
            return z @ np.linalg.cholesky(self.correlation(n)).T
        if self.eigenvalues is not None:
            return z * np.sqrt(np.array(self.eigenvalues, dtype=float))
        return self.std * z
