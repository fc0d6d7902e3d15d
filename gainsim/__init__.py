"""gainsim: the learning rate of an online estimator, treated as a control-loop gain.

>>> import gainsim
>>> scenario = gainsim.load("scenarios/goldilocks.toml")   # doctest: +SKIP
>>> results = gainsim.run(scenario)                         # doctest: +SKIP
"""
from gainsim.runner import Results, run
from gainsim.scenario import Scenario, ScenarioError, load, loads

__version__ = "0.1.0"
__all__ = ["Results", "Scenario", "ScenarioError", "__version__", "load", "loads", "run"]
