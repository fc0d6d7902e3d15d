"""``gainsim.run``: run a scenario given as a path, a TOML string or a Scenario.

>>> import gainsim
>>> res = gainsim.run("scenarios/quickstart.toml", replicas=5)   # doctest: +SKIP
>>> res.plot("eta")                                              # doctest: +SKIP
"""
from __future__ import annotations

from pathlib import Path

from gainsim.scenario import Scenario, load, loads


def as_scenario(source) -> Scenario:
    """A :class:`Scenario` from itself, a file path, or TOML text (text has a newline or ``=``).

    Raises :class:`~gainsim.scenario.ScenarioError` (file not found, or every problem).
    """
    if isinstance(source, Scenario):
        return source
    if isinstance(source, dict):
        return Scenario.from_dict(source)
    if isinstance(source, Path) or (isinstance(source, str) and "\n" not in source
                                     and "=" not in source):
        return load(source)
    if isinstance(source, str):
        return loads(source, source="<string>")
    raise TypeError(f"run(): a Scenario, a path or TOML text (got {type(source).__name__})")


def run(scenario, *, seed: int | None = None, replicas: int | None = None, **options):
    """Simulate every replica of ``scenario`` (a Scenario, path, TOML text or dict).

    Returns :class:`~gainsim.results.Results`: ``repr`` is the ranked table, ``summary``
    the dict of ``summary.json``, ``plot(kind, ax=)`` draws a figure, ``to_frame()`` is
    a pandas DataFrame and ``save(dir)`` writes the run directory ``gainsim run`` writes.
    ``seed``, ``replicas``: override the scenario's ``[run]``; every other option
    (``workers``, ``executor``, ``progress``) is :func:`gainsim.runner.run`'s.
    """
    from gainsim.runner import run as run_scenario

    return run_scenario(as_scenario(scenario), seed=seed, replicas=replicas, **options)
