"""Gradient-scale gains: AdaGrad and RMSProp divide the gain by a root-mean-square gradient."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, ClassVar

from numba import njit

from gainsim.estimators.loop import sample_loop
from gainsim.gains.compiled import CompiledPolicy, Row
from gainsim.gains.constant import Constant as ScheduledConstant
from gainsim.registry import register
from gainsim.fields import between, nonneg, param, positive


@njit(cache=True, inline="always")
def adagrad_law(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """AdaGrad: row 0 sum of squares G; prm = (eps,). eta = base / (sqrt(G) + eps)."""
    eps = prm[0]
    for j in range(g.size):
        st[0, j] += g[j] * g[j]
        eta[j] = base / (math.sqrt(st[0, j]) + eps)
        step[j] = -eta[j] * g[j]
    return 0


@njit(cache=True, error_model="numpy")
def adagrad_loop(data, laws, books, mon):  # pragma: no cover - compiled
    sample_loop(adagrad_law, False, data, laws, books, mon)


@njit(cache=True, inline="always")
def rmsprop_law(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """RMSProp: row 0 mean square v; prm = (rho, eps). eta = base / (sqrt(v) + eps)."""
    rho, eps = prm[0], prm[1]
    for j in range(g.size):
        st[0, j] = rho * st[0, j] + (1.0 - rho) * g[j] * g[j]
        eta[j] = base / (math.sqrt(st[0, j]) + eps)
        step[j] = -eta[j] * g[j]
    return 0


@njit(cache=True, error_model="numpy")
def rmsprop_loop(data, laws, books, mon):  # pragma: no cover - compiled
    sample_loop(rmsprop_law, False, data, laws, books, mon)


@register("gain")
@dataclass(frozen=True)
class Adagrad(CompiledPolicy):
    r"""AdaGrad (Duchi, Hazan & Singer 2011), diagonal form, with a scheduled base gain.

    .. math::
        G_k = G_{k-1} + g_k^2, \qquad
        \theta_k = \theta_{k-1} - \frac{\eta_k}{\sqrt{G_k} + \epsilon}\, g_k,
        \qquad G_0 = G_\text{init}

    elementwise; the recorded per-parameter gain is :math:`\eta_k/(\sqrt{G_k}+\epsilon)`
    (before the first update the monitor shows :math:`\eta_0`). Defaults are PyTorch's
    ``torch.optim.Adagrad``: ``eta = 0.01``, ``eps = 1e-10``, ``initial_accumulator = 0``
    (PyTorch's ``lr_decay`` is an ``inverse_time`` schedule here). Keras uses
    ``eta = 1e-3``, ``initial_accumulator = 0.1``, ``eps = 1e-7``.

    Stability: the first step has size :math:`\eta` per parameter whatever the gradient's
    scale (:math:`|g_1|/\sqrt{g_1^2} = 1`). Since :math:`G_k` grows linearly under a
    persistent gradient, the gain decays like :math:`1/\sqrt{k}`: it converges on a fixed
    target but cannot track drift.

    References
    ----------
    J. Duchi, E. Hazan and Y. Singer, "Adaptive subgradient methods for online
    learning and stochastic optimization", JMLR 12, 2011.
    """

    kind: ClassVar[str] = "adagrad"
    summary: ClassVar[str] = "AdaGrad: eta / (sqrt(sum g²) + eps) per parameter"
    law: ClassVar = adagrad_law
    loop: ClassVar = adagrad_loop
    hyperparameters: ClassVar = ("eps",)
    rows: ClassVar = (Row("sum_squares", "initial_accumulator"),)
    eta: Any = param(ScheduledConstant(eta=0.01), doc="base gain: a number or a schedule table",
                     family="schedule", shorthand="constant")
    eps: float = param(1e-10, doc="added to sqrt(G)", check=positive)
    initial_accumulator: float = param(0.0, doc="G at the start (PyTorch "
                                       "initial_accumulator_value)", check=nonneg)


@register("gain")
@dataclass(frozen=True)
class RmsProp(CompiledPolicy):
    r"""RMSProp (Tieleman & Hinton 2012) with a scheduled base gain, no bias correction.

    .. math::
        v_k = \rho\, v_{k-1} + (1-\rho)\, g_k^2, \qquad
        \theta_k = \theta_{k-1} - \frac{\eta_k}{\sqrt{v_k} + \epsilon}\, g_k, \qquad v_0 = 0

    elementwise; the recorded per-parameter gain is :math:`\eta_k/(\sqrt{v_k}+\epsilon)`.
    Defaults are PyTorch's ``torch.optim.RMSprop``: ``eta = 0.01``, ``rho = 0.99``
    (PyTorch's ``alpha``), ``eps = 1e-8`` outside the square root. Hinton's lecture
    (6e) uses ``rho = 0.9``; Keras ``eta = 1e-3, rho = 0.9, eps = 1e-7``.

    Stability: with :math:`v_0 = 0` the first step is
    :math:`-\eta\,\mathrm{sign}(g_1)/\sqrt{1-\rho}` (10η for ρ = 0.99): start small.
    The gain settles near :math:`\eta/\mathrm{rms}(g)`, so on LMS the step is roughly
    sign-normalised; it does not decay and can track drift, with a noise floor set by η.

    References
    ----------
    T. Tieleman and G. Hinton, "Lecture 6.5 — RMSProp: divide the gradient by a running
    average of its recent magnitude", COURSERA: Neural Networks for Machine Learning, 2012.
    """

    kind: ClassVar[str] = "rmsprop"
    summary: ClassVar[str] = "RMSProp: eta / (sqrt(mean g²) + eps) per parameter"
    law: ClassVar = rmsprop_law
    loop: ClassVar = rmsprop_loop
    hyperparameters: ClassVar = ("rho", "eps")
    rows: ClassVar = (Row("mean_square"),)
    eta: Any = param(ScheduledConstant(eta=0.01), doc="base gain: a number or a schedule table",
                     family="schedule", shorthand="constant")
    rho: float = param(0.99, doc="decay of the mean square (PyTorch alpha; Hinton 0.9)",
                       check=between(0.0, 1.0, open_high=True))
    eps: float = param(1e-8, doc="added to sqrt(v)", check=positive)
