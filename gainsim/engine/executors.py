"""Where replicas run: in this process, on a persistent process pool, or on a Dask cluster.

Every executor gives the same bits. Replica ``r`` of a scenario always uses
``SeedSequence(run.seed).spawn(replicas)[r]`` and a point's summary is always computed
from its traces in replica order by the same function, so it does not matter which
process ran which replica (see :func:`gainsim.engine.runner.replica_seeds`).

Work goes out in chunks: whole sweep points (a worker runs every replica of a few
points and sends back only their summaries) when there are enough points to keep
every worker busy, in chunks that shrink towards the end (:func:`guided_chunks`), else
blocks of replicas (the traces come back and are summarised here). This process is one
of the pool's workers: it takes chunks from the same queue as the spawned ones (one in
hand each), so it also works while they start. Before anything is handed out, the first
replicas run in this process: they load the kernels here and time a replica, and when
the remaining work is too small to pay for starting workers (:data:`STARTUP_SECONDS`)
everything stays in this process.
"""
from __future__ import annotations

import collections
import contextlib
import math
import os
import signal
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Callable, Iterable, Iterator

EXECUTORS = ("serial", "process", "dask")
# Starting a worker: interpreter, imports (0.6 s of CPU measured) and the cached kernels;
# a conservative 3 s (under a load average of 11 on 2 cores the first worker took 12 s).
STARTUP_SECONDS = 3.0
# How long close() lets a busy worker finish its chunk before terminating it, and how
# long it lets workers with nothing of ours to do exit on their own (an idle worker takes
# ~0.2 s to wind down; terminating it loses nothing, so a sweep ends without that wait).
CLOSE_GRACE_SECONDS = 10.0
IDLE_GRACE_SECONDS = 0.0
# The last points of a sweep on a pool are split into this many replica blocks each.
TAIL_PIECES = 4


# ----------------------------------------------------------------------------- work units
def simulate_block(scenario, start: int, stop: int) -> list:
    """Traces of replicas ``start .. stop - 1`` of ``scenario`` (in order)."""
    from gainsim.engine.results import replica_seeds
    from gainsim.engine.sim import simulate

    seeds = replica_seeds(scenario.run.seed, stop, start)
    return [simulate(scenario, s) for s in seeds]


def simulate_point(scenario):
    """Every replica of ``scenario``, folded as each is simulated
    (:class:`gainsim.engine.results.TraceFold`: one replica's largest records in memory
    at a time)."""
    from gainsim.engine.results import TraceFold

    fold = TraceFold(scenario.run.replicas)
    for r in range(scenario.run.replicas):
        fold.extend(simulate_block(scenario, r, r + 1))
    return fold


def point_record(scenario, traces, curves: bool = False) -> dict:
    """What a sweep keeps of one point: its ``summary.json`` dict; with ``curves`` also
    its ``traces.npz`` arrays, under ``"traces"`` (only for the few points asked for)."""
    from gainsim.engine.results import collect
    from gainsim.report.text import summary_dict, trace_arrays

    results = collect(scenario, traces)
    record = summary_dict(results)
    if curves:
        record["traces"] = trace_arrays(results)
    return record


def work(task: tuple):
    """Run one chunk (the only function shipped to workers).

    ``("block", point, scenario, start, stop)`` returns ``("block", point, start, traces)``;
    ``("points", [(point, scenario, curves), ...])`` returns ``("points", [(point, record),
    ...])`` (``curves``: keep that point's curves, see :func:`point_record`).
    """
    if task[0] == "block":
        _, point, scenario, start, stop = task
        return "block", point, start, simulate_block(scenario, start, stop)
    return "points", [(i, point_record(s, simulate_point(s), curves))
                      for i, s, curves in task[1]]


def _worker_init(parent_pid: int) -> None:
    """Once per worker process: exit with the parent, leave Ctrl-C to it, one numba thread.

    Uses :func:`gainsim.engine.lifetime.worker_init` (the worker dies with its parent, even
    after a SIGKILL) where that module exists; otherwise only ignores Ctrl-C.
    """
    try:
        from gainsim.engine.lifetime import worker_init
    except ImportError:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    else:
        worker_init(parent_pid)
    if hasattr(signal, "pthread_sigmask"):  # blocked since the fork (see ProcessPool.submit)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    from gainsim.collector import tune

    tune()  # before the heavy imports below (gainsim.collector)
    import numba

    import gainsim.engine.sim  # noqa: F401  (import gainsim once, not per task)

    numba.set_num_threads(1)


# ----------------------------------------------------------------------------- executors
class Serial:
    """Everything in this process, in order."""

    name, workers = "serial", 1

    def imap(self, fn: Callable, tasks: Iterable) -> Iterator:
        return map(fn, tasks)

    def close(self, abort: bool = False) -> None:
        pass


class ProcessPool:
    """``workers`` processes computing: this one and ``workers - 1`` spawned ones, kept for
    the whole sweep (kernels load once per worker).

    This process is one of the workers: it computes chunks itself between collecting
    results (:meth:`imap`), instead of waiting idle, so on a machine with as many cores
    as workers no core idles while a spawned worker starts (~1 s: interpreter, imports,
    numba's registries and the cached kernels). The spawned workers start with the first task
    handed out, not before: a run that turns out too small for them starts none.
    ``spawn``, not ``fork``: numba's thread pool must not be forked. :meth:`close` stops
    and joins every worker, also after Ctrl-C, so no process outlives the command.
    """

    name = "process"

    def __init__(self, workers: int):
        if workers < 2:
            raise ValueError(f"a process pool needs workers >= 2 (got {workers})")
        self.workers = workers
        self.spawned = workers - 1  # this process is the other worker
        self._workers: dict = {}  # pid -> Process: every worker ever started
        self._pool = None  # the ProcessPoolExecutor, made by the first task handed out
        self._pending: set = set()  # futures handed out and not yet back
        self._stopped = False  # close() ran: hand out nothing more

    def _executor(self):
        if self._pool is None:
            import multiprocessing as mp

            from gainsim.engine.lifetime import quiet_resource_tracker

            quiet_resource_tracker()
            self._pool = ProcessPoolExecutor(max_workers=self.spawned,
                                             mp_context=mp.get_context("spawn"),
                                             initializer=_worker_init,
                                             initargs=(os.getpid(),))
        return self._pool

    def imap(self, fn: Callable, tasks: Iterable) -> Iterator:
        """Results in completion order.

        One queue of tasks, taken in order by this process and by a feeder thread that
        keeps exactly one task in hand per spawned worker (a new one as soon as one
        comes back). So a spawned worker never waits for this process to hand out more,
        and never holds tasks it has not started that this process could run: at the
        end, every process finishes its last task and nothing waits in a queue. The
        results are the same bits whoever computes them.
        """
        import queue
        import threading

        todo, lock, finished = collections.deque(tasks), threading.Lock(), queue.SimpleQueue()

        def take():
            with lock:
                return todo.popleft() if todo and not self._stopped else None

        pending = self._pending
        for _ in range(self.spawned):  # from this thread: the workers spawn under the mask
            task = take()
            if task is None:
                break
            self.submit(fn, task)

        failed: list = []  # what stopped the feeder (e.g. a broken pool), raised here

        def feed() -> None:
            try:
                while pending:
                    done, _ = wait(set(pending), return_when=FIRST_COMPLETED)
                    for future in done:
                        pending.discard(future)
                        finished.put(future)
                        task = take()
                        if task is not None:
                            self.submit(fn, task)
            except BaseException as err:  # noqa: BLE001 - handed to the caller's thread
                failed.append(err)

        feeder = threading.Thread(target=feed, name="gainsim-pool-feeder", daemon=True)
        feeder.start()
        while not failed:
            while not finished.empty():
                yield finished.get().result()
            task = take()
            if task is None:
                break
            yield fn(task)
        while not failed and (feeder.is_alive() or not finished.empty()):
            try:
                future = finished.get(timeout=0.05)
            except queue.Empty:
                continue
            yield future.result()
        if failed:
            raise failed[0]

    def submit(self, fn: Callable, task):
        """Hand ``fn(task)`` to a spawned worker now (starting the pool if needed); a
        :class:`concurrent.futures.Future`, kept in the pending set until it is back.

        Ctrl-C is blocked meanwhile: a worker it spawns inherits the blocked signal,
        so a Ctrl-C while it is still importing cannot print a traceback from it (the
        initializer ignores SIGINT, then unblocks it). The parent gets the signal as soon
        as the call returns."""
        import threading

        # made before the mask: making it starts multiprocessing's resource tracker,
        # which unblocks SIGINT after spawning it (undoing the block below)
        pool = self._executor()
        if not hasattr(signal, "pthread_sigmask") or (
                threading.current_thread() is not threading.main_thread()):
            future = pool.submit(fn, task)
        else:
            old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
            try:
                future = pool.submit(fn, task)
            finally:
                signal.pthread_sigmask(signal.SIG_SETMASK, old)
        self._note_workers()
        self._pending.add(future)
        return future

    def _note_workers(self) -> None:
        """Remember every worker the pool has started (it may start more later, e.g. to
        replace one that died), so that :meth:`close` can reap each of them."""
        table = getattr(self._pool, "_processes", None) or {}
        self._workers.update(table)

    def close(self, abort: bool = False) -> None:
        """Cancel what has not started, stop every worker and wait until each has exited.

        Idle workers exit on the pool's own signal; a worker still busy after
        :data:`CLOSE_GRACE_SECONDS` in all (``abort``: Ctrl-C, an error; or once SIGTERM
        or SIGHUP arrived, :func:`gainsim.engine.lifetime.signal_received`: at once) is
        terminated. Only the pool's manager thread reaps the workers it knows (two
        threads calling ``waitpid`` on one child race: the loser's ``Process`` reports
        it alive forever), so exits are watched through each worker's sentinel, the
        manager thread is joined, and only then is each worker joined here, including
        any the pool started after the last look.
        """
        from multiprocessing.connection import wait as wait_ready

        from gainsim.engine.lifetime import signal_received

        abort = abort or signal_received()  # a close in a `finally` after SIGTERM: be quick
        self._stopped = True
        pool = self._pool
        if pool is None:  # no task was ever handed out: no worker exists
            return
        manager = getattr(pool, "_executor_manager_thread", None)
        table = getattr(pool, "_processes", None)  # the manager's own dict: it may grow
        self._note_workers()
        pool.shutdown(wait=False, cancel_futures=True)  # drops pool's reference to manager
        if table is not None:
            # shutdown() set pool._processes to None while the manager may still start a
            # worker to replace one that exited (max_tasks_per_child), which then fails
            # on len(None) and kills the manager before it stops the other workers.
            pool._processes = table
        workers = list(self._workers.values())
        running = {p.sentinel: p for p in workers}  # not exitcode: that reaps here
        # No task of ours running: what is left are idle workers or workers still
        # starting up, which would finish importing only to exit.
        busy = any(not f.done() for f in list(self._pending))
        grace = CLOSE_GRACE_SECONDS if busy else IDLE_GRACE_SECONDS
        deadline = time.monotonic() + (0.0 if abort else grace)
        while running:
            ready = wait_ready(list(running), timeout=max(deadline - time.monotonic(), 0.0))
            for sentinel in ready:
                del running[sentinel]
            if time.monotonic() >= deadline:
                break
        for p in running.values():  # not exited (sentinel unready): the pid is still its own
            p.terminate()
        if manager is not None:
            manager.join()
        self._workers.update(table or {})
        for p in self._workers.values():
            p.join()


class Dask:
    """A ``dask.distributed`` client: a ``LocalCluster`` here, or the given scheduler.

    Only tasks (the scenario and replica numbers) go out and summaries (or, for a run
    with few points, replica traces) come back; workers need gainsim installed.
    """

    name = "dask"

    def __init__(self, workers: int, scheduler: str | None = None):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise RuntimeError("--executor dask needs dask.distributed: pip install "
                               "'gainsim[dask]'") from None
        self._cluster = None
        if scheduler:
            self._client = Client(scheduler)
        else:
            import logging

            self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                         processes=True, dashboard_address=None,
                                         silence_logs=logging.ERROR)
            self._client = Client(self._cluster)
        self.workers = max(len(self._client.scheduler_info().get("workers", {})), 1)

    def imap(self, fn: Callable, tasks: Iterable) -> Iterator:
        from dask.distributed import as_completed

        futures = self._client.map(fn, list(tasks), pure=False)
        for future in as_completed(futures):
            yield future.result()

    def close(self, abort: bool = False) -> None:
        if abort:  # cancel this client's tasks on the workers
            with contextlib.suppress(Exception):
                self._client.cancel(list(self._client.futures.values()))
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()


@contextlib.contextmanager
def opened(executor):
    """``with opened(make_executor(...)) as ex:``: closed at the end, aborted on an exception."""
    try:
        yield executor
    except BaseException:
        executor.close(abort=True)
        raise
    executor.close()


def make_executor(kind: str = "process", workers: int = 1, scheduler: str | None = None):
    """``serial``, ``process`` (a pool of ``workers``) or ``dask`` (at ``scheduler``).

    Raises ``ValueError`` for more workers than :func:`gainsim.scenario.sizes.workers_limit`.
    """
    from gainsim.scenario.sizes import workers_problem

    problem = workers_problem(max(workers, 1))
    if problem:
        raise ValueError(problem.replace("--workers", "workers", 1))
    if kind == "dask":
        return Dask(workers, scheduler)
    if kind == "serial" or workers <= 1:
        return Serial()
    if kind == "process":
        return ProcessPool(workers)
    raise ValueError(f"executor: must be one of {', '.join(EXECUTORS)} (got {kind!r})")


# ----------------------------------------------------------------------------- planning
class _Plan:
    """Folds block traces per point in replica order as the blocks come in (a block that
    arrives early waits for those before it), and summarises a point once all are in."""

    def __init__(self, scenarios: list, summarise: bool, curves=frozenset()):
        from gainsim.engine.results import TraceFold

        self.scenarios, self.summarise, self.curves = scenarios, summarise, curves
        self.blocks: dict[int, dict[int, list]] = {}  # point -> start -> traces, waiting
        self.folds = {i: TraceFold(s.run.replicas) for i, s in enumerate(scenarios)}
        self.results: dict[int, object] = {}

    def add_block(self, point: int, start: int, traces: list) -> bool:
        parts = self.blocks.setdefault(point, {})
        parts[start] = traces
        fold = self.folds[point]
        while len(fold.traces) in parts:
            fold.extend(parts.pop(len(fold.traces)))
        scenario = self.scenarios[point]
        if len(fold.traces) < scenario.run.replicas:
            return False
        del self.blocks[point], self.folds[point]
        self.results[point] = (point_record(scenario, fold, point in self.curves)
                               if self.summarise else fold)
        return True


def guided_chunks(items: list, workers: int) -> list[list]:
    """Chunks that shrink as the work runs out (guided self-scheduling, Polychronopoulos &
    Kuck 1987): each takes ``ceil(left / (3 * workers))`` of the items still left, so the
    first ones are big (few round trips) and the last ones single items (the workers
    finish together instead of one waiting for another's last big chunk)."""
    chunks, i = [], 0
    while i < len(items):
        size = max(1, math.ceil((len(items) - i) / (3 * workers)))
        chunks.append(items[i:i + size])
        i += size
    return chunks


def _blocks(point: int, scenario, start: int, pieces: int) -> list[tuple]:
    R = scenario.run.replicas
    size = max(1, math.ceil((R - start) / max(pieces, 1)))
    return [("block", point, scenario, a, min(a + size, R)) for a in range(start, R, size)]


def _pieces(executor, scenario) -> int:
    """Blocks to cut a run's replicas into: in this process one replica each (each is
    folded, its records freed, before the next one runs), else two per worker."""
    return scenario.run.replicas if isinstance(executor, Serial) else 2 * executor.workers


def execute(scenarios: list, executor=None, *, summarise: bool = True,
            progress: Callable[[int, int], None] | None = None, curves=frozenset()) -> list:
    """Run every replica of every scenario; per scenario a summary dict or its traces.

    Parameters
    ----------
    scenarios
        One validated scenario per point (a run is one point).
    executor
        From :func:`make_executor`; ``None`` runs here.
    summarise
        ``True``: return :func:`point_record` per point (a sweep); ``False``: the replica
        traces of each point, folded in replica order
        (:class:`gainsim.engine.results.TraceFold`: a run, which needs the curves).
    progress
        Called as ``progress(done, total)``: points when summarising, else replicas.
    curves
        Points (indices) whose summary also carries its curves (:func:`point_record`).
    """
    from gainsim.engine.lifetime import interrupts_deferred

    with interrupts_deferred():  # no Ctrl-C raised inside numba's callbacks
        return _execute(scenarios, executor or Serial(), summarise, progress, curves)


def _execute(scenarios: list, executor, summarise: bool, progress, curves) -> list:
    plan = _Plan(scenarios, summarise, frozenset(curves))
    total = len(scenarios) if summarise else sum(s.run.replicas for s in scenarios)
    done = 0

    def tick(n: int = 1):
        nonlocal done
        done += n
        if progress:
            progress(done, total)

    if progress:
        progress(0, total)
    first = scenarios[0]
    # The probe: one replica loads the kernels here, the next one is timed.
    probe = min(2, first.run.replicas)
    traces = simulate_block(first, 0, 1)
    started = time.perf_counter()
    traces += simulate_block(first, 1, probe)
    per_replica = (time.perf_counter() - started) if probe == 2 else None
    if not summarise:
        tick(probe)
    finished = plan.add_block(0, 0, traces)
    remaining = sum(s.run.replicas for s in scenarios) - probe
    if isinstance(executor, ProcessPool) and per_replica is not None and (
            per_replica * remaining < STARTUP_SECONDS):
        # too little work to pay for starting the workers: this process computes from
        # the start, the spawned ones from their start-up S on, so with W seconds of
        # work left the pool takes about S + (W - S) / workers, less than W iff W > S
        executor = Serial()
    if finished and summarise:
        tick()
    tasks = [] if finished else _blocks(0, first, probe, _pieces(executor, first))
    rest = [(i, s, i in plan.curves) for i, s in enumerate(scenarios)][1:]
    if isinstance(executor, Serial) or len(rest) >= 2 * executor.workers or not summarise:
        if summarise and not isinstance(executor, Serial):
            chunks = guided_chunks(rest, executor.workers)
            # The last single points go out as replica blocks: at the end a worker holds
            # at most a block, not a whole point, while the others have run out.
            tail = []
            while chunks and len(chunks[-1]) == 1 and len(tail) < 2 * executor.workers:
                tail.insert(0, chunks.pop()[0])
            tasks += [("points", chunk) for chunk in chunks]
            tasks += [t for i, s, _ in tail for t in _blocks(i, s, 0, TAIL_PIECES)]
        elif summarise:
            tasks += [("points", [item]) for item in rest]
        else:
            tasks += [t for i, s, _ in rest for t in _blocks(i, s, 0, _pieces(executor, s))]
    else:  # few points, several workers: split each point's replicas
        pieces = math.ceil(2 * executor.workers / len(rest))
        tasks += [t for i, s, _ in rest for t in _blocks(i, s, 0, pieces)]
    for result in executor.imap(work, tasks):
        if result[0] == "points":
            for point, record in result[1]:
                plan.results[point] = record
                tick()
        else:
            _, point, start, block = result
            complete = plan.add_block(point, start, block)
            if not summarise:
                tick(len(block))
            elif complete:
                tick()
    return [plan.results[i] for i in range(len(scenarios))]
