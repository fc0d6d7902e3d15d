"""Helper processes for compiling: fresh interpreters that share the work and never run __main__."""
import os

from gainsim.engine.compilers import Compiler, share


def where(task):
    """``(n, pid)`` for ``task = (n, home)``; task 0 fails in any process but ``home``."""
    n, home = task
    if n == 0 and os.getpid() != home:
        raise ValueError("only the parent can do task 0")
    return n, os.getpid()


def tasks(*numbers):
    return [(n, os.getpid()) for n in numbers]


def test_the_helpers_take_the_first_tasks_and_every_task_is_done_once():
    done = share(where, tasks(1, 2, 3, 4), children=1)
    assert sorted(task for task, _ in done) == [1, 2, 3, 4]
    pids = dict(done)
    assert pids[1] != os.getpid()  # the first task went to the helper
    assert os.getpid() in pids.values()  # and this process worked too


def test_a_task_a_helper_cannot_do_is_done_here():
    done = share(where, tasks(0, 5), children=1)
    assert sorted(task for task, _ in done) == [0, 5]
    assert dict(done)[0] == os.getpid()


def test_a_helper_reports_failures_and_exits_when_its_parent_closes_its_stdin():
    child = Compiler()
    try:
        assert child.call(where, (7, os.getpid()))[0] == 7
        try:
            child.call(where, (0, os.getpid()))
        except RuntimeError as err:
            assert "ValueError: only the parent can do task 0" in str(err)
        else:
            raise AssertionError("the helper's failure was not reported")
    finally:
        child.close()
    assert child.process.returncode == 0


def test_a_task_the_helper_cannot_load_is_reported_not_a_crash(tmp_path, monkeypatch):
    """A function the helper cannot import (its module is not on the helper's path) fails
    that task; the helper stays up for the next one."""
    import importlib

    (tmp_path / "only_here.py").write_text("def double(x):\n    return 2 * x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    only_here = importlib.import_module("only_here")
    child = Compiler()  # started with this sys.path: then take it away from its copy
    try:
        child.call(os.remove, str(tmp_path / "only_here.py"))
        import shutil
        shutil.rmtree(tmp_path / "__pycache__", ignore_errors=True)
        try:
            child.call(only_here.double, 4)
        except RuntimeError as err:
            assert "only_here" in str(err)
        else:
            raise AssertionError("the helper loaded a module that is gone")
        assert child.call(where, (3, os.getpid()))[0] == 3
    finally:
        child.close()
