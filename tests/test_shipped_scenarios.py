"""Every shipped ``scenarios/*.toml`` loads, round-trips and runs (at a reduced size).

The scenarios are found by glob, so a new file is tested without editing this one.
Each run is cut to one replica of at most ``SAMPLES`` samples through the scenario
objects (``dataclasses.replace``), which keeps the suite fast; the full-size numbers
are pinned by ``benchmarks/snapshot_outputs.py``.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

import gainsim
from gainsim.report.text import summary_dict
from gainsim.scenario import dumps

SCENARIOS = sorted((Path(__file__).resolve().parent.parent / "scenarios").glob("*.toml"))
SAMPLES = 400


def reduced(scenario):
    """One replica, at most ``SAMPLES`` samples, a coarse grid; everything else as shipped."""
    samples = min(int(round(scenario.duration * scenario.stream.rate)), SAMPLES)
    run = dataclasses.replace(scenario.run, replicas=1, duration=None, samples=samples)
    metrics = dataclasses.replace(scenario.metrics, grid=min(scenario.metrics.grid, 20))
    return dataclasses.replace(scenario, run=run, metrics=metrics)


def test_there_are_shipped_scenarios():
    assert len(SCENARIOS) >= 7


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_shipped_scenario_loads_round_trips_and_runs(path):
    scenario = gainsim.load(path)
    assert gainsim.loads(dumps(scenario)) == scenario
    results = gainsim.run(reduced(scenario))
    summary = summary_dict(results)
    names = [p.name for p in scenario.policy]
    assert [p["name"] for p in summary["policies"]] == names
    assert results.t.shape == (min(scenario.metrics.grid, 20) + 1,)
    for entry in summary["policies"]:  # every policy learned or diverged, with its time
        assert entry["updates"] > 0
        if entry["diverged"]:
            assert entry["diverged_at"] is not None
        else:
            assert entry["steady_state_tracking_error"] is not None
            assert np.isfinite(entry["steady_state_tracking_error"])
