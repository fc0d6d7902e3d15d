"""The cost of a Python baseline: evaluations, wall time and failures, per policy.

:class:`gainsim.estimators.python_group.PythonGroup` keeps one row per policy of
:data:`COST_COLUMNS` (sums over the run); :func:`cost_fields` turns a row into the
per-update numbers ``summary.json`` publishes. Wall time is the one number in a
run that is not reproducible bit for bit.
"""
from __future__ import annotations

import math

import numpy as np

COST_COLUMNS = ("function_evals", "gradient_evals", "seconds", "line_search_failures")
COST_FIELDS = ("function_evals_per_update", "gradient_evals_per_update",
               "seconds_per_update", "line_search_failures")


def empty_costs(P: int) -> np.ndarray:
    """Zeroed cost sums for ``P`` policies, shape ``(P, len(COST_COLUMNS))``."""
    return np.zeros((P, len(COST_COLUMNS)))


def cost_fields(row: np.ndarray | None, updates: float) -> dict:
    """Per-update cost of one policy (all ``None`` when ``row`` is ``None``).

    Parameters
    ----------
    row
        Sums over a run (or their mean over replicas) in :data:`COST_COLUMNS` order.
    updates
        Updates applied in that run (or their mean).
    """
    if row is None or not np.all(np.isfinite(row)):
        return dict.fromkeys(COST_FIELDS)
    per = 1.0 / updates if updates > 0 else math.nan
    values = (row[0] * per, row[1] * per, row[2] * per, row[3])
    return {k: (float(v) if math.isfinite(v) else None) for k, v in zip(COST_FIELDS, values)}
