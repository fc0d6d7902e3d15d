"""Metrics: from per-replica monitor traces to per-policy numbers and curves.

Evaluation is *predict, then learn*: the tracking error of a sample is its
a-priori squared error ``(d - theta_hatᵀx)²`` (for the quadratic plant, the
a-priori loss), measured before the sample updates the estimate.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np

BAND = (0.1, 0.9)  # quantiles of the spread band across replicas


@dataclass(frozen=True)
class PolicySummary:
    """The numbers ``summary.json`` publishes for one policy (``None`` = not defined)."""

    name: str
    estimator: str
    gain: str
    steady_state_tracking_error: float | None
    steady_state_tracking_error_ci95: tuple[float | None, float | None]
    final_misalignment: float | None
    steady_state_misalignment: float | None
    excess_mse: float | None
    convergence_time: float | None
    diverged: bool
    growing: bool                   # not diverged, but the error still grows at the end
    diverged_at: float | None
    diverged_replicas: int
    updates: float
    eta_final: float | None
    events: float


def _num(x) -> float | None:
    x = float(x)
    return x if math.isfinite(x) else None


def _mean_exact(values) -> float:
    """The mean, exactly the common value when every replica agrees (no rounding)."""
    values = np.asarray(values, dtype=float)
    return float(values[0]) if np.all(values == values[0]) else float(values.mean())


CURVES = ("tracking_error", "misalignment", "eta", "eta_min", "eta_max")  # per grid time
GAIN_CURVES = ("eta", "eta_min", "eta_max")  # the gain's mean / min / max over parameters
_RECORDED = {"misalignment": "misalignment", "eta": "eta", "eta_min": "eta_min",
             "eta_max": "eta_max"}  # curve <- ReplicaTrace field


def replica_curve(traces: list, name: str, out: np.ndarray | None = None) -> np.ndarray:
    """Curve ``name`` (one of :data:`CURVES`) of every replica, (R, P, G+1), into ``out``
    when given. ``tracking_error`` is each interval's mean a-priori error
    ``err_sum / err_cnt`` (``nan`` for an interval without samples, and at t = 0)."""
    P, G1 = traces[0].eta.shape
    if out is None:
        out = np.empty((len(traces), P, G1))
    for row, tr in zip(out, traces):
        if name == "tracking_error":  # divided everywhere, then nan put where 0 / 0
            row[:, 0] = np.nan            # (4x faster than a masked divide and assignment)
            with np.errstate(invalid="ignore", divide="ignore"):
                np.divide(tr.err_sum, tr.err_cnt, out=row[:, 1:])
            np.copyto(row[:, 1:], np.nan, where=tr.err_cnt == 0)
        else:
            row[...] = getattr(tr, _RECORDED[name])
    return out


def replica_curves(traces: list) -> dict[str, np.ndarray]:
    """Every curve of :data:`CURVES`, replicas stacked: (R, P, G+1) each."""
    return {name: replica_curve(traces, name) for name in CURVES}


def replica_bands(traces: list) -> dict[str, np.ndarray]:
    """:func:`band` of :func:`replica_curves`, the same numbers, with one (R, P, G+1) buffer
    for every curve in turn instead of a stack per curve: at 64 policies × grid 2000 × 20
    replicas the stacks were ~190 MB of fresh memory per run, and touching fresh pages
    took ~0.3 s on this project's 2-core VM (its first ``collect`` of a process). Constant
    gains (:func:`constant_gains`) skip the buffer for the gain curves: each is one value
    per policy (:func:`constant_gain_band`), which halved ``collect`` of a 64-gain bank."""
    P, G1 = traces[0].eta.shape
    buf = np.empty((len(traces), P, G1))
    out = {}
    constant = constant_gains(traces)
    counts = None
    for name in CURVES:
        if constant and name in GAIN_CURVES:
            if counts is None:
                counts = recorded_counts(traces)
            out.update(constant_gain_band(name, getattr(traces[0], name)[:, 0], counts,
                                          len(traces)))
        else:
            out.update(band({name: replica_curve(traces, name, out=buf)}))
    return out


def constant_gains(traces: list) -> bool:
    """Whether every trace holds constant gains alone (``eta_constant``, no per-time gain
    record), the same gains in each: then each policy's gain curves hold one value wherever
    recorded. (A folded trace has neither: :class:`gainsim.engine.results.TraceFold`.)"""
    return all(tr.eta_vector is None and tr.eta_constant is not None for tr in traces) and all(
        np.array_equal(tr.eta_constant, traces[0].eta_constant) for tr in traces)


def recorded_counts(traces: list) -> np.ndarray:
    """How many replicas recorded each policy at each grid time (P, G+1): not ``nan``."""
    return sum((~np.isnan(tr.eta)).astype(np.int64) for tr in traces)


def constant_gain_band(name: str, value: np.ndarray, counts: np.ndarray,
                       replicas: int) -> dict[str, np.ndarray]:
    """:func:`band` of a gain curve that is ``value[p]`` (P,) wherever ``counts`` (P, G+1)
    replicas recorded it, the same bits without the (R, P, G+1) curves: the mean is
    :func:`constant_gain_mean`'s (``k`` equal values added in order, over ``k``), and both
    quantiles are the value itself (interpolating between equal values gives it exactly);
    ``nan`` where no replica recorded it. Every policy is recorded at t = 0, so ``value``
    is a trace's first column."""
    mean = constant_gain_mean(value[:, None], counts, replicas)[..., 0]
    level = np.where(counts > 0, value[:, None], np.nan)
    return {f"{name}_mean": mean, f"{name}_p10": level, f"{name}_p90": level.copy()}


def nanmean_replicas(arrays) -> np.ndarray:
    """``np.nanmean(np.stack(arrays), axis=0)``, the same bits, without the stacked copies.

    numpy sums along a leading axis one row after another, so adding the replicas in
    order (NaN as 0) and dividing by the count of non-NaN values is its own arithmetic;
    :mod:`gainsim.analysis.replica_stats` does those additions in one compiled pass per
    replica (no stacked array, no NaN-replaced copies of data that is replicas ×
    policies × grid × taps large). All-NaN entries give NaN.
    """
    from gainsim.analysis.replica_stats import nanmean_of

    return nanmean_of([np.ascontiguousarray(a, dtype=float) for a in arrays])


def replica_mean(traces: list, name: str) -> np.ndarray:
    """Mean over replicas of the trace array ``name``, ignoring nan (diverged replicas)."""
    return nanmean_replicas(getattr(tr, name) for tr in traces)


def eta_vector_mean(traces: list) -> np.ndarray:
    """Per-parameter gain at each grid time, mean over replicas: (P, G+1, n).

    The NaN-ignoring mean of the replicas' records (:func:`nanmean_replicas`). Traces of
    constant gains hold the gains alone (``eta_constant``, no per-time record): the mean
    is then computed from them and from how many replicas were recorded at each grid time
    (:func:`constant_gain_mean`), the same bits without the (R, P, G+1, n) records.
    """
    if constant_gains(traces):
        return constant_gain_mean(traces[0].eta_constant, recorded_counts(traces), len(traces))
    return nanmean_replicas(tr.eta_vectors() for tr in traces)


def constant_gain_mean(gains: np.ndarray, counts: np.ndarray, replicas: int) -> np.ndarray:
    r""":func:`nanmean_replicas` of ``replicas`` records of the constant ``gains`` (P, n),
    where ``counts`` (P, G+1) of them hold a value at each grid time (the others ``nan``).

    The replicas are added in order, a ``nan`` as ``0.0`` (which adds nothing exactly),
    so the sum of :math:`k` recorded values is :math:`S_k = S_{k-1} + \eta`,
    :math:`S_1 = \eta`, and the mean :math:`S_k / k` (not always :math:`\eta`: three
    additions of 0.1 round up); :math:`k = 0` gives ``nan``.
    """
    sums = np.empty((replicas + 1,) + gains.shape)
    sums[0] = np.nan
    sums[1] = gains
    for k in range(2, replicas + 1):
        sums[k] = sums[k - 1] + gains
    rows = np.arange(gains.shape[0])[:, None]
    mean = sums[counts, rows]  # (P, G+1, n), divided in place: no second array this large
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.divide(mean, counts[..., None].astype(float), out=mean)


def band(curves: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Mean and the 10–90 % band across replicas of every curve, shape (P, G+1).

    ``curves`` holds arrays (R, P, G+1). The mean is ``np.nanmean(values, axis=0)`` and
    the band ``np.nanquantile(values, BAND, axis=0)``, the same bits, from one sort along
    the replica axis, or for big arrays column by column in one compiled pass
    (:func:`gainsim.analysis.replica_stats.band_of`); numpy's own ``nanquantile`` makes a
    Python call per column (47× the simulation at 64 policies × grid 2000). Columns
    without a value give NaN.
    """
    from gainsim.analysis.replica_stats import band_of

    out = {}
    for name, values in curves.items():
        values = np.ascontiguousarray(values, dtype=float)
        stats = band_of(values.reshape(values.shape[0], -1), *BAND)
        for suffix, column in zip(("mean", "p10", "p90"), stats):
            out[f"{name}_{suffix}"] = column.reshape(values.shape[1:])
    return out


def mean_ci95(values: np.ndarray) -> tuple[float, tuple[float | None, float | None]]:
    """Mean and Student-t 95 % confidence interval of the finite ``values``."""
    v = values[np.isfinite(values)]
    if v.size == 0:
        return math.nan, (None, None)
    mean = float(v.mean())
    if v.size < 2:
        return mean, (None, None)
    from scipy.special import stdtrit  # what scipy.stats.t.ppf calls; imported when needed

    half = stdtrit(v.size - 1, 0.975) * v.std(ddof=1) / math.sqrt(v.size)
    return mean, (_num(mean - half), _num(mean + half))


def settling_time(t: np.ndarray, curve: np.ndarray, steady: float, band_frac: float,
                  start: int | None = None):
    """First grid time after which ``curve`` stays within the settling band.

    The band is ``steady + band_frac * (curve[0] - steady)``: the control-engineering
    settling time (e.g. 5 %) measured on the distance to the steady level. A curve
    that is still moving inside the steady-state window ``curve[start:]`` has not
    settled, and gives ``None``: its last quarter differs from its first by more than a
    factor of 2, or by more than the band's width (then the window's mean is no steady
    level, and the curve has not reached a band around where it is going); a window
    that spans less than a tenth of the band counts as flat.
    """
    if not np.all(np.isfinite(curve)) or not math.isfinite(steady):
        return None
    limit = steady + band_frac * max(curve[0] - steady, 0.0)
    if start is not None and not _is_steady(curve[start:], limit - steady):
        return None
    outside = np.flatnonzero(curve > limit)
    if outside.size == 0:
        return float(t[0])
    last = outside[-1]
    return float(t[last + 1]) if last + 1 < t.size else None


def _is_steady(window: np.ndarray, band_width: float) -> bool:
    """Flat enough: it hardly moves at all (spans at most a tenth of the band), or its
    first and last quarters agree within a factor 2 *and* within the band's width."""
    if np.ptp(window) <= 0.1 * band_width:
        return True
    q = max(window.size // 4, 1)
    first, last = float(np.mean(window[:q])), float(np.mean(window[-q:]))
    return first > 0 and 0.5 <= last / first <= 2.0 and abs(last - first) <= band_width


def is_growing(curve: np.ndarray, start: int) -> bool:
    """Whether ``curve`` grows without settling through its steady-state window.

    The window ``curve[start:]`` is cut in four quarters; the curve is growing when
    each quarter's mean exceeds the one before, the last is more than 1.5 times
    the first, and it ends above where the curve began (``curve``'s first finite value):
    a mean-square unstable run whose norm has not yet reached ``divergence_norm``.
    A jump in the target that the estimate is still recovering from does not rise in
    all four quarters; a curve that is converging ends below its start.
    """
    window = np.asarray(curve[start:], dtype=float)
    finite = curve[np.isfinite(curve)]
    if window.size < 4 or not np.all(np.isfinite(window)) or finite.size == 0:
        return False
    size, extra = divmod(window.size, 4)  # np.array_split's quarters: the first `extra`
    cuts = np.cumsum([0] + [size + (k < extra) for k in range(4)])  # one longer
    means = [float(np.mean(window[a:b])) for a, b in zip(cuts[:-1], cuts[1:])]
    rising = all(b > a for a, b in zip(means, means[1:]))
    return rising and means[-1] > 1.5 * means[0] and means[-1] > float(finite[0])


def steady_state_start(scenario, G: int) -> int:
    """First grid interval of the steady-state window."""
    return min(int(round((1.0 - scenario.metrics.steady_state_window) * G)), G - 1)


def replica_steady_errors(scenario, traces: list) -> np.ndarray:
    """Steady-state tracking error of every replica and policy, shape (R, P).

    The mean a-priori error over the steady-state window; ``nan`` where the replica
    diverged or applied no sample there. Paired comparisons difference these per replica.
    """
    G = scenario.metrics.grid
    start = steady_state_start(scenario, G)
    # one row at a time, as a 1-D sum (numpy's pairwise order, same bits as ever)
    err_sum = np.array([[tr.err_sum[p, start:].sum() for p in range(tr.err_sum.shape[0])]
                        for tr in traces])
    err_cnt = np.array([tr.err_cnt[:, start:].sum(axis=1) for tr in traces])
    diverged = np.isfinite(np.array([tr.diverged_at for tr in traces]))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(diverged | (err_cnt == 0), np.nan, err_sum / np.maximum(err_cnt, 1))


def last_finite(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The last finite entry along the last axis of ``values`` (…, G+1), and whether
    there is one; (…) each (0.0 where there is none)."""
    finite = np.isfinite(values)
    has = finite.any(axis=-1)
    index = values.shape[-1] - 1 - np.argmax(finite[..., ::-1], axis=-1)
    last = np.take_along_axis(values, index[..., None], axis=-1)[..., 0]
    return np.where(has, last, 0.0), has


def summarise(scenario, t: np.ndarray, traces: list, mean: dict,
              errors: np.ndarray | None = None):
    """One :class:`PolicySummary` per policy, in scenario order (``mean``: the curves'
    means across replicas, :func:`replica_bands`; ``errors``: the replicas' steady-state
    errors, :func:`replica_steady_errors`, computed here when not given).

    Per-replica numbers are read off each trace once for all policies ((R, P) arrays);
    every mean over replicas is then the same 1-D numpy reduction per policy as before
    (numpy's pairwise sum depends on a row's values and length, not on its stride), and
    each replica's steady misalignment the same row-wise ``nanmean``, so the numbers
    are the bits they were when each policy gathered its own rows.
    """
    G = t.size - 1
    start = steady_state_start(scenario, G)
    floor = scenario.plant.noise_floor
    truth = getattr(scenario.plant, "has_truth", True)  # recorded data: no theta_star
    if errors is None:
        errors = replica_steady_errors(scenario, traces)
    ends = [last_finite(tr.eta) for tr in traces]  # each replica's (P,) last gains
    last, has_last = np.array([e[0] for e in ends]), np.array([e[1] for e in ends])
    div = np.array([tr.diverged_at for tr in traces])  # (R, P)
    diverged_all = np.isfinite(div)
    with warnings.catch_warnings():  # an all-NaN window: nan, as np.nanmean warns
        warnings.simplefilter("ignore", RuntimeWarning)
        steady_mis = (np.array([np.nanmean(tr.misalignment[:, start + 1:], axis=1)
                                for tr in traces]) if truth else None)  # (R, P)
    final_mis = np.array([tr.misalignment[:, -1] for tr in traces]) if truth else None
    updates = np.array([tr.updates for tr in traces])
    events = np.array([tr.events for tr in traces])
    out = []
    for p, policy in enumerate(scenario.policy):
        diverged = diverged_all[:, p]
        some_diverged, all_diverged = bool(diverged.any()), bool(diverged.all())
        te, ci = mean_ci95(errors[:, p])
        ss_mis = (steady_mis[~diverged, p] if truth and not all_diverged
                  else np.array([np.nan]))
        ss_mis_mean = float(np.nanmean(ss_mis)) if np.isfinite(ss_mis).any() else math.nan
        last_eta = last[has_last[:, p], p]
        out.append(PolicySummary(
            name=policy.name, estimator=type(policy.estimator).kind, gain=type(policy.gain).kind,
            steady_state_tracking_error=_num(te), steady_state_tracking_error_ci95=ci,
            final_misalignment=(_num(np.nanmean(final_mis[:, p])) if truth and not all_diverged
                                else None),
            steady_state_misalignment=_num(ss_mis_mean), excess_mse=_num(te - floor),
            convergence_time=None if some_diverged else settling_time(
                t, mean["misalignment_mean"][p], ss_mis_mean, scenario.metrics.convergence_band,
                start + 1),
            diverged=some_diverged,
            growing=not some_diverged and is_growing(mean["tracking_error_mean"][p], start + 1),
            diverged_at=_num(div[diverged, p].min()) if some_diverged else None,
            diverged_replicas=int(diverged.sum()),
            updates=float(np.mean(updates[:, p])),
            eta_final=_num(_mean_exact(last_eta)) if last_eta.size else None,
            events=float(np.mean(events[:, p]))))
    return out
