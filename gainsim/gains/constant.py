"""The constant gain: the first member of the gain-policy family."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from gainsim.registry import register
from gainsim.scenario.fields import param, positive


@register("gain")
@dataclass(frozen=True)
class Constant:
    r"""A fixed gain :math:`\eta_k = \eta`.

    As a loop gain on a quadratic it places every closed-loop pole at
    :math:`1 - \eta\lambda_i`; for LMS it trades lag (:math:`\propto 1/\eta`)
    against gradient noise (:math:`\propto \eta`) when the target drifts.

    References
    ----------
    B. Widrow and S. D. Stearns, *Adaptive Signal Processing*, Prentice-Hall, 1985, ch. 6.
    """

    kind: ClassVar[str] = "constant"
    summary: ClassVar[str] = "fixed gain eta"
    shorthand_field: ClassVar[str | None] = "eta"
    eta: float = param(doc="the gain (learning rate, step size)", check=positive)

    def init(self, n: int) -> Any:
        """No state."""
        return None

    def step(self, state: Any, obs: Any) -> tuple[float, Any]:
        """``(eta, state)``: the same gain at every update."""
        return self.eta, state

    # As a compiled law (for estimators that only have a general kernel, e.g. mrac):
    code: ClassVar[int] = 0  # gainsim.gains.dispatch.SCHEDULED
    estimators: ClassVar[tuple[str, ...]] = ("lms", "nlms", "gd")  # and all that act like them

    def base_schedule(self):
        return lambda k: np.full(np.shape(k), self.eta)

    def compile(self, plant: Any, n: int):
        from gainsim.gains.compiled import Compiled

        return Compiled(params=np.zeros(1), state=np.zeros((0, n)), eta0=self.eta_vector(n))

    def eta_vector(self, n: int) -> np.ndarray:
        """The per-parameter gain handed to a compiled estimator kernel."""
        return np.full(n, self.eta)
