r"""Compiled update laws of the adaptive gain policies (one small njit function each).

Every law has the same signature::

    law(prm, st, g, c, x, e, loss, base, k, step, eta) -> events

``prm`` hyperparameters (float vector), ``st`` the policy's state rows ``(S, n)``
(updated in place), ``g`` the gradient of the per-sample loss (for LMS
``g = -e x``), ``c`` its curvature diagonal (for LMS ``x²``), ``x``, ``e``, ``loss``
the sample's regressor, a-priori error and loss, ``base`` the scheduled base gain,
``k`` the update count (from 0). It writes the parameter step (``theta += step``)
and the effective per-parameter gain ``eta``, and returns how many events (e.g.
clips) it raised. The laws are called from :func:`gainsim.gains.dispatch.gain_step`.
"""
from __future__ import annotations

import math

from numba import njit

from gainsim.gains.vexp import exp_into


@njit(cache=True, inline="always")
def scaled_gradient(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Plain SGD with the scheduled gain: ``step = -base * g``."""
    for j in range(g.size):
        eta[j] = base
        step[j] = -base * g[j]
    return 0


@njit(cache=True, inline="always")
def adam(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Adam (Kingma & Ba 2015): rows m, v; prm = (beta1, beta2, eps)."""
    b1, b2, eps = prm[0], prm[1], prm[2]
    t = k + 1.0
    c1 = 1.0 - b1 ** t
    c2 = 1.0 - b2 ** t
    for j in range(g.size):
        st[0, j] = b1 * st[0, j] + (1.0 - b1) * g[j]
        st[1, j] = b2 * st[1, j] + (1.0 - b2) * g[j] * g[j]
        eta[j] = base / (math.sqrt(st[1, j] / c2) + eps)
        step[j] = -eta[j] * st[0, j] / c1
    return 0


@njit(cache=True, inline="always")
def idbd(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
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


@njit(cache=True, inline="always")
def _matrix_gain(st, x, e, den, forget, step, eta):  # pragma: no cover - compiled
    """Shared RLS/Kalman update of ``P`` (rows of ``st``) with ``den = base + xᵀPx``.

    ``step = P x e / den``, ``eta_i = P_ii / den`` (the diagonal of the matrix gain),
    ``P <- (P - P x xᵀ P / den) / forget``, computed on the upper triangle and mirrored.
    """
    n = x.size
    pi = step  # reuse: pi = P x
    for i in range(n):
        s = 0.0
        for j in range(n):
            s += st[i, j] * x[j]
        pi[i] = s
    for i in range(n):
        den += x[i] * pi[i]
    for i in range(n):
        eta[i] = st[i, i] / den
    # Keep P symmetric (the plain recursion drifts): update the upper triangle and
    # mirror it, so P stays exactly symmetric at half the cost.
    inv_forget = 1.0 / forget
    for i in range(n):
        gi = pi[i] / den  # the gain vector g = P x / den
        for j in range(i, n):
            v = (st[i, j] - gi * pi[j]) * inv_forget
            st[i, j] = v
            st[j, i] = v
    for i in range(n):
        step[i] = pi[i] / den * e
    return 0


@njit(cache=True, inline="always")
def rls(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """RLS with forgetting factor (Haykin 2014, §10): rows 0..n-1 hold P; prm = (lam,)."""
    lam = prm[0]
    return _matrix_gain(st, x, e, lam, lam, step, eta)


@njit(cache=True, inline="always")
def kalman(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Kalman filter for a random-walk parameter: rows 0..n-1 hold P; prm = (q, r)."""
    q, r = prm[0], prm[1]
    for i in range(g.size):
        st[i, i] += q  # prior covariance P- = P + Q
    return _matrix_gain(st, x, e, r, 1.0, step, eta)
