"""IDBD: Sutton's incremental delta-bar-delta, a per-weight gain learned by meta-gradient."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from gainsim.gains.compiled import Compiled, CompiledPolicy
from gainsim.gains.dispatch import IDBD
from gainsim.registry import register
from gainsim.fields import param, positive


def positive_or_inf(value):
    return None if value > 0 else "must be > 0"


positive_or_inf.__doc__ = "> 0 (inf allowed)"


@register("gain")
@dataclass(frozen=True)
class Idbd(CompiledPolicy):
    r"""Incremental delta-bar-delta (Sutton, AAAI 1992).

    Per example, with :math:`\delta = d - \theta^\top x` and for each weight :math:`i`:

    .. math::
        \beta_i &\leftarrow \beta_i + \theta_{meta}\,\delta\,x_i\,h_i, \qquad
        \alpha_i = e^{\beta_i} \\
        \theta_i &\leftarrow \theta_i + \alpha_i\,\delta\,x_i \\
        h_i &\leftarrow h_i\,[1 - \alpha_i x_i^2]^+ + \alpha_i\,\delta\,x_i

    with :math:`h_i = 0` and :math:`\beta_i = \ln \eta_0` at the start. In gradient form
    (:math:`\delta x_i = -g_i`, :math:`x_i^2 = c_i`) the same law runs on the
    quadratic plant with :math:`c_i = H_{ii}`. The safeguards ``beta_min`` and
    ``max_dbeta`` are off by default, as in the paper's results.

    References
    ----------
    R. S. Sutton, "Adapting bias by gradient descent: an incremental version of
    delta-bar-delta", Proc. AAAI-92, pp. 171–176, 1992.
    """

    kind: ClassVar[str] = "idbd"
    summary: ClassVar[str] = "IDBD (Sutton 1992): per-weight log-gain learned by meta-gradient"
    code: ClassVar[int] = IDBD
    estimators: ClassVar[tuple[str, ...]] = ("lms", "gd")
    meta_rate: float = param(0.01, doc="meta step size (Sutton's theta)", check=positive)
    eta0: float = param(0.01, doc="initial per-weight gain alpha = exp(beta)", check=positive)
    beta_min: float = param(-math.inf, doc="lower bound on beta (Sutton suggests -10)")
    max_dbeta: float = param(math.inf, doc="largest |change of beta| per step (e.g. 2)",
                             check=positive_or_inf)

    def base_schedule(self):
        return None

    def compile(self, plant, n: int) -> Compiled:
        state = np.zeros((2, n))
        state[0] = math.log(self.eta0)
        return Compiled(params=np.array([self.meta_rate, self.beta_min, self.max_dbeta]),
                        state=state, eta0=np.full(n, self.eta0))
