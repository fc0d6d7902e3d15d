"""Gain policies: where eta comes from. Policies never see an estimator.

Every policy has ``init(n) -> state`` and ``step(state, obs) -> (eta, state)``;
:func:`as_policy` turns a bare number into a :class:`Constant`. Every schedule is a
gain policy too (``gain = {kind = "cosine", ...}``); the laws register themselves
and :mod:`gainsim.catalog` lists their modules.
"""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

from gainsim.gains.constant import Constant
from gainsim.gains.schedule import Schedule


class Obs(NamedTuple):
    """What a policy may look at after each sample (one uniform signature for all)."""

    k: int
    t: float
    x: np.ndarray | None
    e: float
    grad: np.ndarray | None
    loss: float
    curv: np.ndarray | None = None  # curvature diagonal of the loss (default x², or 1)


def as_policy(gain: Any) -> Any:
    """Coerce a number to :class:`Constant`; return a policy unchanged."""
    if isinstance(gain, (int, float)) and not isinstance(gain, bool):
        return Constant(eta=float(gain))
    if hasattr(gain, "step") and hasattr(gain, "init"):
        return gain
    raise TypeError(f"not a gain policy: {gain!r}")


__all__ = ["Constant", "Obs", "Schedule", "as_policy"]
