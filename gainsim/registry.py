"""One registry that maps ``kind = "..."`` strings to component classes.

Every scenario component (plant, input, drift, latency, estimator, gain) is a frozen
dataclass registered under a *family* and a *kind*::

    @register("drift")
    @dataclass(frozen=True)
    class RandomWalk:
        kind: ClassVar[str] = "random_walk"
        summary: ClassVar[str] = "theta_star takes a Gaussian step at every sample"
        std: float = param(doc="per-step standard deviation", check=nonneg)

The scenario loader looks classes up here, ``gainsim list`` prints them.
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


def register(family: str):
    """Class decorator: file ``cls`` under ``FAMILIES[family][cls.kind]``."""

    def add(cls: type) -> type:
        table = FAMILIES[family]
        if cls.kind in table:
            raise ValueError(f"{family} kind {cls.kind!r} registered twice")
        table[cls.kind] = cls
        return cls

    return add


def kinds(family: str) -> dict[str, type]:
    """The registered classes of one family, after importing every component module."""
    import gainsim.components  # noqa: F401  (registers everything)

    return FAMILIES[family]
