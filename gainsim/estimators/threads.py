"""How many threads a bank kernel call may use: only when they cannot make it slower.

A bank's policies are split into blocks run on numba's threads (each policy's numbers
do not depend on the split). Waking the pool costs a few microseconds on an idle
machine, but 3–6 ms per call when the other cores are busy (the worker waits for a
time slice), and a block on a busy core runs at a fraction of its speed. So a call
uses more than one block only when

* the bank has at least ``2 * BANK_MIN`` policies (one block of work never wakes
  the pool), and numba may use two threads or more (:func:`numba_threads`: a process
  pool's workers are set to one; blocks on one thread only cost more),
* the call has enough work (``samples × policies × taps ≥ MIN_WORK``) for the split to
  pay for the wake-up, and
* another core is free right now: the tasks of *other* processes that are running or
  ready to run (``/proc/loadavg``'s count, less this process's threads in state ``R``
  in ``/proc/self/task/*/stat``) leave at least one core besides ours. Our own threads
  must be left out: right after a split call numba's worker is often still runnable
  (measured at the start of 128-policy calls on an idle 2-core machine: 9 of 20 saw two
  runnable tasks, both ours), and counting it sent those calls to one thread. An
  earlier rule smoothed that with the 1-minute load average instead, which also hid a
  process that had started to fill the other core less than a minute before (a bank
  then ran at 0.81× its one-thread speed). Linux; elsewhere the first two rules decide.
"""
from __future__ import annotations

import os

BANK_MIN = 8          # from this many policies on, the policies-innermost kernel is faster
BANK_THREADS = 2      # blocks of a large bank run on at most this many threads
MIN_WORK = 1 << 23    # samples × policies × taps of a call below which one thread is faster
# (with 64-byte-aligned blocks, 2 threads on 16 or 24 policies × 16 taps × 16384 samples,
# 4.2 M and 6.3 M, ran at 0.95–0.96× one thread under the earlier 2^22, measured by
# `benchmarks/bench_user.py --only threads`; RESULTS_user.md section 4 is the run after)


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


def own_runnable_threads() -> int | None:
    """Threads of this process running or ready to run now (state ``R``)."""
    try:
        tids = os.listdir("/proc/self/task")
    except OSError:
        return None
    count = 0
    for tid in tids:
        try:
            fd = os.open(f"/proc/self/task/{tid}/stat", os.O_RDONLY)
        except OSError:  # the thread ended meanwhile
            continue
        try:
            text = os.read(fd, 512)
        except OSError:
            continue
        finally:
            os.close(fd)
        end = text.rfind(b")")  # the state follows the name, which may hold spaces
        count += end >= 0 and text[end + 2:end + 3] == b"R"
    return count


def cores_busy(others: int | None, cores: int) -> bool:
    """Whether ``others`` runnable tasks of other processes leave no core besides the
    calling thread's (unknown: not busy)."""
    return others is not None and others >= cores - 1


def numba_threads() -> int:
    """The threads numba's parallel kernels may use: ``numba.get_num_threads()`` (what
    ``numba.set_num_threads`` set, as in a process pool's workers), or, while numba's
    thread pool has not been started (asking would start it), its maximum
    ``NUMBA_NUM_THREADS``: ``set_num_threads`` starts the pool too, so it was not called."""
    from numba import config, get_num_threads
    from numba.np.ufunc import parallel

    if not getattr(parallel, "_is_initialized", True):
        return config.NUMBA_NUM_THREADS
    return get_num_threads()


def bank_blocks(policies: int, samples: int, taps: int, runnable: int | None = -1,
                cores: int = CORES, own: int | None = -1) -> int:
    """Blocks (threads) for one bank kernel call; 1 runs it on the calling thread.

    ``runnable`` (every runnable task) and ``own`` (this process's runnable threads)
    default to :func:`runnable_tasks` and :func:`own_runnable_threads` of this moment
    (None: unknown).
    """
    blocks = min(BANK_THREADS, policies // BANK_MIN, cores)
    if blocks < 2 or samples * policies * taps < MIN_WORK:
        return 1
    blocks = min(blocks, numba_threads())  # asked only where a split is possible
    if blocks < 2:
        return 1
    runnable = runnable_tasks() if runnable == -1 else runnable
    if runnable is not None and runnable < cores:  # a free core whoever runs: no need to
        return blocks                               # read our threads (~20 µs)
    own = own_runnable_threads() if own == -1 else own
    others = None if runnable is None else runnable - max(own or 1, 1)  # we run: >= 1
    if cores_busy(others, cores):  # no free core: threads would wait
        return 1
    return blocks
