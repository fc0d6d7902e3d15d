"""Conformance checks for gain policies and estimators, and the reference loop (public).

Use them on your own component the way gainsim's tests use them on every registered one::

    from gainsim.testing import check_policy, check_estimator
    check_policy(MyGain)          # each of MyGain._unit_test_params, through the engine too
    check_estimator(MyEstimator)

Each class lists example parameters in ``_unit_test_params`` (a tuple of dicts of
scenario-file values; the idea of river's ``_unit_test_params``); ``({},)`` means
"the defaults". A failed check raises ``AssertionError`` naming the class and example.

:func:`reference_run` is the oracle for every law through the engine: a plain-numpy
predict-then-learn loop over ``policy.step`` (the estimator's error and gradient
written out here, independently of the compiled ``observe`` functions) on the very
samples the engine draws.
"""
from __future__ import annotations

import copy
import inspect
import math
import pickle
from typing import Any

import numpy as np
import tomli_w

from gainsim.gains import Obs
from gainsim.quantities import QUANTITIES, missing

#: the compiled estimators a gain is checked on, with a plant each fits
PLANTS = {
    "lms": {"kind": "fir", "taps": 3, "noise_std": 0.1},
    "nlms": {"kind": "fir", "taps": 3, "noise_std": 0.1},
    "gd": {"kind": "quadratic", "hessian": [[2.0, 0.5, 0.0], [0.5, 3.0, 0.0], [0.0, 0.0, 0.5]],
           "theta0": [1.0, -1.0, 0.5], "gradient_noise_std": 0.1},
}
SAMPLES = 60


def fitting_estimators(gain_cls: type, kinds: tuple[str, ...] = ("lms", "nlms", "gd")) -> tuple:
    """The estimator kinds among ``kinds`` that provide everything ``gain_cls`` needs."""
    from gainsim.catalog import kinds as registered

    estimators = registered("estimator")
    return tuple(k for k in kinds if missing(gain_cls, estimators[k]) is None)


def scenario_for(gain_cls: type, params: dict, estimator: str, samples: int = SAMPLES,
                 grid: int = 6):
    """A small scenario: one policy with ``gain_cls(**params)`` on ``estimator``'s plant."""
    import gainsim

    doc = {"name": "check", "plant": PLANTS[estimator], "run": {"samples": samples},
           "metrics": {"grid": grid},
           "policy": [{"name": "p", "estimator": estimator,
                       "gain": {"kind": gain_cls.kind, **params}}]}
    return gainsim.loads(tomli_w.dumps(doc), source=f"{gain_cls.__name__}.toml")


def _examples(cls: type) -> tuple[dict, ...]:
    examples = getattr(cls, "_unit_test_params", ({},))
    assert examples, f"{cls.__name__}: _unit_test_params is empty"
    return tuple(examples)


def reference_run(scenario, seed: int = 0) -> dict:
    """Plain-numpy predict-then-learn over ``policy.step`` for the scenario's first policy.

    Draws the samples the engine draws (one packet: results never depend on the packet),
    then per sample: the estimator's a-priori error, gradient, curvature and loss (LMS
    ``g = -e x``; NLMS ``g = -e x / (eps + x·x)``; gradient descent
    ``g = H (theta - theta*) + noise``, ``c = diag H``), the policy's step, ``theta += step``.
    Returns ``theta`` (final), ``err_sum`` (sum of the tracking error), ``eta`` (last gain).
    """
    from gainsim.engine.sim import Rngs

    plant, policy = scenario.plant, scenario.policy[0]
    gain, est = policy.gain, type(policy.estimator).kind
    rngs = Rngs.from_seed(np.random.SeedSequence(seed))
    state0, _ = plant.init(rngs)
    m = scenario.run.samples
    cols, _ = plant.packet(state0, np.arange(1, m + 1) / scenario.stream.rate, rngs)
    n = plant.n
    theta = plant.start_estimate().astype(float)
    state = gain.init(n, plant)
    err, eta = 0.0, gain.compile(plant, n).eta0
    for k in range(m):
        if est in ("lms", "nlms"):
            x, d = cols["x"][k], cols["d"][k]
            e = float(d - theta @ x)
            scale = 1.0 / (policy.estimator.eps + x @ x) if est == "nlms" else 1.0
            obs = Obs(k=k, t=k / scenario.stream.rate, x=x, e=e, grad=-e * x * scale,
                      loss=0.5 * e * e, curv=x * x * scale)
            tracking = e * e
        else:
            diff = theta - cols["theta_star"][k]
            noise = cols["noise"][k]
            grad = plant.H @ diff + noise
            loss = 0.5 * float(diff @ (grad - noise))
            obs = Obs(k=k, t=k / scenario.stream.rate, x=None, e=math.nan, grad=grad,
                      loss=loss, curv=np.diag(plant.H).copy())
            tracking = loss
        eta, state = gain.step(state, obs)
        theta = theta + state.step
        err += tracking
    return {"theta": theta, "err_sum": err, "eta": np.asarray(eta, dtype=float),
            "truth": cols["theta_star"][-1]}


def check_against_reference(scenario, seed: int = 0, rtol: float = 1e-9) -> None:
    """The engine's run of ``scenario`` (first policy) equals :func:`reference_run`."""
    from gainsim.engine.sim import simulate

    trace = simulate(scenario, np.random.SeedSequence(seed))
    ref = reference_run(scenario, seed)
    what = f"{type(scenario.policy[0].gain).__name__} on {type(scenario.policy[0].estimator).kind}"
    assert np.isnan(trace.diverged_at[0]), f"{what}: diverged in the engine"
    assert trace.updates[0] == scenario.run.samples, what
    np.testing.assert_allclose(trace.err_sum[0].sum(), ref["err_sum"], rtol=rtol,
                               err_msg=f"{what}: tracking error")
    np.testing.assert_allclose(trace.misalignment[0, -1],
                               np.sum((ref["theta"] - ref["truth"]) ** 2), rtol=rtol,
                               err_msg=f"{what}: final misalignment")
    np.testing.assert_allclose(trace.eta_vectors()[0, -1], ref["eta"], rtol=rtol,
                               err_msg=f"{what}: last gain")


def _observations(n: int, seed: int, count: int = 6, lms: bool = True) -> list:
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        if lms:
            x, e = rng.standard_normal(n), float(rng.standard_normal())
            out.append(Obs(k=k, t=float(k), x=x, e=e, grad=-e * x, loss=0.5 * e * e))
        else:
            out.append(Obs(k=k, t=float(k), x=None, e=math.nan, grad=rng.standard_normal(n),
                           loss=float(rng.exponential())))
    return out


def _arrays(state) -> list:
    return [v for v in vars(state).values() if isinstance(v, np.ndarray)]


def _same(a, b) -> bool:
    return type(a) is type(b) and all(
        np.array_equal(va, vb, equal_nan=True) if isinstance(va, np.ndarray) else va == vb
        for va, vb in zip(vars(a).values(), vars(b).values()))


def _check_declarations(cls: type, gain: Any, n: int) -> None:
    name = cls.__name__
    assert isinstance(cls.summary, str) and cls.summary and "\n" not in cls.summary, name
    assert "References" in (cls.__doc__ or ""), f"{name}: docstring needs References"
    assert set(cls.needs) <= set(QUANTITIES), f"{name}: unknown needs {cls.needs}"
    for fn in (cls.law, cls.loop):  # module level: numba caches them across processes
        module = inspect.getmodule(fn.py_func)
        assert getattr(module, fn.__name__, None) is fn, f"{name}: {fn.__name__} not module-level"
    compiled = gain.compile(None, n)
    assert compiled.params.shape == (len(cls.hyperparameters),), f"{name}: hyperparameters"
    rows = sum(n if r.identity else 1 for r in cls.rows)
    assert compiled.state.shape == (rows, n), f"{name}: state rows {compiled.state.shape}"
    assert compiled.eta0.shape == (n,) and np.all(np.isfinite(compiled.eta0)), name


def _check_protocol(gain: Any, n: int, lms: bool, what: str) -> None:
    a, b = gain.init(n), gain.init(n)
    assert _same(a, b), f"{what}: init is not pure"
    assert not any(np.shares_memory(x, y) for x in _arrays(a) for y in _arrays(b)), what
    state, etas = a, []
    for obs in _observations(n, 1, lms=lms):
        before, before_obs = copy.deepcopy(state), copy.deepcopy(obs)
        eta, new = gain.step(state, obs)
        assert _same(state, before), f"{what}: step mutated its state"
        assert all((x is None and y is None) or np.array_equal(x, y, equal_nan=True)
                   for x, y in zip(obs, before_obs)), f"{what}: step mutated its observation"
        assert isinstance(eta, np.ndarray) and eta.shape == (n,), f"{what}: eta shape"
        assert new.step is not None and new.step.shape == (n,), f"{what}: no step"
        assert np.all(np.isfinite(eta)) and np.all(eta >= 0.0), f"{what}: eta {eta}"
        etas.append(eta)
        state = new
    again, state = [], gain.init(n)
    for obs in _observations(n, 1, lms=lms):
        eta, state = gain.step(state, obs)
        again.append(eta)
    np.testing.assert_array_equal(etas, again, err_msg=f"{what}: not deterministic")


def check_policy(cls: type, engine: bool = True) -> None:
    """Check a gain policy class on each of its ``_unit_test_params``.

    Declarations (summary, references, ``needs`` in the vocabulary, law and loop at
    module level, parameter vector and state rows as declared), pickling and the TOML
    round trip, a pure ``init``, a ``step`` that mutates nothing and returns the
    ``(eta, state)`` shape with finite gains >= 0, determinism, and (``engine``) the
    engine against :func:`reference_run` on every compiled estimator the gain fits.
    """
    from gainsim.scenario import dumps, loads

    estimators = fitting_estimators(cls)
    assert estimators, f"{cls.__name__}: fits none of lms, nlms, gd"
    for params in _examples(cls):
        what = f"{cls.__name__}({params})"
        scenario = scenario_for(cls, params, estimators[0])
        gain = scenario.policy[0].gain
        assert type(gain) is cls, what
        assert pickle.loads(pickle.dumps(gain)) == gain, f"{what}: pickling"
        assert loads(dumps(scenario)) == scenario, f"{what}: TOML round trip"
        n = scenario.plant.n
        _check_declarations(cls, gain, n)
        _check_protocol(gain, n, lms=estimators[0] != "gd", what=what)
        if engine:
            for est in estimators:
                check_against_reference(scenario_for(cls, params, est))


def check_estimator(cls: type) -> None:
    """Check an estimator class on each of its ``_unit_test_params``.

    Kind, summary and references; ``provides`` in the vocabulary; pickling; a compiled
    estimator's input record has a registered ``observe``; an estimator in Python has
    the ``(init_state, step)`` protocol and provides nothing.
    """
    from gainsim.estimators.loop import observes

    for params in _examples(cls):
        what = f"{cls.__name__}({params})"
        est = cls(**params)
        assert isinstance(cls.kind, str) and cls.summary and "\n" not in cls.summary, what
        assert (cls.__doc__ or "").strip(), f"{what}: no docstring"
        assert pickle.loads(pickle.dumps(est)) == est, f"{what}: pickling"
        provides = getattr(cls, "provides", ())
        assert set(provides) <= set(QUANTITIES), f"{what}: unknown provides {provides}"
        if hasattr(cls, "init_state"):
            assert hasattr(cls, "step") and not provides, what
        else:
            assert hasattr(cls, "inputs") and "direction" in provides, what
            sig = inspect.signature(cls.inputs)
            assert list(sig.parameters) == ["self", "chunk"], what
            record = sig.return_annotation
            if isinstance(record, str):  # postponed annotations: the name in cls's module
                record = getattr(inspect.getmodule(cls), record)
            assert observes(record), f"{what}: no observe registered for {record}"
