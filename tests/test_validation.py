"""Every kind of scenario mistake gives one clear line naming the key path."""
import textwrap

import pytest

import gainsim
from gainsim.scenario import ScenarioError, dumps, load

GOOD = """
name = "v"
[plant]
kind = "fir"
taps = 4
noise_std = 0.1
[stream]
rate = 10.0
dropout = 0.0
[run]
duration = 1.0
[[policy]]
name = "a"
estimator = "lms"
gain = 0.1
[[policy]]
name = "b"
estimator = "nlms"
gain = { kind = "constant", eta = 0.5 }
[[policy]]
name = "c"
estimator = "lms"
gain = { kind = "constant", eta = 0.2 }
"""


def problems(text):
    with pytest.raises(ScenarioError) as info:
        gainsim.loads(textwrap.dedent(text), source="quickstart.toml")
    return str(info.value).splitlines()


def test_good_scenario_loads():
    assert len(gainsim.loads(GOOD).policy) == 3


@pytest.mark.parametrize("old, new, expected", [
    ('eta = 0.2 }', 'eta = -0.1 }', "quickstart.toml: policy[2].gain.eta: must be > 0 (got -0.1)"),
    ("dropout = 0.0", "dropout = 1.5", "quickstart.toml: stream.dropout: must be in [0, 1] (got 1.5)"),
    ("taps = 4", "taps = 0", "quickstart.toml: plant.taps: must be >= 1 (got 0)"),
    ("noise_std = 0.1", "noise_std = -1.0", "quickstart.toml: plant.noise_std: must be >= 0 (got -1.0)"),
    ("duration = 1.0", "duration = 0.0", "quickstart.toml: run.duration: must be > 0 (got 0.0)"),
    ("rate = 10.0", "rat = 10.0", "quickstart.toml: stream.rat: unknown key (did you mean 'rate'?)"),
    ("taps = 4", 'taps = "four"', "quickstart.toml: plant.taps: must be an integer (got 'four')"),
    ("noise_std = 0.1", 'noise_std = "x"', "quickstart.toml: plant.noise_std: must be a number (got a string)"),
    ('kind = "fir"', 'kind = "firr"', "quickstart.toml: plant.kind: unknown plant kind 'firr' (did you mean 'fir'?)"),
    ('estimator = "nlms"', 'estimator = "gd"', "quickstart.toml: policy[1].estimator.kind: 'gd' needs a quadratic plant; plant is 'fir'"),
    ('name = "b"', 'name = "a"', "quickstart.toml: policy[1].name: duplicate policy name 'a'"),
])
def test_each_problem_is_one_line(old, new, expected):
    assert problems(GOOD.replace(old, new, 1)) == [expected]


def test_unknown_kind_lists_the_known_ones():
    from gainsim.catalog import kinds

    (line,) = problems(GOOD.replace('estimator = "nlms"', 'estimator = "zzz"'))
    known = ", ".join(sorted(kinds("estimator")))
    assert line == ("quickstart.toml: policy[1].estimator.kind: unknown estimator kind 'zzz' "
                    f"(allowed: {known})")
    assert {"gd", "lms", "nlms"} <= set(known.split(", "))


def test_all_problems_are_reported_together():
    text = GOOD.replace("taps = 4", "taps = 0").replace("dropout = 0.0", "dropout = -1.0")
    text = text.replace("eta = 0.5", "eta = 0.0")
    lines = problems(text)
    assert len(lines) == 3
    assert all(line.startswith("quickstart.toml: ") for line in lines)


def test_toml_syntax_error_names_the_line():
    (line,) = problems(GOOD.replace("taps = 4", "taps = = 4"))
    assert line.startswith("quickstart.toml: TOML syntax error") and "line 5" in line


def test_missing_file(tmp_path):
    with pytest.raises(ScenarioError, match="nope.toml: file not found"):
        load(tmp_path / "nope.toml")


def test_missing_plant_and_policies():
    assert problems('name = "x"\n') == ["quickstart.toml: plant: missing required table [plant]",
                                        "quickstart.toml: policy: missing: add at least one [[policy]] table"]


def test_duration_and_samples_are_exclusive():
    (line,) = problems(GOOD.replace("duration = 1.0", "duration = 1.0\nsamples = 10"))
    assert "run.duration: give exactly one of run.duration or run.samples" in line


def test_quadratic_shape_checks():
    text = """
    [plant]
    kind = "quadratic"
    hessian = [[1.0, 2.0], [0.0, 1.0]]
    theta0 = [1.0, 1.0]
    [[policy]]
    estimator = "gd"
    gain = 0.1
    """
    assert problems(text) == ["quickstart.toml: plant.hessian: must be symmetric"]


@pytest.mark.parametrize("path", ["scenarios/quickstart.toml", "scenarios/goldilocks.toml"])
def test_shipped_scenarios_round_trip_through_resolved_toml(path):
    import pathlib

    root = pathlib.Path(__file__).resolve().parents[1]
    scenario = load(root / path)
    assert gainsim.loads(dumps(scenario)) == scenario


def test_resolved_toml_round_trips_every_component():
    text = GOOD.replace('[stream]', '[stream]\nlatency = { kind = "uniform", low = 0.1, high = 0.2 }')
    text = text.replace("noise_std = 0.1", 'noise_std = 0.1\ninput = { kind = "ar1", pole = 0.5 }\n'
                        'drift = { kind = "sign_flip", indices = [0, 2], interval = 0.5 }')
    scenario = gainsim.loads(text)
    assert gainsim.loads(dumps(scenario)) == scenario


def test_lists_of_hyperparameters_expand_into_a_bank():
    text = GOOD.replace('gain = { kind = "constant", eta = 0.2 }',
                        'gain = { kind = "constant", eta = [0.01, 0.2] }')
    text = text.replace('gain = 0.1', 'gain = [0.1, 0.3, 0.5]')
    scenario = gainsim.loads(text)
    names = [p.name for p in scenario.policy]
    assert names == ["a [eta=0.1]", "a [eta=0.3]", "a [eta=0.5]", "b", "c [eta=0.01]",
                     "c [eta=0.2]"]
    assert [p.gain.eta for p in scenario.policy] == [0.1, 0.3, 0.5, 0.5, 0.01, 0.2]
    assert gainsim.loads(dumps(scenario)) == scenario


def test_list_expansion_keeps_array_valued_keys():
    text = GOOD.replace('gain = { kind = "constant", eta = 0.2 }',
                        'gain = { kind = "multistep", eta0 = [0.1, 0.2], milestones = [5, 9] }')
    scenario = gainsim.loads(text)
    assert [p.gain.milestones for p in scenario.policy[2:]] == [(5, 9), (5, 9)]
    assert [p.gain.eta0 for p in scenario.policy[2:]] == [0.1, 0.2]


def test_lists_inside_nested_schedule_tables_expand_too():
    adam = ('gain = { kind = "adam", beta1 = [0.8, 0.9], '
            'eta = { kind = "cosine", eta0 = [0.01, 0.02], total_steps = 100 } }')
    warm = ('gain = { kind = "warmup", warmup_steps = 10, schedule = '
            '{ kind = "step", eta0 = 0.1, step_size = [5, 50] } }')
    text = GOOD.replace('gain = { kind = "constant", eta = 0.2 }', adam).replace("gain = 0.1", warm)
    scenario = gainsim.loads(text)
    names = [p.name for p in scenario.policy]
    assert names == ["a [schedule.step_size=5]", "a [schedule.step_size=50]", "b",
                     "c [beta1=0.8, eta.eta0=0.01]", "c [beta1=0.8, eta.eta0=0.02]",
                     "c [beta1=0.9, eta.eta0=0.01]", "c [beta1=0.9, eta.eta0=0.02]"]
    assert [p.gain.schedule.step_size for p in scenario.policy[:2]] == [5, 50]
    adams = scenario.policy[3:]
    assert [(p.gain.beta1, p.gain.eta.eta0) for p in adams] == [
        (0.8, 0.01), (0.8, 0.02), (0.9, 0.01), (0.9, 0.02)]
    assert all(p.gain.eta.total_steps == 100 for p in adams)
    assert gainsim.loads(dumps(scenario)) == scenario


REGRESSOR = ("needs regressor (the regressor x of a linear model with the LMS direction "
             "g = -e x), which estimator")


def test_a_gain_that_does_not_fit_names_the_quantity_the_estimator_lacks():
    text = open("scenarios/mrac_mit.toml").read().replace("gain = 0.2", 'gain = "rls"', 1)
    assert problems(text) == [
        f"quickstart.toml: policy[0].gain.kind: 'rls' {REGRESSOR} 'mit' does not provide"]
    gd = GOOD.replace('gain = { kind = "constant", eta = 0.2 }', 'gain = "rls"')
    plain = [p for p in problems(gd.replace('estimator = "lms"', 'estimator = "gd"'))
             if "rls" in p]
    assert plain == [f"quickstart.toml: policy[2].gain.kind: 'rls' {REGRESSOR} 'gd' does not "
                     "provide"]
    polyak = GOOD.replace('gain = { kind = "constant", eta = 0.2 }', 'gain = "polyak"')
    assert [p for p in problems(polyak.replace('estimator = "lms"', 'estimator = "nlms"'))
            if "polyak" in p] == [
        "quickstart.toml: policy[2].gain.kind: 'polyak' needs gradient (the gradient of the "
        "sample's loss as the direction, not a normalised one), which estimator 'nlms' does "
        "not provide"]


def test_default_names_of_an_estimator_list_name_the_gain_once():
    text = GOOD.replace('name = "a"\n', "").replace('name = "c"\n', "")
    text = text.replace('estimator = "lms"', 'estimator = ["lms", "nlms"]')
    names = [p.name for p in gainsim.loads(text).policy]
    assert "eta=0.1 [estimator=lms]" in names and "eta=0.1 [estimator=nlms]" in names
    assert not any("[" in n.split(" [")[0] for n in names)


def test_default_names_use_the_gains_own_symbol():
    text = GOOD.replace('name = "a"\n', "").replace('name = "c"\n', "")
    names = [p.name for p in gainsim.loads(text.replace('estimator = "lms"',
                                                        'estimator = "nlms"')).policy]
    assert "nlms mu=0.1" in names
    lms = [p.name for p in gainsim.loads(text).policy]
    assert "lms eta=0.1" in lms
    mrac = gainsim.loads(textwrap.dedent("""
        name = "m"
        [plant]
        kind = "mrac"
        process = { kind = "first_order", a = 1.0, b = 0.5 }
        command = { kind = "square", amplitude = 1.0, period = 20.0 }
        [run]
        duration = 1.0
        [[policy]]
        estimator = "mit"
        gain = 0.5
        [[policy]]
        estimator = "lyapunov"
        gain = [1.0, 2.0]
        """))
    assert [p.name for p in mrac.policy] == ["mit gamma=0.5", "lyapunov [gamma=1.0]",
                                             "lyapunov [gamma=2.0]"]
