"""Process lifetime: SIGTERM ends a run like Ctrl-C, and no worker outlives its parent.

* :func:`terminate_on_signals` makes SIGTERM and SIGHUP raise :class:`Terminated` in
  the main thread, so the same ``try``/``finally`` clean-up that runs for Ctrl-C runs
  for them (the CLI exits ``128 + signal``: 143 for SIGTERM).
* :func:`worker_init` is a process-pool initializer: the worker asks the kernel to kill
  it when its parent dies (``prctl(PR_SET_PDEATHSIG)`` on Linux) and a daemon thread
  checks ``os.getppid()`` twice a second as a fallback, so a worker never lingers
  after the parent was killed, even by SIGKILL.
* :func:`stop_pool` ends a ``concurrent.futures`` process pool at once (terminates
  its workers, cancels queued work) when the parent leaves a ``with`` block by an
  exception: a signal or an error never waits for running replicas.

References
----------
``prctl(2)`` (PR_SET_PDEATHSIG), ``signal(7)``: Linux man-pages.
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
import warnings

PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.5


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived; ``signum`` says which (a BaseException, like Ctrl-C)."""

    def __init__(self, signum: int):
        self.signum = int(signum)
        super().__init__(self.signum)  # args = (signum,): simpy re-raises type(e)(*e.args)

    def __str__(self) -> str:
        return signal.Signals(self.signum).name


def _raise(signum, frame):
    raise Terminated(signum)


def terminate_on_signals() -> None:
    """SIGTERM and SIGHUP raise :class:`Terminated` (main thread only; else a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            signal.signal(sig, _raise)


def worker_init(parent_pid: int) -> None:
    """Pool initializer: exit when the process ``parent_pid`` is gone.

    Pass ``initializer=worker_init, initargs=(os.getpid(),)`` to the pool.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C: the parent stops the pool
    warnings.simplefilter("ignore")  # workers print nothing; the parent reports results
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent_pid:  # died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch, args=(parent_pid,), daemon=True,
                     name="gainsim-parent-watch").start()


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(WATCH_SECONDS)
    os._exit(1)


@contextlib.contextmanager
def stop_pool(pool):
    """``with ProcessPoolExecutor(...) as pool, stop_pool(pool):`` — on any exception
    (Ctrl-C, SIGTERM, an error) terminate the workers before the pool's own exit waits."""
    try:
        yield pool
    except BaseException:
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for process in processes:
            with contextlib.suppress(Exception):
                process.terminate()
        pool.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            with contextlib.suppress(Exception):
                process.join(timeout=2.0)
        raise
