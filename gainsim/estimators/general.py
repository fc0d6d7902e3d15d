"""The general kernel: any estimator with any compiled gain law, per sample.

Constant gains take the fast kernels of :mod:`gainsim.estimators.lms` and
:mod:`gainsim.estimators.gd`; every other gain policy runs here. The estimator
supplies the gradient ``g`` of the sample's loss, its curvature diagonal ``c`` and
the a-priori error; the gain law (:func:`gainsim.gains.dispatch.gain_step`) turns
them into the step ``theta += step`` and the effective gain ``eta`` it records.
"""
from __future__ import annotations

import numpy as np
from numba import njit

from gainsim.estimators.monitor import flush_snapshots, pass_grid_points
from gainsim.gains.dispatch import AUTOSTEP, IDBD, gain_step

LMS, NLMS, GD = 0, 1, 2


@njit(cache=True)
def general_kernel(est, eps, x, d, theta_star, noise, H, arrival, base, codes, params, state,
                   limit2, theta, alive, updates, diverged_at, eta_last, events,
                   mon):  # pragma: no cover - compiled
    grid_pos, first, err_sum, err_cnt = mon[0], mon[2], mon[8], mon[9]
    m = arrival.size
    n = theta.shape[1]
    g = np.empty(n)
    c = np.empty(n)
    step = np.empty(n)
    eta = np.empty(n)
    diff = np.empty(n)
    xi = np.zeros(n)
    for p in range(theta.shape[0]):
        if not alive[p]:
            continue
        th = theta[p]
        et = eta_last[p]
        prm = params[p]   # views hoisted out of the per-sample loop
        stp = state[p]
        code = codes[p]
        need_c = code == IDBD or code == AUTOSTEP  # the laws that use the curvature
        stepped = False  # eta holds a law's output (else et keeps the initial gain)
        jj = 0
        cur = first
        s = err_sum[p, cur - 1] if cur >= 1 else 0.0
        cnt = err_cnt[p, cur - 1] if cur >= 1 else 0
        for i in range(m):
            if jj < grid_pos.size and grid_pos[jj] == i:  # only at monitor times
                if stepped:
                    for j in range(n):
                        et[j] = eta[j]
                if cur >= 1:
                    err_sum[p, cur - 1] = s
                    err_cnt[p, cur - 1] = cnt
                jj, cur = pass_grid_points(th, et, mon, p, i, jj, cur)
                s = err_sum[p, cur - 1]
                cnt = err_cnt[p, cur - 1]
            if est == GD:
                loss = 0.0
                for j in range(n):
                    diff[j] = th[j] - theta_star[i, j]
                for j in range(n):
                    gj = noise[i, j]
                    for l in range(n):
                        gj += H[j, l] * diff[l]
                    g[j] = gj
                    c[j] = H[j, j]
                    loss += 0.5 * diff[j] * (gj - noise[i, j])
                    xi[j] = 0.0
                e = np.nan
                te = loss
            else:
                y = 0.0
                xx = 0.0
                for j in range(n):
                    xi[j] = x[i, j]
                    y += th[j] * xi[j]
                    xx += xi[j] * xi[j]
                e = d[i] - y
                te = e * e
                loss = 0.5 * te
                scale = 1.0 / (eps + xx) if est == NLMS else 1.0
                for j in range(n):
                    g[j] = -e * xi[j] * scale
                if need_c:
                    for j in range(n):
                        c[j] = xi[j] * xi[j] * scale
            events[p] += gain_step(code, prm, stp, g, c, xi, e, loss, base[p, i],
                                   updates[p], step, eta)
            stepped = True
            norm2 = 0.0
            for j in range(n):
                th[j] += step[j]
                norm2 += th[j] * th[j]
            updates[p] += 1
            if np.isfinite(te):
                s += te
                cnt += 1
            if not (norm2 <= limit2):
                alive[p] = False
                diverged_at[p] = arrival[i]
                break
        if cur >= 1 and cur - 1 < err_sum.shape[1]:
            err_sum[p, cur - 1] = s
            err_cnt[p, cur - 1] = cnt
        if stepped:
            for j in range(n):
                et[j] = eta[j]
        if alive[p]:
            flush_snapshots(th, et, mon, p, jj)
