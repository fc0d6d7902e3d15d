"""Hypergradient descent (Baydin et al. 2018): learn the gain online by the chain rule."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from gainsim.gains.compiled import Compiled, CompiledPolicy
from gainsim.gains.dispatch import ADAM_HD, SGD_HD
from gainsim.registry import register
from gainsim.fields import between, nonneg, param, positive


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
    code: ClassVar[int] = SGD_HD
    eta0: float = param(1e-3, doc="initial gain alpha_0", check=nonneg)
    hyper_rate: float = param(1e-3, doc="hypergradient step beta (hypergrad_lr)", check=nonneg)

    def base_schedule(self):
        return None

    def compile(self, plant, n: int) -> Compiled:
        state = np.zeros((2, n))
        state[1, 0] = self.eta0
        return Compiled(params=np.array([self.hyper_rate]), state=state,
                        eta0=np.full(n, self.eta0))


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
    code: ClassVar[int] = ADAM_HD
    eta0: float = param(1e-3, doc="initial base gain alpha_0", check=nonneg)
    hyper_rate: float = param(1e-7, doc="hypergradient step beta (hypergrad_lr)", check=nonneg)
    beta1: float = param(0.9, doc="first-moment decay", check=between(0.0, 1.0, open_high=True))
    beta2: float = param(0.999, doc="second-moment decay",
                         check=between(0.0, 1.0, open_high=True))
    eps: float = param(1e-8, doc="added to sqrt(v_hat)", check=positive)

    def base_schedule(self):
        return None

    def compile(self, plant, n: int) -> Compiled:
        state = np.zeros((4, n))
        state[3, 0] = self.eta0
        return Compiled(params=np.array([self.beta1, self.beta2, self.eps, self.hyper_rate]),
                        state=state, eta0=np.full(n, self.eta0))
