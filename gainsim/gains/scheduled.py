"""The scheduled gain's law, shared by the constant gain and every schedule: ``step = -eta_k g``."""
from __future__ import annotations

from typing import ClassVar

from numba import njit

from gainsim.estimators.loop import sample_loop
from gainsim.gains.compiled import CompiledPolicy


@njit(cache=True, inline="always")
def scaled_gradient(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Plain SGD with the scheduled gain: ``eta = base``, ``step = -base * g``."""
    for j in range(g.size):
        eta[j] = base
        step[j] = -base * g[j]
    return 0


@njit(cache=True, error_model="numpy")
def scheduled_loop(data, laws, books, mon):  # pragma: no cover - compiled
    sample_loop(scaled_gradient, False, data, laws, books, mon)


class ScheduledLaw(CompiledPolicy):
    """Mixin of the constant gain and the schedules: ``eta_k = base_schedule()(k)``, no state."""

    law: ClassVar = scaled_gradient
    loop: ClassVar = scheduled_loop
