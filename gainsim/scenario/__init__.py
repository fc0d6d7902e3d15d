"""Scenario files: load, validate, resolve (see ``docs/scenarios.md``)."""
from gainsim.scenario.load import Scenario, ScenarioError, dumps, load, loads, to_dict
from gainsim.scenario.model import Metrics, Policy, Run

__all__ = ["Metrics", "Policy", "Run", "Scenario", "ScenarioError", "dumps", "load", "loads",
           "to_dict"]
