"""Arrays on 64-byte boundaries, for the kernels that vectorise across a bank of policies.

numba's ``np.empty`` aligns to 32 bytes, so an array starts on a 64-byte boundary or half
way past one, by chance. With AVX-512 (8 doubles, one 64-byte line per vector) every
vector load and store of a misaligned array spans two cache lines: the same 64-policy LMS
bank loop over 10⁵ samples, 16 taps (the hand-written bank loop of
``benchmarks/bench_engine.py``, its arrays passed in) took 24.3–25.8 ms with them 8, 16 or
32 bytes past a 64-byte boundary against 14.5–17.3 ms aligned (2-core AMD EPYC, numba
target znver5). The numbers do not change: only where the arrays start.
"""
from __future__ import annotations

import numpy as np
from numba import njit

ALIGN = 64  # bytes: one cache line, one AVX-512 vector


@njit(cache=True, inline="always")
def _aligned_part(buf, size):  # pragma: no cover - compiled
    """The ``size`` elements of ``buf`` (8-byte items, ``ALIGN // 8`` spare) from its
    first 64-byte boundary on."""
    start = ((-buf.ctypes.data) % ALIGN) // 8
    return buf[start:start + size]


@njit(cache=True)
def empty_aligned(size):  # pragma: no cover - compiled
    """An uninitialised float64 array of ``size`` elements starting on a 64-byte boundary."""
    return _aligned_part(np.empty(size + ALIGN // 8), size)


@njit(cache=True)
def zeros_aligned(size):  # pragma: no cover - compiled
    """A float64 array of ``size`` zeros starting on a 64-byte boundary."""
    return _aligned_part(np.zeros(size + ALIGN // 8), size)


@njit(cache=True)
def zeros_aligned_int(size):  # pragma: no cover - compiled
    """An int64 array of ``size`` zeros starting on a 64-byte boundary."""
    return _aligned_part(np.zeros(size + ALIGN // 8, dtype=np.int64), size)


@njit(cache=True)
def copy_aligned(a):  # pragma: no cover - compiled
    """A C-ordered copy of the 2-D float64 array ``a`` starting on a 64-byte boundary."""
    rows, cols = a.shape
    out = empty_aligned(rows * cols).reshape((rows, cols))
    for r in range(rows):
        for c in range(cols):
            out[r, c] = a[r, c]
    return out
