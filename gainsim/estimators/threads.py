"""How many threads a bank kernel call may use: only when they cannot make it slower.

A bank's policies are split into blocks run on numba's threads (each policy's numbers
do not depend on the split). Waking the pool costs a few microseconds on an idle
machine, but 3–6 ms per call when the other cores are busy (the worker waits for a
time slice), and a block on a busy core runs at a fraction of its speed. So a call
uses more than one block only when

* the bank has at least ``2 * BANK_MIN`` policies (one block of work never wakes
  the pool),
* the call has enough work (``samples × policies × taps ≥ MIN_WORK``) for the split to
  pay for the wake-up, and
* the other cores are not busy: fewer runnable tasks than cores in ``/proc/loadavg``
  right now, or a 1-minute load average below ``cores - 0.5`` (the instantaneous count
  alone is often a blip: on an idle two-core machine one other task woken at
  the moment of the call is enough to send that call to one thread; with that rule
  alone a 64-policy bank measured 2.4–3.0× the numba loop per update on an idle
  two-core machine, against 3.3–3.6× for a kernel that always split). Linux; elsewhere
  the first two rules decide.
"""
from __future__ import annotations

import os

BANK_MIN = 8          # from this many policies on, the policies-innermost kernel is faster
BANK_THREADS = 2      # blocks of a large bank run on at most this many threads
MIN_WORK = 1 << 22    # samples × policies × taps of a call below which one thread is faster


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


CORES = _cores()


def _loadavg() -> str | None:
    # os.read, not open(): a bank reads it once per kernel call, and a text-mode file
    # object costs ~80 µs to make (a few % of a 64-policy bank's packet)
    try:
        fd = os.open("/proc/loadavg", os.O_RDONLY)
    except OSError:
        return None
    try:
        return os.read(fd, 128).decode("ascii", "replace")
    except OSError:
        return None
    finally:
        os.close(fd)


def runnable_tasks(text: str | None = None) -> int | None:
    """Tasks running or ready to run now (4th field of ``/proc/loadavg``, ours included)."""
    text = _loadavg() if text is None else text
    try:
        return int(text.split()[3].split("/")[0])
    except (AttributeError, IndexError, ValueError):
        return None


def load_1min(text: str | None = None) -> float | None:
    """The 1-minute load average (1st field of ``/proc/loadavg``)."""
    text = _loadavg() if text is None else text
    try:
        return float(text.split()[0])
    except (AttributeError, IndexError, ValueError):
        return None


def cores_busy(runnable: int | None, load1: float | None, cores: int) -> bool:
    """Whether the other cores are busy: as many runnable tasks as cores now, and a
    1-minute load average of at least ``cores - 0.5`` (unknown values do not count)."""
    if runnable is None or runnable < cores:
        return False
    return load1 is None or load1 >= cores - 0.5


def bank_blocks(policies: int, samples: int, taps: int, runnable: int | None = -1,
                cores: int = CORES, load1: float | None = -1.0) -> int:
    """Blocks (threads) for one bank kernel call; 1 runs it on the calling thread.

    ``runnable`` and ``load1`` default to :func:`runnable_tasks` and :func:`load_1min` of
    this moment (None: unknown).
    """
    from numba import config

    blocks = min(BANK_THREADS, policies // BANK_MIN, cores, config.NUMBA_NUM_THREADS)
    if blocks < 2 or samples * policies * taps < MIN_WORK:
        return 1
    text = _loadavg() if runnable == -1 or load1 == -1.0 else None
    runnable = runnable_tasks(text) if runnable == -1 else runnable
    load1 = load_1min(text) if load1 == -1.0 else load1
    if cores_busy(runnable, load1, cores):  # no idle core: threads would wait
        return 1
    return blocks
