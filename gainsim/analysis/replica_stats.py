"""Compiled NaN-ignoring mean across replicas: one pass over the data, the same bits.

:func:`gainsim.analysis.metrics.nanmean_replicas` adds the replicas in order, NaN as 0, and
divides by the count of non-NaN values. Done with numpy that is five passes over data
that is replicas × policies × grid × taps large (``isnan``, ``where``, the add, the
count, and their temporaries); :func:`nanmean_of` reads every replica once, in one
compiled pass each, with the same additions in the same order, so the bits do not
change. (One call over a ``numba.typed.List`` of the replicas, a block of entries at a
time, would keep the sums in cache, but the typed list's methods compile in every
process: 0.5 s of a warm ``gainsim run``; per replica it is as fast on big runs.) Up to
:data:`NUMPY_MAX` entries the same arithmetic runs in numpy (:func:`nanmean_rows`,
:func:`sorted_quantile`): no compiling in a first run.
"""
from __future__ import annotations

import numpy as np
from numba import njit

# Up to this many entries (replicas × columns) numpy computes the means and bands itself,
# the same bits: on small runs that is as fast, and the compiled versions cost ~1 s of
# compiling in a first run (0.9 s for the band, 0.2 s for the mean on quickstart).
NUMPY_MAX = 1 << 20


@njit(cache=True, error_model="numpy")
def add_replica(x: np.ndarray, first: bool, total: np.ndarray,
                count: np.ndarray) -> None:  # pragma: no cover - compiled
    r"""Add replica ``x`` (M,) to the NaN-ignoring sums ``total`` and counts ``count``;
    ``first``: it is replica 0 and starts them.

    .. math:: S_i \mathrel{+}= [x_i \ne \mathrm{NaN}]\,x_i, \qquad
              N_i \mathrel{+}= [x_i \ne \mathrm{NaN}]

    Replica 0's sum is its value (or ``0.0``), and a NaN entry adds ``0.0`` (not
    nothing) as numpy's ``where(isnan(x), 0, x)`` does. ``S / N`` after every replica in
    order is then the arithmetic of ``np.nanmean(np.stack(arrays), axis=0)`` (numpy
    reduces a leading axis one row after another), except that a column of ``-0.0``
    alone keeps its sign (numpy's sum starts from ``+0.0``).

    References
    ----------
    numpy ``nanmean`` (``numpy/lib/_nanfunctions_impl.py``): replace NaN by 0, sum,
    divide by the count of non-NaN values.
    """
    if first:
        for j in range(x.size):
            v = x[j]
            ok = v == v  # not NaN
            total[j] = v if ok else 0.0
            count[j] = 1.0 if ok else 0.0  # float: exact up to 2**53, and it vectorises
    else:
        for j in range(x.size):
            v = x[j]
            ok = v == v
            total[j] += v if ok else 0.0
            count[j] += 1.0 if ok else 0.0


def nanmean_of(arrays: list) -> np.ndarray:
    """Mean over ``arrays`` (equal-size 1-D float64 arrays, in replica order), NaN ignored,
    with :func:`add_replica`'s arithmetic: up to :data:`NUMPY_MAX` entries in all by
    :func:`nanmean_rows`, above that one compiled pass per replica and no copies.
    ``0 / 0`` gives NaN where no replica has a value."""
    n = arrays[0].size
    if n * len(arrays) <= NUMPY_MAX:
        return nanmean_rows(arrays)
    total, count = np.empty(n), np.empty(n)
    for r, x in enumerate(arrays):
        add_replica(x, r == 0, total, count)
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count


@njit(cache=True, error_model="numpy")
def _quantile(ordered: np.ndarray, n: int, size: int, q: float) -> float:
    """numpy's default ('linear') quantile of the ``n`` sorted values ``ordered[:n]``,
    with numpy's own steps (``numpy/lib/_function_base_impl.py``, ``_quantile``):
    :math:`h = (n-1)q`, taken as the largest value when :math:`h \\ge n-1`; NaN for ``n = 0``."""
    if n == 0:
        return np.nan
    virtual = (n - 1) * q
    lower = np.floor(virtual)
    above = virtual >= n - 1
    if above:
        lower = -1.0
    gamma = virtual - lower
    if above:
        lo = n - 1
        hi = n - 1
    else:
        lo = max(int(lower), 0)
        hi = min(lo + 1, size - 1)
    a = ordered[lo]
    b = ordered[hi]
    diff = b - a
    if gamma >= 0.5:
        return b - diff * (1 - gamma)
    return a + diff * gamma


@njit(cache=True, error_model="numpy")
def band_compiled(values: np.ndarray, q_low: float, q_high: float):
    r"""Per column of ``values`` (R, M): NaN-ignoring mean, and quantiles ``q_low``, ``q_high``.

    The mean is :func:`nanmean_of`'s arithmetic (replicas added in order); the
    quantiles are numpy's default ('linear', Hyndman & Fan type 7) of the non-NaN
    values, :math:`Q(q) = x_{(\lfloor h\rfloor)} + (h - \lfloor h\rfloor)(x_{(\lfloor
    h\rfloor+1)} - x_{(\lfloor h\rfloor)})`, :math:`h = (n-1)q`, computed as numpy does
    (a weight ≥ ½ interpolates down from the upper value), from each column's values
    sorted in a buffer of one column: one pass over the data instead of a sort of the whole
    array and several passes of index arithmetic.

    References
    ----------
    R. J. Hyndman and Y. Fan, "Sample quantiles in statistical packages",
    The American Statistician 50(4), 1996.
    """
    R, M = values.shape
    mean = np.empty(M)
    low = np.empty(M)
    high = np.empty(M)
    column = np.empty(R)
    for i in range(M):
        n = 0
        total = 0.0
        for r in range(R):
            x = values[r, i]
            if np.isnan(x):
                total += 0.0
            else:
                total = x if r == 0 else total + x
                column[n] = x
                n += 1
        mean[i] = total / np.float64(n)
        for j in range(1, n):  # insertion sort: a column is one value per replica
            x = column[j]
            k = j - 1
            while k >= 0 and column[k] > x:
                column[k + 1] = column[k]
                k -= 1
            column[k + 1] = x
        low[i] = _quantile(column, n, R, q_low)
        high[i] = _quantile(column, n, R, q_high)
    return mean, low, high


def sorted_quantile(ordered: np.ndarray, n: np.ndarray, q: float) -> np.ndarray:
    r"""numpy's default ('linear') quantile ``q`` of each column of ``ordered`` (R, M),
    whose first ``n[i]`` entries are column ``i``'s values in ascending order.

    The arithmetic of :func:`_quantile` (numpy's own steps), element-wise: NaN for
    ``n = 0``.
    """
    R = ordered.shape[0]
    virtual = (n - 1).astype(float) * q
    above = virtual >= n - 1
    lower = np.where(above, -1.0, np.floor(virtual))
    gamma = virtual - lower
    lo = np.where(above, n - 1, np.maximum(lower, 0.0).astype(np.int64))
    hi = np.where(above, n - 1, np.minimum(lo + 1, R - 1))
    lo, hi = np.clip(lo, 0, R - 1), np.clip(hi, 0, R - 1)  # n = 0: any row, NaN below
    a = np.take_along_axis(ordered, lo[None, :], axis=0)[0]
    b = np.take_along_axis(ordered, hi[None, :], axis=0)[0]
    diff = b - a
    out = np.where(gamma >= 0.5, b - diff * (1 - gamma), a + diff * gamma)
    out[n == 0] = np.nan
    return out


def band_of(values: np.ndarray, q_low: float, q_high: float):
    """Per column of ``values`` (R, M): NaN-ignoring mean (:func:`add_replica`'s
    arithmetic), and quantiles ``q_low``, ``q_high`` (numpy's default ``nanquantile``,
    the same bits).

    Up to :data:`NUMPY_MAX` entries by numpy (:func:`nanmean_rows`, one ``sort`` along
    the replica axis, NaN last, and :func:`sorted_quantile`), above that by
    :func:`band_compiled` (one pass, no Python call per column).
    """
    values = np.ascontiguousarray(values, dtype=float)
    if values.size > NUMPY_MAX:
        return band_compiled(values, q_low, q_high)
    n = values.shape[0] - np.count_nonzero(np.isnan(values), axis=0)
    ordered = np.sort(values, axis=0)
    return (nanmean_rows(values), sorted_quantile(ordered, n, q_low),
            sorted_quantile(ordered, n, q_high))


def nanmean_rows(rows) -> np.ndarray:
    """:func:`add_replica`'s arithmetic with numpy, over the rows (replicas) in order: the
    sum starts from the first row's value (``-0.0`` stays ``-0.0``; ``np.nanmean`` starts
    from ``+0.0``), a NaN adds ``0.0``; divided by the count of values."""
    total = count = None
    for x in rows:
        ok = x == x  # not NaN
        value = np.where(ok, x, 0.0)
        total = value if total is None else total + value
        count = ok.astype(float) if count is None else count + ok
    with np.errstate(invalid="ignore", divide="ignore"):
        return total / count
