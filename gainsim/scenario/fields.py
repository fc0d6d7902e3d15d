"""Declarative fields: a dataclass field knows its doc string, its check and its family.

``param`` is a thin wrapper over :func:`dataclasses.field` that stores the
metadata the loader (:mod:`gainsim.scenario.build`), the resolved-TOML writer
and ``docs/scenarios.md`` need. Checks return ``None`` when a value is fine and
a short phrase (``"must be > 0"``) when it is not.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Any, Callable

Check = Callable[[Any], "str | None"]


def param(default: Any = dataclasses.MISSING, *, doc: str, check: Check | None = None,
          family: str | None = None, choices: tuple[str, ...] | None = None,
          shorthand: str | None = None):
    """A dataclass field with loader metadata.

    Parameters
    ----------
    default
        Default value; omit for a required key.
    doc
        One line for ``docs/scenarios.md`` and error messages.
    check
        Called with the converted value; returns ``None`` or a phrase.
    family
        For a nested component: the registry family its ``kind`` is looked up in.
    choices
        For a string: the allowed values.
    shorthand
        For a nested component: the kind a bare number or string stands for
        (``gain = 0.05`` means ``{kind = "constant", eta = 0.05}``).
    """
    meta = {"doc": doc, "check": check, "family": family, "choices": choices,
            "shorthand": shorthand}
    if isinstance(default, (list, dict)):
        raise TypeError("mutable defaults are not allowed; use a tuple")
    return dataclasses.field(default=default, metadata=meta)


def _fmt(x: float) -> str:
    return repr(x) if not isinstance(x, float) else f"{x:g}"


def _compare(op: str, bound: float) -> Check:
    tests = {">": lambda v: v > bound, ">=": lambda v: v >= bound,
             "<": lambda v: v < bound, "<=": lambda v: v <= bound}
    test = tests[op]

    def check(value):
        values = value if isinstance(value, tuple) else (value,)
        flat = [v for item in values for v in (item if isinstance(item, tuple) else (item,))]
        bad = [v for v in flat if not (math.isfinite(v) and test(v))]
        return f"must be {op} {_fmt(bound)}" if bad else None

    check.__doc__ = f"{op} {_fmt(bound)}"
    return check


positive = _compare(">", 0)
nonneg = _compare(">=", 0)
at_least_one = _compare(">=", 1)


def between(low: float, high: float, *, open_low: bool = False, open_high: bool = False) -> Check:
    """Check ``low ≤ v ≤ high`` (or strict on either side)."""
    text = f"must be in {'(' if open_low else '['}{_fmt(low)}, {_fmt(high)}{')' if open_high else ']'}"

    def check(value):
        lo_ok = low < value if open_low else low <= value
        hi_ok = value < high if open_high else value <= high
        return None if (math.isfinite(value) and lo_ok and hi_ok) else text

    check.__doc__ = text.removeprefix("must be ")
    return check


probability = between(0.0, 1.0)


def describe_check(check: Check | None) -> str:
    """The allowed range as written in the docs (``"> 0"``)."""
    return (check.__doc__ or "") if check else ""
