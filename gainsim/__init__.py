"""gainsim: the learning rate of an online estimator, treated as a control-loop gain.

>>> import gainsim
>>> scenario = gainsim.load("scenarios/goldilocks.toml")   # doctest: +SKIP
>>> results = gainsim.run(scenario)                         # doctest: +SKIP
>>> results.plot("eta")                                     # doctest: +SKIP

``import gainsim`` is light: the names below are imported on first use (PEP 562), so
a script or a spawned worker pays only for the parts it touches.
"""
from gainsim._numba_cache import configure as _configure_numba_cache

_configure_numba_cache()  # before any kernel is defined

__version__ = "0.1.0"

_LAZY = {"Results": "gainsim.engine.runner", "run": "gainsim.api", "open_run": "gainsim.api",
         "RunData": "gainsim.report.rundata",
         "Scenario": "gainsim.scenario", "ScenarioError": "gainsim.scenario",
         "load": "gainsim.scenario", "loads": "gainsim.scenario", "warmup": "gainsim.api"}
__all__ = ["Results", "RunData", "Scenario", "ScenarioError", "__version__", "load", "loads",
           "open_run", "run", "warmup"]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'gainsim' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
