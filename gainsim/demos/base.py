"""What every demo is made of: :class:`Number`, :class:`Demo`, :class:`DemoOutput`.

Split from :mod:`gainsim.demos` so the demo modules import these without importing the
package that lists them (no import circle).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

SCENARIOS = Path(__file__).resolve().parent / "scenarios"


@dataclass(frozen=True)
class Number:
    """One printed number: what the simulation gave and what the closed form says."""

    label: str
    simulated: float | str | None
    closed_form: float | str | None
    formula: str = ""
    rel_tol: float = 0.0   # how close theory and simulation should be (the demo's tests use it)


@dataclass(frozen=True)
class Demo:
    """A claim, the scenario files that show it, and the analysis that proves it."""

    name: str
    summary: str
    scenarios: tuple[str, ...]
    analyse: Callable[[list], list[Number]]
    figures: Callable[[list], dict] = field(default=lambda results: {})
    table: tuple[tuple[str, str], ...] = ()   # a two-column side-by-side printed first
    page: Callable[[list], tuple[str, str]] | None = None  # --html: (file name, HTML text)


@dataclass(frozen=True)
class DemoOutput:
    demo: Demo
    results: list            # one Results per scenario file
    numbers: list[Number]
    figures: dict            # file name -> matplotlib Figure


def scenario_path(stem: str) -> Path:
    """The shipped scenario file of a demo (``gainsim/demos/scenarios/STEM.toml``)."""
    return SCENARIOS / f"{stem}.toml"
