"""The shared contract of every registered gain policy (river-style conformance suite).

Each class in ``kinds("gain")`` is built from a scenario TOML table (defaults, plus the
required keys of the schedules from ``REQUIRED``) and must: pickle; round-trip through
``dumps`` -> ``loads``; have a pure ``init``; not mutate its inputs in ``step``; give a
finite gain >= 0; and be deterministic.
"""
import copy
import math
import pickle
import textwrap

import numpy as np
import pytest

import gainsim
from gainsim.gains import Obs
from gainsim.catalog import kinds
from gainsim.scenario import dumps, loads

# Required keys of the kinds that have no default for them (TOML inline-table bodies).
REQUIRED = {
    "constant": "eta = 0.1",
    "step": "eta0 = 0.1, step_size = 3",
    "multistep": "eta0 = 0.1, milestones = [2, 4]",
    "exponential": "eta0 = 0.1, decay_rate = 0.5",
    "inverse_time": "eta0 = 0.1, decay_rate = 0.5",
    "polynomial": "eta0 = 0.1, eta_end = 0.01, power = 2.0, total_steps = 5",
    "robbins_monro": "eta0 = 0.1, tau = 3.0",
    "warmup": "schedule = { kind = \"constant\", eta = 0.1 }, warmup_steps = 2",
    "join": "schedules = [0.1, 0.01], boundaries = [3]",
    "cosine": "eta0 = 0.1, total_steps = 5",
    "cosine_restarts": "eta0 = 0.1, t0 = 3",
    "cyclical": "eta_min = 0.01, eta_max = 0.1, step_size_up = 2",
    "one_cycle": "eta_max = 0.1, total_steps = 6",
    "range_test": "eta_min = 0.001, eta_max = 0.1, total_steps = 6",
}

SCENARIO = """
name = "conformance"
[plant]
{plant}
[run]
samples = 10
[[policy]]
name = "p"
estimator = "{estimator}"
gain = {{ kind = "{kind}"{extra} }}
"""
PLANTS = {"lms": 'kind = "fir"\ntaps = 3', "nlms": 'kind = "fir"\ntaps = 3',
          "gd": 'kind = "quadratic"\neigenvalues = [1.0, 2.0, 3.0]\ntheta0 = [1.0, 1.0, 1.0]'}

KINDS = sorted(kinds("gain"))
N = 3


def allowed(kind: str) -> tuple:
    return getattr(kinds("gain")[kind], "estimators", ("lms", "nlms", "gd"))


def scenario(kind: str):
    extra = f", {REQUIRED[kind]}" if kind in REQUIRED else ""
    est = allowed(kind)[0]
    text = SCENARIO.format(kind=kind, extra=extra, estimator=est, plant=PLANTS[est])
    return loads(textwrap.dedent(text), source="conf.toml")


def make(kind: str):
    return scenario(kind).policy[0].gain


def observations(seed: int = 0, count: int = 6):
    """A few LMS samples (g = -e x, loss = ½e²) with random x and e."""
    rng = np.random.default_rng(seed)
    out = []
    for k in range(count):
        x, e = rng.standard_normal(N), float(rng.standard_normal())
        out.append(Obs(k=k, t=float(k), x=x, e=e, grad=-e * x, loss=0.5 * e * e))
    return out


def arrays(state) -> list:
    """The numpy arrays inside a policy state (whatever its type)."""
    if isinstance(state, np.ndarray):
        return [state]
    if hasattr(state, "__dict__"):
        return [v for v in vars(state).values() if isinstance(v, np.ndarray)]
    return []


def same_state(a, b) -> bool:
    if type(a) is not type(b):
        return False
    if hasattr(a, "__dict__"):
        return all(np.array_equal(va, vb, equal_nan=True) if isinstance(va, np.ndarray)
                   else va == vb for va, vb in zip(vars(a).values(), vars(b).values()))
    return np.array_equal(a, b)


def etas(policy, obs_seq):
    state, out = policy.init(N), []
    for obs in obs_seq:
        eta, state = policy.step(state, obs)
        out.append(np.broadcast_to(np.asarray(eta, dtype=float), (N,)).copy())
    return np.array(out)


def test_every_gain_kind_is_covered():
    assert len(KINDS) >= 30 and "autostep" in KINDS and "adam" in KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_pickles_and_round_trips_through_toml(kind):
    scen = scenario(kind)
    gain = scen.policy[0].gain
    assert type(gain).kind == kind
    assert pickle.loads(pickle.dumps(gain)) == gain
    again = loads(dumps(scen), source="resolved.toml")
    assert again.policy[0].gain == gain
    assert again == scen


@pytest.mark.parametrize("kind", KINDS)
def test_init_is_pure(kind):
    policy = make(kind)
    a, b = policy.init(N), policy.init(N)
    assert same_state(a, b)
    for x in arrays(a):
        for y in arrays(b):
            assert not np.shares_memory(x, y)


@pytest.mark.parametrize("kind", KINDS)
def test_step_does_not_mutate_its_inputs(kind):
    policy = make(kind)
    state = policy.init(N)
    for obs in observations(1):
        before_state, before_obs = copy.deepcopy(state), copy.deepcopy(obs)
        _, new = policy.step(state, obs)
        assert same_state(state, before_state)
        for x, y in zip(obs, before_obs):
            assert (x is None and y is None) or np.array_equal(x, y, equal_nan=True)
        for x in arrays(new):
            for y in arrays(state):
                assert not np.shares_memory(x, y)
        state = new


@pytest.mark.parametrize("kind", KINDS)
def test_eta_is_finite_and_nonnegative(kind):
    policy = make(kind)
    if "lms" in allowed(kind) or "nlms" in allowed(kind):
        eta = etas(policy, observations(2, count=20))
        assert np.all(np.isfinite(eta)) and np.all(eta >= 0.0)
    if "gd" in allowed(kind):
        rng = np.random.default_rng(3)
        grads = [Obs(k=k, t=float(k), x=None, e=math.nan, grad=rng.standard_normal(N),
                     loss=float(rng.exponential())) for k in range(20)]
        eta = etas(policy, grads)
        assert np.all(np.isfinite(eta)) and np.all(eta >= 0.0)


@pytest.mark.parametrize("kind", KINDS)
def test_is_deterministic(kind):
    obs = observations(4)
    np.testing.assert_array_equal(etas(make(kind), obs), etas(make(kind), obs))


@pytest.mark.parametrize("kind", KINDS)
def test_declares_what_the_registry_and_docs_need(kind):
    cls = kinds("gain")[kind]
    assert isinstance(cls.summary, str) and cls.summary and "\n" not in cls.summary
    doc = cls.__doc__ or ""
    assert "References" in doc and ("math::" in doc or ":math:" in doc)
    assert allowed(kind) and set(allowed(kind)) <= {"lms", "nlms", "gd"}


def test_adaptive_gains_run_in_the_engine_without_diverging():
    """One short drifting FIR run with every adaptive law at its defaults."""
    adaptive = [k for k in KINDS if k not in REQUIRED and "lms" in allowed(k)]
    pol = "\n".join(f'[[policy]]\nname = "{k}"\nestimator = "lms"\ngain = {{ kind = "{k}" }}\n'
                    for k in adaptive)
    text = f"""
    name = "engine"
    [plant]
    kind = "fir"
    taps = 4
    noise_std = 0.1
    drift = {{ kind = "random_walk", std = 1e-3 }}
    [run]
    samples = 2000
    [metrics]
    grid = 20
    """
    scen = gainsim.loads(textwrap.dedent(text) + pol)
    trace = gainsim.sim.simulate(scen, np.random.SeedSequence(0))
    assert np.all(np.isnan(trace.diverged_at))
    assert np.all(np.isfinite(trace.eta[:, -1])) and np.all(trace.eta[:, -1] >= 0)
    assert np.all(trace.updates == 2000)
