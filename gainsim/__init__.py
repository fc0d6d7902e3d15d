"""gainsim: the learning rate of an online estimator, treated as a control-loop gain.

>>> import gainsim
>>> scenario = gainsim.load("scenarios/goldilocks.toml")   # doctest: +SKIP
>>> results = gainsim.run(scenario)                         # doctest: +SKIP
"""
from gainsim._numba_cache import configure as _configure_numba_cache

_configure_numba_cache()  # before any kernel is defined

from gainsim.runner import Results, run  # noqa: E402
from gainsim.scenario import Scenario, ScenarioError, load, loads  # noqa: E402

__version__ = "0.1.0"
__all__ = ["Results", "Scenario", "ScenarioError", "__version__", "load", "loads", "run"]
