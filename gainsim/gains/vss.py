"""Variable step-size LMS: Kwong–Johnston (error power), Mathews–Xie and Benveniste (gradient).

All three adapt one scalar gain :math:`\\mu_k` shared by every tap and need the
regressor and the a-priori error, so they run on the ``lms`` estimator only. The
update is the LMS step :math:`\\theta_k = \\theta_{k-1} + \\mu_k e_k x_k` (no factor 2).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from numba import njit

from gainsim.estimators.loop import sample_loop
from gainsim.gains.compiled import CompiledPolicy, Row
from gainsim.registry import register
from gainsim.fields import between, nonneg, param, positive


@njit(cache=True, inline="always")
def _clamp(v, lo, hi):  # pragma: no cover
    if v < lo:
        return lo
    if v > hi:
        return hi
    return v


@njit(cache=True, inline="always")
def vss_law(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Kwong–Johnston: st[0, 0] = mu_k (used now); prm = (alpha, gamma, mu_min, mu_max).

    mu_{k+1} = clamp(alpha mu_k + gamma e_k², mu_min, mu_max) is stored for the next sample.
    """
    mu = st[0, 0]
    for j in range(g.size):
        eta[j] = mu
        step[j] = -mu * g[j]
    st[0, 0] = _clamp(prm[0] * mu + prm[1] * e * e, prm[2], prm[3])
    return 0


@njit(cache=True, error_model="numpy")
def vss_loop(data, laws, books, mon):  # pragma: no cover - compiled
    sample_loop(vss_law, False, data, laws, books, mon)


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
def mathews_xie_law(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Mathews–Xie: st[0, 0] = mu_{k-1}, row 1 = e_{k-1} x_{k-1}; prm = (rho, mu_min, mu_max)."""
    mu, _ = _adapted_mu(prm, st, x, e)
    for j in range(g.size):
        eta[j] = mu
        step[j] = -mu * g[j]
        st[1, j] = e * x[j]
    return 0


@njit(cache=True, error_model="numpy")
def mathews_xie_loop(data, laws, books, mon):  # pragma: no cover - compiled
    sample_loop(mathews_xie_law, False, data, laws, books, mon)


@njit(cache=True, inline="always")
def benveniste_law(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Benveniste: st[0, 0] = mu_{k-1}, row 1 = psi_k; prm = (rho, mu_min, mu_max).

    After the step: psi_{k+1} = psi_k - mu_k x_k (x_k·psi_k) + e_k x_k.
    """
    mu, s = _adapted_mu(prm, st, x, e)
    for j in range(g.size):
        eta[j] = mu
        step[j] = -mu * g[j]
        st[1, j] += -mu * x[j] * s + e * x[j]
    return 0


@njit(cache=True, error_model="numpy")
def benveniste_loop(data, laws, books, mon):  # pragma: no cover - compiled
    sample_loop(benveniste_law, False, data, laws, books, mon)


class _ScalarStep(CompiledPolicy):
    """Shared: a clamped scalar LMS gain in ``st[0, 0]``, no base schedule."""

    needs: ClassVar = ("direction", "regressor", "error")

    def problems(self):
        if self.eta_min > self.eta_max:
            yield "eta_min", f"must be <= eta_max = {self.eta_max!r} (got {self.eta_min!r})"


@register("gain")
@dataclass(frozen=True)
class Vss(_ScalarStep):
    r"""Kwong–Johnston variable step-size LMS: the gain follows the error power.

    .. math::
        \theta_{k} &= \theta_{k-1} + \mu_k e_k x_k \\
        \mu_{k+1} &= \mathrm{clip}\big(\alpha\mu_k + \gamma e_k^2,\ \mu_\min,\ \mu_\max\big),
        \qquad \mu_0 = \mu_\max

    As in the paper, sample :math:`k` is applied with :math:`\mu_k`, computed from
    the errors *before* it; its own error sets the next gain. Defaults: the constants
    commonly quoted from the paper's simulations, ``alpha = 0.97``, ``gamma = 4.8e-4``,
    with ``eta_max = 0.05``, ``eta_min = 1e-4``. Choose ``eta_max`` below the LMS
    mean-square limit (for Gaussian input :math:`2/(3\,\mathrm{tr}\,R)` is sufficient)
    and ``eta_min`` for the misadjustment wanted in steady state.

    Stability and behaviour: with :math:`\mu_k` bounded by ``eta_max`` the filter is as
    stable as LMS at ``eta_max``. In steady state
    :math:`E\mu \approx \gamma\,E e^2/(1-\alpha)`, so the gain tracks the *noise* level,
    not the drift: ``gamma`` must be tuned to the noise power, and with
    :math:`\sigma_v` large the gain saturates at ``eta_max``.

    References
    ----------
    R. H. Kwong and E. W. Johnston, "A variable step size LMS algorithm", IEEE Trans.
    Signal Processing 40(7), pp. 1633–1642, 1992.
    """

    kind: ClassVar[str] = "vss"
    summary: ClassVar[str] = "Kwong-Johnston VSS-LMS: mu' = alpha mu + gamma e², clamped"
    law: ClassVar = vss_law
    loop: ClassVar = vss_loop
    hyperparameters: ClassVar = ("alpha", "gamma", "eta_min", "eta_max")
    rows: ClassVar = (Row("mu", "eta_max"),)
    alpha: float = param(0.97, doc="forgetting of the gain", check=between(0.0, 1.0,
                                                                            open_high=True))
    gamma: float = param(4.8e-4, doc="weight of the squared error", check=nonneg)
    eta_min: float = param(1e-4, doc="smallest gain mu_min", check=nonneg)
    eta_max: float = param(0.05, doc="largest gain mu_max (and the first one)", check=positive)

    def first_gain(self, values: dict, n: int) -> float:
        return float(self.eta_max)


@dataclass(frozen=True)
class _GradientAdaptive(_ScalarStep):
    """Shared hyperparameters and state of Mathews–Xie and Benveniste (st[0, 0] = mu)."""

    eta0: float = param(0.01, doc="initial gain mu_0", check=nonneg)
    meta_rate: float = param(1e-4, doc="step size rho of the gain update", check=nonneg)
    eta_min: float = param(0.0, doc="smallest gain", check=nonneg)
    eta_max: float = param(0.05, doc="largest gain", check=positive)
    hyperparameters: ClassVar = ("meta_rate", "eta_min", "eta_max")


@register("gain")
@dataclass(frozen=True)
class MathewsXie(_GradientAdaptive):
    r"""Mathews–Xie gradient-adaptive step size: descend :math:`e_k^2` in :math:`\mu`.

    .. math::
        \mu_k &= \mathrm{clip}\big(\mu_{k-1} + \rho\, e_k e_{k-1}\, x_{k-1}^\top x_k,\
        \mu_\min,\ \mu_\max\big) \\
        \theta_k &= \theta_{k-1} + \mu_k e_k x_k

    with :math:`e_{-1} x_{-1} = 0` (so the first sample uses ``eta0``). The current
    sample's error enters the gain used for that sample. Since on LMS
    :math:`e_k x_k = -g_k`, the rule is :math:`\mu_k = \mu_{k-1} + \rho\, g_k^\top g_{k-1}`:
    the same law as ``sgd_hd`` (Baydin et al. 2018), with clamping.
    Defaults: ``eta0 = 0.01``, ``meta_rate = 1e-4``, ``eta_min = 0``, ``eta_max = 0.05``.

    Stability: the clamp to ``eta_max`` (below the LMS limit) keeps the filter stable;
    :math:`\rho` trades adaptation speed against gain jitter, which scales with
    :math:`\rho\,\sigma_e^2\,\mathrm{tr}\,R`. With drift the gain settles near the
    best fixed LMS gain (the paper's analysis, white Gaussian input, random walk).

    References
    ----------
    V. J. Mathews and Z. Xie, "A stochastic gradient adaptive filter with gradient
    adaptive step size", IEEE Trans. Signal Processing 41(6), pp. 2075–2087, 1993.
    """

    kind: ClassVar[str] = "mathews_xie"
    summary: ClassVar[str] = "Mathews-Xie: mu += rho e_k e_{k-1} x_{k-1}·x_k, clamped"
    law: ClassVar = mathews_xie_law
    loop: ClassVar = mathews_xie_loop
    rows: ClassVar = (Row("mu", "eta0"), Row("previous_error_x"))


@register("gain")
@dataclass(frozen=True)
class Benveniste(_GradientAdaptive):
    r"""Benveniste's adaptive step size: descend :math:`e_k^2` through the sensitivity ψ.

    .. math::
        \psi_k &= (I - \mu_{k-1} x_{k-1} x_{k-1}^\top)\,\psi_{k-1} + e_{k-1} x_{k-1},
        \qquad \psi_0 = 0 \\
        \mu_k &= \mathrm{clip}\big(\mu_{k-1} + \rho\, e_k\, x_k^\top \psi_k,\
        \mu_\min,\ \mu_\max\big) \\
        \theta_k &= \theta_{k-1} + \mu_k e_k x_k

    :math:`\psi_k = \partial\theta_k/\partial\mu` is the exact derivative of the weights
    with respect to a constant gain; Mathews–Xie is the special case that keeps only
    the last term (:math:`\psi_k \approx e_{k-1} x_{k-1}`). Cost :math:`O(n)` per sample.
    Defaults: ``eta0 = 0.01``, ``meta_rate = 1e-4``, ``eta_min = 0``, ``eta_max = 0.05``.

    Stability: as Mathews–Xie; ψ sums past gradients over :math:`\approx 1/(\mu\lambda)`
    samples, so :math:`x_k^\top\psi_k` is larger than Mathews–Xie's one-step product and
    :math:`\rho` must be smaller for the same gain jitter.

    References
    ----------
    A. Benveniste, M. Métivier and P. Priouret, *Adaptive Algorithms and Stochastic
    Approximations*, Springer, 1990.
    """

    kind: ClassVar[str] = "benveniste"
    summary: ClassVar[str] = "Benveniste: mu += rho e x·psi, psi = dtheta/dmu, clamped"
    law: ClassVar = benveniste_law
    loop: ClassVar = benveniste_loop
    rows: ClassVar = (Row("mu", "eta0"), Row("psi"))
