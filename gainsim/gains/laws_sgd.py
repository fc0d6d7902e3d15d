r"""Compiled laws of the first-order optimiser gains: momentum, AdaGrad, RMSProp, hypergradient.

Same signature and conventions as :mod:`gainsim.gains.laws`::

    law(prm, st, g, c, x, e, loss, base, k, step, eta) -> events

Scalars live in ``st[r, 0]``. ``base`` is the scheduled base gain of the policy.
"""
from __future__ import annotations

import math

from numba import njit


@njit(cache=True, inline="always")
def momentum(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Heavy ball: row 0 velocity v; prm = (beta,). v = beta v - base g; step = v."""
    beta = prm[0]
    for j in range(g.size):
        st[0, j] = beta * st[0, j] - base * g[j]
        eta[j] = base
        step[j] = st[0, j]
    return 0


@njit(cache=True, inline="always")
def nesterov(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Nesterov, PyTorch form: row 0 buf; prm = (beta,).

    buf = beta buf + g; step = -base (g + beta buf).
    """
    beta = prm[0]
    for j in range(g.size):
        st[0, j] = beta * st[0, j] + g[j]
        eta[j] = base
        step[j] = -base * (g[j] + beta * st[0, j])
    return 0


@njit(cache=True, inline="always")
def adagrad(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """AdaGrad: row 0 sum of squares G; prm = (eps,). eta = base / (sqrt(G) + eps)."""
    eps = prm[0]
    for j in range(g.size):
        st[0, j] += g[j] * g[j]
        eta[j] = base / (math.sqrt(st[0, j]) + eps)
        step[j] = -eta[j] * g[j]
    return 0


@njit(cache=True, inline="always")
def rmsprop(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """RMSProp: row 0 mean square v; prm = (rho, eps). eta = base / (sqrt(v) + eps)."""
    rho, eps = prm[0], prm[1]
    for j in range(g.size):
        st[0, j] = rho * st[0, j] + (1.0 - rho) * g[j] * g[j]
        eta[j] = base / (math.sqrt(st[0, j]) + eps)
        step[j] = -eta[j] * g[j]
    return 0


@njit(cache=True, inline="always")
def sgd_hd(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
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


@njit(cache=True, inline="always")
def adam_hd(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
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
    t = k + 1.0
    c1 = 1.0 - b1 ** t
    c2 = 1.0 - b2 ** t
    for j in range(g.size):
        st[0, j] = b1 * st[0, j] + (1.0 - b1) * g[j]
        st[1, j] = b2 * st[1, j] + (1.0 - b2) * g[j] * g[j]
        scale = 1.0 / (math.sqrt(st[1, j] / c2) + eps)
        st[2, j] = st[0, j] / c1 * scale
        eta[j] = alpha * scale
        step[j] = -alpha * st[2, j]
    return events


@njit(cache=True, inline="always")
def polyak(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Polyak step with f* = 0: eta = min(loss / |g|², eta_max); prm = (eta_max,)."""
    eta_max = prm[0]
    gg = 0.0
    for j in range(g.size):
        gg += g[j] * g[j]
    gain = eta_max
    if gg > 0.0:
        ratio = loss / gg
        if ratio < eta_max:
            gain = ratio if ratio > 0.0 else 0.0
    for j in range(g.size):
        eta[j] = gain
        step[j] = -gain * g[j]
    return 0


@njit(cache=True, inline="always")
def plateau(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Reduce on plateau. Scalars st[r, 0]: 0 gain, 1 best block mean, 2 block sum,
    3 block count, 4 cooldown left. prm = (factor, patience, threshold, cooldown, eta_min).

    Returns 1 when it reduces the gain (after this update's step).
    """
    factor, patience, threshold, cooldown, eta_min = prm[0], prm[1], prm[2], prm[3], prm[4]
    gain = st[0, 0]
    for j in range(g.size):
        eta[j] = gain
        step[j] = -gain * g[j]
    if st[4, 0] > 0.0:  # cooldown: this update's loss is not looked at
        st[4, 0] -= 1.0
        return 0
    if not math.isfinite(loss):
        return 0
    st[2, 0] += loss
    st[3, 0] += 1.0
    if st[3, 0] < patience:
        return 0
    mean = st[2, 0] / st[3, 0]
    st[2, 0] = 0.0
    st[3, 0] = 0.0
    if mean < st[1, 0] * (1.0 - threshold):
        st[1, 0] = mean
        return 0
    new = gain * factor
    if new < eta_min:
        new = eta_min
    st[4, 0] = cooldown
    if gain - new > 1e-8:  # as PyTorch (eps = 1e-8): smaller changes are ignored
        st[0, 0] = new
        return 1
    return 0
