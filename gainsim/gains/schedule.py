r"""What every gain schedule shares: field checks and the vectorised ``__call__``.

A schedule is a frozen dataclass of its hyperparameters (stored exactly as passed),
declared with :func:`gainsim.fields.param` like every other component. Calling it
with an update count ``k >= 0`` (``k = 0`` is the first update) returns the gain: a
``float`` for a scalar ``k``, a ``float64`` array for an integer array, computed
without a Python loop. The schedules themselves live in
:mod:`gainsim.gains.constant`, :mod:`gainsim.gains.schedules` (decays and
combinators) and :mod:`gainsim.gains.cyclic` (cosine and cyclic shapes).
"""
import math
from typing import Any, ClassVar

import numpy as np

from gainsim.fields import validate
from gainsim.gains.scheduled import ScheduledLaw


def int_power(base: float, n: np.ndarray) -> np.ndarray:
    """``base ** n`` for integer ``n >= 0``, each distinct power from ``math.pow``.

    ``np.power`` on an array runs a SIMD loop that may round differently from its
    scalar path and from one CPU to another (AVX-512 vs AVX2); a schedule's integer
    powers take few distinct values, so each is computed once by the C library's
    ``pow`` (< 1 ulp) and the result is the same for a scalar, for any array and on
    any machine with the same C library.
    """
    n = np.asarray(n, dtype=np.int64)
    values, where = np.unique(n, return_inverse=True)
    powers = np.array([math.pow(base, int(j)) for j in values], dtype=np.float64)
    return powers[where].reshape(n.shape)


def as_steps(k: Any) -> np.ndarray:
    """Update counts as an integer array; integral floats are accepted."""
    arr = np.asarray(k)
    if arr.dtype.kind == "f" and np.all(np.isfinite(arr)) and np.all(arr == np.floor(arr)):
        arr = arr.astype(np.int64)
    if arr.dtype.kind not in "iu":
        raise TypeError(f"k: must be an integer update count (got {k!r})")
    if arr.size and arr.min() < 0:
        raise ValueError(f"k: must be >= 0 (got {arr.min()!r})")
    return arr


class Schedule(ScheduledLaw):
    """Shared plumbing: the ``param(...)`` checks on construction and the vectorised call.

    Subclasses declare their fields with :func:`gainsim.fields.param`, may add
    cross-field checks in ``problems()`` (yield ``(key, message)``) and implement
    ``_eta(k)`` for an integer array ``k >= 0``. As a gain policy a schedule is the
    scheduled law (:mod:`gainsim.gains.scheduled`) with ``eta_k = schedule(k)``.
    """

    kind: ClassVar[str] = ""
    summary: ClassVar[str] = ""
    shorthand_field: ClassVar[str | None] = None

    def base_schedule(self):
        return self

    def __post_init__(self) -> None:
        validate(self)

    def _eta(self, k: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, k):
        """Gain at update count(s) ``k`` (``float`` for a scalar, else ``float64`` array)."""
        steps = as_steps(k)
        # One code path: a scalar is evaluated as a one-element array, so numpy runs
        # the same (SIMD) loop for it as for any element of a longer array.
        flat = np.ascontiguousarray(steps.reshape(-1))
        eta = np.broadcast_to(np.asarray(self._eta(flat), dtype=np.float64), flat.shape)
        return float(eta[0]) if steps.ndim == 0 else eta.reshape(steps.shape).copy()
