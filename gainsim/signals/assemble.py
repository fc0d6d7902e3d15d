"""Compiled assembly of FIR samples: tapped delay line and measurement in one pass.

Doing this in numba instead of numpy (sliding window copy + einsum) saves most of
the per-packet cost; every row is computed in a fixed sequential order, so the
numbers do not depend on the packet size.
"""
from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True)
def fir_samples(history, u, theta, noise):  # pragma: no cover - compiled
    """Regressors ``x_k = [u_k, ..., u_{k-n+1}]`` and ``d_k = theta_kᵀ x_k + noise_k``.

    ``history`` holds the ``n - 1`` source values before ``u`` (oldest first);
    ``theta`` is ``(m, n)`` (one row per sample, possibly a broadcast view).
    """
    m = u.size
    n = history.size + 1
    x = np.empty((m, n))
    d = np.empty(m)
    for i in range(m):
        acc = 0.0
        for j in range(n):
            k = i - j
            v = u[k] if k >= 0 else history[history.size + k]
            x[i, j] = v
            acc += theta[i, j] * v
        d[i] = acc + noise[i]
    return x, d
