"""The shared contract of every registered gain policy and estimator (river-style suite).

Each class is checked by :mod:`gainsim.testing` on its own ``_unit_test_params``:
declarations, pickling, TOML round trip, a pure ``init``, a ``step`` that mutates
nothing and returns ``(eta, state)``, determinism, and the engine against the
plain-numpy reference loop over ``policy.step`` on every estimator the gain fits.
"""
import textwrap

import numpy as np
import pytest

import gainsim
from gainsim.gains.idbd import Idbd
from gainsim.gains.schedules import InverseTime
from gainsim.catalog import kinds
from gainsim.testing import (check_against_reference, check_estimator, check_policy,
                             fitting_estimators, scenario_for)

KINDS = sorted(kinds("gain"))
ESTIMATORS = sorted(kinds("estimator"))


def test_every_gain_kind_is_covered():
    assert len(KINDS) >= 30 and "autostep" in KINDS and "adam" in KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_gain_conforms(kind):
    check_policy(kinds("gain")[kind])


@pytest.mark.parametrize("kind", ESTIMATORS)
def test_estimator_conforms(kind):
    check_estimator(kinds("estimator")[kind])


# Which gains fit which estimators: computed from needs/provides, pinned here by hand.
PLAIN = {"momentum", "nesterov", "adagrad", "rmsprop", "adam", "sgd_hd", "adam_hd", "plateau",
         "per_parameter"}
GRADIENT = {"idbd", "autostep", "polyak"}
LMS_ONLY = {"nlms_gain", "vss", "mathews_xie", "benveniste", "rls", "kalman"}


@pytest.mark.parametrize("kind", KINDS)
def test_which_estimators_a_gain_fits_is_unchanged(kind):
    cls = kinds("gain")[kind]
    mrac = ("mit", "lyapunov", "mit_feedforward", "mit_feedforward_normalized")
    baselines = tuple(k for k in ESTIMATORS if hasattr(kinds("estimator")[k], "init_state"))
    fits = set(fitting_estimators(cls, tuple(ESTIMATORS)))
    signs = ("sign_error", "sign_data", "sign_sign")  # a direction, loss and error only
    if kind == "constant":
        assert fits == set(ESTIMATORS)
    elif kind in LMS_ONLY:
        assert fits == {"lms"}
    elif kind in GRADIENT:
        assert fits == {"lms", "gd", "leaky_lms", *mrac}
    else:  # the schedules and the plain first-order gains
        assert kind in PLAIN or hasattr(cls, "_eta"), kind
        assert fits == {"lms", "nlms", "gd", "leaky_lms", *signs, *mrac}
    assert not fits & set(baselines) or kind == "constant"


def test_nlms_normalisation_reaches_the_law():
    """A scheduled gain on NLMS: the step is eta e x / (eps + x·x) (reference loop).

    Fails if the NLMS observe drops its normalisation (g = -e x instead)."""
    gain = {"eta0": 0.5, "decay_rate": 1.0}
    check_against_reference(scenario_for(InverseTime, gain, "nlms"))


def test_gd_curvature_is_the_hessian_diagonal():
    """IDBD on gradient descent reads c = H_jj (diagonal 2, 3, 0.5; reference loop).

    Fails if the gradient-descent observe hands the law c = 1."""
    check_against_reference(scenario_for(Idbd, {"meta_rate": 0.5, "eta0": 0.05}, "gd",
                                         samples=40))


def test_adaptive_gains_run_in_the_engine_without_diverging():
    """One short drifting FIR run with every adaptive law at its defaults."""
    adaptive = [k for k in KINDS if "lms" in fitting_estimators(kinds("gain")[k])
                and not hasattr(kinds("gain")[k], "_eta") and k not in ("constant", "per_parameter")]
    pol = "\n".join(f'[[policy]]\nname = "{k}"\nestimator = "lms"\ngain = {{ kind = "{k}" }}\n'
                    for k in adaptive)
    text = """
    name = "engine"
    [plant]
    kind = "fir"
    taps = 4
    noise_std = 0.1
    drift = { kind = "random_walk", std = 1e-3 }
    [run]
    samples = 2000
    [metrics]
    grid = 20
    """
    scen = gainsim.loads(textwrap.dedent(text) + pol)
    trace = gainsim.engine.sim.simulate(scen, np.random.SeedSequence(0))
    assert len(adaptive) >= 17
    assert np.all(np.isnan(trace.diverged_at))
    assert np.all(np.isfinite(trace.eta[:, -1])) and np.all(trace.eta[:, -1] >= 0)
    assert np.all(trace.updates == 2000)
