"""Helper processes that compile kernels for this one: fresh interpreters, not spawns of it.

:func:`gainsim.engine.warmup.run_probes` hands its probes to children started with
:mod:`subprocess` (``python -c …``), not with :mod:`multiprocessing`. A multiprocessing
``spawn`` child imports this process's ``__main__`` first, so a user's script that calls
``gainsim.run()`` without an ``if __name__ == "__main__":`` guard would be run again in
every child; a child started here imports only gainsim. It gets this process's
``sys.path`` (a checkout on the path, a notebook's ``sys.path.insert``), ignores Ctrl-C
and dies with its parent (:func:`gainsim.engine.lifetime.worker_init`).

Tasks and replies travel as length-prefixed pickles: tasks on the child's stdin, replies
on a copy of its stdout (the child's own prints go to its stderr). A task the child
cannot do (it failed, or the child is gone) is done by this process instead.
"""
from __future__ import annotations

import collections
import json
import os
import pickle
import struct
import subprocess
import sys
import threading
from typing import Callable, Iterable

_HEADER = struct.Struct("<Q")  # payload length in bytes
_START = ("import sys, json; sys.path[:0] = json.loads(sys.argv[1]); "
          "from gainsim.engine.compilers import serve; serve(int(sys.argv[2]))")


def _send(stream, obj) -> None:
    data = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _receive_bytes(stream) -> bytes:
    """The next message on ``stream``; ``EOFError`` when the other side has gone."""
    head = stream.read(_HEADER.size)
    if len(head) < _HEADER.size:
        raise EOFError
    size = _HEADER.unpack(head)[0]
    data = stream.read(size)
    if len(data) < size:
        raise EOFError
    return data


def _receive(stream):
    """The next object on ``stream`` (:func:`_receive_bytes`, unpickled)."""
    return pickle.loads(_receive_bytes(stream))


def serve(parent_pid: int) -> None:
    """In the child: answer ``(fn, arg)`` tasks with ``(True, fn(arg))`` or ``(False, why)``
    until the parent closes the child's stdin, then exit at once (``os._exit``: what is
    left is only freeing memory, as in :func:`gainsim.cli.main.entry`)."""
    from gainsim.engine.lifetime import worker_init

    worker_init(parent_pid)  # Ctrl-C is the parent's; exit when the parent is gone
    from gainsim.collector import tune

    tune()
    replies = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # anything printed goes to stderr, not into the replies
    tasks = sys.stdin.buffer
    while True:
        try:
            message = _receive_bytes(tasks)
        except EOFError:  # the parent is done: exit without the interpreter's teardown
            sys.stderr.flush()  # (~0.35 s with numba loaded, and the parent waits for it)
            os._exit(0)
        try:
            fn, arg = pickle.loads(message)  # a task this child cannot even load is failed
            reply = (True, fn(arg))
        except Exception as err:  # noqa: BLE001 - reported to the parent, which does it itself
            reply = (False, f"{type(err).__name__}: {err}")
        _send(replies, reply)


class Compiler:
    """One child process (:func:`serve`) and the pipes to it."""

    def __init__(self):
        self.process = subprocess.Popen(
            [sys.executable, "-c", _START, json.dumps(sys.path), str(os.getpid())],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def call(self, fn: Callable, arg):
        """``fn(arg)`` in the child; ``RuntimeError`` if it failed, ``EOFError`` if the
        child is gone."""
        try:
            _send(self.process.stdin, (fn, arg))
        except (BrokenPipeError, OSError) as err:
            raise EOFError from err
        ok, value = _receive(self.process.stdout)
        if not ok:
            raise RuntimeError(value)
        return value

    def close(self, abort: bool = False) -> None:
        """Let the child finish (``abort``: kill it now) and reap it."""
        try:
            self.process.stdin.close()
        except OSError:
            pass
        if abort:
            self.process.kill()
        try:
            self.process.wait(timeout=None if not abort else 5)
        except subprocess.TimeoutExpired:  # pragma: no cover - a child that ignores SIGKILL
            pass
        self.process.stdout.close()


def share(fn: Callable, tasks: Iterable, children: int) -> list:
    """``fn(task)`` for every task, on this process and ``children`` :class:`Compiler`
    processes side by side; the results in the order they finished.

    The children take the first tasks (one each, as they come free), this process the
    next ones; a task a child could not do is done here at the end.
    """
    pending = collections.deque(tasks)
    lock = threading.Lock()
    results: list = []
    left: list = []  # tasks the children gave back

    def take():
        with lock:
            return pending.popleft() if pending else None

    def feed(child: Compiler, task) -> None:
        while task is not None:
            try:
                value = child.call(fn, task)
            except Exception:  # noqa: BLE001 - failed, gone, or not picklable: done here
                with lock:
                    left.append(task)
                return
            with lock:
                results.append(value)
            task = take()

    started = []
    try:
        for _ in range(children):
            try:
                started.append(Compiler())
            except (OSError, ValueError):  # cannot start a child: this process does the work
                break
        # each child's first task is taken here, before this process takes any
        threads = [threading.Thread(target=feed, args=(c, take()), daemon=True,
                                    name="gainsim-compiler-feed") for c in started]
        for thread in threads:
            thread.start()
        while (task := take()) is not None:
            value = fn(task)
            with lock:
                results.append(value)
        for thread in threads:
            thread.join()
        for task in left:
            results.append(fn(task))
    except BaseException:
        for child in started:
            child.close(abort=True)
        raise
    for child in started:
        child.close()
    return results
