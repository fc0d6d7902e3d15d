"""Executors give the same bits: serial = process pool = Dask; no worker outlives them."""
import numpy as np
import pytest

from conftest import fir_toml

import gainsim
import gainsim.engine.executors as executors
from gainsim.engine.executors import ProcessPool, Serial, execute
from gainsim.sweeps.sweep import run_sweep, sweep_dict
from gainsim.sweeps.spec import parse_over, point_scenarios

# two policies on a small random-walk FIR (the conftest template: 400 samples at 100 Hz)
POLICIES = """
[[policy]]
name = "lms"
estimator = "lms"
gain = 0.05
[[policy]]
name = "adam"
estimator = "lms"
gain = { kind = "adam", eta = 0.01 }
"""
GRID = dict(name="grid", drift='{ kind = "random_walk", std = 1e-3 }', rate=100.0,
            samples=400, replicas=5, seed=11, grid=20, policies=POLICIES)
TOML = fir_toml(**GRID)


def grid(*over):
    import tomllib

    axes = [parse_over(o) for o in over]
    points, scenarios = point_scenarios(tomllib.loads(TOML), "grid.toml", axes)
    return axes, points, scenarios


GRIDS = {"points": ("policy[0].gain=0.01,0.05,0.2", "plant.drift.std=0.001,0.003"),  # chunks
         "blocks": ("policy[0].gain=0.02,0.1",)}  # fewer points than 2 x workers: replicas


@pytest.fixture
def always_pool(monkeypatch):
    monkeypatch.setattr(executors, "STARTUP_SECONDS", 0.0)  # small work goes out anyway


@pytest.fixture(scope="module")
def pool():
    """One pool for the module, as a sweep keeps one (workers start once)."""
    shared = ProcessPool(2)
    yield shared
    shared.close()


def _processes(pool) -> list:
    return list((getattr(pool._pool, "_processes", None) or {}).values())


@pytest.mark.parametrize("name", GRIDS)
def test_serial_equals_process_pool(name, pool, always_pool):
    axes, points, scenarios = grid(*GRIDS[name])
    serial = sweep_dict(run_sweep(axes, points, scenarios, Serial()))
    parallel = sweep_dict(run_sweep(axes, points, scenarios, pool))
    assert _processes(pool), "the pool was never used"
    assert parallel == serial


def test_run_on_workers_equals_serial(pool, always_pool):
    scenario = gainsim.loads(TOML, source="grid.toml")
    one = gainsim.run(scenario)
    two = gainsim.run(scenario, executor=pool)
    for key in one.curves:
        np.testing.assert_array_equal(one.curves[key], two.curves[key])
    assert one.policies == two.policies
    np.testing.assert_array_equal(one.replica_errors, two.replica_errors)


def test_close_leaves_no_worker_behind(pool, always_pool):
    _, _, scenarios = grid(*GRIDS["blocks"])
    execute(scenarios, pool)
    workers = _processes(pool)
    assert workers
    pool.close()
    assert not any(p.is_alive() for p in workers), "a worker outlived close()"
    assert all(p.exitcode is not None for p in workers)


def test_close_reaps_a_worker_started_to_replace_one(always_pool):
    # max_tasks_per_child=1: the pool replaces each worker after one task, so workers
    # exist that no look at the pool before the last task saw.
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPool(3)  # this process and 2 spawned workers
    pool._pool = ProcessPoolExecutor(max_workers=2, mp_context=mp.get_context("spawn"),
                                     max_tasks_per_child=1)
    _, _, scenarios = grid(*GRIDS["points"])
    seen = []
    try:
        records = execute(scenarios, pool)
        seen = list(pool._workers.values()) + _processes(pool)
    finally:
        pool.close()
    assert len({p.pid for p in seen}) > 2, "the pool replaced no worker"
    assert not any(p.is_alive() for p in pool._workers.values())
    assert {p.pid for p in seen} <= set(pool._workers)
    assert records == execute(scenarios, Serial())


@pytest.mark.skipif(not __import__("os").path.isdir("/proc/self"), reason="needs /proc (Linux)")
def _busy_pool() -> ProcessPool:
    """A pool with 2 spawned workers, both inside ``time.sleep(30)``."""
    import time

    pool = ProcessPool(3)
    futures = [pool.submit(time.sleep, 30) for _ in range(2)]
    deadline = time.monotonic() + 120
    while len(_processes(pool)) < 2 or not all(f.running() for f in futures):
        assert time.monotonic() < deadline, "the workers never started"
        time.sleep(0.05)
    time.sleep(0.5)  # both inside time.sleep(30)
    return pool


def test_abort_terminates_busy_workers_at_once():
    import time

    pool = _busy_pool()
    started = time.monotonic()
    pool.close(abort=True)
    assert time.monotonic() - started < 5.0, "close(abort=True) waited for busy workers"
    assert not any(p.is_alive() for p in pool._workers.values())


@pytest.mark.skipif(not __import__("os").path.isdir("/proc/self"), reason="needs /proc (Linux)")
def test_close_after_sigterm_does_not_wait_for_busy_workers(monkeypatch):
    # A plain close() in a `finally` while SIGTERM unwinds: no 10 s grace per busy worker.
    import signal
    import time

    from gainsim.engine import lifetime

    pool = _busy_pool()
    monkeypatch.setattr(lifetime, "_received", [signal.SIGTERM])  # as the handler records it
    started = time.monotonic()
    pool.close()
    assert time.monotonic() - started < 5.0, "close() after SIGTERM waited for busy workers"
    assert not any(p.is_alive() for p in pool._workers.values())


def test_serial_equals_dask_local_cluster():
    pytest.importorskip("dask.distributed",
                        reason="the dask extra is not installed (pip install 'gainsim[dask]')")
    axes, points, scenarios = grid(*GRIDS["points"])
    serial = sweep_dict(run_sweep(axes, points, scenarios, Serial()))
    dask = executors.Dask(workers=2)
    try:
        assert dask.workers == 2
        on_dask = sweep_dict(run_sweep(axes, points, scenarios, dask))
        _, _, s2 = grid(*GRIDS["blocks"])  # the replica-block path on dask too
        blocks = execute(s2, dask)
    finally:
        dask.close()
    assert on_dask == serial
    assert blocks == execute(s2, Serial())


def test_small_work_stays_in_this_process():
    # Default STARTUP_SECONDS: 5 replicas of 400 samples do not pay for starting workers.
    _, _, scenarios = grid(*GRIDS["blocks"])
    pool = ProcessPool(2)
    try:
        records = execute(scenarios, pool)
        assert _processes(pool) == []  # no worker was ever started
    finally:
        pool.close()
    assert records == execute(scenarios, Serial())


def test_progress_counts_points():
    _, _, scenarios = grid(*GRIDS["points"])
    seen = []
    execute(scenarios, Serial(), progress=lambda done, total: seen.append((done, total)))
    assert seen == [(i, 6) for i in range(7)]


def _spawned_children(pid: int) -> list[int]:
    """Pool workers of process ``pid`` (spawned interpreters, not the resource tracker)."""
    from pathlib import Path

    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == pid and b"spawn_main" in cmdline:
            out.append(int(stat.parent.name))
    return out


def _gone(pid: int) -> bool:
    from pathlib import Path

    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return True
    return state == "Z"


@pytest.mark.skipif(not __import__("os").path.isdir("/proc/self"), reason="needs /proc (Linux)")
def test_ctrl_c_stops_the_workers_and_leaves_no_directory(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    import time

    path = tmp_path / "big.toml"
    # long enough that the pool always pays (STARTUP_SECONDS) even on an idle machine
    path.write_text(fir_toml(**{**GRID, "samples": 500_000, "replicas": 10}))
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "gainsim", "sweep", str(path), "--over",
                             "policy[0].gain=logspace:0.001:0.1:64", "--workers", "3",
                             "-o", str(out)], start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 180
    while len(_spawned_children(proc.pid)) < 2:
        assert proc.poll() is None, f"finished before its workers were seen: {proc.stderr.read()}"
        assert time.monotonic() < deadline, "the sweep never started its two spawned workers"
        time.sleep(0.05)
    workers = _spawned_children(proc.pid)
    os.killpg(proc.pid, signal.SIGINT)  # what Ctrl-C does: the whole process group
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.toml"]  # no folder, no .partial
    deadline = time.monotonic() + 10
    while not all(_gone(pid) for pid in workers):
        assert time.monotonic() < deadline, "a worker outlived the interrupted sweep"
        time.sleep(0.05)


def test_guided_chunks_shrink_to_single_points():
    # 2 workers: ceil(left / 6) of what is left: 20 -> 4, 16 -> 3, 13 -> 3, 10 -> 2, 8 -> 2,
    # 6 -> 1, then single items
    chunks = executors.guided_chunks(list(range(20)), 2)
    assert [len(c) for c in chunks] == [4, 3, 3, 2, 2, 1, 1, 1, 1, 1, 1]
    assert [x for c in chunks for x in c] == list(range(20))


def test_this_process_is_one_of_the_workers(always_pool, monkeypatch):
    # ProcessPool(2): one spawned worker, and this process computes chunks too (also
    # while the spawned one starts), so no core idles on a machine with 2 cores.
    whole_points_here, replicas_here = [], []
    real, real_point = executors.simulate_block, executors.simulate_point

    def counting(scenario, start, stop):  # the probe runs 2 replicas; a point one by one
        replicas_here.append(stop - start)
        return real(scenario, start, stop)

    def counting_points(scenario):  # a chunk of whole points
        whole_points_here.append(scenario)
        return real_point(scenario)

    monkeypatch.setattr(executors, "simulate_block", counting)  # in this process only
    monkeypatch.setattr(executors, "simulate_point", counting_points)
    axes, points, scenarios = grid(*GRIDS["points"])
    pool = ProcessPool(2)
    try:
        helped = execute(scenarios, pool)
        spawned = _processes(pool)
    finally:
        pool.close()
    assert len(spawned) == 1, "ProcessPool(2) is this process and one spawned worker"
    assert whole_points_here, "this process ran no chunk"
    assert sum(replicas_here) < sum(s.run.replicas for s in scenarios), \
        "the spawned worker ran nothing"
    monkeypatch.undo()
    assert helped == execute(scenarios, Serial())


def test_a_pool_given_no_work_starts_no_process():
    pool = ProcessPool(2)
    assert pool._pool is None
    pool.close()  # nothing to stop
    with pytest.raises(ValueError, match="workers >= 2"):
        ProcessPool(1)


@pytest.mark.parametrize("command", ["run", "sweep"])
def test_absurd_workers_are_one_line_exit_2(command, tmp_path, capsys, monkeypatch):
    import os

    from gainsim.cli.main import main

    monkeypatch.setattr(os, "cpu_count", lambda: 2)  # limit 4 per CPU: 8
    path = tmp_path / "s.toml"
    path.write_text(TOML)
    extra = ["--over", "policy[0].gain=0.01"] if command == "sweep" else []
    for workers, says in ((9, "--workers: must be <= 8 (4 per CPU, 2 CPUs here, at most 256; "
                              "got 9)"), (0, "--workers: must be >= 1 (got 0)")):
        assert main([command, str(path), *extra, "--workers", str(workers),
                     "-o", str(tmp_path / "o")]) == 2
        err = capsys.readouterr().err.strip()
        assert err == f"gainsim: {says}", err
    monkeypatch.setattr(os, "cpu_count", lambda: 1000)
    assert main([command, str(path), *extra, "--workers", "257", "-o", str(tmp_path / "o")]) == 2
    assert "at most 256; got 257" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.toml"]  # nothing written
    with pytest.raises(ValueError, match="workers: must be <= 4000|at most 256"):
        executors.make_executor("process", 5000)


def _fails_in_a_worker(task):
    import multiprocessing
    import time

    if multiprocessing.parent_process() is not None:  # a spawned worker
        raise ValueError("failed in a worker")
    time.sleep(0.05)
    return task


def test_an_error_in_a_worker_reaches_the_caller():
    # the feeder thread collects the worker's failed task; the caller's loop raises it
    # (no hang, no thread traceback), and close() still stops everything
    pool = ProcessPool(2)
    try:
        with pytest.raises(ValueError, match="failed in a worker"):
            list(pool.imap(_fails_in_a_worker, list(range(40))))
    finally:
        pool.close(abort=True)
    assert not any(p.is_alive() for p in pool._workers.values())


def test_gainsim_processes_tune_the_collector_and_import_gainsim_does_not():
    import gc
    import operator
    import os
    import subprocess
    import sys

    from gainsim.collector import THRESHOLDS

    assert THRESHOLDS != (700, 10, 10)  # Python's defaults: the test below could not fail
    pool = ProcessPool(2)  # this process and one spawned worker
    try:
        # the worker calls operator.call(gc.get_threshold): its own thresholds
        assert pool.submit(operator.call, gc.get_threshold).result(timeout=120) == THRESHOLDS
    finally:
        pool.close()
    here = os.path.dirname(os.path.abspath(__file__))
    library = subprocess.run([sys.executable, "-c", "import gc, gainsim; gainsim.load; "
                              "print(*gc.get_threshold())"], capture_output=True, text=True,
                             cwd=here, check=True)
    bare = subprocess.run([sys.executable, "-c", "import gc; print(*gc.get_threshold())"],
                          capture_output=True, text=True, check=True)
    assert library.stdout == bare.stdout
    command = subprocess.run([sys.executable, "-c", "import atexit, gc, sys\n"
                              "atexit.register(lambda: print(*gc.get_threshold()))\n"
                              "sys.argv = ['gainsim', 'list']\n"
                              "from gainsim.cli.main import entry\nentry()\n"],
                             capture_output=True, text=True, cwd=here, check=True)
    assert command.stdout.split()[-3:] == [str(v) for v in THRESHOLDS]
