"""The constant gain: the first member of the gain-policy family."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from gainsim.gains.scheduled import ScheduledLaw
from gainsim.registry import register
from gainsim.scenario.fields import param, positive


@register("gain")
@dataclass(frozen=True)
class Constant(ScheduledLaw):
    r"""A fixed gain :math:`\eta_k = \eta`.

    As a loop gain on a quadratic it places every closed-loop pole at
    :math:`1 - \eta\lambda_i`; for LMS it trades lag (:math:`\propto 1/\eta`)
    against gradient noise (:math:`\propto \eta`) when the target drifts.

    References
    ----------
    B. Widrow and S. D. Stearns, *Adaptive Signal Processing*, Prentice-Hall, 1985, ch. 6.
    """

    kind: ClassVar[str] = "constant"
    _unit_test_params: ClassVar = ({"eta": 0.1},)  # gainsim.testing examples
    summary: ClassVar[str] = "fixed gain eta"
    shorthand_field: ClassVar[str | None] = "eta"
    needs: ClassVar[tuple[str, ...]] = ()  # the estimator's own fixed gain: fits every one
    eta: float = param(doc="the gain (learning rate, step size)", check=positive)

    def base_schedule(self):
        return lambda k: np.full(np.shape(k), self.eta)

    def eta_vector(self, n: int) -> np.ndarray:
        """The per-parameter gain handed to a compiled estimator kernel."""
        return np.full(n, self.eta)
