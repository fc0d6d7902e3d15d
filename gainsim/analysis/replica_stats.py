"""Compiled statistics across replicas: NaN-ignoring means and the 10–90 % band, the same bits.

:func:`gainsim.analysis.metrics.nanmean_replicas` adds the replicas in order, NaN as 0, and
divides by the count of non-NaN values. Done with numpy that is five passes over data
that is replicas × policies × grid × taps large (``isnan``, ``where``, the add, the
count, and their temporaries); :func:`nanmean_of` reads every replica once, two per
compiled pass, with the same additions in the same order, so the bits do not change.
(One call over a ``numba.typed.List`` of the replicas, a block of entries at a
time, would keep the sums in cache, but the typed list's methods compile in every
process: 0.5 s of a warm ``gainsim run``.) :func:`band_compiled` sorts a block of
columns at once with a sorting network (vectorised min/max) and reads numpy's
quantiles off the sorted values. Up to :data:`NUMPY_MAX` entries the same arithmetic
runs in numpy (:func:`nanmean_rows`, :func:`sorted_quantile`): no compiling in a first run.
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


@njit(cache=True, error_model="numpy")
def add_pair(x: np.ndarray, y: np.ndarray, both: bool, first: bool,
             total: np.ndarray) -> bool:  # pragma: no cover - compiled
    r"""Add replica ``x``, then ``y`` when ``both``, to the NaN-ignoring sums ``total``
    (``first``: ``x`` is replica 0 and starts them); return whether either held a NaN.

    .. math:: S_i \leftarrow (S_i + [x_i \ne \mathrm{NaN}]\,x_i) + [y_i \ne \mathrm{NaN}]\,y_i

    :func:`add_replica`'s additions in the same order, while no replica has held a NaN:
    the counts are then the number of replicas, and are not kept. Two replicas per pass
    read and write the sums half as often (the pass is memory-bound).
    """
    bad = False
    for j in range(x.size):
        v = x[j]
        ok = v == v  # not NaN
        bad |= not ok
        t = (v if first else total[j] + v) if ok else (0.0 if first else total[j] + 0.0)
        if both:
            u = y[j]
            fine = u == u
            bad |= not fine
            t = t + u if fine else t + 0.0
        total[j] = t
    return bad


class NanMeanFold:
    """The NaN-ignoring mean over replicas, added one or two at a time in replica order.

    :func:`add_replica`'s arithmetic, whichever way: ``compiled`` (worth it above
    :data:`NUMPY_MAX` entries in all) adds by :func:`add_pair`, keeping no counts while
    no replica has held a NaN (they are then the number of replicas), then by
    :func:`add_replica`; otherwise numpy does the same additions (:func:`nanmean_rows`).
    A run folds each replica's largest records as it comes
    (:class:`gainsim.engine.results.TraceFold`) instead of keeping them all.
    """

    def __init__(self, compiled: bool):
        self.compiled = compiled
        self.added = 0
        self.shape = None
        self.total = self.count = None
        self._mean = None  # the mean, once taken (the sums are divided in place)

    def add(self, x: np.ndarray, y: np.ndarray | None = None) -> None:
        """Add replica ``x``, then ``y`` when given (same shape, float)."""
        if self._mean is not None:
            raise ValueError("NanMeanFold: the mean was taken; nothing can be added after it")
        rows = [self._flat(x)] + ([] if y is None else [self._flat(y)])
        if not self.compiled:
            for row in rows:
                ok = row == row  # not NaN
                value = np.where(ok, row, 0.0)
                first = self.total is None
                self.total = value if first else self.total + value
                self.count = ok.astype(float) if first else self.count + ok
                self.added += 1
            return
        if self.total is None:
            self.total = np.empty(rows[0].size)
        if self.count is None:
            if add_pair(rows[0], rows[-1], len(rows) == 2, self.added == 0, self.total):
                # every earlier replica had a value everywhere
                self.count = np.full(rows[0].size, float(self.added + len(rows)))
                for row in rows:
                    self.count -= np.isnan(row)
        else:
            for row in rows:
                add_replica(row, False, self.total, self.count)
        self.added += len(rows)

    def _flat(self, x: np.ndarray) -> np.ndarray:
        x = np.ascontiguousarray(x, dtype=float)
        if self.shape is None:
            self.shape = x.shape
        elif x.shape != self.shape:
            raise ValueError(f"replica arrays differ in shape: {self.shape} and {x.shape}")
        return x.reshape(-1)

    def mean(self) -> np.ndarray:
        """The mean of everything added (``0 / 0``: NaN where no replica has a value).
        The sums are divided in place (no second array this large): the fold then holds
        the mean, which later calls return, and takes nothing more."""
        if self._mean is None:
            if self.count is None:
                out = np.divide(self.total, float(self.added), out=self.total)
            else:
                with np.errstate(invalid="ignore", divide="ignore"):
                    out = np.divide(self.total, self.count, out=self.total)
            self._mean = out.reshape(self.shape)
        return self._mean


def nanmean_of(arrays: list) -> np.ndarray:
    """Mean over ``arrays`` (equal-shape float64 arrays, in replica order), NaN ignored,
    with :func:`add_replica`'s arithmetic (:class:`NanMeanFold`): compiled, two replicas
    per pass, above :data:`NUMPY_MAX` entries in all; no copies. ``0 / 0`` gives NaN
    where no replica has a value."""
    fold = NanMeanFold(compiled=arrays[0].size * len(arrays) > NUMPY_MAX)
    for r in range(0, len(arrays), 2):
        fold.add(*arrays[r:r + 2])
    return fold.mean()


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


def sorting_network(n: int) -> np.ndarray:
    r"""The comparators ``(i, j)``, ``i < j``, of Batcher's odd–even merge sort of ``n``
    values, as an int64 array (K, 2): applying ``(x_i, x_j) ← (min, max)`` in order
    sorts any ``n`` values ascending.

    The network for the next power of two with every comparator that touches an index
    ≥ ``n`` left out (those entries act as +∞ and would never move). For 20 replicas it
    is ~100 comparators, each a vectorised min/max over a block of columns.

    References
    ----------
    K. E. Batcher, "Sorting networks and their applications", AFIPS Spring Joint
    Computer Conference 32, 1968; D. E. Knuth, *The Art of Computer Programming* 3,
    §5.3.4, Algorithm M.
    """
    pairs = []
    p = 1
    while p < n:
        k = p
        while k >= 1:
            for j in range(k % p, n - k, 2 * k):
                for i in range(min(k, n - j - k)):
                    if (i + j) // (2 * p) == (i + j + k) // (2 * p):
                        pairs.append((i + j, i + j + k))
            k //= 2
        p *= 2
    return np.array(pairs, dtype=np.int64).reshape(-1, 2)


BLOCK = 128  # columns sorted together: R × BLOCK doubles stay in L1 for R ≲ 40


@njit(cache=True, error_model="numpy")
def band_compiled(values: np.ndarray, network: np.ndarray, q_low: float, q_high: float):
    r"""Per column of ``values`` (R, M): NaN-ignoring mean, and quantiles ``q_low``, ``q_high``.

    The mean is :func:`nanmean_of`'s arithmetic (replicas added in order); the
    quantiles are numpy's default ('linear', Hyndman & Fan type 7) of the non-NaN
    values, :math:`Q(q) = x_{(\lfloor h\rfloor)} + (h - \lfloor h\rfloor)(x_{(\lfloor
    h\rfloor+1)} - x_{(\lfloor h\rfloor)})`, :math:`h = (n-1)q`, computed as numpy does
    (a weight ≥ ½ interpolates down from the upper value). :data:`BLOCK` columns at a time
    are copied into a buffer, NaN as +∞, and sorted together by ``network``
    (:func:`sorting_network` of R): each comparator is a min/max over the block, which
    vectorises; a column's first n entries are then its n values in order (a +∞ the data
    held and a NaN's +∞ are the same number, so which one lands where cannot matter).

    References
    ----------
    R. J. Hyndman and Y. Fan, "Sample quantiles in statistical packages",
    The American Statistician 50(4), 1996.
    """
    R, M = values.shape
    mean = np.empty(M)
    low = np.empty(M)
    high = np.empty(M)
    buf = np.empty((R, BLOCK))
    total = np.empty(BLOCK)
    count = np.empty(BLOCK, dtype=np.int64)
    for start in range(0, M, BLOCK):
        w = min(BLOCK, M - start)
        for c in range(w):
            total[c] = 0.0
            count[c] = 0
        for r in range(R):
            row = values[r, start:start + w]
            column = buf[r]
            for c in range(w):
                x = row[c]
                ok = x == x  # not NaN
                total[c] = (x if r == 0 else total[c] + x) if ok else total[c] + 0.0
                count[c] += ok
                column[c] = x if ok else np.inf
        for k in range(network.shape[0]):
            lower = buf[network[k, 0]]
            upper = buf[network[k, 1]]
            for c in range(w):
                x = lower[c]
                y = upper[c]
                lower[c] = min(x, y)
                upper[c] = max(x, y)
        for c in range(w):
            n = count[c]
            mean[start + c] = total[c] / np.float64(n)
            low[start + c] = _quantile(buf[:, c], n, R, q_low)
            high[start + c] = _quantile(buf[:, c], n, R, q_high)
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
        return band_compiled(values, sorting_network(values.shape[0]), q_low, q_high)
    n = values.shape[0] - np.count_nonzero(np.isnan(values), axis=0)
    ordered = np.sort(values, axis=0)
    return (nanmean_rows(values), sorted_quantile(ordered, n, q_low),
            sorted_quantile(ordered, n, q_high))


def nanmean_rows(rows) -> np.ndarray:
    """:func:`add_replica`'s arithmetic with numpy, over the rows (replicas) in order: the
    sum starts from the first row's value (``-0.0`` stays ``-0.0``; ``np.nanmean`` starts
    from ``+0.0``), a NaN adds ``0.0``; divided by the count of values."""
    fold = NanMeanFold(compiled=False)
    for x in rows:
        fold.add(x)
    return fold.mean()
