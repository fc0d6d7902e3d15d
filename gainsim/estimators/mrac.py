"""Adaptive controllers for the ``mrac`` plant: MIT rule, Lyapunov rule, feedforward MIT.

The MIT rule is gradient descent on ½e² with the sensitivity derivatives φ:
:math:`d\\theta/dt = -\\gamma\\, e\\, \\varphi`. Sampled at the stream period Δt the
update is :math:`\\theta \\leftarrow \\theta - \\gamma\\,\\Delta t\\, e\\, \\varphi`, i.e.
the LMS step with gradient :math:`g = \\Delta t\\, e\\, \\varphi` and gain γ: the
adaptation gain γ comes from the same gain-policy family as η and is recorded as η(t).

Integration: fixed-step RK4 (``plant.substeps`` steps per sample) of process,
model and sensitivity filters, with θ and the command held over the sample and the
controller acting continuously on y. RK4 is 4th-order accurate, cheap enough to run
per sample inside the compiled kernel (``scipy.integrate.solve_ivp`` per sample
would cost ~100 µs a call), and it is checked against the analytic response of the
first-order process in the tests.

References
----------
K. J. Åström and B. Wittenmark, *Adaptive Control*, 2nd ed., 1995, §5.2–5.3.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, NamedTuple

import numpy as np
from numba import njit

from gainsim.estimators.loop import observer
from gainsim.registry import register
from gainsim.fields import param, positive

MIT, LYAPUNOV, FF_MIT, FF_NORMALIZED = 0, 1, 2, 3


@njit(cache=True, inline="always")
def _deriv(ff, prm, z, theta, uc, out):  # pragma: no cover - compiled
    """Closed-loop derivatives. prm = (k, a1, a2, a_m, b_m, k0).

    first order (ff = 0): z = (y, y_m, filtered u_c, filtered y), u = th0 uc - th1 y;
    feedforward (ff = 1): z = (x1, x2, xm1, xm2), u = th0 uc, y = x1, y_m = xm1.
    """
    k, a1, a2, am, bm, k0 = prm[0], prm[1], prm[2], prm[3], prm[4], prm[5]
    if ff == 0:
        y = z[0]
        u = theta[0] * uc - theta[1] * y
        out[0] = -a1 * y + k * u
        out[1] = -am * z[1] + bm * uc
        out[2] = -am * z[2] + am * uc
        out[3] = -am * z[3] + am * y
    else:
        u = theta[0] * uc
        out[0] = z[1]
        out[1] = -a2 * z[0] - a1 * z[1] + k * u
        out[2] = z[3]
        out[3] = -a2 * z[2] - a1 * z[3] + k0 * uc


@njit(cache=True, inline="always")
def rk4(ff, prm, z, theta, uc, dt, substeps, k1, k2, k3, k4, tmp):  # pragma: no cover
    """Advance ``z`` in place by ``dt`` with ``substeps`` classical RK4 steps."""
    h = dt / substeps
    nz = z.size
    for _ in range(substeps):
        _deriv(ff, prm, z, theta, uc, k1)
        for q in range(nz):
            tmp[q] = z[q] + 0.5 * h * k1[q]
        _deriv(ff, prm, tmp, theta, uc, k2)
        for q in range(nz):
            tmp[q] = z[q] + 0.5 * h * k2[q]
        _deriv(ff, prm, tmp, theta, uc, k3)
        for q in range(nz):
            tmp[q] = z[q] + h * k3[q]
        _deriv(ff, prm, tmp, theta, uc, k4)
        for q in range(nz):
            z[q] += h / 6.0 * (k1[q] + 2.0 * k2[q] + 2.0 * k3[q] + k4[q])


class MracData(NamedTuple):
    """What an MRAC controller observes, and its closed loops (one per policy)."""

    rule: int            # MIT, LYAPUNOV, FF_MIT or FF_NORMALIZED
    alpha: float         # regulariser of the normalised rule
    prm: np.ndarray      # (k, a1, a2, a_m, b_m, k0)
    dt: float            # stream period: theta and the command are held over it
    substeps: int        # RK4 steps per sample
    uc: np.ndarray       # (m,) command
    noise: np.ndarray    # (m,) measurement noise
    phi: np.ndarray      # (2,) scratch: sensitivities
    k1: np.ndarray       # (4,) scratch of RK4
    k2: np.ndarray
    k3: np.ndarray
    k4: np.ndarray
    tmp: np.ndarray


@njit(cache=True, inline="always")
def mrac_settle(data, z, i, th):  # pragma: no cover - compiled
    """Integrate the policy's loop ``z`` over the sample with the new theta; return y²."""
    ff = 1 if data.rule >= FF_MIT else 0
    rk4(ff, data.prm, z, th, data.uc[i], data.dt, data.substeps, data.k1, data.k2, data.k3,
        data.k4, data.tmp)
    return z[0] * z[0]


@observer(MracData, mrac_settle)
@njit(cache=True, inline="always")
def mrac_observe(data, z, i, th, uses_curvature, g, c, x):  # pragma: no cover - compiled
    """Measure: ``e = y - y_m``, ``g = dt e phi`` (scaled for the normalised rule),
    ``c = (dt phi)²``; loss ½e², tracking error e²; no regressor (``x`` stays 0)."""
    rule, phi = data.rule, data.phi
    ff = 1 if rule >= FF_MIT else 0
    y = z[0] + data.noise[i]
    ym = z[1] if ff == 0 else z[2]
    e = y - ym
    if rule == MIT:
        phi[0] = z[2]
        phi[1] = -z[3]
    elif rule == LYAPUNOV:
        phi[0] = data.uc[i]
        phi[1] = -y
    else:
        phi[0] = ym
    scale = data.dt / (data.alpha + ym * ym) if rule == FF_NORMALIZED else data.dt
    for j in range(th.size):
        g[j] = scale * e * phi[j]
        c[j] = (scale * phi[j]) ** 2
    return e, 0.5 * e * e, e * e


class _MracEstimator:
    """Shared plumbing of the controllers: their input record for the sample loop."""

    plant_family: ClassVar[str] = "mrac"
    columns: ClassVar[tuple[str, ...]] = ("u_c", "noise")
    # g is the sensitivity gradient of ½e² (times dt); there is no regressor of a linear model
    provides: ClassVar[tuple[str, ...]] = ("direction", "gradient", "curvature", "loss", "error")
    loop_rows: ClassVar[int] = 4  # closed-loop state per policy
    gain_symbol: ClassVar[str] = "gamma"  # the adaptation gain γ (default policy names)
    rule: ClassVar[int]
    feedforward: ClassVar[bool]
    shorthand_field: ClassVar[str | None] = None

    def check_plant(self, plant) -> str | None:
        if plant.feedforward != self.feedforward:
            want = "second_order" if self.feedforward else "first_order"
            return f"{self.kind!r} needs process kind {want!r}"
        return None

    def inputs(self, chunk) -> MracData:
        """The record its compiled ``observe`` reads (:func:`mrac_observe`)."""
        plant = chunk.plant
        k, a1, a2 = plant.process.coefficients()
        return MracData(rule=self.rule, alpha=float(getattr(self, "alpha", 0.0)),
                        prm=np.array([k, a1, a2, plant.a_m, plant.b_m, plant.k0], dtype=float),
                        dt=1.0 / chunk.rate, substeps=int(plant.substeps),
                        uc=chunk.cols["u_c"], noise=chunk.cols["noise"],
                        phi=np.empty(2), k1=np.empty(4), k2=np.empty(4), k3=np.empty(4),
                        k4=np.empty(4), tmp=np.empty(4))


@register("estimator")
@dataclass(frozen=True)
class Mit(_MracEstimator):
    r"""MIT rule for :math:`u = \theta_1 u_c - \theta_2 y` (Åström & Wittenmark Ex. 5.2).

    .. math::
        \frac{d\theta_1}{dt} = -\gamma \Big(\frac{a_m}{p + a_m} u_c\Big) e, \qquad
        \frac{d\theta_2}{dt} = +\gamma \Big(\frac{a_m}{p + a_m} y\Big) e

    (the sensitivity filters use the model's pole, the usual approximation of the
    unknown closed-loop pole). Gradient descent on ½e²: stable for small γ only.
    """

    kind: ClassVar[str] = "mit"
    summary: ClassVar[str] = "MIT rule, u = th1 u_c - th2 y, filtered sensitivities"
    rule: ClassVar[int] = MIT
    feedforward: ClassVar[bool] = False


@register("estimator")
@dataclass(frozen=True)
class Lyapunov(_MracEstimator):
    r"""Lyapunov rule for :math:`u = \theta_1 u_c - \theta_2 y` (Åström & Wittenmark Ex. 5.7).

    .. math:: \frac{d\theta_1}{dt} = -\gamma\, u_c\, e, \qquad \frac{d\theta_2}{dt} = +\gamma\, y\, e

    Derived from :math:`V = \tfrac12 e^2 + \tfrac{b}{2\gamma}(\tilde\theta_1^2 + \tilde\theta_2^2)`
    (b > 0): the error converges to zero for every γ > 0.
    """

    kind: ClassVar[str] = "lyapunov"
    summary: ClassVar[str] = "Lyapunov rule, u = th1 u_c - th2 y, stable for every gamma > 0"
    rule: ClassVar[int] = LYAPUNOV
    feedforward: ClassVar[bool] = False


@register("estimator")
@dataclass(frozen=True)
class MitFeedforward(_MracEstimator):
    r"""MIT rule for a feedforward gain, :math:`u = \theta u_c` (Åström & Wittenmark §5.2).

    .. math:: \frac{d\theta}{dt} = -\gamma\, y_m\, e

    With :math:`G = 1/(s^2 + a_1 s + a_2)` and a constant command :math:`u_0` the
    linearised loop is stable iff :math:`\gamma k k_0 u_0^2 < a_1 a_2^2`
    (our γ multiplies :math:`y_m e`, see :func:`gainsim.theory` for the bound).
    """

    kind: ClassVar[str] = "mit_feedforward"
    summary: ClassVar[str] = "MIT rule for a feedforward gain u = th u_c (unstable for large gamma)"
    rule: ClassVar[int] = FF_MIT
    feedforward: ClassVar[bool] = True


@register("estimator")
@dataclass(frozen=True)
class MitFeedforwardNormalized(_MracEstimator):
    r"""Normalised MIT rule: :math:`d\theta/dt = -\gamma\, y_m e / (\alpha + y_m^2)`.

    Dividing by the signal power removes the dependence of the loop gain on the
    command amplitude (Åström & Wittenmark §5.3).
    """

    kind: ClassVar[str] = "mit_feedforward_normalized"
    summary: ClassVar[str] = "normalised MIT rule: gamma y_m e / (alpha + y_m²)"
    rule: ClassVar[int] = FF_NORMALIZED
    feedforward: ClassVar[bool] = True
    alpha: float = param(1e-3, doc="regulariser alpha in the normaliser", check=positive)
