"""Optimal-gain trackers: RLS and the Kalman filter own a matrix gain.

For LMS the step is ``eta * e * x``; here it is ``Gamma x e`` with the matrix gain
``Gamma = P / (lambda + xᵀPx)`` (RLS) or ``P⁻ / (xᵀP⁻x + r)`` (Kalman). gainsim
records the diagonal of ``Gamma`` as the per-parameter gain, comparable with eta.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numba import njit

from gainsim.estimators.loop import sample_loop
from gainsim.gains.compiled import CompiledPolicy, Row
from gainsim.registry import register
from gainsim.fields import between, nonneg, param, positive


@njit(cache=True, inline="always")
def _matrix_gain(st, x, e, den, forget, step, eta):  # pragma: no cover - compiled
    """Shared RLS/Kalman update of ``P`` (rows ``0..n-1`` of ``st``) with ``den = base + xᵀPx``.

    ``step = P x e / den``, ``eta_i = P_ii / den`` (the diagonal of the matrix gain),
    ``P <- (P - P x xᵀ P / den) / forget``; row ``n`` of ``st`` holds ``pi = P x``.

    ``P`` is kept exactly symmetric (the plain recursion drifts asymmetric): element
    ``(r, c)`` and its mirror get the same value, computed as ``(P_rc - g_r pi_c) / forget``
    on and above the diagonal and ``(P_rc - g_c pi_r) / forget`` below it (``g = pi / den``).
    Every loop runs along a row of ``P`` so LLVM vectorises it; ``pi`` is summed as
    ``sum_j x_j P[j, :]``, the same products in the same order as the row sums
    ``sum_j P[i, j] x_j`` since ``P`` is symmetric. Written with a transposed store
    (``P[c, r] = P[r, c]``) and row dot products, the same update took about 1.4x as
    long (RLS, n = 16, one core).
    """
    n = x.size
    pi = st[n]
    for i in range(n):
        pi[i] = 0.0
    for j in range(n):
        xj = x[j]
        row = st[j]
        for i in range(n):
            pi[i] += row[i] * xj
    for i in range(n):
        den += x[i] * pi[i]
    g = step  # the gain vector g = P x / den, scaled by e into the step at the end
    for i in range(n):
        eta[i] = st[i, i] / den
        g[i] = pi[i] / den
    inv_forget = 1.0 / forget
    for r in range(n):
        row = st[r]
        gr = g[r]
        pr = pi[r]
        for c in range(n):  # one loop with a select vectorises better than two
            below = g[c] * pr
            above = gr * pi[c]
            row[c] = (row[c] - (below if c < r else above)) * inv_forget
    for i in range(n):
        step[i] = g[i] * e
    return 0


@njit(cache=True, inline="always")
def rls_law(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """RLS with forgetting factor (Haykin 2014, §10): rows 0..n-1 hold P, row n is
    scratch (``P x``); prm = (lam,)."""
    lam = prm[0]
    return _matrix_gain(st, x, e, lam, lam, step, eta)


@njit(cache=True, error_model="numpy")
def rls_loop(data, laws, books, mon):  # pragma: no cover - compiled
    sample_loop(rls_law, False, data, laws, books, mon)


@njit(cache=True, inline="always")
def kalman_law(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Kalman filter for a random-walk parameter: rows 0..n-1 hold P, row n is
    scratch (``P x``); prm = (q, r)."""
    q, r = prm[0], prm[1]
    for i in range(g.size):
        st[i, i] += q  # prior covariance P- = P + Q
    return _matrix_gain(st, x, e, r, 1.0, step, eta)


@njit(cache=True, error_model="numpy")
def kalman_loop(data, laws, books, mon):  # pragma: no cover - compiled
    sample_loop(kalman_law, False, data, laws, books, mon)


@register("gain")
@dataclass(frozen=True)
class Rls(CompiledPolicy):
    r"""Recursive least squares with exponential forgetting.

    .. math::
        \pi = P x, \quad \gamma = \lambda + x^\top\pi, \quad
        \theta \leftarrow \theta + \frac{\pi}{\gamma} e, \quad
        P \leftarrow \frac{1}{\lambda}\Big(P - \frac{\pi\pi^\top}{\gamma}\Big)

    with :math:`P_0 = I/\delta` and ``P`` symmetrised after every update (the plain
    recursion drifts asymmetric and can blow up in long runs). The effective memory
    is :math:`1/(1-\lambda)` samples; :math:`\lambda = 1` is growing-window least squares.

    References
    ----------
    S. Haykin, *Adaptive Filter Theory*, 5th ed., Pearson, 2014, ch. 10.
    """

    kind: ClassVar[str] = "rls"
    summary: ClassVar[str] = "RLS with forgetting factor: matrix gain P/(lambda + x·Px)"
    law: ClassVar = rls_law
    loop: ClassVar = rls_loop
    hyperparameters: ClassVar = ("forgetting_factor",)
    rows: ClassVar = (Row("P", "p0", identity=True), Row("Px"))
    needs: ClassVar = ("regressor", "error")
    forgetting_factor: float = param(0.99, doc="lambda in (0, 1]; memory 1/(1 - lambda)",
                                     check=between(0.0, 1.0, open_low=True))
    delta: float = param(0.01, doc="regulariser: P0 = I / delta", check=positive)

    def law_values(self, plant) -> dict:
        return {**super().law_values(plant), "p0": 1.0 / self.delta}

    def first_gain(self, values: dict, n: int) -> float:
        """The gain before the first update, for a unit-power input (|x|² = n)."""
        p0 = values["p0"]
        return p0 / (self.forgetting_factor + n * p0)


@register("gain")
@dataclass(frozen=True)
class Kalman(CompiledPolicy):
    r"""Kalman filter for a random-walk parameter :math:`\theta^*_{k+1} = \theta^*_k + w_k`.

    .. math::
        P^- = P + Q, \quad K = \frac{P^- x}{x^\top P^- x + r}, \quad
        \theta \leftarrow \theta + K e, \quad P = P^- - K x^\top P^-

    with :math:`Q = qI`. By default ``q`` and ``r`` are the scenario's true per-sample
    drift variance and noise variance, and ``p0`` the prior variance of
    ``theta_star`` (``1/taps`` when it is drawn at random), so for linear-Gaussian
    drift this is the minimum-MSE causal tracker: the floor for every other policy.
    A ``data`` plant has no truth: ``q`` and ``r`` must be given there (``truth_keys``).

    References
    ----------
    R. E. Kalman, "A new approach to linear filtering and prediction problems",
    J. Basic Engineering 82, 1960; Haykin 2014, ch. 14.
    """

    kind: ClassVar[str] = "kalman"
    summary: ClassVar[str] = "Kalman tracker for a random walk (true q, r by default): the floor"
    law: ClassVar = kalman_law
    loop: ClassVar = kalman_loop
    hyperparameters: ClassVar = ("q", "r")
    rows: ClassVar = (Row("P", "p0", identity=True), Row("Px"))
    needs: ClassVar = ("regressor", "error")
    truth_keys: ClassVar = ("q", "r")  # no default without a true drift and noise (data plant)
    _unit_test_params: ClassVar = ({}, {"q": 1e-4, "r": 0.01, "p0": 0.5})
    q: float | None = param(None, doc="drift variance per sample (default: the plant's)",
                            check=nonneg)
    r: float | None = param(None, doc="noise variance (default: plant noise_std²)",
                            check=positive)
    p0: float | None = param(None, doc="initial P = p0 I (default: prior of theta_star)",
                             check=positive)

    def resolved(self, plant) -> tuple[float, float, float]:
        """``(q, r, p0)`` with the scenario's truth filled in where not given."""
        q, r, p0 = self.q, self.r, self.p0
        if plant is not None:
            if q is None:
                cov = getattr(plant.drift, "per_step_covariance", None)
                q = float(np.mean(np.diag(cov(plant.n)))) if cov else 0.0
            if r is None:
                r = max(plant.noise_floor, 1e-12)
            if p0 is None:
                p0 = 1.0 / plant.n if getattr(plant, "theta_star", None) is None else 1.0
        return (0.0 if q is None else q, 1.0 if r is None else r, 1.0 if p0 is None else p0)

    def law_values(self, plant) -> dict:
        q, r, p0 = self.resolved(plant)
        return {"q": q, "r": r, "p0": p0}

    def first_gain(self, values: dict, n: int) -> float:
        """The gain before the first update, for a unit-power input (|x|² = n)."""
        q, r, p0 = values["q"], values["r"], values["p0"]
        return (p0 + q) / (n * (p0 + q) + r)
