"""How gainsim's own processes run Python's cyclic garbage collector.

The ``gainsim`` command and the worker processes gainsim starts (process pools, the
figure helper) allocate a few hundred thousand long-lived objects while they import numba,
scipy and matplotlib. With Python's default thresholds ``(700, 10, 10)`` the collector
walks all of them again and again: a warm ``gainsim run scenarios/quickstart.toml`` spent
230–290 ms of its main process in 491 collections (three full ones took 150–190 ms), and
``drift_tracking`` 270–295 ms (measured with ``gc.callbacks`` on this project's 2-core
machine). With :data:`THRESHOLDS` the same runs spend 100–105 ms in 16–17 young
collections and no full one, at the same peak memory (235–245 MB).

Only those processes change their thresholds (:func:`tune`); ``import gainsim`` leaves a
Python session's collector as it is. Nothing computed depends on when the collector runs.

References
----------
Python documentation, ``gc`` — Garbage Collector interface: ``gc.set_threshold`` (a
generation is collected when its allocations minus deallocations exceed its threshold)
and ``gc.callbacks`` (how the times above were taken).
"""
from __future__ import annotations

import gc

THRESHOLDS = (20_000, 20, 20)  # young collection every 20 000 net allocations; see above


def tune() -> None:
    """Set this process's collector thresholds to :data:`THRESHOLDS` (call it first)."""
    gc.set_threshold(*THRESHOLDS)
