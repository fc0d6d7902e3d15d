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
