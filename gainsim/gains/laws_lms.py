r"""Compiled laws of the LMS step-size rules: NLMS gain, VSS, Mathews–Xie, Benveniste, Autostep.

Same signature and conventions as :mod:`gainsim.gains.laws`::

    law(prm, st, g, c, x, e, loss, base, k, step, eta) -> events

On the LMS estimator ``g = -e x`` and ``c = x²``, so ``-mu * g`` is the LMS step
``mu e x``. Scalars live in ``st[r, 0]``.
"""
from __future__ import annotations

from numba import njit

from gainsim.gains.vexp import exp_into


@njit(cache=True, inline="always")
def _clamp(v, lo, hi):  # pragma: no cover
    if v < lo:
        return lo
    if v > hi:
        return hi
    return v


@njit(cache=True, inline="always")
def nlms_gain(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """NLMS as a gain: eta = base / (eps + x·x); prm = (eps,)."""
    xx = 0.0
    for j in range(x.size):
        xx += x[j] * x[j]
    gain = base / (prm[0] + xx)
    for j in range(g.size):
        eta[j] = gain
        step[j] = -gain * g[j]
    return 0


@njit(cache=True, inline="always")
def vss(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Kwong–Johnston: st[0, 0] = mu_k (used now); prm = (alpha, gamma, mu_min, mu_max).

    mu_{k+1} = clamp(alpha mu_k + gamma e_k², mu_min, mu_max) is stored for the next sample.
    """
    mu = st[0, 0]
    for j in range(g.size):
        eta[j] = mu
        step[j] = -mu * g[j]
    st[0, 0] = _clamp(prm[0] * mu + prm[1] * e * e, prm[2], prm[3])
    return 0


@njit(cache=True, inline="always")
def _adapted_mu(prm, st, x, e):  # pragma: no cover
    """Gradient-adaptive step of Mathews–Xie and Benveniste: ``s = x·row1``,
    ``mu = clamp(mu_prev + rho e s, mu_min, mu_max)`` stored in ``st[0, 0]``; ``(mu, s)``."""
    s = 0.0
    for j in range(x.size):
        s += x[j] * st[1, j]
    mu = _clamp(st[0, 0] + prm[0] * e * s, prm[1], prm[2])
    st[0, 0] = mu
    return mu, s


@njit(cache=True, inline="always")
def mathews_xie(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Mathews–Xie: st[0, 0] = mu_{k-1}, row 1 = e_{k-1} x_{k-1}; prm = (rho, mu_min, mu_max)."""
    mu, _ = _adapted_mu(prm, st, x, e)
    for j in range(g.size):
        eta[j] = mu
        step[j] = -mu * g[j]
        st[1, j] = e * x[j]
    return 0


@njit(cache=True, inline="always")
def benveniste(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Benveniste: st[0, 0] = mu_{k-1}, row 1 = psi_k; prm = (rho, mu_min, mu_max).

    After the step: psi_{k+1} = psi_k - mu_k x_k (x_k·psi_k) + e_k x_k.
    """
    mu, s = _adapted_mu(prm, st, x, e)
    for j in range(g.size):
        eta[j] = mu
        step[j] = -mu * g[j]
        st[1, j] += -mu * x[j] * s + e * x[j]
    return 0


@njit(cache=True, inline="always")
def autostep(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
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
