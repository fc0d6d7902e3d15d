"""Each law's compiled loop against the same policy stepped in Python, sample by sample.

The engine runs every adaptive or scheduled gain in a loop compiled for its law
(:data:`gainsim.estimators.general.KERNELS`); ``policy.step`` runs the law on its own.
Same samples, same a-priori errors, same final estimate, same last gain.
"""
import textwrap

import numpy as np
import pytest

import gainsim
from gainsim.estimators.general import KERNELS
from gainsim.gains import Obs, dispatch
from gainsim.catalog import kinds
from gainsim.sim import Rngs, simulate
from test_gain_conformance import REQUIRED  # the keys schedules need

SAMPLES = 80
LAW_KINDS = sorted(k for k, cls in kinds("gain").items()
                   if hasattr(cls, "code") and "lms" in getattr(cls, "estimators", ("lms",))
                   and k != "constant")


def test_every_law_code_has_its_own_compiled_loop():
    codes = {v for k, v in vars(dispatch).items() if k.isupper() and isinstance(v, int)}
    assert set(KERNELS) == codes
    assert len(set(KERNELS.values())) == len(KERNELS)
    assert {kinds("gain")[k].code for k in LAW_KINDS} <= set(KERNELS)


def scenario(kind: str):
    extra = f", {REQUIRED[kind]}" if kind in REQUIRED else ""
    return gainsim.loads(textwrap.dedent(f"""
        name = "law"
        [plant]
        kind = "fir"
        taps = 4
        noise_std = 0.1
        [run]
        samples = {SAMPLES}
        [metrics]
        grid = 4
        [[policy]]
        name = "p"
        estimator = "lms"
        gain = {{ kind = "{kind}"{extra} }}
        """))


@pytest.mark.parametrize("kind", LAW_KINDS)
def test_engine_equals_the_policy_stepped_in_python(kind):
    scen = scenario(kind)
    trace = simulate(scen, np.random.SeedSequence(0))
    plant, policy = scen.plant, scen.policy[0].gain
    rngs = Rngs.from_seed(np.random.SeedSequence(0))
    state0, _ = plant.init(rngs)
    cols, _ = plant.packet(state0, np.arange(1, SAMPLES + 1) / scen.stream.rate, rngs)
    theta = plant.start_estimate()
    state = policy.init(plant.n, plant) if "plant" in policy.init.__code__.co_varnames \
        else policy.init(plant.n)
    errors, eta = [], None
    for k in range(SAMPLES):
        x, d = cols["x"][k], cols["d"][k]
        e = float(d - theta @ x)
        errors.append(e * e)
        eta, state = policy.step(state, Obs(k=k, t=k / scen.stream.rate, x=x, e=e,
                                            grad=-e * x, loss=0.5 * e * e, curv=x * x))
        # compiled laws return their step; a schedule is the plain gain: step = eta e x
        step = getattr(state, "step", None)
        theta = theta + (step if step is not None else np.asarray(eta) * e * x)
    assert trace.updates[0] == SAMPLES
    assert trace.err_sum[0].sum() == pytest.approx(sum(errors), rel=1e-12)
    truth = cols["theta_star"][-1]
    assert trace.misalignment[0, -1] == pytest.approx(np.sum((theta - truth) ** 2), rel=1e-9)
    assert np.allclose(trace.eta_vector[0, -1], np.broadcast_to(eta, theta.shape), rtol=1e-12)
