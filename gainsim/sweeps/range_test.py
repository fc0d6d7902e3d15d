r"""The gain range test: one run whose gain rises geometrically, error read against η.

Smith's learning-rate range test (Smith 2017, section 3.3), transplanted to tracking:
the chosen policy's gain becomes a :class:`~gainsim.gains.schedules.RangeTest` ramp from
``lo`` to ``hi`` over the whole run; the mean tracking error of each monitor interval is
read against the gain in force then.

**Suggestion rule.** Smith picks where the loss falls fastest (steepest descent of the
smoothed curve), because a training loss keeps falling while the rate is still useful.
A tracking error does not: it has an interior minimum (the U-curve: lag at small η,
gradient noise at large η), and a slow ramp traces that U quasi-statically. The
suggestion is therefore the gain at the **minimum of the smoothed curve**, capped at
**a third of the gain where the run diverged** (Smith's "well before divergence"
safeguard, for curves whose minimum sits right at the edge). The smoothing is a
centred moving mean of log error over 5 % of the run's intervals. The curve is
quasi-static only where the filter's time constant :math:`1/(\eta\lambda)` is short
against the updates the ramp needs to grow by a factor e; below that it still shows
the start-up transient, and everywhere the error lags the rising gain a little, which
shifts the curve toward larger η. On ``scenarios/quickstart.toml`` the rule suggests
0.0083 against theory's η* = 0.01 (see ``docs/sweeps.md``).

Reference: L. N. Smith, "Cyclical learning rates for training neural networks",
WACV 2017; fastai ``LRFinder``.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

RAMP_ESTIMATORS = ("lms", "nlms", "gd")
SMOOTH_FRACTION = 0.05   # moving-mean window, as a fraction of the monitor intervals
DIVERGENCE_MARGIN = 3.0  # the suggestion stays this factor below the divergence gain


class RangeTestError(ValueError):
    """The range test cannot be set up (the message names what to change)."""


@dataclass(frozen=True)
class RangeTestResult:
    """The curve of a range test and what it suggests."""

    name: str
    policy: str
    eta: np.ndarray                 # gain at each monitor interval's middle
    error: np.ndarray               # mean tracking error of the interval
    smoothed: np.ndarray
    suggested: float | None
    rule: str                       # "minimum of the smoothed curve" or "divergence / 3"
    diverged_eta: float | None
    lo: float
    hi: float
    stability_bound: float | None
    mean_square_bound: float | None
    optimal_fixed_gain: float | None

    def to_dict(self) -> dict:
        """The ``range_test.json`` contract (see ``docs/sweeps.md``)."""
        def clean(a):
            return [None if not math.isfinite(v) else float(v) for v in a]

        return {"scenario": self.name, "policy": self.policy, "eta_min": self.lo,
                "eta_max": self.hi, "suggested_gain": self.suggested, "rule": self.rule,
                "diverged_at_gain": self.diverged_eta,
                "stability_bound": self.stability_bound,
                "mean_square_stability_bound": self.mean_square_bound,
                "optimal_fixed_gain": self.optimal_fixed_gain,
                "eta": clean(self.eta), "tracking_error": clean(self.error),
                "smoothed": clean(self.smoothed)}


def find_policy(scenario, name: str) -> int:
    names = [p.name for p in scenario.policy]
    if name in names:
        return names.index(name)
    from gainsim.scenario.build import did_you_mean

    raise RangeTestError(f"no policy named {name!r} {did_you_mean(name, names)}")


def default_bounds(scenario, policy: int) -> tuple[float, float]:
    """From theory's stability bound B: ``(3B / 10⁴, 3B)``, so the ramp crosses B; else two
    decades either side of the policy's constant gain."""
    from gainsim.predict.policies import predictions

    pred = predictions(scenario)[policy]
    bounds = [b for b in (pred.stability_bound, pred.mean_square_stability_bound) if b]
    if bounds:
        hi = 3.0 * min(bounds)
        return hi * 1e-4, hi
    if pred.gain:
        return pred.gain / 100.0, pred.gain * 100.0
    raise RangeTestError("no stability bound or constant gain to start from: give --bounds "
                         "LO HI")


def ramp_scenario(scenario, policy: int, lo: float, hi: float):
    """The scenario with only ``policy``, its gain a geometric ramp lo -> hi over the run."""
    from gainsim.gains.schedules import RangeTest

    chosen = scenario.policy[policy]
    kind = type(chosen.estimator).kind
    if kind not in RAMP_ESTIMATORS:
        raise RangeTestError(f"{chosen.name!r}: the range test ramps the gain of an "
                             f"{', '.join(RAMP_ESTIMATORS)} estimator (this one is {kind!r})")
    if not 0 < lo < hi:
        raise RangeTestError(f"--bounds: needs 0 < LO < HI (got {lo!r}, {hi!r})")
    updates = max(int(round(scenario.duration * scenario.stream.rate
                            * (1.0 - scenario.stream.dropout))), 1)
    ramp = RangeTest(eta_min=float(lo), eta_max=float(hi), total_steps=updates)
    metrics = dataclasses.replace(scenario.metrics, grid=max(scenario.metrics.grid, 400))
    new = dataclasses.replace(chosen, name=f"{chosen.name} (range test)", gain=ramp,
                              clock="updates")
    return dataclasses.replace(scenario, policy=(new,), metrics=metrics)


def smooth(values: np.ndarray, width: int) -> np.ndarray:
    """Centred moving mean of log ``values`` (nan ignored), back on the linear scale."""
    logs = np.log(np.where(values > 0, values, np.nan))
    out = np.full(values.shape, np.nan)
    half = width // 2
    for i in range(values.size):
        window = logs[max(0, i - half):i + half + 1]
        window = window[np.isfinite(window)]
        if window.size:
            out[i] = math.exp(float(window.mean()))
    return out


def analyse(results, original, policy: int, lo: float, hi: float) -> RangeTestResult:
    """Read a finished ramp run (``results`` of :func:`ramp_scenario`) against η."""
    from gainsim.predict.policies import predictions

    summary, ramp = results.policies[0], results.scenario
    sched = ramp.policy[0].gain
    per_second = ramp.stream.rate * (1.0 - ramp.stream.dropout)  # updates per second

    def gain_at(t):  # the ramp's gain after the updates expected by time t
        return sched(np.rint(np.asarray(t) * per_second).astype(np.int64))

    error = results.curves["tracking_error_mean"][0][1:]
    eta = gain_at(0.5 * (results.t[:-1] + results.t[1:]))  # the middle of each interval
    diverged_eta = None
    if summary.diverged:
        diverged_eta = float(gain_at(summary.diverged_at))
        stop = np.searchsorted(results.t[1:], summary.diverged_at, side="left")
        error = np.where(np.arange(error.size) < stop, error, np.nan)  # before the first blow-up
    width = max(3, int(SMOOTH_FRACTION * error.size) | 1)
    smoothed = np.where(np.isfinite(error), smooth(error, width), np.nan)
    suggested, rule = None, "no finite error"
    if np.isfinite(smoothed).any():
        suggested, rule = float(eta[int(np.nanargmin(smoothed))]), "minimum of the smoothed curve"
        if diverged_eta is not None and suggested > diverged_eta / DIVERGENCE_MARGIN:
            suggested, rule = diverged_eta / DIVERGENCE_MARGIN, "divergence gain / 3"
    pred = predictions(original)[policy]
    return RangeTestResult(name=original.name, policy=original.policy[policy].name, eta=eta,
                           error=error, smoothed=smoothed, suggested=suggested, rule=rule,
                           diverged_eta=diverged_eta, lo=lo, hi=hi,
                           stability_bound=pred.stability_bound,
                           mean_square_bound=pred.mean_square_stability_bound,
                           optimal_fixed_gain=pred.optimal_fixed_gain)


def range_test(scenario, policy_name: str, bounds: tuple[float, float] | None = None,
               workers: int = 1, progress=None) -> RangeTestResult:
    """Run the gain range test of one policy of ``scenario``."""
    from gainsim.engine.runner import run

    policy = find_policy(scenario, policy_name)
    lo, hi = bounds or default_bounds(scenario, policy)
    ramp = ramp_scenario(scenario, policy, lo, hi)
    results = run(ramp, workers=workers, progress=progress)
    return analyse(results, scenario, policy, lo, hi)
