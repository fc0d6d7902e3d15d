"""Scenario files: load, validate, resolve (see ``docs/scenarios.md``)."""
from gainsim.scenario.load import ScenarioError, dumps, load, loads, to_dict
from gainsim.scenario.model import Metrics, Policy, Run, Scenario

__all__ = ["Metrics", "Policy", "Run", "Scenario", "ScenarioError", "dumps", "load", "loads",
           "to_dict"]
