"""Process lifetime: SIGTERM ends a run like Ctrl-C, and no worker outlives its parent.

* :func:`terminate_on_signals` makes SIGTERM and SIGHUP raise :class:`Terminated` in
  the main thread, so the same ``try``/``finally`` clean-up that runs for Ctrl-C runs
  for them (the CLI exits ``128 + signal``: 143 for SIGTERM). A signal that comes while
  C code runs Python callbacks (numba, ctypes) is raised at the next packet instead;
  :func:`interrupts_deferred` does the same for Ctrl-C while replicas run.
* :func:`worker_init` / :func:`exit_with_parent`, called by the process pool's
  initializer (:mod:`gainsim.engine.executors`): the worker asks the kernel to kill it when its parent
  dies (``prctl(PR_SET_PDEATHSIG)`` on Linux) and a daemon thread checks
  ``os.getppid()`` twice a second as a fallback, so a worker never lingers after the
  parent was killed, even by SIGKILL. On SIGTERM the parent's ``finally`` closes the
  pool: :meth:`gainsim.engine.executors.ProcessPool.close` sees :func:`signal_received`
  and terminates busy workers at once instead of letting them finish their chunk.

References
----------
``prctl(2)`` (PR_SET_PDEATHSIG), ``signal(7)``: Linux man-pages.
"""
from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
import warnings

PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.5
TRACKER_QUIET = "ignore:resource_tracker:UserWarning"


def quiet_resource_tracker() -> None:
    """Keep multiprocessing's resource tracker from printing a raw ``UserWarning``.

    When the parent is killed (SIGKILL cannot be caught), the tracker it started outlives
    it for a moment, unlinks the pool's semaphores itself and warns "There appear to be N
    leaked semaphore objects to clean up at shutdown": nothing is left behind, but the
    user sees a raw Python warning. The tracker and the workers are started with the
    parent's ``-W`` options (``sys.warnoptions``), so adding this filter before the pool
    starts silences that one message in them and changes nothing in this process.
    """
    if TRACKER_QUIET not in sys.warnoptions:
        sys.warnoptions.append(TRACKER_QUIET)


class Terminated(BaseException):
    """SIGTERM or SIGHUP arrived; ``signum`` says which (a BaseException, like Ctrl-C)."""

    def __init__(self, signum: int):
        self.signum = int(signum)
        super().__init__(self.signum)  # args = (signum,): simpy re-raises type(e)(*e.args)

    def __str__(self) -> str:
        return signal.Signals(self.signum).name


_received: list[int] = []  # signals seen; an exception raised inside a C callback is lost
_interrupted: list[int] = []  # a Ctrl-C that came inside a callback, raised at the next check
# Python code that C code calls back: numba's compiler (llvmlite) and dispatcher, and
# ctypes, which numba's compiled code calls to unbox a numpy Generator. An exception
# raised there is lost, or worse: one raised in ``ctypes.cast`` while numba unboxed the
# generator of a plant's draws crashed the process (SIGSEGV, 1 run in 8 killed by SIGTERM:
# numba's unboxing calls ctypes.cast and does not check its result)
_CALLBACKS = tuple(f"{os.sep}{name}{os.sep}" for name in ("llvmlite", "numba", "ctypes"))


def _raise(signum, frame):
    _received.append(signum)
    if frame is not None and in_callback(frame):
        return  # raised at the next check instead (raise_if_terminated: every packet)
    raise Terminated(signum)


def in_callback(frame) -> bool:
    """Whether ``frame`` (the Python code a signal interrupted) or a caller of it belongs
    to a package whose Python code C code calls back (:data:`_CALLBACKS`): a signal must
    not raise there. The callers count too: a second signal can interrupt the handler of
    the first, which runs inside the callback."""
    while frame is not None:
        if any(part in frame.f_code.co_filename for part in _CALLBACKS):
            return True
        frame = frame.f_back
    return False


def signal_received() -> bool:
    """Whether SIGTERM or SIGHUP has arrived in this process (:func:`terminate_on_signals`):
    the clean-up that runs now should be quick (a busy worker is stopped, not waited for)."""
    return bool(_received)


def raise_if_terminated() -> None:
    """Raise :class:`Terminated` (or ``KeyboardInterrupt``) if a signal came while Python
    could not raise it (inside a C callback, :func:`in_callback`); the engine calls it
    before every packet."""
    if _received:
        raise Terminated(_received[0])
    if _interrupted:
        _interrupted.clear()
        raise KeyboardInterrupt


def _interrupt(signum, frame):
    if frame is not None and in_callback(frame):
        _interrupted.append(signum)
        return
    raise KeyboardInterrupt


@contextlib.contextmanager
def interrupts_deferred():
    """Within the block, Ctrl-C raises ``KeyboardInterrupt`` as Python's own handler does,
    except inside a C callback (:func:`in_callback`): there it is raised at the next check
    (:func:`raise_if_terminated`), or when the block ends. Python's handler raised inside
    numba's unboxing of a Generator and crashed the process (SIGSEGV, 1 Ctrl-C in 16).
    Main thread only, and only while SIGINT has Python's own handler (a caller's handler,
    or an ignored SIGINT, is left alone)."""
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler):
        yield
        return
    signal.signal(signal.SIGINT, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler)
        pending = bool(_interrupted)
        _interrupted.clear()
    if pending:
        raise KeyboardInterrupt


def terminate_on_signals() -> None:
    """SIGTERM and SIGHUP raise :class:`Terminated` (main thread only; else a no-op)."""
    if threading.current_thread() is not threading.main_thread():
        return
    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None:
            signal.signal(sig, _raise)


def exit_with_parent(parent_pid: int | None = None) -> None:
    """Make this (worker) process exit as soon as its parent ``parent_pid`` is gone.

    ``parent_pid`` defaults to the parent multiprocessing recorded when it started this
    process (so a parent that died while the worker was still importing is noticed).
    Call it first in a pool initializer.
    The kernel kills the worker when the parent dies (``PR_SET_PDEATHSIG``, Linux); a
    daemon thread polling ``os.getppid()`` covers other systems. Warnings are silenced:
    workers print nothing, the parent reports.
    """
    if parent_pid is None:  # the pid multiprocessing recorded at spawn, not today's ppid
        parent = multiprocessing.parent_process()
        parent_pid = parent.pid if parent is not None and parent.pid else os.getppid()
    warnings.simplefilter("ignore")
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


def worker_init(parent_pid: int) -> None:
    """Pool initializer: Ctrl-C is left to the parent; exit when ``parent_pid`` is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_with_parent(parent_pid)


def _watch(parent_pid: int) -> None:
    while os.getppid() == parent_pid:
        time.sleep(WATCH_SECONDS)
    os._exit(1)
