"""``gainsim.run``: run a scenario given as a path, a TOML string or a Scenario.

>>> import gainsim
>>> res = gainsim.run("scenarios/quickstart.toml", replicas=5)   # doctest: +SKIP
>>> res.plot("eta")                                              # doctest: +SKIP
"""
from __future__ import annotations

import logging
from pathlib import Path

from gainsim.report.rundata import Reportable
from gainsim.scenario import Scenario, load, loads, to_dict
from gainsim.scenario.load import loads_dict

_log = logging.getLogger("gainsim")


def as_scenario(source, data: dict | None = None) -> Scenario:
    """A :class:`Scenario` from itself, a file path, or TOML text (text has a newline or ``=``).

    ``data``: named arrays (``{"x": X, "d": d}``) that a ``data`` plant streams instead of
    its file, checked like the file would be (a Scenario object is re-validated with them).
    Raises :class:`~gainsim.scenario.ScenarioError` (file not found, or every problem).
    """
    if isinstance(source, Scenario):
        return source if data is None else loads_dict(to_dict(source), "<scenario>", data)
    if isinstance(source, dict):
        return loads_dict(source, arrays=data)
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source
                                     and "=" not in source):
        return load(source, arrays=data)
    if isinstance(source, str):
        return loads(source, source="<string>", arrays=data)
    raise TypeError(f"run(): a Scenario, a path or TOML text (got {type(source).__name__})")


class RunResult(Reportable):
    """What :func:`run` returns: the run's :class:`~gainsim.engine.results.Results` with the
    Python API of :class:`~gainsim.report.rundata.Reportable` (``repr``, ``summary``, ``plot``,
    ``to_frame``, ``save``).

    Every attribute of the results (``policies``, ``curves``, ``t``, ``replica_errors`` …)
    reads through; ``results`` is the object itself.
    """

    def __init__(self, results):
        self.results = results
        self._data = None

    def run_data(self):
        """What the run directory of these results holds (computed once)."""
        if self._data is None:
            from gainsim.report.rundata import RunData

            self._data = RunData.from_results(self.results)
        return self._data

    @property
    def summary(self) -> dict:
        """The dict of ``summary.json``: run header and one entry per policy."""
        return self.run_data().summary

    def __getattr__(self, name: str):
        if name.startswith("__") or "results" not in self.__dict__:
            raise AttributeError(name)
        return getattr(self.__dict__["results"], name)


def run(scenario, *, seed: int | None = None, replicas: int | None = None,
        data: dict | None = None, **options):
    """Simulate every replica of ``scenario`` (a Scenario, path, TOML text or dict).

    Returns a :class:`RunResult` (the :class:`~gainsim.engine.results.Results` with their API):
    ``repr`` is the ranked table, ``summary``
    the dict of ``summary.json``, ``plot(kind, ax=)`` draws a figure, ``to_frame()`` is
    a pandas DataFrame and ``save(dir)`` writes the run directory ``gainsim run`` writes.
    ``seed``, ``replicas``: override the scenario's ``[run]``; ``data``: named arrays
    for a ``data`` plant (``{"x": X, "d": d}``, its ``target`` and ``inputs`` name them),
    streamed instead of its file; every other option
    (``workers``, ``executor``, ``progress``) is :func:`gainsim.engine.runner.run`'s.

    A first run of gain laws numba's cache lacks compiles them side by side first, on
    helper processes (:func:`gainsim.engine.warmup.compile_ahead`): fresh interpreters
    that never import your ``__main__``, so a script needs no ``if __name__ ==
    "__main__":`` guard for it. It says so on the ``gainsim`` logger (level INFO);
    ``GAINSIM_COMPILE_AHEAD=0`` in the environment turns it off.
    """
    from gainsim.engine.runner import run as run_scenario
    from gainsim.engine.warmup import compile_ahead

    scenario = as_scenario(scenario, data)
    if replicas is not None:
        _check_replicas(scenario, replicas)
    compile_ahead([scenario], _log.info)  # a first run: its laws compiled side by side
    return RunResult(run_scenario(scenario, seed=seed, replicas=replicas, **options))


def warmup(*scenarios, workers: int | None = None) -> list[tuple[str, float]]:
    """Compile (or load from numba's cache) every kernel the ``scenarios`` (Scenarios,
    paths, TOML texts or dicts) use, on ``workers`` processes side by side (default: the
    cores this process may use, at most 4), as ``gainsim warmup`` does; ``(what, seconds)``
    per kernel group, in the order they finished. Results never depend on it.
    """
    from gainsim.engine.warmup import MAX_COMPILERS, warm
    from gainsim.estimators.threads import CORES

    if workers is None:
        workers = min(CORES, MAX_COMPILERS)
    if workers < 1:
        raise ValueError(f"warmup(): workers must be >= 1 (got {workers})")
    return warm([as_scenario(s) for s in scenarios], workers)


def _check_replicas(scenario, replicas: int) -> None:
    """A plant's limit on the replica count (a data plant: 1 unless the stream is random)."""
    from gainsim.scenario import ScenarioError
    from gainsim.scenario.load import replicas_problem

    message = replicas_problem(scenario, replicas)
    if message:
        raise ScenarioError(scenario.name, [f"replicas: {message}"])


def open_run(folder):
    """A saved run directory as a :class:`~gainsim.report.rundata.RunData`: the same ``repr``,
    ``summary``, ``plot``, ``to_frame`` and ``save`` as fresh results, without simulating."""
    from gainsim.report.rundata import RunData

    return RunData.load(folder)
