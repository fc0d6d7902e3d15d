"""The general kernels: any estimator with a compiled gain law, per sample.

Constant gains take the fast kernels of :mod:`gainsim.estimators.lms` and
:mod:`gainsim.estimators.gd`; every other gain policy runs here. The estimator
supplies the gradient ``g`` of the sample's loss, its curvature diagonal ``c`` and
the a-priori error; the gain law (one of :mod:`gainsim.gains.laws`,
:mod:`gainsim.gains.laws_sgd`, :mod:`gainsim.gains.laws_lms`) turns them into the
step ``theta += step`` and the effective gain ``eta`` it records.

Each law has a compiled loop of its own (:data:`KERNELS`, by law code), made from
one sample loop (:func:`_sample_loop`) with the law inlined. A branch on the law
inside the sample loop cost about 20 ns an update (a fifth of IDBD), and one kernel
holding all eighteen laws took 11 s to compile; now a scenario compiles just the
laws it uses. (numba can neither cache a kernel that takes the law as an argument
nor pass ``*args`` to an inlined function, hence the one-line kernels and the
``run`` tuple.)
"""
from __future__ import annotations

import numpy as np
from numba import njit

from gainsim.estimators.monitor import flush_snapshots, pass_grid_points
from gainsim.gains import dispatch as law_codes
from gainsim.gains import laws, laws_lms, laws_sgd

LMS, NLMS, GD = 0, 1, 2


@njit(cache=True, inline="always")
def _sample_loop(law, need_c, run):  # pragma: no cover - compiled
    """Apply the chunk's samples to the policies ``which`` of a group, all with ``law``.

    ``run = (est, eps, x, d, theta_star, noise, H, arrival, base, which, params, state,
    limit2, theta, alive, updates, diverged_at, eta_last, events, mon)``; ``need_c``:
    the law uses the curvature diagonal.
    """
    (est, eps, x, d, theta_star, noise, H, arrival, base, which, params, state,
     limit2, theta, alive, updates, diverged_at, eta_last, events, mon) = run
    grid_pos, first, err_sum, err_cnt = mon[0], mon[2], mon[8], mon[9]
    m = arrival.size
    n = theta.shape[1]
    g = np.empty(n)
    c = np.empty(n)
    step = np.empty(n)
    eta = np.empty(n)
    diff = np.empty(n)
    xi = np.zeros(n)
    for p in which:
        if not alive[p]:
            continue
        th = theta[p]
        et = eta_last[p]
        prm = params[p]   # views hoisted out of the per-sample loop
        stp = state[p]
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
            events[p] += law(prm, stp, g, c, xi, e, loss, base[p, i], updates[p], step, eta)
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


# One compiled loop per law, named after it.
@njit(cache=True, error_model="numpy")
def _scheduled(run):  # pragma: no cover - compiled
    _sample_loop(laws.scaled_gradient, False, run)


@njit(cache=True, error_model="numpy")
def _adam(run):  # pragma: no cover - compiled
    _sample_loop(laws.adam, False, run)


@njit(cache=True, error_model="numpy")
def _idbd(run):  # pragma: no cover - compiled
    _sample_loop(laws.idbd, True, run)


@njit(cache=True, error_model="numpy")
def _rls(run):  # pragma: no cover - compiled
    _sample_loop(laws.rls, False, run)


@njit(cache=True, error_model="numpy")
def _kalman(run):  # pragma: no cover - compiled
    _sample_loop(laws.kalman, False, run)


@njit(cache=True, error_model="numpy")
def _momentum(run):  # pragma: no cover - compiled
    _sample_loop(laws_sgd.momentum, False, run)


@njit(cache=True, error_model="numpy")
def _nesterov(run):  # pragma: no cover - compiled
    _sample_loop(laws_sgd.nesterov, False, run)


@njit(cache=True, error_model="numpy")
def _adagrad(run):  # pragma: no cover - compiled
    _sample_loop(laws_sgd.adagrad, False, run)


@njit(cache=True, error_model="numpy")
def _rmsprop(run):  # pragma: no cover - compiled
    _sample_loop(laws_sgd.rmsprop, False, run)


@njit(cache=True, error_model="numpy")
def _sgd_hd(run):  # pragma: no cover - compiled
    _sample_loop(laws_sgd.sgd_hd, False, run)


@njit(cache=True, error_model="numpy")
def _adam_hd(run):  # pragma: no cover - compiled
    _sample_loop(laws_sgd.adam_hd, False, run)


@njit(cache=True, error_model="numpy")
def _polyak(run):  # pragma: no cover - compiled
    _sample_loop(laws_sgd.polyak, False, run)


@njit(cache=True, error_model="numpy")
def _plateau(run):  # pragma: no cover - compiled
    _sample_loop(laws_sgd.plateau, False, run)


@njit(cache=True, error_model="numpy")
def _nlms_gain(run):  # pragma: no cover - compiled
    _sample_loop(laws_lms.nlms_gain, False, run)


@njit(cache=True, error_model="numpy")
def _vss(run):  # pragma: no cover - compiled
    _sample_loop(laws_lms.vss, False, run)


@njit(cache=True, error_model="numpy")
def _mathews_xie(run):  # pragma: no cover - compiled
    _sample_loop(laws_lms.mathews_xie, False, run)


@njit(cache=True, error_model="numpy")
def _benveniste(run):  # pragma: no cover - compiled
    _sample_loop(laws_lms.benveniste, False, run)


@njit(cache=True, error_model="numpy")
def _autostep(run):  # pragma: no cover - compiled
    _sample_loop(laws_lms.autostep, True, run)


KERNELS = {law_codes.SCHEDULED: _scheduled, law_codes.ADAM: _adam, law_codes.IDBD: _idbd,
           law_codes.RLS: _rls, law_codes.KALMAN: _kalman, law_codes.MOMENTUM: _momentum,
           law_codes.NESTEROV: _nesterov, law_codes.ADAGRAD: _adagrad,
           law_codes.RMSPROP: _rmsprop, law_codes.SGD_HD: _sgd_hd,
           law_codes.ADAM_HD: _adam_hd, law_codes.POLYAK: _polyak,
           law_codes.PLATEAU: _plateau, law_codes.NLMS_GAIN: _nlms_gain,
           law_codes.VSS: _vss, law_codes.MATHEWS_XIE: _mathews_xie,
           law_codes.BENVENISTE: _benveniste, law_codes.AUTOSTEP: _autostep}


def general_kernel(est, eps, x, d, theta_star, noise, H, arrival, base, codes, params, state,
                   limit2, theta, alive, updates, diverged_at, eta_last, events, mon) -> None:
    """Run every policy of a group over a chunk: one compiled call per law present."""
    for code in np.unique(codes):
        which = np.flatnonzero(codes == code)
        KERNELS[int(code)]((est, eps, x, d, theta_star, noise, H, arrival, base, which, params,
                            state, limit2, theta, alive, updates, diverged_at, eta_last, events,
                            mon))
