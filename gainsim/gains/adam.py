"""Adam: per-parameter gain from running moments of the gradient."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from gainsim.gains.compiled import Compiled, CompiledPolicy
from gainsim.gains.dispatch import ADAM
from gainsim.gains.constant import Constant as ScheduledConstant
from gainsim.registry import register
from gainsim.fields import between, param, positive


@register("gain")
@dataclass(frozen=True)
class Adam(CompiledPolicy):
    r"""Adam (Kingma & Ba, ICLR 2015), bias-corrected, with a scheduled base gain.

    .. math::
        m_k &= \beta_1 m_{k-1} + (1-\beta_1) g_k, \qquad
        v_k = \beta_2 v_{k-1} + (1-\beta_2) g_k^2 \\
        \hat m_k &= m_k/(1-\beta_1^{k}), \quad \hat v_k = v_k/(1-\beta_2^{k}), \quad
        \theta_k = \theta_{k-1} - \eta_k\,\hat m_k/(\sqrt{\hat v_k} + \epsilon)

    (``k`` counted from 1 here). The effective per-parameter gain
    :math:`\eta_k/(\sqrt{\hat v_k}+\epsilon)` is what gainsim records. On a 1-D
    problem the first step is :math:`-\eta\,\mathrm{sign}(g_1)` (for
    :math:`|g_1| \gg \epsilon`), whatever the gradient's size.

    References
    ----------
    D. P. Kingma and J. Ba, "Adam: A method for stochastic optimization", ICLR 2015
    (defaults eta = 1e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8).
    """

    kind: ClassVar[str] = "adam"
    summary: ClassVar[str] = "Adam: eta / (sqrt(v_hat) + eps) per parameter, momentum m_hat"
    code: ClassVar[int] = ADAM
    eta: Any = param(ScheduledConstant(eta=1e-3), doc="base gain: a number or a schedule table",
                     family="schedule", shorthand="constant")
    beta1: float = param(0.9, doc="first-moment decay", check=between(0.0, 1.0, open_high=True))
    beta2: float = param(0.999, doc="second-moment decay",
                         check=between(0.0, 1.0, open_high=True))
    eps: float = param(1e-8, doc="added to sqrt(v_hat)", check=positive)

    def compile(self, plant, n: int) -> Compiled:
        base = float(self.base_schedule()(np.int64(0)))
        return Compiled(params=np.array([self.beta1, self.beta2, self.eps]),
                        state=np.zeros((2, n)), eta0=np.full(n, base))
