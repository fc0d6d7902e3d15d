r"""Recorded samples as a plant: one-step prediction of a logged target from its regressors.

Row :math:`k` of the data gives the sample :math:`(x_k, d_k)` with

.. math:: x_k = \big(u_k,\; d_{k-1}, \dots, d_{k-p},\; 1\big), \qquad d_k = \text{target}_k,

the ``inputs`` columns :math:`u_k`, then ``lags`` = :math:`p` previous target values
(adaptive linear prediction, the classic use of LMS and RLS on a time series; Widrow &
Stearns 1985, ch. 9), then a constant when ``bias = true``. The first :math:`p` rows only
start the lags. With no inputs, no lags and ``bias = true`` the model is the local level
:math:`d_k = \theta_k + v_k`, :math:`\theta_{k+1} = \theta_k + w_k`, on which LMS with
gain :math:`\eta` is exponential smoothing, :math:`\hat\theta_k = (1-\eta)\hat\theta_{k-1}
+ \eta d_k`, and the Kalman filter's steady-state gain is the optimal fixed gain
(Harvey 1989, §4.1; Durbin & Koopman 2012, §2.11).

Every policy and every replica sees the same rows in the same order; the stream may
still drop samples or delay them. There is no true :math:`\theta^*`: the tracking error
is the one-step a-priori prediction error :math:`(d_k - \hat\theta_{k-1}^\top x_k)^2` and
the misalignment is undefined (``null``).

References
----------
B. Widrow and S. D. Stearns, *Adaptive Signal Processing*, Prentice-Hall, 1985, ch. 9;
A. C. Harvey, *Forecasting, Structural Time Series Models and the Kalman Filter*,
Cambridge University Press, 1989; J. Durbin and S. J. Koopman, *Time Series Analysis
by State Space Methods*, 2nd ed., Oxford University Press, 2012.
"""
from __future__ import annotations

import dataclasses
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, NamedTuple

import numpy as np

from gainsim.fields import FieldError, nonneg, param, validate
from gainsim.registry import register
from gainsim.signals import data_files
from gainsim.signals.assemble import least_squares_objective


class Samples(NamedTuple):
    """The regressor rows and targets a data plant streams, in order."""

    x: np.ndarray     # (m, n)
    d: np.ndarray     # (m,)
    source: str       # the file as the scenario names it, or "data="
    names: tuple      # one label per regressor ("x1", "volume[k-1]", "1")
    t: np.ndarray | None = None  # (m,) measurement times from the time column, or None


@dataclass
class DataState:
    next: int  # index of the next sample to stream


@register("plant")
@dataclass(frozen=True)
class Data:
    """Stream recorded samples (CSV, ``.npz``, Parquet) and predict the target one step ahead.

    See the module docstring for the regressor and the references. The file is read
    when the scenario is loaded (:meth:`attach`), relative to the scenario file.
    """

    kind: ClassVar[str] = "data"
    summary: ClassVar[str] = "recorded samples from a file: one-step prediction of a target column"
    shorthand_field: ClassVar[str | None] = None
    family: ClassVar[str] = "regression"  # the estimator <-> plant match tag, nothing more
    columns: ClassVar[tuple[str, ...]] = ("x", "d", "theta_star")
    error_label: ClassVar[str] = "one-step prediction error (a-priori e², mean per interval)"
    has_truth: ClassVar[bool] = False
    target: str = param(doc="column to predict: the measurement d")
    path: str | None = param(None, doc="data file (.csv with a header row, .npz, .parquet), "
                             "relative to the scenario file (default: none, the arrays "
                             "come from Python: data=)", default_doc="none (`data=`)")
    inputs: tuple[str, ...] = param((), doc="columns used as regressors, in order",
                                    default_doc="none")
    lags: int = param(0, doc="previous target values added as regressors (d[k-1] … d[k-p])",
                      check=nonneg)
    bias: bool = param(False, doc="add a constant regressor 1 (no inputs: the local-level model)")
    theta0: tuple[float, ...] | None = param(None, doc="initial estimate (default: zeros)",
                                             default_doc="zeros", note="one entry per regressor")
    time: str | None = param(None, doc="column of measurement times in seconds, increasing "
                             "(default: none, rows 1/stream.rate apart)",
                             default_doc="none", note="shifted: first sample at its first gap")

    def problems(self):
        if not self.inputs and self.lags == 0 and not self.bias:
            yield "inputs", "no regressor: give inputs, lags > 0 or bias = true"
        if self.time is not None and self.time == self.target:
            yield "time", f"the target {self.target!r} cannot be the time column"
        for i, name in enumerate(self.inputs):
            if name == self.target:
                yield f"inputs[{i}]", (f"the target {name!r} cannot be its own input "
                                       "(lags = p adds its past values)")
            elif name in self.inputs[:i]:
                yield f"inputs[{i}]", f"duplicate input {name!r}"

    # ------------------------------------------------------------ the data
    @classmethod
    def from_arrays(cls, arrays: dict, **fields) -> "Data":
        """A data plant streaming the named ``arrays`` (``{"x": X, "d": d}``); ``fields``
        as in a scenario file (``target``, ``inputs``, ``lags``, ``bias``, ``theta0``).
        Raises :class:`gainsim.fields.FieldError` naming the key of a bad field or cell."""
        plant = cls(**fields)
        validate(plant)
        for key, message in plant.problems():
            raise FieldError(key, message)
        return plant.attach(None, arrays)

    def attach(self, base_dir: str | Path | None, arrays: dict | None = None) -> "Data":
        """This plant with its samples read and checked: from ``arrays`` when given, else
        from ``path`` (relative to ``base_dir``, stored absolute so that the resolved
        scenario loads from anywhere). Raises :class:`gainsim.fields.FieldError`."""
        if arrays is not None:
            plant, table = dataclasses.replace(self, path=None), data_files.from_arrays(arrays)
        elif self.path is None:
            raise FieldError("path", "missing: the data file (.csv, .npz or .parquet), relative "
                                     "to the scenario file (from Python: data= arrays)")
        else:
            full = Path(self.path) if base_dir is None else Path(base_dir) / self.path
            plant = dataclasses.replace(self, path=os.path.abspath(full))
            table = data_files.read(full, self.path)
        samples = _samples(plant, table)
        if plant.theta0 is not None and len(plant.theta0) != samples.x.shape[1]:
            raise FieldError("theta0", f"must have {samples.x.shape[1]} entries, one per "
                                       f"regressor ({', '.join(samples.names)}) "
                                       f"(got {len(plant.theta0)})")
        object.__setattr__(plant, "_samples", samples)  # a cache, not a field: == ignores it
        return plant

    @property
    def samples(self) -> Samples:
        """The streamed rows (read from ``path`` now if this copy has not read them)."""
        cached = self.__dict__.get("_samples")
        if cached is None:
            cached = self.attach(None).__dict__["_samples"]
            object.__setattr__(self, "_samples", cached)
        return cached

    @property
    def rows(self) -> int:
        """Samples available to stream (data rows less the ``lags`` that start the lags)."""
        return self.samples.d.size

    # ------------------------------------------------------------ what the loader asks
    @property
    def own_times(self) -> bool:
        """True when the time column, not the stream, says when samples are measured."""
        return self.time is not None

    def run_table(self, raw: Any) -> Any:
        """``[run]`` streaming every row when it gives neither duration nor samples
        (``samples`` = rows, or with a time column ``duration`` = the last time)."""
        t = self.samples.t
        every = {"samples": self.rows} if t is None else {"duration": float(t[-1])}
        if raw is None:
            return every
        if isinstance(raw, dict) and "duration" not in raw and "samples" not in raw:
            return {**raw, **every}
        return raw

    def run_problems(self, stream, run):
        """``(key path, message)`` for what a recorded stream cannot do."""
        if stream.arrivals != "periodic":
            yield "stream.arrivals", ("must be 'periodic' for a data plant: its rows are "
                                      f"the samples, 1/stream.rate apart (got {stream.arrivals!r})")
            return
        duration = run.duration if run.duration is not None else run.samples / stream.rate
        key = "run.duration" if run.duration is not None else "run.samples"
        t, source = self.samples.t, self.samples.source
        lag = f" after the {self.lags} rows that start the lags" if self.lags else ""
        if t is not None and duration > t[-1]:
            yield key, (f"asks for {duration:g} s; the last sample of {source} is measured at "
                        f"{float(t[-1]):g} s (leave run.duration and run.samples out to "
                        "stream them all)")
        elif t is None and math.ceil(duration * stream.rate - 1e-9) > self.rows:
            yield key, (f"asks for {math.ceil(duration * stream.rate - 1e-9)} samples; {source} "
                        f"has {self.rows}{lag} (leave run.duration and run.samples out to "
                        "stream them all)")
        if run.replicas > 1 and stream.in_order:
            yield "run.replicas", ("must be 1 for a data plant unless the stream adds "
                                   "randomness (stream.dropout > 0 or a uniform or exponential "
                                   "latency): every replica would see the same rows "
                                   f"(got {run.replicas})")

    def policy_problems(self, policy):
        """Gains and estimators that default to the truth need it given here."""
        gain = policy.gain
        for key in getattr(type(gain), "truth_keys", ()):
            if getattr(gain, key) is None:
                yield f"gain.{key}", (f"missing: a data plant has no true value to default "
                                      f"to; give {type(gain).kind}'s {key} explicitly")
        if getattr(policy.estimator, "uses_truth", False):
            yield "estimator", (f"{type(policy.estimator).kind!r} as configured needs the "
                                "true theta_star, which a data plant does not have")

    def replica_note(self, stream, replicas: int) -> str | None:
        """What the replicas of a data run differ by (``None`` for one replica)."""
        if replicas <= 1:
            return None
        return (f"every replica streams the same {self.rows} recorded rows; replicas differ "
                "only by the stream's random dropout and latency")

    def run_dir_files(self) -> tuple["Data", dict]:
        """``(plant, {file name: arrays})`` for a run directory: arrays given from Python are
        saved as ``data.npz`` (the streamed ``x`` and ``d``) and the resolved plant reads
        them, so the folder reopens; a plant read from a file keeps its (absolute) path."""
        if self.path is not None:
            return self, {}
        s = self.samples
        times = {} if s.t is None else {"t": s.t}
        plant = Data(target="d", path="data.npz", inputs=("x",), theta0=self.theta0,
                     time=None if s.t is None else "t")
        return plant, {"data.npz": {"x": s.x, "d": s.d, **times}}

    # ------------------------------------------------------------ the plant protocol
    @property
    def n(self) -> int:
        return self.samples.x.shape[1]

    @property
    def noise_floor(self) -> float:
        """Unknown for recorded data: ``nan`` (``summary.json`` writes ``null``)."""
        return math.nan

    def start_estimate(self) -> np.ndarray:
        return np.zeros(self.n) if self.theta0 is None else np.array(self.theta0, float)

    def describe(self) -> str:
        """One line for ``gainsim explain``."""
        s = self.samples
        return (f"data, {self.rows} samples from {s.source}, target {self.target!r}, "
                f"regressors {', '.join(s.names)}")

    def curvature(self) -> np.ndarray:
        """The rows' own second moment :math:`\\hat R = X^\\top X / m` (an estimate)."""
        x = self.samples.x
        return x.T @ x / x.shape[0]

    def explain_text(self, scenario) -> str:
        """``gainsim explain`` for recorded data: what is streamed, and why nothing is predicted."""
        from gainsim.signals.data_explain import explain_data

        return explain_data(scenario)

    def observation_shape(self, n: int) -> tuple[int, ...]:
        """Shape of one sample's measurement in a baseline's window (a scalar ``d``)."""
        return ()

    def window_objective(self, a: np.ndarray, b: np.ndarray):
        """The window's least-squares loss, as for any linear regression."""
        return least_squares_objective(a, b)

    def init(self, rngs) -> tuple[DataState, np.ndarray]:
        """Start at the first sample; there is no ``theta_star`` (nan)."""
        return DataState(next=0), np.full(self.n, np.nan)

    def sample_times(self, index: int, m: int, duration: float) -> np.ndarray:
        """Measurement times of samples ``index+1 .. index+m`` from the time column, up to
        the first one at or after ``duration`` (as a periodic stream stops)."""
        t = self.samples.t[index:index + m]
        stop = int(np.searchsorted(t, duration, side="left"))
        return t[:stop + 1] if stop < t.size else t

    def packet(self, state: DataState, t: np.ndarray, rngs):
        """The next ``t.size`` rows, in order: columns ``x``, ``d`` and a nan ``theta_star``."""
        s = self.samples
        lo, hi = state.next, state.next + t.size
        if hi > s.d.size:
            raise RuntimeError(f"data plant: {hi} samples asked, {s.d.size} recorded")
        return ({"x": s.x[lo:hi], "d": s.d[lo:hi], "theta_star": np.full((t.size, self.n), np.nan)},
                DataState(next=hi))


def _samples(plant: Data, table) -> Samples:
    """The regressor rows and targets of ``table`` for ``plant``'s columns, lags and bias."""
    target = table.numbers(plant.target, "target")
    if target.ndim != 1:
        raise FieldError("target", f"{table.source} column {plant.target!r}: must be one value "
                                   f"per row (got shape {target.shape})")
    rows, p = target.size, plant.lags
    parts, names = [], []
    for i, name in enumerate(plant.inputs):
        col = table.numbers(name, f"inputs[{i}]")
        if col.shape[0] != rows:
            raise FieldError(f"inputs[{i}]", f"{table.source} column {name!r} has {col.shape[0]} "
                                             f"rows, the target {plant.target!r} has {rows}")
        col = col.reshape(rows, -1)
        parts.append(col[p:])
        names += [name] if col.shape[1] == 1 else [f"{name}[{j}]" for j in range(col.shape[1])]
    if rows < p + 2:
        raise FieldError("path", f"{table.source} has {rows} rows; lags = {p} needs at least "
                                 f"{p + 2} (the lags' start, then two samples)")
    for j in range(1, p + 1):
        parts.append(target[p - j:rows - j, None])
        names.append(f"{plant.target}[k-{j}]")
    if plant.bias:
        parts.append(np.ones((rows - p, 1)))
        names.append("1")
    x = np.ascontiguousarray(np.concatenate(parts, axis=1))
    return Samples(x=x, d=np.ascontiguousarray(target[p:]), source=table.source,
                   names=tuple(names), t=None if plant.time is None else _times(plant, table))


def _times(plant: Data, table) -> np.ndarray:
    r"""Sample times from the time column, shifted so that the first sample (row ``p``) is
    measured one gap after 0: :math:`t_k = \tau_k - \tau_p + (\tau_{p+1} - \tau_p)`, so
    times ``g`` apart give the run of a periodic stream at rate ``1/g``."""
    tau = table.numbers(plant.time, "time")
    p = plant.lags
    rows = table.numbers(plant.target, "target").size
    if tau.shape != (rows,):
        raise FieldError("time", f"{table.source} column {plant.time!r}: must be one value per "
                                 f"row of the target ({rows}) (got shape {tau.shape})")
    gaps = np.diff(tau)
    if (gaps <= 0).any():
        i = int(np.flatnonzero(gaps <= 0)[0]) + 1
        raise FieldError("time", f"{table.source} {table.where(i + 1)}, column {plant.time!r}: "
                                 f"times must increase (got {tau[i]:g} after {tau[i - 1]:g})")
    return tau[p:] - tau[p] + gaps[p]
