"""Autostep: IDBD made tuning-free by normalising the meta-step and bounding the effective step."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from gainsim.gains.compiled import Compiled, CompiledPolicy
from gainsim.gains.dispatch import AUTOSTEP
from gainsim.registry import register
from gainsim.fields import param, positive


@register("gain")
@dataclass(frozen=True)
class Autostep(CompiledPolicy):
    r"""Autostep (Mahmood, Sutton, Degris & Pilarski, ICASSP 2012).

    Per example, with :math:`\delta = d - \theta^\top x` and for each weight :math:`i`:

    .. math::
        v_i &\leftarrow \max\Big(|\delta x_i h_i|,\ v_i + \tfrac{1}{\tau}\,\alpha_i x_i^2
              \big(|\delta x_i h_i| - v_i\big)\Big) \\
        \alpha_i &\leftarrow \alpha_i \exp\!\big(\mu\,\delta x_i h_i / v_i\big)
              \quad (\text{if } v_i \ne 0) \\
        M &= \max\big(\textstyle\sum_i \alpha_i x_i^2,\ 1\big), \qquad
              \alpha_i \leftarrow \alpha_i / M \\
        \theta_i &\leftarrow \theta_i + \alpha_i\,\delta x_i, \qquad
        h_i \leftarrow h_i\,(1 - \alpha_i x_i^2) + \alpha_i\,\delta x_i

    with :math:`h = v = 0` and :math:`\alpha_i = \alpha_0` at the start; the
    :math:`v` update uses the :math:`\alpha` from before this step's change. In
    gradient form (:math:`\delta x_i = -g_i`, :math:`x_i^2 \to c_i`) it runs on the
    quadratic plant with :math:`c_i = H_{ii}`, like IDBD. Defaults are the paper's:
    ``meta_rate`` :math:`\mu = 10^{-2}`, ``tau`` :math:`= 10^4`, ``eta0``
    :math:`\alpha_0 = 0.1`.

    Stability: :math:`M` keeps :math:`\sum_i \alpha_i x_i^2 \le 1`, i.e. the step never
    overshoots the current sample (effective NLMS gain ≤ 1), so the weights cannot
    diverge whatever :math:`\mu`; the normaliser :math:`v_i` makes the meta-step
    invariant to the scale of :math:`\delta x_i h_i`.

    References
    ----------
    A. R. Mahmood, R. S. Sutton, T. Degris and P. M. Pilarski, "Tuning-free step-size
    adaptation", Proc. IEEE ICASSP 2012.
    """

    kind: ClassVar[str] = "autostep"
    summary: ClassVar[str] = "Autostep (Mahmood et al. 2012): normalised IDBD, tuning-free"
    code: ClassVar[int] = AUTOSTEP
    estimators: ClassVar[tuple[str, ...]] = ("lms", "gd")
    meta_rate: float = param(1e-2, doc="meta step size mu", check=positive)
    tau: float = param(1e4, doc="time scale of the normaliser v", check=positive)
    eta0: float = param(0.1, doc="initial per-weight gain alpha_0", check=positive)

    def base_schedule(self):
        return None

    def compile(self, plant, n: int) -> Compiled:
        state = np.zeros((3, n))
        state[0] = self.eta0
        return Compiled(params=np.array([self.meta_rate, self.tau]), state=state,
                        eta0=np.full(n, self.eta0))
