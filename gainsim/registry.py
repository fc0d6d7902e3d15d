"""One registry that maps ``kind = "..."`` strings to component classes (imports nothing).

Every scenario component (plant, input, drift, latency, estimator, gain, schedule …)
is a frozen dataclass registered under one or more *families* and a *kind*::

    @register("drift")
    @dataclass(frozen=True)
    class RandomWalk:
        kind: ClassVar[str] = "random_walk"
        summary: ClassVar[str] = "theta_star takes a Gaussian step at every sample"
        std: float = param(doc="per-step standard deviation", check=nonneg)

This module is the ground floor: it imports no other gainsim module, so any
component module may import it. Which modules register components is written down
once, in :mod:`gainsim.catalog`; the loader and ``gainsim list`` ask
:func:`gainsim.catalog.kinds`, which imports them all first.
"""
from __future__ import annotations

FAMILIES: dict[str, dict[str, type]] = {
    "plant": {},
    "input": {},
    "drift": {},
    "latency": {},
    "estimator": {},
    "gain": {},
    "schedule": {},
    "process": {},
    "command": {},
}


def register(*families: str):
    """Class decorator: file ``cls`` under ``FAMILIES[family][cls.kind]`` for each family.

    A schedule is a gain too: ``@register("schedule", "gain")``.
    """
    if not families:
        raise TypeError("register() needs at least one family")
    unknown = [f for f in families if f not in FAMILIES]
    if unknown:
        raise ValueError(f"unknown component family {unknown[0]!r} "
                         f"(known: {', '.join(FAMILIES)})")

    def add(cls: type) -> type:
        for family in families:
            table = FAMILIES[family]
            if cls.kind in table:
                raise ValueError(f"{family} kind {cls.kind!r} registered twice")
            table[cls.kind] = cls
        return cls

    return add
