"""Run directories: checked before simulating, committed atomically, never lost, never
outside their place; signals end a run cleanly and no worker outlives it."""
import errno
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from gainsim.report import rundir
from gainsim.cli.main import main

TINY = textwrap.dedent("""
    name = "tiny"
    [plant]
    kind = "fir"
    taps = 2
    noise_std = 0.1
    [stream]
    rate = 50.0
    [run]
    duration = 2.0
    replicas = 2
    [metrics]
    grid = 10
    [[policy]]
    estimator = "lms"
    gain = 0.05
    """)


@pytest.fixture
def tiny(tmp_path):
    path = tmp_path / "tiny.toml"
    path.write_text(TINY)
    return path


def long_scenario(tmp_path, replicas=4000):
    """A run of many seconds: many replicas of a small plant. Long enough by a wide margin
    for ``--workers 2`` to start its pool (the first replicas time the rest against
    ``STARTUP_SECONDS``): at 1000 samples a replica, a fast machine ran the 4000 in under
    3 s in this process, and the tests waiting for workers saw none."""
    path = tmp_path / "long.toml"
    path.write_text(TINY.replace("replicas = 2", f"replicas = {replicas}")
                        .replace("duration = 2.0", "duration = 200.0"))
    return path


def gainsim(*args, cwd=None, **kw):
    return subprocess.Popen([sys.executable, "-m", "gainsim", *map(str, args)], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def test_safe_names_stay_in_their_folder():
    assert rundir.safe_name("../../escape") == "escape"
    assert rundir.safe_name("a/b\\c") == "a_b_c"
    assert rundir.safe_name("..") == rundir.safe_name("") == "scenario"
    assert rundir.safe_name(".hidden\n") == "hidden"
    long = rundir.safe_name("é" * 300)
    assert len(long.encode()) <= 100 and long == "é" * 50


def test_default_folder_of_a_hostile_name_is_inside_runs(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "s.toml").write_text(TINY.replace('name = "tiny"', 'name = "../../escape"'))
    assert main_in(work, ["run", "s.toml", "--quiet"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["work"]
    (made,) = (work / "runs").iterdir()
    assert made.name.startswith("escape-") and (made / "manifest.json").is_file()


def main_in(folder, argv):
    old = os.getcwd()
    os.chdir(folder)
    try:
        return main(argv)
    finally:
        os.chdir(old)


@pytest.mark.parametrize("make, what", [
    (lambda p: p.write_text("mine"), "is a file, not a run directory"),
    (lambda p: p.symlink_to(p.parent / "tiny.toml"), "is a symlink, not a run directory"),
    (lambda p: (p.mkdir(), (p / "notes.txt").write_text("x")),
     "is a directory without a gainsim manifest.json"),
])
def test_force_replaces_only_run_directories(tiny, tmp_path, capsys, make, what):
    out = tmp_path / "o"
    make(out)
    before = sorted(tmp_path.rglob("*"))
    assert main(["run", str(tiny), "-o", str(out), "--force", "--quiet"]) == 2
    assert what in capsys.readouterr().err
    assert sorted(tmp_path.rglob("*")) == before  # nothing simulated, nothing written


@pytest.mark.parametrize("where, expected", [
    (lambda tmp: tmp / "tiny.toml" / "out", "a file of that name is in the way"),
    (lambda tmp: Path("/proc/gainsim-test/out"), "cannot create"),
])
def test_an_impossible_output_is_refused_before_simulating(tiny, tmp_path, capsys, monkeypatch,
                                                           where, expected):
    from gainsim.engine import sim

    monkeypatch.setattr(sim, "simulate", lambda *a: pytest.fail("simulated anyway"))
    assert main(["run", str(tiny), "-o", str(where(tmp_path)), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert expected in err and len(err.strip().splitlines()) == 1


def test_a_late_write_failure_keeps_the_results_and_says_where(tiny, tmp_path, capsys,
                                                                monkeypatch):
    from gainsim.cli import main as cli

    real, calls = cli.write_files, []

    def full_disk(folder, results, argv):
        calls.append(folder)
        if len(calls) == 1:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(folder, results, argv)

    monkeypatch.setattr(cli, "write_files", full_disk)
    out = tmp_path / "o"
    assert main(["run", str(tiny), "-o", str(out), "--quiet"]) == 1
    err = capsys.readouterr().err.strip()
    assert "No space left on device" in err and len(err.splitlines()) == 1
    kept = Path(err.rsplit("results kept in ", 1)[1].rstrip("/"))
    assert rundir.is_run_dir(kept) and json.loads((kept / "summary.json").read_text())
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["tiny.toml"]


def test_commit_is_exclusive_and_the_loser_keeps_its_results(tmp_path):
    out = tmp_path / "same"
    first, second = rundir.prepare(out), tmp_path / ".same.partial-other"
    second.mkdir()
    (first / "a").write_text("first")
    (second / "a").write_text("second")
    assert rundir.commit(first, out, force=False) == out
    with pytest.raises(rundir.Taken) as info:
        rundir.commit(second, out, force=False)
    assert info.value.beside == tmp_path / "same-2"
    assert (out / "a").read_text() == "first" and (tmp_path / "same-2" / "a").read_text() == "second"


def test_stale_partial_folders_of_dead_processes_are_swept(tiny, tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f".old.partial-{dead}"
    alive = tmp_path / f".other.partial-{os.getppid()}"
    for folder in (stale, alive):
        folder.mkdir()
        (folder / "summary.json").write_text("{}")
    assert main(["run", str(tiny), "-o", str(tmp_path / "o"), "--quiet"]) == 0
    assert not stale.exists() and alive.exists()


def test_two_concurrent_writers_one_wins_none_is_lost(tiny, tmp_path):
    out = tmp_path / "same"
    procs = [gainsim("run", tiny, "-o", out, "--quiet") for _ in range(2)]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    assert codes[0] == 0 and codes[1] in (1, 2), results
    loser_err = [err for code, _, err in results if code != 0][0]
    assert "Traceback" not in loser_err and len(loser_err.strip().splitlines()) == 1
    assert rundir.is_run_dir(out)
    if codes[1] == 1:  # both simulated: the loser's run is beside the winner's
        assert "another gainsim command wrote it" in loser_err and rundir.is_run_dir(tmp_path / "same-2")
    else:  # the loser started after the winner had finished
        assert "already exists" in loser_err
    assert not [p for p in tmp_path.iterdir() if ".partial-" in p.name]


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    out = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                out.append(int(entry.name))
    return out


def _running(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] not in ("Z", "X")


def _wait_for(condition, timeout=120.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.05)
    return False


linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


@linux_only
@pytest.mark.parametrize("workers", [1, 2])
def test_sigterm_exits_143_and_leaves_nothing(tmp_path, workers):
    out = tmp_path / "o"
    proc = gainsim("run", long_scenario(tmp_path), "-o", out, "--workers", workers)
    if workers > 1:
        assert _wait_for(lambda: len(_children(proc.pid)) >= workers), "no workers started"
    else:
        assert _wait_for(lambda: any(".partial-" in p.name for p in tmp_path.iterdir()))
    time.sleep(0.3)
    children = _children(proc.pid)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143 and "terminated" in err and "Traceback" not in err, err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.toml"]
    assert _wait_for(lambda: not any(map(_running, children)), timeout=10), children


@linux_only
def test_workers_die_with_a_killed_parent(tmp_path):
    proc = gainsim("run", long_scenario(tmp_path), "-o", tmp_path / "o", "--workers", "2")
    assert _wait_for(lambda: len(_children(proc.pid)) >= 2), "no workers started"
    time.sleep(0.3)
    children = _children(proc.pid)
    proc.kill()
    _, err = proc.communicate(timeout=60)  # EOF once the resource tracker is gone too
    assert "leaked" not in err and "Warning" not in err, err
    assert _wait_for(lambda: not any(map(_running, children)), timeout=10), children
    # the next run into the same parent sweeps the dead run's hidden folder
    assert main(["run", str(long_scenario(tmp_path, replicas=1)), "-o", str(tmp_path / "p"),
                 "--quiet"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.toml", "p"]


def test_a_run_that_applied_no_sample_says_so(tmp_path, capsys):
    path = tmp_path / "lost.toml"
    path.write_text(TINY.replace("rate = 50.0", "rate = 50.0\ndropout = 1.0"))
    out = tmp_path / "o"
    assert main(["run", str(path), "-o", str(out)]) == 0
    captured = capsys.readouterr()
    assert "gainsim: warning: no sample reached the learners" in captured.err
    assert "Warning:" not in captured.err and "warnings.warn" not in captured.err
    assert "~100 samples each, ~0 applied" in captured.out
    summary = json.loads((out / "summary.json").read_text())
    assert summary["samples_applied_per_replica"] == 0 and summary["samples_per_replica"] == 100


def test_python_warnings_become_one_note_per_kind():
    import warnings

    from gainsim.report.notes import collect_notes

    with collect_notes() as notes:
        for _ in range(3):
            warnings.warn("overflow encountered in multiply", RuntimeWarning)
        warnings.warn("Glyph 128512 (\\N{GRINNING FACE}) missing from font(s) DejaVu Sans.",
                      UserWarning)
        warnings.warn("The figure layout has changed to tight", UserWarning)
    assert len(notes) == 2
    assert notes[0].startswith("numpy/scipy met overflowing") and notes[0].endswith("(3 times)")
    assert "not in the plot font" in notes[1]


SIGNALS_IN_CALLBACKS = textwrap.dedent("""
    import signal, sys, time
    import numpy as np
    from gainsim.engine import lifetime
    from gainsim.signals.normals import fill_standard_normal

    handle, stop = {"term": (lifetime._raise, lifetime.Terminated),
                    "int": (lifetime._interrupt, KeyboardInterrupt)}[sys.argv[1]]
    rng, out = np.random.default_rng(0), np.empty(64)
    fill_standard_normal(rng, out)  # compiled or loaded before the signals start
    counts = {"here": 0, "deferred": 0, "inside ctypes": 0}

    def handler(signum, frame):  # lifetime's handler; what it raises is counted, never let
        try:                     # through (raised inside ctypes.cast, it crashed the process;
            handle(signum, frame)  # raised in a finalizer, Python reports it as unraisable)
        except stop:
            while frame is not None:
                if "ctypes" in frame.f_code.co_filename:
                    counts["inside ctypes"] += 1  # where numba unboxes the generator
                frame = frame.f_back
            counts["here"] += 1
            lifetime._received.clear()

    signal.signal(signal.SIGALRM, handler)
    signal.setitimer(signal.ITIMER_REAL, 0.0003, 0.0003)
    end = time.perf_counter() + 1.5
    while time.perf_counter() < end:
        try:
            fill_standard_normal(rng, out)  # numba unboxes rng with ctypes.cast
            lifetime.raise_if_terminated()
        except stop:
            counts["deferred"] += 1
            lifetime._received.clear()
    signal.signal(signal.SIGALRM, signal.SIG_IGN)
    signal.setitimer(signal.ITIMER_REAL, 0, 0)
    print(counts["here"], counts["deferred"], counts["inside ctypes"])
""")


@linux_only
@pytest.mark.parametrize("which", ["term", "int"])
def test_a_signal_inside_numbas_callbacks_is_raised_at_the_next_check_not_there(tmp_path, which):
    """A SIGTERM or Ctrl-C whose handler raised inside ``ctypes.cast``, which numba's
    compiled code calls to unbox a numpy Generator, crashed the run with SIGSEGV (1 in 8
    SIGTERMs, 1 in 16 Ctrl-Cs, while drawing). Thousands of timer signals handled by
    lifetime's handlers during compiled draws must leave the process alive, none raised
    inside ``ctypes``, the ones that came inside a callback raised at the next check."""
    from gainsim.engine.lifetime import in_callback

    ns: dict = {}
    exec(compile("import sys; f = sys._getframe()", os.path.join("x", "ctypes", "__init__.py"),
                 "exec"), ns)
    assert in_callback(ns["f"]) and not in_callback(sys._getframe())
    script = tmp_path / "signals.py"
    script.write_text(SIGNALS_IN_CALLBACKS)
    proc = subprocess.run([sys.executable, str(script), which], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, (proc.returncode, proc.stderr[-2000:])
    here, deferred, inside_ctypes = map(int, proc.stdout.split())
    assert here > 0 and deferred > 0, (here, deferred)
    assert inside_ctypes == 0  # never raised where numba's unboxing cannot take it


def test_ctrl_c_is_deferred_only_inside_the_block_and_raised_when_it_ends():
    from gainsim.engine import lifetime

    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with lifetime.interrupts_deferred():
        assert signal.getsignal(signal.SIGINT) is lifetime._interrupt
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    with pytest.raises(KeyboardInterrupt):
        with lifetime.interrupts_deferred():
            lifetime._interrupted.append(signal.SIGINT)  # came inside a callback
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    assert not lifetime._interrupted
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # someone else's: left alone
    try:
        with lifetime.interrupts_deferred():
            assert signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    finally:
        signal.signal(signal.SIGINT, previous)
