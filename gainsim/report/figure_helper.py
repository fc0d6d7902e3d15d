"""Figures of a run drawn on two processes: this one and a helper started before the run.

A warm ``gainsim run`` spends about half its time drawing figures with matplotlib, one
after the other. With two cores, ``gainsim run`` starts one spawned process before it
simulates (:func:`helping`); the helper imports matplotlib and the figure modules while
this process simulates, then draws the most expensive figures of the run
(:data:`REMOTE`) while this process draws the others. The PNG bytes are the same
whichever process draws them (same code, same data, same matplotlib). If the helper
cannot draw (it failed to start, an error), this process draws those figures itself.
``GAINSIM_FIGURE_HELPER=0`` in the environment turns the helper off. In a first run of
a constant-gain bank the helper first compiles the plant's draws
(:class:`gainsim.engine.warmup.SplitCompile`), before it imports matplotlib.
"""
from __future__ import annotations

import contextlib

ROOT_LOCUS = "root_locus.png"  # drawn beside the poles table (gainsim.report.poles)
REMOTE = ("theta.png", "tracking_error.png", ROOT_LOCUS)  # ~2/3 of quickstart's drawing

_helper = None  # the pool of the innermost `helping` block, else None
WAIT_SECONDS = 300.0  # for the helper's figures at most; then this process draws them


def _prepare(_) -> None:
    """In the helper, while the run simulates: the imports every figure needs."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot  # noqa: F401

    import gainsim.figures  # noqa: F401


def draw(task: tuple) -> list[tuple[str, bytes]]:
    """In the helper: ``(name, PNG bytes)`` of the figures named in ``task = (data, names)``."""
    _prepare(None)
    from gainsim.figures import report_figures
    from gainsim.figures.common import png_bytes

    data, names = task
    out = [(name, png_bytes(make(data).figure))
           for name, _, make in report_figures(data) if name in names]
    if ROOT_LOCUS in names:
        from gainsim.report.poles import report_section

        section = report_section(data)
        if section is not None and section[1] is not None:
            out.append((ROOT_LOCUS, png_bytes(section[1])))
    return out


@contextlib.contextmanager
def helping(first=None):
    """Within the block, :func:`remote_figures` hands figures to a helper process
    (started here, when this process may use two cores).

    ``first``: a task ``(fn, arg)`` the helper runs before anything else (a first run's
    compile, :func:`gainsim.engine.warmup.compile_sensor`); the block gets its future,
    or ``None`` (no helper, no task)."""
    global _helper
    import os

    from gainsim.estimators.threads import CORES

    if CORES < 2 or os.environ.get("GAINSIM_FIGURE_HELPER", "1") == "0":
        yield None
        return
    from gainsim.engine.executors import ProcessPool, opened

    outer = _helper
    with opened(ProcessPool(2)) as pool:
        try:
            ahead = pool.submit(*first) if first is not None else None
            pool.submit(_prepare, None)
        except Exception:  # noqa: BLE001 - no helper: this process draws everything
            yield None
            return
        _helper = pool
        try:
            yield ahead
        finally:
            _helper = outer


def remote_figures(data, names: list[str]):
    """A future of :func:`draw` for those of ``names`` in :data:`REMOTE`, or ``None``
    (no helper, or nothing to hand over); its ``names`` are the figures handed over, and
    :func:`collect` gives their PNGs."""
    wanted = [name for name in names if name in REMOTE]
    if _helper is None or not wanted:
        return None
    try:
        future = _helper.submit(draw, (data, wanted))
    except Exception:  # noqa: BLE001 - the helper is gone: draw here
        return None
    future.names = wanted  # what this process leaves to the helper
    return future


def collect(future) -> dict[str, bytes]:
    """The helper's PNGs by name; empty if it failed or took longer than
    :data:`WAIT_SECONDS` (they are then drawn here)."""
    if future is None:
        return {}
    try:
        return dict(future.result(timeout=WAIT_SECONDS))
    except Exception:  # noqa: BLE001 - any failure of the helper: draw here instead
        return {}
