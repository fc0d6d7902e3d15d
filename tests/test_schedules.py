"""Gain schedules: hand-computed closed forms, boundaries, vectorisation, validation, pickling.

Every expected value below is worked out by hand in the comment next to it; the
reference loops re-implement the *step-by-step* rules of PyTorch's schedulers
(independently of the closed forms used in the library) for a second opinion.
"""
import dataclasses
import math
import pickle

import numpy as np
import pytest

from gainsim.gains import cyclic, schedules
from gainsim.gains.cyclic import Cosine, CosineRestarts, Cyclical, OneCycle
from gainsim.catalog import kinds
from gainsim.gains.schedules import (Constant, Exponential, InverseTime, Join, MultiStep,
                                     Polynomial, RangeTest, RobbinsMonro, Step, Warmup)

SCHEDULES = kinds("schedule")

def values(schedule, ks):
    return [schedule(k) for k in ks]


# ----------------------------------------------------------------------------- decays
def test_range_test_is_the_geometric_ramp():
    # eta_k = eta_min * (eta_max / eta_min) ** (k / T), written out by hand: 1e-4 -> 1 in
    # 4 decades over T = 400 updates is a factor 10 every 100 updates, then it holds.
    sched = RangeTest(eta_min=1e-4, eta_max=1.0, total_steps=400)
    k = np.arange(0, 1001)
    expected = np.where(k < 400, 1e-4 * 10.0 ** (np.minimum(k, 400) / 100.0), 1.0)
    np.testing.assert_allclose(sched(k), expected, rtol=1e-12, atol=0)
    assert sched(100) == pytest.approx(1e-3, rel=1e-12) and sched(400) == 1.0
    ratios = sched(np.arange(401))[1:] / sched(np.arange(400))
    np.testing.assert_allclose(ratios, 10.0 ** 0.01, rtol=1e-12)  # the same factor per update
    with pytest.raises(ValueError, match="eta_max: must be > eta_min"):
        RangeTest(eta_min=0.1, eta_max=0.1, total_steps=10)


def test_constant():
    assert Constant(0.05)(0) == 0.05
    assert Constant(0.05)(10**9) == 0.05
    np.testing.assert_array_equal(Constant(0.0)(np.arange(3)), [0.0, 0.0, 0.0])


def test_step_boundaries():
    s = Step(eta0=0.1, step_size=3, gamma=0.5)
    # k=0,2: 0.1*0.5**0 = 0.1 | k=3 (first boundary): 0.1*0.5 = 0.05 | k=7: 0.1*0.5**2 = 0.025
    assert values(s, [0, 2, 3, 5, 6, 7]) == pytest.approx([0.1, 0.1, 0.05, 0.05, 0.025, 0.025])
    assert Step(1.0, 10)(10) == pytest.approx(0.1)  # default gamma = 0.1 (PyTorch StepLR)


def test_multistep_applies_at_each_milestone():
    s = MultiStep(eta0=1.0, milestones=[2, 5], gamma=0.1)
    # k<2: 1 | 2<=k<5: 1*0.1 | k>=5: 1*0.1**2 = 0.01 (also far beyond the last milestone)
    assert values(s, [0, 1, 2, 4, 5, 100]) == pytest.approx([1, 1, 0.1, 0.1, 0.01, 0.01])
    assert MultiStep(1.0, [])(50) == 1.0  # no milestones: constant


def test_exponential_smooth_and_staircase():
    smooth = Exponential(eta0=1.0, decay_rate=0.5, transition_steps=2)
    # k=1: 0.5**(1/2) = 0.70710678 | k=2: 0.5 | k=3: 0.5**1.5 = 0.35355339
    assert values(smooth, [0, 1, 2, 3]) == pytest.approx([1.0, 0.70710678, 0.5, 0.35355339])
    stair = Exponential(eta0=1.0, decay_rate=0.5, transition_steps=2, staircase=True)
    # floor(k/2) = 0, 0, 1, 1, 2 -> 1, 1, 0.5, 0.5, 0.25
    assert values(stair, [0, 1, 2, 3, 4]) == pytest.approx([1.0, 1.0, 0.5, 0.5, 0.25])
    # transition_steps = 1 is PyTorch ExponentialLR(gamma=0.9): 2 * 0.9**3 = 1.458
    assert Exponential(2.0, 0.9)(3) == pytest.approx(1.458)


def test_inverse_time_smooth_and_staircase():
    smooth = InverseTime(eta0=1.0, decay_rate=0.5, decay_steps=2)
    # k=3: 1/(1 + 0.5*1.5) = 1/1.75 = 0.57142857 | k=4: 1/(1 + 0.5*2) = 0.5
    assert values(smooth, [0, 3, 4]) == pytest.approx([1.0, 1 / 1.75, 0.5])
    stair = InverseTime(eta0=1.0, decay_rate=0.5, decay_steps=2, staircase=True)
    # k=3: floor(3/2) = 1 -> 1/1.5 = 0.6667 | k=1: floor(1/2) = 0 -> 1
    assert values(stair, [1, 3, 4]) == pytest.approx([1.0, 2 / 3, 0.5])


def test_polynomial_decay_and_hold():
    p = Polynomial(eta0=1.0, eta_end=0.1, power=2.0, total_steps=4)
    # k=2: 0.9*(1 - 2/4)**2 + 0.1 = 0.9*0.25 + 0.1 = 0.325 | k=4 and beyond: 0.1
    assert values(p, [0, 2, 4, 10]) == pytest.approx([1.0, 0.325, 0.1, 0.1])
    # linear ramp up: k=5: (0.1 - 1.0)*(1 - 5/10) + 1.0 = 0.55
    assert Polynomial(0.1, 1.0, 1.0, 10)(5) == pytest.approx(0.55)


def test_robbins_monro():
    rm = RobbinsMonro(eta0=1.0, tau=10.0)
    # k=10: 1/(1 + 1) = 0.5 | k=30: 1/(1 + 3) = 0.25
    assert values(rm, [0, 10, 30]) == pytest.approx([1.0, 0.5, 0.25])
    # power 0.5, k=30: 1/sqrt(4) = 0.5
    assert RobbinsMonro(1.0, 10.0, power=0.5)(30) == pytest.approx(0.5)


def test_robbins_monro_conditions_as_documented():
    # p = 1: partial sums of eta grow like tau*log(k) (diverge); of eta**2 converge (to ~tau).
    k = np.arange(10**6)
    eta = RobbinsMonro(1.0, 1.0, power=1.0)(k)
    assert eta[: 10**3].sum() < eta.sum() - 6  # log(1e6) - log(1e3) ~ 6.9: still growing
    assert (eta**2).sum() < math.pi**2 / 6 + 1e-9  # sum 1/(1+k)^2 = pi^2/6
    assert "0.5 < p \\le 1" in RobbinsMonro.__doc__


# ----------------------------------------------------------------------------- cosine family
def test_cosine_decay_and_hold():
    c = Cosine(eta0=1.0, total_steps=4, eta_min=0.2)
    # k=1: 0.2 + 0.4*(1 + cos(pi/4)) = 0.2 + 0.4*1.70710678 = 0.88284271
    # k=2: 0.2 + 0.4*(1 + 0) = 0.6 | k=4: 0.2 + 0.4*(1 - 1) = 0.2 | k=9: held at 0.2
    assert values(c, [0, 1, 2, 4, 9]) == pytest.approx([1.0, 0.88284271, 0.6, 0.2, 0.2])


def sgdr_reference(eta0, t0, t_mult, eta_min, n):
    """PyTorch CosineAnnealingWarmRestarts stepped one update at a time."""
    out, t_cur, t_i = [], 0, t0
    for _ in range(n):
        out.append(eta_min + (eta0 - eta_min) * (1 + math.cos(math.pi * t_cur / t_i)) / 2)
        t_cur += 1
        if t_cur >= t_i:
            t_cur, t_i = t_cur - t_i, t_i * t_mult
    return out


def test_sgdr_restart_points_t_mult_2():
    s = CosineRestarts(eta0=1.0, t0=2, t_mult=2)
    # cycles of length 2, 4, 8, 16 start at k = 0, 2, 6, 14, 30: eta = eta0 there
    np.testing.assert_allclose(s(np.array([0, 2, 6, 14, 30])), 1.0)
    # k=1: t=1, T=2: (1 + cos(pi/2))/2 = 0.5 | k=5: t=3, T=4: (1 + cos(3pi/4))/2 = 0.14644661
    # k=13: t=7, T=8: (1 + cos(7pi/8))/2 = (1 - 0.92387953)/2 = 0.03806023
    assert values(s, [1, 5, 13]) == pytest.approx([0.5, 0.14644661, 0.03806023])
    # restarts far out, k = 2*(2**n - 1), where a naive log() can land on the wrong cycle
    # (up to 2**52, where float64 still counts every update)
    n = np.arange(1, 52)
    far = 2 * (2**n - 1)
    np.testing.assert_allclose(s(far), 1.0)
    # one update before each restart: end of the cycle of length 2**n, (1 + cos(pi(1 - 2**-n)))/2
    np.testing.assert_allclose(s(far - 1), 0.5 * (1 + np.cos(np.pi * (1 - 0.5**n))), atol=1e-12)


@pytest.mark.parametrize("t0, t_mult, eta_min", [(2, 2, 0.0), (3, 3, 0.1), (5, 1, 0.05)])
def test_sgdr_matches_stepwise_reference(t0, t_mult, eta_min):
    s = CosineRestarts(1.0, t0, t_mult, eta_min)
    np.testing.assert_allclose(s(np.arange(400)), sgdr_reference(1.0, t0, t_mult, eta_min, 400),
                               rtol=0, atol=1e-12)


def test_sgdr_t_mult_1_repeats_cosine():
    s, c = CosineRestarts(1.0, t0=4), Cosine(1.0, total_steps=4)
    np.testing.assert_allclose(s(np.arange(4, 8)), c(np.arange(4)))  # second period = first
    assert s(2) == pytest.approx(0.5)  # (1 + cos(pi/2))/2


# ----------------------------------------------------------------------------- cyclical
def clr_reference(eta_min, eta_max, s, mode, gamma, k):
    """PyTorch CyclicLR.get_lr in its own (step-ratio) form, for one k."""
    cycle = math.floor(1 + k / (2 * s))
    x = 1.0 + k / (2 * s) - cycle
    scale = x / 0.5 if x <= 0.5 else (x - 1) / (0.5 - 1)
    amp = {"triangular": 1.0, "triangular2": 1 / 2.0 ** (cycle - 1), "exp_range": gamma**k}[mode]
    return eta_min + (eta_max - eta_min) * scale * amp


def test_cyclical_triangular():
    c = Cyclical(eta_min=0.1, eta_max=1.0, step_size_up=2)
    # up 0.1 -> 1.0 over 2 updates, down over 2: k=1: 0.1 + 0.9/2 = 0.55
    assert values(c, [0, 1, 2, 3, 4, 6]) == pytest.approx([0.1, 0.55, 1.0, 0.55, 0.1, 1.0])


def test_cyclical_triangular2_and_exp_range():
    t2 = Cyclical(0.1, 1.0, 2, mode="triangular2")
    # peaks: cycle 1 (k=2): 1.0 | cycle 2 (k=6): 0.1 + 0.9/2 = 0.55 | cycle 3 (k=10): 0.1 + 0.9/4
    assert values(t2, [2, 6, 10]) == pytest.approx([1.0, 0.55, 0.325])
    ex = Cyclical(0.1, 1.0, 2, mode="exp_range", gamma=0.9)
    # k=2: 0.1 + 0.9*0.9**2 = 0.829 | k=6: 0.1 + 0.9*0.9**6 = 0.1 + 0.9*0.531441 = 0.5782969
    assert values(ex, [0, 2, 6]) == pytest.approx([0.1, 0.829, 0.5782969])


@pytest.mark.parametrize("mode", ["triangular", "triangular2", "exp_range"])
def test_cyclical_matches_pytorch_form(mode):
    c = Cyclical(0.01, 0.5, 7, mode=mode, gamma=0.99)
    ref = [clr_reference(0.01, 0.5, 7, mode, 0.99, k) for k in range(100)]
    np.testing.assert_allclose(c(np.arange(100)), ref, rtol=1e-12, atol=1e-15)


# ----------------------------------------------------------------------------- one-cycle
def onecycle_reference(eta_max, total, pct, div, final_div, anneal, k):
    """PyTorch OneCycleLR.get_lr (two phases, lr only) for one step k <= total - 1."""
    init = eta_max / div
    phases = [(pct * total - 1, init, eta_max), (total - 1, eta_max, init / final_div)]
    start = 0.0
    for i, (end, a, b) in enumerate(phases):
        if k <= end or i == len(phases) - 1:
            u = (k - start) / (end - start)
            if anneal == "cos":
                return b + (a - b) / 2 * (math.cos(math.pi * u) + 1)
            return (b - a) * u + a
        start = end
    raise AssertionError


def test_onecycle_start_peak_end_pytorch_convention():
    # PyTorch: phase 1 ends at step pct_start*total_steps - 1 = 0.3*100 - 1 = 29 (the peak),
    # phase 2 at total_steps - 1 = 99 (the last scheduled step).
    o = OneCycle(eta_max=1.0, total_steps=100)
    eta = o(np.arange(100))
    assert eta[0] == pytest.approx(1.0 / 25)               # eta_max / div_factor
    assert int(np.argmax(eta)) == 29 and eta[29] == pytest.approx(1.0)
    assert eta[99] == pytest.approx(1.0 / (25 * 1e4))     # eta_max / (div * final_div) = 4e-6
    assert o(150) == pytest.approx(4e-6)                   # held after the end
    assert np.all(np.diff(eta[:30]) > 0) and np.all(np.diff(eta[29:]) < 0)


def test_onecycle_hand_values():
    o = OneCycle(1.0, total_steps=10)  # k1 = 0.3*10 - 1 = 2, k2 = 9
    # k=1: u = 1/2, cos: 1.0 + (0.04 - 1.0)/2*(1 + cos(pi/2)) = 0.52 (linear gives the same)
    # k=5: u = (5-2)/(9-2) = 3/7: 4e-6 + (1 - 4e-6)/2*(1 + cos(3pi/7)) = 4e-6 + 0.499998*1.2225209
    assert values(o, [0, 1, 2, 5, 9]) == pytest.approx(
        [0.04, 0.52, 1.0, 4e-6 + 0.499998 * 1.2225209340, 4e-6])
    lin = OneCycle(1.0, total_steps=10, anneal="linear")
    # k=5: 1.0 + (4e-6 - 1.0)*3/7 = 0.57143029
    assert values(lin, [1, 5]) == pytest.approx([0.52, 1.0 + (4e-6 - 1.0) * 3 / 7])


@pytest.mark.parametrize("total, pct, anneal", [(100, 0.3, "cos"), (37, 0.25, "cos"),
                                                (37, 0.25, "linear"), (12, 0.5, "cos")])
def test_onecycle_matches_pytorch_algorithm(total, pct, anneal):
    o = OneCycle(0.2, total, pct_start=pct, div_factor=10.0, final_div_factor=100.0, anneal=anneal)
    ref = [onecycle_reference(0.2, total, pct, 10.0, 100.0, anneal, k) for k in range(total)]
    np.testing.assert_allclose(o(np.arange(total)), ref, rtol=1e-12, atol=1e-15)


# ----------------------------------------------------------------------------- combinators
def test_warmup_convention():
    w = Warmup(Cosine(1.0, total_steps=10), warmup_steps=4, eta_start=0.2)
    # k<4: 0.2 + (cos(0) - 0.2)*k/4: k=2 -> 0.6 | k=4: Cosine(0) = 1 | k=9: Cosine(5) = 0.5
    # k=14: Cosine(10) = 0 | k=20: held at 0
    assert values(w, [0, 2, 4, 9, 14, 20]) == pytest.approx([0.2, 0.6, 1.0, 0.5, 0.0, 0.0])
    plain = Cosine(1.0, 10)
    np.testing.assert_array_equal(Warmup(plain, 0)(np.arange(12)), plain(np.arange(12)))


def test_join_restarts_each_schedule_at_its_boundary():
    j = Join([Constant(1.0), Step(0.5, step_size=2, gamma=0.5), Constant(0.01)], [3, 7])
    # k<3: 1 | 3<=k<7: Step(k-3): k=3,4 -> 0.5, k=5,6 -> 0.25 | k>=7: 0.01
    expected = [1, 1, 1, 0.5, 0.5, 0.25, 0.25, 0.01, 0.01]
    assert values(j, range(9)) == pytest.approx(expected)
    np.testing.assert_allclose(j(np.arange(9)), expected)
    assert j(10**6) == 0.01


# ----------------------------------------------------------------------------- contract
EXAMPLES = [
    Constant(0.05),
    Step(0.1, 3, gamma=0.5),
    MultiStep(1.0, [2, 5]),
    Exponential(1.0, 0.5, transition_steps=2),
    Exponential(1.0, 0.5, transition_steps=2, staircase=True),
    InverseTime(1.0, 0.5, decay_steps=2, staircase=True),
    Polynomial(1.0, 0.1, 2.0, 4),
    RobbinsMonro(1.0, 10.0, power=0.75),
    RangeTest(0.01, 1.0, 5),
    Cosine(1.0, 4, eta_min=0.2),
    CosineRestarts(1.0, 2, t_mult=2, eta_min=0.01),
    Cyclical(0.1, 1.0, 2, mode="exp_range", gamma=0.9),
    OneCycle(1.0, 20, anneal="linear"),
    Warmup(Cosine(1.0, 10), 4, eta_start=0.2),
    Join([Constant(1.0), Step(0.5, 2, 0.5)], [3]),
]
IDS = [type(s).__name__ for s in EXAMPLES]


def test_registry_covers_every_class():
    assert set(SCHEDULES) == {"constant", "step", "multistep", "exponential", "range_test",
                              "inverse_time",
                              "polynomial", "robbins_monro", "cosine", "cosine_restarts",
                              "cyclical", "one_cycle", "warmup", "join"}
    assert {type(s) for s in EXAMPLES} == set(SCHEDULES.values())
    for kind, cls in SCHEDULES.items():
        assert kinds("gain")[kind] is cls  # every schedule is a gain policy too
        assert cls.kind == kind and cls.summary and "\n" not in cls.summary
        assert ".. math::" in cls.__doc__ and "References" in cls.__doc__


@pytest.mark.parametrize("s", EXAMPLES, ids=IDS)
def test_scalar_and_array_agree(s):
    ks = np.arange(60)
    arr = s(ks)
    assert isinstance(arr, np.ndarray) and arr.dtype == np.float64 and arr.shape == (60,)
    scalars = [s(int(k)) for k in ks]
    assert all(type(v) is float for v in scalars)
    np.testing.assert_array_equal(arr, scalars)
    np.testing.assert_array_equal(s(ks.reshape(6, 10).astype(np.int32)), arr.reshape(6, 10))
    assert s(np.int64(7)) == s(7) == s(7.0)
    assert np.all(np.isfinite(arr)) and np.all(arr >= 0)


@pytest.mark.parametrize("s", EXAMPLES, ids=IDS)
def test_pickle_and_repr_round_trip(s):
    namespace = {**vars(schedules), **vars(cyclic)}
    for copy in (pickle.loads(pickle.dumps(s)), eval(repr(s), namespace)):
        assert copy == s
        np.testing.assert_array_equal(copy(np.arange(30)), s(np.arange(30)))


@pytest.mark.parametrize("s", EXAMPLES, ids=IDS)
def test_frozen(s):
    field = dataclasses.fields(s)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(s, field, 0.5)


def test_hyperparameters_stored_as_passed():
    milestones = [2, 5]
    assert MultiStep(1.0, milestones).milestones is milestones
    assert Step(1, 3).eta0 == 1 and type(Step(1, 3).eta0) is int


def test_bad_update_counts():
    with pytest.raises(ValueError, match="k: must be >= 0"):
        Step(0.1, 3)(-1)
    with pytest.raises(ValueError, match="k: must be >= 0"):
        Cosine(0.1, 3)(np.array([0, 1, -2]))
    with pytest.raises(TypeError, match="k: must be an integer"):
        Step(0.1, 3)(1.5)


def test_error_message_format():
    with pytest.raises(ValueError) as info:
        Step(eta0=-1, step_size=3)
    assert str(info.value) == "eta0: must be > 0 (got -1)"


BAD = [
    (Constant, dict(eta=-0.1), "eta"),
    (Constant, dict(eta=float("nan")), "eta"),
    (Step, dict(eta0=0.0, step_size=3), "eta0"),
    (Step, dict(eta0=0.1, step_size=0), "step_size"),
    (Step, dict(eta0=0.1, step_size=2.5), "step_size"),
    (Step, dict(eta0=0.1, step_size=3, gamma=1.5), "gamma"),
    (MultiStep, dict(eta0=0.1, milestones=[5, 2]), "milestones"),
    (MultiStep, dict(eta0=0.1, milestones=[0, 2]), "milestones"),
    (MultiStep, dict(eta0=0.1, milestones=5), "milestones"),
    (Exponential, dict(eta0=0.1, decay_rate=0.0), "decay_rate"),
    (Exponential, dict(eta0=0.1, decay_rate=0.5, transition_steps=0), "transition_steps"),
    (Exponential, dict(eta0=0.1, decay_rate=0.5, staircase="yes"), "staircase"),
    (InverseTime, dict(eta0=0.1, decay_rate=-1.0), "decay_rate"),
    (Polynomial, dict(eta0=0.1, eta_end=-0.1, power=1.0, total_steps=5), "eta_end"),
    (Polynomial, dict(eta0=0.1, eta_end=0.0, power=0.0, total_steps=5), "power"),
    (RobbinsMonro, dict(eta0=0.1, tau=0.0), "tau"),
    (Cosine, dict(eta0=0.1, total_steps=10, eta_min=0.2), "eta_min"),
    (CosineRestarts, dict(eta0=0.1, t0=0), "t0"),
    (CosineRestarts, dict(eta0=0.1, t0=5, t_mult=1.5), "t_mult"),
    (Cyclical, dict(eta_min=0.5, eta_max=0.1, step_size_up=3), "eta_max"),
    (Cyclical, dict(eta_min=0.1, eta_max=0.5, step_size_up=3, mode="sine"), "mode"),
    (Cyclical, dict(eta_min=0.1, eta_max=0.5, step_size_up=3, gamma=0.0), "gamma"),
    (OneCycle, dict(eta_max=1.0, total_steps=100, pct_start=1.0), "pct_start"),
    (OneCycle, dict(eta_max=1.0, total_steps=3, pct_start=0.3), "pct_start"),
    (OneCycle, dict(eta_max=1.0, total_steps=100, div_factor=0), "div_factor"),
    (OneCycle, dict(eta_max=1.0, total_steps=100, anneal="cosine"), "anneal"),
    (Warmup, dict(schedule=0.1, warmup_steps=3), "schedule"),
    (Warmup, dict(schedule=Constant(0.1), warmup_steps=-1), "warmup_steps"),
    (Join, dict(schedules=[], boundaries=[]), "schedules"),
    (Join, dict(schedules=[Constant(1.0), Constant(0.1)], boundaries=[]), "boundaries"),
    (Join, dict(schedules=[Constant(1.0), Constant(0.1)], boundaries=[0]), "boundaries"),
]


@pytest.mark.parametrize("cls, kwargs, field", BAD, ids=[f"{c.__name__}-{f}" for c, _, f in BAD])
def test_validation_names_the_field(cls, kwargs, field):
    with pytest.raises(ValueError, match=rf"^{field}: must be .* \(got .*\)$"):
        cls(**kwargs)


# ----------------------------------------------------------------------------- PyTorch (optional)
def test_against_torch_if_available():
    torch = pytest.importorskip("torch")
    sched = torch.optim.lr_scheduler

    def torch_lrs(make, lr, n):
        opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr, momentum=0.9)
        s, out = make(opt), []
        for _ in range(n):
            out.append(opt.param_groups[0]["lr"])
            opt.step()
            s.step()
        return out

    n = 60
    cases = [
        (OneCycle(0.5, n), lambda o: sched.OneCycleLR(o, 0.5, total_steps=n,
                                                        cycle_momentum=False), 0.5),
        (CosineRestarts(0.5, 3, 2, 0.01), lambda o: sched.CosineAnnealingWarmRestarts(
            o, 3, 2, 0.01), 0.5),
        (Cyclical(0.01, 0.5, 4, "triangular2"), lambda o: sched.CyclicLR(
            o, 0.01, 0.5, 4, mode="triangular2", cycle_momentum=False), 0.01),
        (Step(0.5, 7, 0.5), lambda o: sched.StepLR(o, 7, 0.5), 0.5),
        (MultiStep(0.5, [5, 20]), lambda o: sched.MultiStepLR(o, [5, 20]), 0.5),
    ]
    for ours, make, lr in cases:
        np.testing.assert_allclose(ours(np.arange(n)), torch_lrs(make, lr, n), rtol=1e-6)


def test_int_power_matches_libm_on_every_code_path():
    """Integer powers: exact for powers of two, equal to math.pow (the C library), and
    the same for a scalar and for any element of an array (no SIMD power loop)."""
    from gainsim.gains.schedules import int_power
    n = np.arange(0, 200)
    np.testing.assert_array_equal(int_power(0.5, n), [2.0 ** -int(j) for j in n])
    got = int_power(0.9, n[::-1].reshape(10, 20))
    assert got.shape == (10, 20)
    assert list(got.ravel()) == [math.pow(0.9, int(j)) for j in n[::-1]]
    assert [int_power(0.9, np.array([j]))[0] for j in n[::-1]] == list(got.ravel())
    assert int_power(0.1, np.array([0]))[0] == 1.0
