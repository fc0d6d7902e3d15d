"""Momentum gains: Polyak's heavy ball and PyTorch-form Nesterov momentum."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from numba import njit

from gainsim.estimators.loop import sample_loop
from gainsim.gains.compiled import CompiledPolicy, Row
from gainsim.gains.constant import Constant as ScheduledConstant
from gainsim.registry import register
from gainsim.fields import between, param


@njit(cache=True, inline="always")
def momentum_law(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Heavy ball: row 0 velocity v; prm = (beta,). v = beta v - base g; step = v."""
    beta = prm[0]
    for j in range(g.size):
        st[0, j] = beta * st[0, j] - base * g[j]
        eta[j] = base
        step[j] = st[0, j]
    return 0


@njit(cache=True, error_model="numpy")
def momentum_loop(data, laws, books, mon):  # pragma: no cover - compiled
    sample_loop(momentum_law, False, data, laws, books, mon)


@njit(cache=True, inline="always")
def nesterov_law(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Nesterov, PyTorch form: row 0 buf; prm = (beta,).

    buf = beta buf + g; step = -base (g + beta buf).
    """
    beta = prm[0]
    for j in range(g.size):
        st[0, j] = beta * st[0, j] + g[j]
        eta[j] = base
        step[j] = -base * (g[j] + beta * st[0, j])
    return 0


@njit(cache=True, error_model="numpy")
def nesterov_loop(data, laws, books, mon):  # pragma: no cover - compiled
    sample_loop(nesterov_law, False, data, laws, books, mon)


@dataclass(frozen=True)
class _Momentum(CompiledPolicy):
    """Shared by heavy ball and Nesterov: a scheduled gain, a momentum factor, one state row."""

    eta: Any = param(ScheduledConstant(eta=0.01), doc="gain: a number or a schedule table",
                     family="schedule", shorthand="constant")
    beta: float = param(0.9, doc="momentum factor", check=between(0.0, 1.0, open_high=True))
    hyperparameters: ClassVar = ("beta",)


@register("gain")
@dataclass(frozen=True)
class Momentum(_Momentum):
    r"""Heavy-ball momentum (Polyak 1964) with a scheduled gain.

    .. math::
        v_k = \beta\, v_{k-1} - \eta_k\, g_k, \qquad \theta_k = \theta_{k-1} + v_k,
        \qquad v_0 = 0

    i.e. :math:`\theta_{k+1} = \theta_k - \eta g_k + \beta(\theta_k - \theta_{k-1})`. The
    recorded gain is :math:`\eta_k`; on a constant gradient the step settles at
    :math:`\eta/(1-\beta)` times the gradient. Defaults: ``eta = 0.01``, ``beta = 0.9``.

    Stability: on a quadratic mode of curvature :math:`\lambda` (constant gain) the
    poles are the roots of :math:`z^2 - (1 + \beta - \eta\lambda) z + \beta`; the loop is
    stable iff :math:`0 \le \beta < 1` and :math:`0 < \eta\lambda < 2(1 + \beta)`.
    Polyak's optimum for :math:`\lambda \in [\lambda_\min, \lambda_\max]` is
    :math:`\eta = 4/(\sqrt{\lambda_\max} + \sqrt{\lambda_\min})^2`,
    :math:`\beta = ((\sqrt\kappa - 1)/(\sqrt\kappa + 1))^2`.

    Unlike PyTorch ``SGD(momentum=beta)`` (``buf = beta buf + g; theta -= eta buf``),
    the gain multiplies the gradient before it enters the velocity; the two agree
    for a constant gain.

    References
    ----------
    B. T. Polyak, "Some methods of speeding up the convergence of iteration methods",
    USSR Comput. Math. Math. Phys. 4(5), 1964.
    """

    kind: ClassVar[str] = "momentum"
    summary: ClassVar[str] = "heavy ball: v = beta v - eta g; theta += v"
    law: ClassVar = momentum_law
    loop: ClassVar = momentum_loop
    rows: ClassVar = (Row("velocity"),)


@register("gain")
@dataclass(frozen=True)
class Nesterov(_Momentum):
    r"""Nesterov momentum in the PyTorch form (``SGD(nesterov=True)``, no dampening).

    .. math::
        b_k = \beta\, b_{k-1} + g_k, \qquad
        \theta_k = \theta_{k-1} - \eta_k\,(g_k + \beta\, b_k), \qquad b_0 = 0

    (PyTorch sets :math:`b_1 = g_1`, the same thing.) The recorded gain is
    :math:`\eta_k`. Defaults: ``eta = 0.01``, ``beta = 0.9``.

    Stability: with a constant gain on a quadratic mode :math:`\lambda` the poles are the
    roots of :math:`z^2 - (1 + \beta)(1 - \eta\lambda) z + \beta(1 - \eta\lambda)`
    (the look-ahead form of Sutskever et al. 2013); stable for
    :math:`0 < \eta\lambda < 2(1+\beta)/(1+2\beta)`.

    References
    ----------
    Y. Nesterov, "A method for solving the convex programming problem with
    convergence rate O(1/k²)", Soviet Math. Dokl. 27, 1983; I. Sutskever, J. Martens,
    G. Dahl and G. Hinton, "On the importance of initialization and momentum in deep
    learning", ICML 2013; PyTorch ``torch.optim.SGD`` documentation (``nesterov=True``).
    """

    kind: ClassVar[str] = "nesterov"
    summary: ClassVar[str] = "Nesterov (PyTorch form): b = beta b + g; step = -eta (g + beta b)"
    law: ClassVar = nesterov_law
    loop: ClassVar = nesterov_loop
    rows: ClassVar = (Row("buffer"),)
