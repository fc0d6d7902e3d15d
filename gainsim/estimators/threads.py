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
* a core is idle right now: fewer runnable tasks than cores in ``/proc/loadavg``
  (Linux; elsewhere the first two rules decide).
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


def runnable_tasks(text: str | None = None) -> int | None:
    """Tasks running or ready to run now (4th field of ``/proc/loadavg``, ours included)."""
    if text is None:
        try:
            with open("/proc/loadavg", encoding="ascii") as fh:
                text = fh.read()
        except OSError:
            return None
    try:
        return int(text.split()[3].split("/")[0])
    except (IndexError, ValueError):
        return None


def bank_blocks(policies: int, samples: int, taps: int, runnable: int | None = -1,
                cores: int = CORES) -> int:
    """Blocks (threads) for one bank kernel call; 1 runs it on the calling thread.

    ``runnable`` defaults to :func:`runnable_tasks` of this moment (None: unknown).
    """
    from numba import config

    blocks = min(BANK_THREADS, policies // BANK_MIN, cores, config.NUMBA_NUM_THREADS)
    if blocks < 2 or samples * policies * taps < MIN_WORK:
        return 1
    if runnable == -1:
        runnable = runnable_tasks()
    if runnable is not None and runnable >= cores:  # no idle core: threads would wait
        return 1
    return blocks
