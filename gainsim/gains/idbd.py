"""IDBD: Sutton's incremental delta-bar-delta, a per-weight gain learned by meta-gradient."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from numba import njit

from gainsim.estimators.loop import sample_loop
from gainsim.gains.compiled import CompiledPolicy, Row
from gainsim.gains.vexp import exp_into
from gainsim.registry import register
from gainsim.fields import param, positive


def positive_or_inf(value):
    return None if value > 0 else "must be > 0"


positive_or_inf.__doc__ = "> 0 (inf allowed)"


@njit(cache=True, inline="always")
def idbd_law(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """IDBD (Sutton 1992): rows beta, h; prm = (theta_meta, beta_min, max_dbeta).

    Three loops that LLVM vectorises: the log steps, their ``exp`` (into ``eta``), then
    the step and the trace ``h``.
    """
    meta, beta_min, max_dbeta = prm[0], prm[1], prm[2]
    n = g.size
    beta = st[0]
    for j in range(n):
        # Sutton's delta x_i is -g_i and x_i² is c_i
        dbeta = -meta * g[j] * st[1, j]
        dbeta = max_dbeta if dbeta > max_dbeta else dbeta
        dbeta = -max_dbeta if dbeta < -max_dbeta else dbeta
        b = beta[j] + dbeta
        beta[j] = b if b > beta_min else beta_min
    exp_into(beta, eta)
    for j in range(n):
        alpha = eta[j]
        step[j] = -alpha * g[j]
        decay = 1.0 - alpha * c[j]
        st[1, j] = st[1, j] * (decay if decay > 0.0 else 0.0) + step[j]
    return 0


@njit(cache=True, error_model="numpy")
def idbd_loop(data, laws, books, mon):  # pragma: no cover - compiled
    sample_loop(idbd_law, True, data, laws, books, mon)


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
    law: ClassVar = idbd_law
    loop: ClassVar = idbd_loop
    hyperparameters: ClassVar = ("meta_rate", "beta_min", "max_dbeta")
    rows: ClassVar = (Row("beta", "eta0", math.log), Row("h"))
    needs: ClassVar = ("direction", "gradient", "curvature")
    meta_rate: float = param(0.01, doc="meta step size (Sutton's theta)", check=positive)
    eta0: float = param(0.01, doc="initial per-weight gain alpha = exp(beta)", check=positive)
    beta_min: float = param(-math.inf, doc="lower bound on beta (Sutton suggests -10)")
    max_dbeta: float = param(math.inf, doc="largest |change of beta| per step (e.g. 2)",
                             check=positive_or_inf)
