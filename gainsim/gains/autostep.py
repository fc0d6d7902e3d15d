"""Autostep: IDBD made tuning-free by normalising the meta-step and bounding the effective step."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from numba import njit

from gainsim.estimators.loop import sample_loop
from gainsim.gains.compiled import CompiledPolicy, Row
from gainsim.gains.vexp import exp_into
from gainsim.registry import register
from gainsim.fields import param, positive


@njit(cache=True, inline="always")
def autostep_law(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Autostep: rows alpha, h, v; prm = (meta_rate, tau). Gradient form: delta x_i = -g_i.

    Loops that LLVM vectorises: ``v`` and the exponent (in ``eta``), its ``exp`` (in
    ``step``), the normaliser, then the step and the trace ``h``.
    """
    mu, tau = prm[0], prm[1]
    n = g.size
    alpha, v = st[0], st[2]
    for j in range(n):
        dxh = -g[j] * st[1, j]  # delta x_i h_i
        a = abs(dxh)
        # v uses the alpha from before this step's change
        vj = v[j] + alpha[j] * c[j] * (a - v[j]) / tau
        vj = a if a > vj else vj
        v[j] = vj
        # v = 0 only where delta x_i h_i = 0: no change to alpha_i, exp(0) = 1
        eta[j] = mu * dxh / (vj if vj != 0.0 else 1.0)
    exp_into(eta, step)
    m = 0.0
    for j in range(n):
        alpha[j] *= step[j]
        m += alpha[j] * c[j]
    if m < 1.0:
        m = 1.0
    for j in range(n):
        aj = alpha[j] / m
        alpha[j] = aj
        eta[j] = aj
        step[j] = -aj * g[j]
        st[1, j] = st[1, j] * (1.0 - aj * c[j]) + step[j]
    return 0


@njit(cache=True, error_model="numpy")
def autostep_loop(data, laws, books, mon):  # pragma: no cover - compiled
    sample_loop(autostep_law, True, data, laws, books, mon)


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
    law: ClassVar = autostep_law
    loop: ClassVar = autostep_loop
    hyperparameters: ClassVar = ("meta_rate", "tau")
    rows: ClassVar = (Row("alpha", "eta0"), Row("h"), Row("v"))
    needs: ClassVar = ("direction", "gradient", "curvature")
    meta_rate: float = param(1e-2, doc="meta step size mu", check=positive)
    tau: float = param(1e4, doc="time scale of the normaliser v", check=positive)
    eta0: float = param(0.1, doc="initial per-weight gain alpha_0", check=positive)
