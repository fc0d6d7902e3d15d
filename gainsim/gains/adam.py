"""Adam: per-parameter gain from running moments of the gradient."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from numba import njit

from gainsim.estimators.loop import sample_loop
from gainsim.gains.compiled import CompiledPolicy, Row
from gainsim.gains.constant import Constant as ScheduledConstant
from gainsim.registry import register
from gainsim.fields import between, param, positive


@njit(cache=True, inline="always")
def bias_corrections(b1, b2, k):  # pragma: no cover - compiled
    """Adam's ``(1 - beta1^t, 1 - beta2^t)`` for update ``t = k + 1``."""
    t = k + 1.0
    return 1.0 - b1 ** t, 1.0 - b2 ** t


@njit(cache=True, inline="always")
def update_moments(b1, b2, st, g, j):  # pragma: no cover - compiled
    """Adam's running moments of parameter ``j``: rows ``m = st[0]``, ``v = st[1]``."""
    st[0, j] = b1 * st[0, j] + (1.0 - b1) * g[j]
    st[1, j] = b2 * st[1, j] + (1.0 - b2) * g[j] * g[j]


@njit(cache=True, inline="always")
def adam_law(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Adam (Kingma & Ba 2015): rows m, v; prm = (beta1, beta2, eps)."""
    b1, b2, eps = prm[0], prm[1], prm[2]
    c1, c2 = bias_corrections(b1, b2, k)
    for j in range(g.size):
        update_moments(b1, b2, st, g, j)
        eta[j] = base / (math.sqrt(st[1, j] / c2) + eps)
        step[j] = -eta[j] * st[0, j] / c1
    return 0


@njit(cache=True, error_model="numpy")
def adam_loop(data, laws, books, mon):  # pragma: no cover - compiled
    sample_loop(adam_law, False, data, laws, books, mon)


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
    law: ClassVar = adam_law
    loop: ClassVar = adam_loop
    hyperparameters: ClassVar = ("beta1", "beta2", "eps")
    rows: ClassVar = (Row("m"), Row("v"))
    _unit_test_params: ClassVar = ({}, {"eta": {"kind": "step", "eta0": 0.01, "step_size": 10}})
    eta: Any = param(ScheduledConstant(eta=1e-3), doc="base gain: a number or a schedule table",
                     family="schedule", shorthand="constant")
    beta1: float = param(0.9, doc="first-moment decay", check=between(0.0, 1.0, open_high=True))
    beta2: float = param(0.999, doc="second-moment decay",
                         check=between(0.0, 1.0, open_high=True))
    eps: float = param(1e-8, doc="added to sqrt(v_hat)", check=positive)
