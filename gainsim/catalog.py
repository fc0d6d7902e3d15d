"""The catalogue: every module that registers a component, listed once.

:mod:`gainsim.registry` holds the tables and imports nothing; this module fills
them by importing each component module below (plain imports, so the import-graph
test sees them), in this order (``gainsim list`` and
the docs show kinds sorted, so the order only matters for import time). The
scenario loader and ``gainsim list`` import this module; the registry never does.

Adding a component module (a new plant, gain law, estimator …) means one line here.
"""
from __future__ import annotations

from gainsim.registry import FAMILIES

# signals: plants, their inputs, drift, MRAC processes and commands
import gainsim.signals.inputs  # noqa: F401
import gainsim.signals.drift  # noqa: F401
import gainsim.signals.fir  # noqa: F401
import gainsim.signals.quadratic  # noqa: F401
import gainsim.signals.mrac  # noqa: F401
import gainsim.signals.data  # noqa: F401
# the sample stream's latency models
import gainsim.engine.stream  # noqa: F401
# gain policies and schedules
import gainsim.gains.schedules  # noqa: F401
import gainsim.gains.cyclic  # noqa: F401
import gainsim.gains.constant  # noqa: F401
import gainsim.gains.per_parameter  # noqa: F401
import gainsim.gains.normalized  # noqa: F401
import gainsim.gains.vss  # noqa: F401
import gainsim.gains.idbd  # noqa: F401
import gainsim.gains.autostep  # noqa: F401
import gainsim.gains.hypergradient  # noqa: F401
import gainsim.gains.adagrad  # noqa: F401
import gainsim.gains.adam  # noqa: F401
import gainsim.gains.momentum  # noqa: F401
import gainsim.gains.plateau  # noqa: F401
import gainsim.gains.trackers  # noqa: F401
# estimators and the scipy baselines
import gainsim.estimators.lms  # noqa: F401
import gainsim.estimators.gd  # noqa: F401
import gainsim.estimators.mrac  # noqa: F401
import gainsim.estimators.lms_variants  # noqa: F401
import gainsim.baselines.wolfe  # noqa: F401
import gainsim.baselines.exact  # noqa: F401
import gainsim.baselines.bfgs  # noqa: F401
import gainsim.baselines.newton  # noqa: F401
import gainsim.baselines.least_squares  # noqa: F401


def kinds(family: str) -> dict[str, type]:
    """The registered classes of one family (``kind -> class``)."""
    return FAMILIES[family]
