r"""``gainsim tune``: the value of one key that minimises a policy's steady-state error.

Each candidate value runs the policy alone with the same replica seeds (common random
numbers: every candidate sees the same samples, so their differences are not blurred
by different noise). scipy's bounded Brent minimiser (:func:`scipy.optimize.minimize_scalar`,
``method="bounded"``) searches :math:`u = \ln x` between the bounds on the objective
:math:`\ln \bar e(x)`, the log of the mean steady-state tracking error (a diverged
candidate scores :data:`DIVERGED_SCORE`). The search is repeated with a finer tolerance
until the 95 % CIs of the best value's neighbours at :math:`x e^{\pm h}` both overlap its
own: then a finer optimum could not be told apart from this one with these replicas.
Candidates are cached, so a finer pass only pays for the new points.

Reference: R. P. Brent, *Algorithms for Minimization without Derivatives*, Prentice-Hall
1973, chapter 5 (the bounded method of ``scipy.optimize.fminbound``).
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

from gainsim.sweeps.spec import Axis, SweepError, point_scenarios

DIVERGED_SCORE = 700.0  # ln of a tracking error of ~1e304: worse than any finite one
START_STEP = 0.25       # first neighbour spacing h in ln x (a factor 1.28)
MIN_STEP = 0.01         # finest spacing (a factor 1.01)


@dataclass(frozen=True)
class Candidate:
    value: float
    error: float | None
    ci95: tuple[float | None, float | None]
    diverged: bool

    def to_dict(self) -> dict:
        return {"value": self.value, "steady_state_tracking_error": self.error,
                "steady_state_tracking_error_ci95": list(self.ci95), "diverged": self.diverged}


@dataclass(frozen=True)
class TuneResult:
    name: str
    policy: str
    key: str
    bounds: tuple[float, float]
    best: Candidate
    neighbours: tuple[Candidate, ...]
    step: float                     # final neighbour spacing h (ln units)
    resolved: bool                  # the neighbours' CIs overlap the best one's
    optimal_fixed_gain: float | None
    evaluations: tuple[Candidate, ...]
    seed: int
    replicas: int

    def to_dict(self) -> dict:
        """The ``tune.json`` contract (see ``docs/sweeps.md``)."""
        return {"scenario": self.name, "policy": self.policy, "key": self.key,
                "bounds": list(self.bounds), "seed": self.seed, "replicas": self.replicas,
                "best_value": self.best.value,
                "steady_state_tracking_error": self.best.error,
                "steady_state_tracking_error_ci95": list(self.best.ci95),
                "optimal_fixed_gain": self.optimal_fixed_gain,
                "neighbour_step": math.exp(self.step), "neighbours_overlap": self.resolved,
                "neighbours": [c.to_dict() for c in self.neighbours],
                "evaluations": [c.to_dict() for c in self.evaluations]}


def policy_index(data: dict, source: str, name: str) -> tuple[int, int]:
    """``(table index in the file, index among the loaded policies)`` of policy ``name``."""
    from gainsim.scenario.build import did_you_mean
    from gainsim.scenario.load import _expanded
    from gainsim.sweeps.spec import base_names

    pairs = list(_expanded(base_names(data)["policy"]))
    names = [t.get("name") for _, t in pairs]
    if name not in names:
        raise SweepError(f"{source}: --policy: no policy named {name!r} "
                         f"{did_you_mean(name, [n for n in names if n])}")
    loaded = names.index(name)
    return pairs[loaded][0], loaded


def default_key(data: dict, source: str, table: int) -> str:
    """The policy's base gain: ``gain`` itself (a number), else its ``eta`` or ``eta0``."""
    gain = data["policy"][table].get("gain")
    if isinstance(gain, (int, float)) and not isinstance(gain, bool):
        return f"policy[{table}].gain"
    if isinstance(gain, dict):
        for field in ("eta", "eta0", "eta_max"):
            value = gain.get(field)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                return f"policy[{table}].gain.{field}"
    raise SweepError(f"{source}: policy[{table}].gain: no numeric base gain to tune; give "
                     "--param KEY")


def _single(data: dict, source: str, key: str, value: float, loaded: int):
    _, (scenario,) = point_scenarios(data, source, [Axis(key, (value,), "list")])
    return dataclasses.replace(scenario, policy=(scenario.policy[loaded],))


def default_bounds(scenario) -> tuple[float, float]:
    """Just below theory's stability bound B down to B/1000; else the value ÷/× 100."""
    from gainsim.predict.policies import predictions

    pred = predictions(scenario)[0]
    bounds = [b for b in (pred.stability_bound, pred.mean_square_stability_bound) if b]
    if bounds:
        hi = 0.9 * min(bounds)
        return hi / 1000.0, hi
    if pred.gain:
        return pred.gain / 100.0, pred.gain * 100.0
    raise SweepError(f"{scenario.name}: no stability bound known for "
                     f"{scenario.policy[0].name!r}: give --bounds LO HI")


def tune(data: dict, source: str, policy: str, key: str | None = None,
         bounds: tuple[float, float] | None = None, executor=None,
         progress=None) -> TuneResult:
    """Find the best value of ``key`` for ``policy`` (see the module docstring)."""
    from scipy.optimize import minimize_scalar

    from gainsim.engine.executors import execute
    from gainsim.predict.policies import predictions

    table, loaded = policy_index(data, source, policy)
    key = key or default_key(data, source, table)
    base = _single(data, source, key, _current(data, key, 1.0), loaded)
    lo, hi = bounds or default_bounds(base)
    if not 0 < lo < hi:
        raise SweepError(f"{source}: --bounds: needs 0 < LO < HI (got {lo!r}, {hi!r})")
    _single(data, source, key, lo, loaded)  # both ends must be values the key allows
    _single(data, source, key, hi, loaded)
    cache: dict[float, Candidate] = {}

    def evaluate(u: float) -> Candidate:
        x = float(math.exp(u))
        if x not in cache:
            (record,) = execute([_single(data, source, key, x, loaded)], executor)
            entry = record["policies"][0]
            cache[x] = Candidate(x, entry["steady_state_tracking_error"],
                                 tuple(entry["steady_state_tracking_error_ci95"]),
                                 entry["diverged"] and entry["steady_state_tracking_error"] is None)
            if progress:
                progress(len(cache), None)
        return cache[x]

    def score(u: float) -> float:
        c = evaluate(u)
        return DIVERGED_SCORE if c.error is None or c.error <= 0 else math.log(c.error)

    h = START_STEP
    while True:
        res = minimize_scalar(score, bounds=(math.log(lo), math.log(hi)), method="bounded",
                              options={"xatol": h / 2})
        best = evaluate(float(res.x))
        around = tuple(evaluate(u) for u in (float(res.x) - h, float(res.x) + h)
                       if math.log(lo) <= u <= math.log(hi))
        resolved = all(_overlap(best, c) for c in around)
        if resolved or h <= MIN_STEP:
            break
        h /= 2
    star = predictions(_single(data, source, key, best.value, loaded))[0].optimal_fixed_gain
    return TuneResult(name=base.name, policy=policy, key=key, bounds=(lo, hi), best=best,
                      neighbours=around, step=h, resolved=resolved,
                      optimal_fixed_gain=star if key.split(".")[-1] in ("gain", "eta") else None,
                      evaluations=tuple(sorted(cache.values(), key=lambda c: c.value)),
                      seed=base.run.seed, replicas=base.run.replicas)


def _current(data: dict, key: str, default: float) -> float:
    from gainsim.sweeps.spec import split_key

    node = data
    for name, index in split_key(key):
        node = node.get(name) if isinstance(node, dict) else None
        if index is not None:
            node = node[index] if isinstance(node, list) else None
    return node if isinstance(node, (int, float)) and not isinstance(node, bool) else default


def _overlap(a: Candidate, b: Candidate) -> bool:
    if None in a.ci95 or None in b.ci95:
        return False
    return a.ci95[0] <= b.ci95[1] and b.ci95[0] <= a.ci95[1]
