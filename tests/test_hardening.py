"""Malformed and extreme inputs: one line naming the key path, never a traceback."""
import dataclasses
import os
from pathlib import Path
import textwrap

import pytest

import gainsim
from conftest import DEFAULTS, FIR_TEMPLATE, fir_toml
from gainsim.scenario import ScenarioError, load

# a small FIR scenario (tests/conftest.py) with drift, 100 Hz, 200 samples, 2 replicas
BASE = FIR_TEMPLATE.format(**{**DEFAULTS, "drift": '{ kind = "random_walk", std = 1e-3 }',
                              "rate": 100.0, "grid": 20, "replicas": 2})

MRAC = textwrap.dedent("""
    [plant]
    kind = "mrac"
    process = { kind = "first_order", a = 1.0, b = 0.5 }
    [stream]
    rate = 100.0
    [run]
    duration = 1.0
    [[policy]]
    estimator = "mit"
    gain = 0.2
    """)

QUAD = textwrap.dedent("""
    [plant]
    kind = "quadratic"
    theta0 = [1.0]
    eigenvalues = [2.0]
    [run]
    samples = 10
    [[policy]]
    estimator = "gd"
    gain = 0.1
    """)


def first_problem(text):
    with pytest.raises(ScenarioError) as info:
        gainsim.loads(text, source="x.toml")
    lines = str(info.value).splitlines()
    assert all(line.startswith("x.toml: ") for line in lines)
    return lines[0]


# (base text, old, new, the start of the first line expected after "x.toml: ")
CASES = [
    (BASE, 'kind = "fir"', "kind = {}", "plant.kind: missing"),
    (BASE, 'kind = "fir"', "kind = []", "plant.kind: missing"),
    (BASE, 'gain = 0.05', 'gain = { kind = [], eta = [0.1, 0.2] }', "policy[0].gain.kind: missing"),
    (BASE, 'gain = 0.05', 'gain = { kind = {}, eta = 0.1 }', "policy[0].gain.kind: missing"),
    (BASE, "taps = 4", "taps = 99999999999999999999", "plant.taps: must fit in a 64-bit integer"),
    (BASE, "replicas = 2", "replicas = 99999999999999999999",
     "run.replicas: must fit in a 64-bit integer"),
    (BASE, "noise_std = 0.1", "noise_std = 1e300", "plant.noise_std: must be finite"),
    (BASE, "std = 1e-3", "std = 1e200", "plant.drift.std: must be finite"),
    (BASE, "grid = 20", "grid = 20\ndivergence_norm = 1.3e154",
     "metrics.divergence_norm: must be finite with |x| <= 1e100 (got 1.3e+154)"),
    (BASE, "gain = 0.05", 'gain = { kind = "step", eta0 = 0.1, step_size = 1e20, gamma = 0.5 }',
     "policy[0].gain.step_size: must fit in a 64-bit integer"),
    (BASE, "taps = 4", "taps = 4\ntheta_star = [0.0, nan, 0.0, 0.0]",
     "plant.theta_star: must be finite with |x| <= 1e100 (got [0.0, nan, 0.0, 0.0])"),
    (BASE, "taps = 4", "taps = 4\ntheta0 = [0.0, inf, 0.0, 0.0]", "plant.theta0: must be finite"),
    (BASE, "gain = 0.05", "gain = nan", "policy[0].gain: must be finite"),
    (MRAC, "a = 1.0", "a = nan", "plant.process.a: must be finite with |x| <= 1e100 (got nan)"),
    (MRAC, 'estimator = "mit"', 'estimator = { kind = "mit", k0 = 0 }',
     "policy[0].estimator.k0: unknown key (this table takes no keys)"),
    (QUAD, "eigenvalues = [2.0]", "eigenvalues = []", "plant.eigenvalues: must have 1 entries"),
    (QUAD, "eigenvalues = [2.0]", "eigenvalues = [1e200]", "plant.eigenvalues: must be finite"),
    (BASE, 'arrivals = "periodic"', 'arrivals = "poison"',
     "stream.arrivals: must be one of 'periodic', 'poisson' (got 'poison') "
     "(did you mean 'poisson'?)"),
    (BASE, "[stream]", '[stream]\n"a\\nb\\u001b" = 1', "stream.a\\nb\\x1b: unknown key"),
]


@pytest.mark.parametrize("base, old, new, expected", CASES,
                         ids=[c[2] if len(c[2]) < 40 else c[2][:40] for c in CASES])
def test_malformed_value_is_one_line_with_its_key_path(base, old, new, expected):
    assert old in base
    line = first_problem(base.replace(old, new, 1))
    assert line.startswith("x.toml: " + expected), line
    assert line.isprintable()


def test_a_key_documented_as_infinite_accepts_inf():
    text = BASE.replace("gain = 0.05", 'gain = { kind = "idbd", meta_rate = 0.01, max_dbeta = inf }')
    assert gainsim.loads(text).policy[0].gain.max_dbeta == float("inf")


@pytest.mark.parametrize("nesting", ["a = " + "[" * 3000 + "]" * 3000,
                                     "a = " + "{b = " * 3000 + "1" + "}" * 3000])
def test_deep_nesting_is_a_scenario_error(nesting):
    assert first_problem(nesting) == "x.toml: arrays or inline tables nested too deep"


def test_many_unknown_keys_are_counted_not_listed():
    text = BASE.replace("[stream]", "[stream]\n" + "".join(f"k{i} = 1\n" for i in range(5000)))
    with pytest.raises(ScenarioError) as info:
        gainsim.loads(text, source="x.toml")
    lines = str(info.value).splitlines()
    assert len(lines) == 11 and lines[-1] == "x.toml: stream: 4990 more unknown keys"


def test_a_byte_order_mark_is_allowed(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + BASE.encode())
    assert load(path).name == "t"


@pytest.mark.parametrize("make, expected", [
    (lambda p: p.mkdir(), "not a regular file (a directory)"),
    (lambda p: os.mkfifo(p), "not a regular file (a FIFO)"),
    (lambda p: p.symlink_to("/dev/zero"), "not a regular file (a character device)"),
    (lambda p: p.write_bytes(b"#" * 10_000_001), "file too large (10,000,001 bytes; a "
                                                  "scenario may have at most 10,000,000)"),
    (lambda p: p.write_bytes(b"name = \"\xff\"\n"), "not UTF-8 text (byte 8: invalid start byte)"),
])
def test_only_a_regular_file_of_sane_size_is_read(tmp_path, make, expected):
    path = tmp_path / "s.toml"
    make(path)
    with pytest.raises(ScenarioError) as info:
        load(path)
    assert str(info.value) == f"{path}: {expected}"  # the path as given, not its basename


def _bank(n: int) -> str:
    values = ", ".join(f"{0.001 * (i + 1):.6g}" for i in range(n))
    return BASE.replace("gain = 0.05", f"gain = [{values}]")


def test_bank_expansion_copies_only_what_each_variant_changes():
    """Linear by construction: a variant shares every table it does not change with the
    input (the old deep copy of the whole table per variant made a 10⁴ bank quadratic)."""
    from gainsim.scenario.load import _expanded

    values = [0.001 * (i + 1) for i in range(10_000)]
    estimator = {"kind": "lms"}
    schedule = {"kind": "cosine", "eta0": values[:3], "total_steps": 20000}
    raw = [{"name": "bare", "estimator": estimator, "gain": values},
           {"name": "nested", "estimator": estimator, "gain": {"kind": "constant", "eta": values}},
           {"name": "deep", "estimator": estimator, "gain": {"kind": "adam", "eta": schedule}}]
    before = repr(raw)
    variants = [v for _, v in _expanded(raw)]
    assert len(variants) == 2 * 10_000 + 3
    assert all(v["estimator"] is estimator for v in variants)        # shared, not copied
    assert [v["gain"] for v in variants[:10_000]] == values
    assert all(len(v["gain"]) == 2 and v["gain"]["eta"] == x       # a two-key table each
               for v, x in zip(variants[10_000:20_000], values))
    assert [v["gain"]["eta"]["eta0"] for v in variants[20_000:]] == values[:3]
    assert variants[-1]["name"] == "deep [eta.eta0=0.003]"
    assert repr(raw) == before                                     # the input is untouched


def test_a_bank_of_ten_thousand_policies_loads():
    scenario = gainsim.loads(_bank(10_000))
    assert len(scenario.policy) == 10_000 and scenario.policy[-1].gain.eta == 10.0


# ------------------------------------------------------------------ sizes, before any work

def test_work_estimate_is_samples_times_replicas_times_taps_per_policy():
    from gainsim.scenario.sizes import estimate

    scenario = load(Path(__file__).parent.parent / "scenarios" / "quickstart.toml")
    # 20 s at 1000 Hz, 20 replicas, 6 LMS/NLMS policies of 16 taps (counted by hand)
    assert estimate(scenario).work == pytest.approx(20_000 * 20 * 6 * 16)
    assert estimate(scenario, replicas=1).work == pytest.approx(20_000 * 6 * 16)


def test_memory_estimate_counts_the_gain_record_only_where_gains_change():
    from gainsim.gains.constant import gains_recorded_once
    from gainsim.scenario.sizes import FLOAT, estimate

    scenario = load(Path(__file__).parent.parent / "scenarios" / "quickstart.toml")
    assert gains_recorded_once(scenario)  # fixed LMS/NLMS gains: their traces hold the gains
    idbd = gainsim.loads(fir_toml(policies='[[policy]]\nname = "idbd"\nestimator = "lms"\n'
                                           'gain = { kind = "idbd" }\n')).policy[0]
    adaptive = dataclasses.replace(scenario, policy=scenario.policy + (idbd,))
    assert not gains_recorded_once(adaptive)
    R, G, n = scenario.run.replicas, scenario.metrics.grid, scenario.plant.n
    # 20 replicas × 2001 grid times × (8 numbers + θ̂ (16) + the gain vector (16)) per policy
    assert (estimate(adaptive).memory - estimate(scenario).memory
            == pytest.approx(R * (G + 1) * ((7 * (8 + 2 * n)) - 6 * (8 + n)) * FLOAT))


@pytest.mark.parametrize("old, new, argv, expected", [
    ("replicas = 2", "replicas = 2_000_000_000", [], "run.replicas: run needs about"),
    ("grid = 20", "grid = 1_000_000_000", [], "metrics.grid: run needs about"),
    ("taps = 4", "taps = 1_000_000", [], "plant.taps: run needs about"),
    ("samples = 200", "samples = 100_000_000_000_000", [], "run.samples: run is about"),
    ('arrivals = "periodic"\nlatency = 0.0\ndropout = 0.0\npacket = 1024',
     'arrivals = "poisson"\nlatency = 0.0\ndropout = 0.0\npacket = 1_000_000_000', [],
     "stream.packet: run needs about"),
    ("", "", ["--replicas", "99999999999999999999"], "--replicas: run needs about"),
])
def test_absurd_sizes_are_refused_before_any_work_naming_the_key(tmp_path, capsys, monkeypatch,
                                                                  old, new, argv, expected):
    import gainsim.engine.sim
    from gainsim.cli.main import main

    def no_work(*args, **kwargs):
        raise AssertionError("simulated although the size is refused")

    monkeypatch.setattr(gainsim.engine.sim, "simulate", no_work)
    path = tmp_path / "big.toml"
    path.write_text(BASE.replace(old, new, 1) if old else BASE)
    for command in (["validate", str(path)], ["run", str(path), "-o", str(tmp_path / "o")]):
        extra = argv if command[0] == "run" else []
        if command[0] == "validate" and argv:
            continue  # --replicas is a run option
        assert main(command + extra) == 2
        err = capsys.readouterr().err.strip()
        assert err.startswith(f"{path}: {expected}") and err.endswith("(or pass --allow-large)")
        assert len(err.splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.toml"]


def test_explain_refuses_a_correlation_matrix_too_big_for_memory(tmp_path, capsys):
    from gainsim.cli.main import main

    path = tmp_path / "wide.toml"
    path.write_text(BASE.replace("taps = 4", "taps = 1_000_000"))
    assert main(["explain", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"{path}: plant.taps: explain needs about 29.1 TB")
