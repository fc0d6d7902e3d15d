"""gainsim: the learning rate of an online estimator, treated as a control-loop gain.

>>> import gainsim
>>> scenario = gainsim.load("scenarios/goldilocks.toml")   # doctest: +SKIP
>>> results = gainsim.run(scenario)                         # doctest: +SKIP
>>> results.plot("eta")                                     # doctest: +SKIP
"""
from gainsim._numba_cache import configure as _configure_numba_cache

_configure_numba_cache()  # before any kernel is defined

from gainsim.api import run  # noqa: E402
from gainsim.rundata import RunData  # noqa: E402
from gainsim.runner import Results  # noqa: E402
from gainsim.scenario import Scenario, ScenarioError, load, loads  # noqa: E402

open_run = RunData.load  # a saved run directory, with the same API as Results

__version__ = "0.1.0"
__all__ = ["Results", "RunData", "Scenario", "ScenarioError", "__version__", "load", "loads",
           "open_run", "run"]
