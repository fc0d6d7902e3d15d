"""Hypergradient descent (Baydin et al. 2018): learn the gain online by the chain rule."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from numba import njit

from gainsim.estimators.loop import sample_loop
from gainsim.gains.adam import bias_corrections, update_moments
from gainsim.gains.compiled import CompiledPolicy, Row
from gainsim.registry import register
from gainsim.fields import between, nonneg, param, positive


@njit(cache=True, inline="always")
def sgd_hd_law(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """SGD-HD: row 0 previous gradient, st[1, 0] the gain alpha; prm = (hyper_rate,)."""
    h = 0.0
    for j in range(g.size):
        h += g[j] * st[0, j]
    alpha = st[1, 0] + prm[0] * h
    events = 0
    if alpha < 0.0:
        alpha = 0.0
        events = 1
    st[1, 0] = alpha
    for j in range(g.size):
        eta[j] = alpha
        step[j] = -alpha * g[j]
        st[0, j] = g[j]
    return events


@njit(cache=True, error_model="numpy")
def sgd_hd_loop(data, laws, books, mon):  # pragma: no cover - compiled
    sample_loop(sgd_hd_law, False, data, laws, books, mon)


@njit(cache=True, inline="always")
def adam_hd_law(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Adam-HD: rows m, v, u (previous Adam direction), st[3, 0] = alpha.

    prm = (beta1, beta2, eps, hyper_rate).
    """
    b1, b2, eps, hyper = prm[0], prm[1], prm[2], prm[3]
    h = 0.0
    for j in range(g.size):
        h += g[j] * st[2, j]
    alpha = st[3, 0] + hyper * h
    events = 0
    if alpha < 0.0:
        alpha = 0.0
        events = 1
    st[3, 0] = alpha
    c1, c2 = bias_corrections(b1, b2, k)
    for j in range(g.size):
        update_moments(b1, b2, st, g, j)
        scale = 1.0 / (math.sqrt(st[1, j] / c2) + eps)
        st[2, j] = st[0, j] / c1 * scale
        eta[j] = alpha * scale
        step[j] = -alpha * st[2, j]
    return events


@njit(cache=True, error_model="numpy")
def adam_hd_loop(data, laws, books, mon):  # pragma: no cover - compiled
    sample_loop(adam_hd_law, False, data, laws, books, mon)


@register("gain")
@dataclass(frozen=True)
class SgdHd(CompiledPolicy):
    r"""SGD with hypergradient descent on the (scalar) gain.

    .. math::
        \alpha_k = \max\big(0,\ \alpha_{k-1} + \beta\, g_k^\top g_{k-1}\big), \qquad
        \theta_k = \theta_{k-1} - \alpha_k g_k, \qquad g_{-1} = 0

    :math:`-g_k^\top g_{k-1}` is the derivative of this sample's loss with respect to the
    gain of the previous update, so the gain grows while successive gradients agree and
    shrinks when they alternate. Each clip at 0 counts as one event. Defaults: the paper's
    settings for SGD-HD, ``eta0`` :math:`\alpha_0 = 10^{-3}` and ``hyper_rate``
    :math:`\beta = 10^{-3}` (the official code's default is ``1e-6``).

    Stability: nothing bounds :math:`\alpha` from above. :math:`\beta` multiplies
    :math:`g_k^\top g_{k-1}`, of the size of :math:`\lVert g\rVert^2`, so scale it by
    :math:`1/\lVert g\rVert^2`: with the default :math:`\beta` and
    :math:`\lVert g\rVert^2 \approx 10^3` the gain jumps past :math:`2/\lambda_\max`
    in one step and the run diverges. The paper's own stored results include gains that
    went negative, hence the clip. On LMS the rule is Mathews–Xie's (1993) without its
    clamp.

    References
    ----------
    A. G. Baydin, R. Cornish, D. Martínez Rubio, M. Schmidt and F. Wood, "Online
    learning rate adaptation with hypergradient descent", ICLR 2018.
    """

    kind: ClassVar[str] = "sgd_hd"
    summary: ClassVar[str] = "SGD-HD (Baydin 2018): alpha += beta g_k·g_{k-1}, clipped at 0"
    law: ClassVar = sgd_hd_law
    loop: ClassVar = sgd_hd_loop
    hyperparameters: ClassVar = ("hyper_rate",)
    rows: ClassVar = (Row("previous_gradient"), Row("alpha", "eta0"))
    eta0: float = param(1e-3, doc="initial gain alpha_0", check=nonneg)
    hyper_rate: float = param(1e-3, doc="hypergradient step beta (hypergrad_lr)", check=nonneg)


@register("gain")
@dataclass(frozen=True)
class AdamHd(CompiledPolicy):
    r"""Adam with hypergradient descent on its base gain (Adam-HD).

    With :math:`u_k = \hat m_k/(\sqrt{\hat v_k} + \epsilon)` the Adam direction
    (:math:`u_0 = 0`):

    .. math::
        \alpha_k &= \max\big(0,\ \alpha_{k-1} + \beta\, g_k^\top u_{k-1}\big) \\
        m_k, v_k, \hat m_k, \hat v_k &\ \text{as in Adam}, \qquad
        \theta_k = \theta_{k-1} - \alpha_k u_k

    The recorded per-parameter gain is :math:`\alpha_k/(\sqrt{\hat v_k} + \epsilon)`.
    Each clip at 0 counts as one event. :math:`\epsilon` is added after bias correction
    as in the paper (the official code adds it to :math:`\sqrt{v}`; the difference is
    negligible). Defaults: the paper's settings for Adam-HD, ``eta0`` :math:`= 10^{-3}`,
    ``hyper_rate`` :math:`\beta = 10^{-7}`, and Adam's ``beta1 = 0.9``,
    ``beta2 = 0.999``, ``eps = 1e-8``.

    Stability: :math:`|u_k| \lesssim 1` per parameter, so :math:`\beta` multiplies a
    quantity of the size of :math:`\lVert g\rVert_1`; there is no upper bound on
    :math:`\alpha`.

    References
    ----------
    A. G. Baydin, R. Cornish, D. Martínez Rubio, M. Schmidt and F. Wood, "Online
    learning rate adaptation with hypergradient descent", ICLR 2018; D. P. Kingma and
    J. Ba, "Adam: a method for stochastic optimization", ICLR 2015.
    """

    kind: ClassVar[str] = "adam_hd"
    summary: ClassVar[str] = "Adam-HD (Baydin 2018): alpha += beta g_k·u_{k-1}, clipped at 0"
    law: ClassVar = adam_hd_law
    loop: ClassVar = adam_hd_loop
    hyperparameters: ClassVar = ("beta1", "beta2", "eps", "hyper_rate")
    rows: ClassVar = (Row("m"), Row("v"), Row("direction"), Row("alpha", "eta0"))
    eta0: float = param(1e-3, doc="initial base gain alpha_0", check=nonneg)
    hyper_rate: float = param(1e-7, doc="hypergradient step beta (hypergrad_lr)", check=nonneg)
    beta1: float = param(0.9, doc="first-moment decay", check=between(0.0, 1.0, open_high=True))
    beta2: float = param(0.999, doc="second-moment decay",
                         check=between(0.0, 1.0, open_high=True))
    eps: float = param(1e-8, doc="added to sqrt(v_hat)", check=positive)
