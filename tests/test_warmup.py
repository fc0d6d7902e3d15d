"""gainsim warmup: one tiny probe per law group; probes compile, they never change results."""
from pathlib import Path

import numpy as np

import gainsim
from conftest import fir_toml
from gainsim.cli.main import main
from gainsim.engine.warmup import PROBE_SAMPLES, probes, warm

ROOT = Path(__file__).resolve().parent.parent


def test_one_probe_per_law_group_merged_across_scenarios():
    drift = gainsim.load(ROOT / "scenarios" / "drift_tracking.toml")
    found = probes([drift, drift])
    labels = [p.label for p in found]
    assert len(labels) == len(set(labels))
    # the constant LMS bank keeps all its policies, each adaptive law one policy
    lms = next(p for p in found if p.label == "fir: lms + constant")
    assert len(lms.scenario.policy) == sum(
        1 for q in drift.policy if type(q.estimator).kind == "lms" and type(q.gain).kind == "constant")
    assert {"fir: lms + idbd", "fir: lms + rls", "fir: lms + kalman", "fir: nlms + constant"} <= set(labels)
    for p in found:
        assert p.scenario.run.replicas == 1 and p.scenario.run.samples <= PROBE_SAMPLES
        assert p.scenario.metrics.grid <= 10


def test_warmup_then_run_gives_the_same_numbers(capsys):
    text = (ROOT / "scenarios" / "quickstart.toml").read_text()
    scenario = gainsim.loads(text.replace("duration = 20.0", "duration = 0.5").replace(
        "replicas = 20", "replicas = 2"))
    before = gainsim.run(scenario)
    done = warm([scenario], workers=1)
    assert [label for label, _ in done] == ["fir: lms + constant", "fir: nlms + constant"]
    after = gainsim.run(scenario)
    for key, value in before.curves.items():
        np.testing.assert_array_equal(after.curves[key], value)


def test_warmup_of_a_missing_file_is_one_line_and_exit_2(capsys, tmp_path):
    assert main(["warmup", str(tmp_path / "nope.toml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope.toml" in err[0]


LAWS = {"idbd": '{ kind = "idbd", meta_rate = 0.01 }', "adam": '{ kind = "adam", eta = 0.01 }'}
TWO_LAWS = fir_toml(samples=200, replicas=2, rate=100.0, policies="".join(
    f'[[policy]]\nname = "{name}"\nestimator = "lms"\ngain = {gain}\n'
    for name, gain in LAWS.items()))


# `python -c LISTEN run ...`: `gainsim run`, printing every gainsim function numba
# compiles in this process (`-c`: a spawned helper cannot run it again as its __main__)
LISTEN = ("import sys\nfrom numba.core import event\n"
          "class Seen(event.Listener):\n"
          "    def on_start(self, e):\n"
          "        f = e.data['dispatcher'].py_func\n"
          "        if f.__module__.startswith('gainsim'): print('COMPILED', f.__qualname__)\n"
          "    def on_end(self, e): pass\n"
          "event.register('numba:compile', Seen())\n"
          "from gainsim.cli.main import main\nsys.exit(main(sys.argv[1:]))\n")


def test_a_first_run_compiles_its_laws_side_by_side_once(tmp_path):
    import json
    import os
    import subprocess
    import sys

    from gainsim.estimators.threads import CORES

    if CORES < 2:
        import pytest
        pytest.skip("compile-ahead needs two cores")
    path = tmp_path / "two_laws.toml"
    path.write_text(TWO_LAWS)
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"), GAINSIM_COMPILE_AHEAD="1")

    # the second run lists every gainsim function numba compiles in it: none, each kernel
    # loads from the cache (a wrapper made in a closure would compile in every process)

    def run(out, code=None):
        head = ["-m", "gainsim"] if code is None else ["-c", code]
        return subprocess.run([sys.executable, *head, "run", str(path), "-o",
                               str(tmp_path / out)], env=env, capture_output=True, text=True,
                              check=True)

    first, second = run("a"), run("b", LISTEN)
    assert "compiling 2 kernel groups on 2 processes" in first.stderr
    assert "compiling" not in second.stderr          # now in the cache: nothing ahead
    assert "COMPILED" not in second.stdout, second.stdout
    here = gainsim.run(gainsim.load(path))            # this process, no compile-ahead
    expected = {p["name"]: p["final_misalignment"] for p in here.summary["policies"]}
    for out in ("a", "b"):
        saved = json.loads((tmp_path / out / "summary.json").read_text())
        assert {p["name"]: p["final_misalignment"] for p in saved["policies"]} == expected


BANK = fir_toml(samples=3000, replicas=2, rate=100.0, drift='{kind = "random_walk", std = 1e-3}',
                packet=16384, policies="".join(
                    f'[[policy]]\nname = "{est} {eta}"\nestimator = "{est}"\ngain = {eta}\n'
                    for est, eta in (("lms", 0.01), ("lms", 0.03), ("nlms", 0.2))))


def test_a_first_run_of_a_constant_bank_compiles_the_plant_draws_in_the_figure_helper(tmp_path):
    """The learners' kernels compile in the run's process while its figure helper compiles
    the plant's draws; the next run compiles nothing; the numbers are those of a run in
    one process that compiled everything itself."""
    import json
    import os
    import subprocess
    import sys

    import pytest

    from gainsim.estimators.threads import CORES

    if CORES < 2:
        pytest.skip("the figure helper needs two cores")
    path = tmp_path / "bank.toml"
    path.write_text(BANK)
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"), GAINSIM_COMPILE_AHEAD="1",
               GAINSIM_FIGURE_HELPER="1")

    def run(out):
        return subprocess.run([sys.executable, "-c", LISTEN, "run", str(path), "-o",
                               str(tmp_path / out)], env=env, capture_output=True, text=True,
                              check=True)

    first, second = run("a"), run("b")
    compiled = set(first.stdout.split())
    assert "lms_kernel" in compiled, first.stdout                 # the learners: here
    assert "fill_standard_normal" not in compiled, first.stdout   # the draws: the helper
    assert "first run: compiling its kernels" in first.stderr
    assert "COMPILED" not in second.stdout, second.stdout         # all in the cache now
    assert "compiling" not in second.stderr
    here = gainsim.run(gainsim.load(path))                        # compiled in one process
    expected = {p["name"]: p["final_misalignment"] for p in here.summary["policies"]}
    for out in ("a", "b"):
        saved = json.loads((tmp_path / out / "summary.json").read_text())
        assert {p["name"]: p["final_misalignment"] for p in saved["policies"]} == expected


def test_a_split_compile_is_only_for_a_first_run_whose_laws_need_nothing(monkeypatch):
    import gainsim.engine.warmup as warmup

    quick = gainsim.load(ROOT / "scenarios" / "quickstart.toml")
    drift = gainsim.load(ROOT / "scenarios" / "drift_tracking.toml")
    monkeypatch.setenv("GAINSIM_COMPILE_AHEAD", "1")
    monkeypatch.setattr(warmup, "_cached", lambda dispatcher: False)  # an empty cache
    split = warmup.split_compile([quick])
    assert [p.label for p in split.probes] == ["fir: lms + constant", "fir: nlms + constant"]
    assert split.task() == (warmup.compile_sensor, quick)
    assert warmup.split_compile([drift]) is None      # laws: compile_ahead's probes instead
    monkeypatch.setenv("GAINSIM_COMPILE_AHEAD", "0")
    assert warmup.split_compile([quick]) is None
    monkeypatch.setenv("GAINSIM_COMPILE_AHEAD", "1")
    monkeypatch.setattr(warmup, "_cached", lambda dispatcher: True)   # everything cached
    assert warmup.split_compile([quick]) is None


def test_the_learner_probe_draws_too_few_values_for_the_compiled_draws(monkeypatch):
    """:func:`compile_learners` leaves the draws to the helper: no draw of its packets
    reaches ``COMPILED_MIN`` values (so numpy makes them), while the sensor probe's do."""
    import gainsim.signals.normals as normals
    from gainsim.engine import warmup

    sizes = []
    real = normals.standard_normal

    def spy(rng, shape):
        out = real(rng, shape)
        sizes.append(out.size)
        return out

    monkeypatch.setattr(normals, "standard_normal", spy)
    monkeypatch.setattr("gainsim.signals.inputs.standard_normal", spy)
    scenario = gainsim.loads(BANK)
    bank = next(p for p in probes([scenario]) if p.constant)
    warmup.compile_learners(bank)
    assert sizes and max(sizes) < normals.COMPILED_MIN, sizes
    sizes.clear()
    warmup.compile_sensor(scenario)
    assert sizes and min(sizes) >= normals.COMPILED_MIN, sizes


def test_constant_banks_count_as_one_compile_and_each_law_as_one():
    from gainsim.engine.warmup import compilers

    quick = probes([gainsim.load(ROOT / "scenarios" / "quickstart.toml")])
    assert sorted(p.label for p in quick) == ["fir: lms + constant", "fir: nlms + constant"]
    assert compilers(quick, cores=2) == 1            # one LMS kernel: nothing to do side by side
    drift = probes([gainsim.load(ROOT / "scenarios" / "drift_tracking.toml")])
    laws = [p for p in drift if not p.label.endswith("+ constant")]
    assert compilers(drift, cores=8) == min(len(laws) + 1, 4)
    assert compilers(drift, cores=2) == 2 and compilers(drift, cores=1) == 1


def test_a_first_python_run_compiles_ahead_without_running_the_script_again(tmp_path):
    """``gainsim.run()`` from a script with no ``__main__`` guard: the helper compiles a law
    (this process then loads it), and the script's top level runs once."""
    import os
    import subprocess
    import sys

    from gainsim.estimators.threads import CORES

    if CORES < 2:
        import pytest
        pytest.skip("compile-ahead needs two cores")
    path = tmp_path / "two_laws.toml"
    path.write_text(TWO_LAWS)
    first_law = type(gainsim.load(path).policy[0].gain).loop.py_func.__qualname__
    script = tmp_path / "script.py"
    script.write_text(
        "import logging, sys\nlogging.basicConfig(level=logging.INFO)\n"
        "from numba.core import event\n"
        "class Seen(event.Listener):\n"
        "    def on_start(self, e):\n"
        "        print('COMPILED', e.data['dispatcher'].py_func.__qualname__)\n"
        "    def on_end(self, e): pass\n"
        "event.register('numba:compile', Seen())\n"
        "import gainsim\nprint('SCRIPT TOP')\n"
        f"res = gainsim.run({str(path)!r})\n"
        "print('FINAL', res.policies[0].final_misalignment)\n")
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "cache"), GAINSIM_COMPILE_AHEAD="1")
    out = subprocess.run([sys.executable, str(script)], env=env, capture_output=True,
                         text=True, check=True, cwd=tmp_path)
    assert out.stdout.count("SCRIPT TOP") == 1, out.stdout
    assert "compiling 2 kernel groups on 2 processes" in out.stderr
    compiled = {line.split()[1] for line in out.stdout.splitlines() if line.startswith("COMPILED")}
    assert first_law not in compiled, compiled  # the helper compiled it; loaded from the cache
    here = gainsim.run(gainsim.load(path))
    assert f"FINAL {here.policies[0].final_misalignment}" in out.stdout


def test_schedules_share_one_compiled_loop_so_they_are_one_probe():
    from gainsim.engine.warmup import compilers
    from gainsim.gains.scheduled import scheduled_loop

    schedules = gainsim.load(ROOT / "scenarios" / "schedules.toml")
    found = probes([schedules])
    kinds = {type(p.gain).kind for p in schedules.policy
             if getattr(type(p.gain), "loop", None) is scheduled_loop and type(p.gain).kind != "constant"}
    assert len(kinds) == 4  # step, cosine, warm-up, one-cycle: all run scheduled_loop
    merged = [p for p in found if p.label.startswith("fir: lms + ") and "/" in p.label]
    assert len(merged) == 1 and set(merged[0].label.split(" + ")[1].split("/")) == kinds
    assert len(found) == 3 and compilers(found, cores=8) == 3  # the bank, the schedules, Adam
