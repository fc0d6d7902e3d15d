"""Run a scenario: every replica through an executor, then :func:`gainsim.engine.results.collect`.

Replica ``r`` always uses ``SeedSequence(seed).spawn(replicas)[r]``, so results are
bit-identical whatever the executor or number of workers.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from gainsim.engine.results import Results, collect, replica_seeds  # noqa: F401  (public names)


def run(scenario, *, seed: int | None = None, replicas: int | None = None, workers: int = 1,
        progress: Callable[[int, int], None] | None = None, executor=None) -> Results:
    """Simulate every replica of ``scenario`` and summarise.

    Parameters
    ----------
    seed, replicas
        Override ``scenario.run`` (the returned ``Results.scenario`` carries them).
    workers
        1 runs in this process; more use a process pool (:mod:`gainsim.engine.executors`), unless
        the run is too small to pay for starting it. Results do not depend on it.
    progress
        Called as ``progress(done, total)`` before the first replica and after each.
    executor
        An executor of :mod:`gainsim.engine.executors` to reuse (a pool kept across runs);
        ``workers`` is then ignored and the executor stays open.
    """
    run_cfg = replace(scenario.run, **{k: v for k, v in
                                       (("seed", seed), ("replicas", replicas)) if v is not None})
    scenario = replace(scenario, run=run_cfg)
    from gainsim.engine.executors import execute, make_executor, opened

    if executor is not None:  # the caller's, left open
        traces = execute([scenario], executor, summarise=False, progress=progress)[0]
    else:
        with opened(make_executor("process", workers)) as own:
            traces = execute([scenario], own, summarise=False, progress=progress)[0]
    return collect(scenario, traces)
