r"""The root locus of learning for a scenario: which policy is which linear loop, and how fast.

Pure: :func:`policy_loops` reads the scenario's fixed-gain policies as linear loops
(one per policy, with the poles of every eigen-mode), :func:`simulated_rate` measures the
per-update contraction of a simulated misalignment curve, and :func:`plot_root_locus` /
:func:`plot_regime_map` draw the z-plane figures (``ax=None`` convention, nothing shown
or written). ``gainsim poles FILE`` (:mod:`gainsim.cli.poles`) prints and saves them.

Which policies have poles: ``gd`` on the quadratic plant and ``lms`` in the mean on the
FIR plant (eigenvalues of :math:`R`), with a constant gain, heavy-ball ``momentum`` or
``nesterov`` with a constant ``eta``; a ``stream.feedback_delay`` of D updates turns
:math:`1 - \eta\lambda` into the roots of :math:`z^{D+1} - z^D + \eta\lambda`. Adaptive
gains, schedules and the scipy baselines are not linear time-invariant loops: they are
listed without poles.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gainsim.theory import poles as tp
from gainsim.predict.policies import plant_theory

# monotone, ringing, alternating, unstable
REGIME_COLORS = ("#cfe8cf", "#fde3b5", "#f6c9a8", "#e9b3b3")
REGIME_LABELS = ("monotone (real poles ≥ 0)", "oscillating (complex poles)",
                 "oscillating (negative real pole)", "unstable (|z| ≥ 1)")


@dataclass(frozen=True)
class Loop:
    """One policy seen as a linear loop: method, gains and the poles of every mode."""

    policy: str
    method: str                # "gd", "heavy ball", "nesterov" (LMS: in the mean)
    eta: float
    beta: float                # 0 without momentum
    delay: int                 # feedback delay D in updates
    eigenvalues: np.ndarray    # (n,) curvature of each mode
    poles: np.ndarray          # (n, order) complex

    @property
    def spectral_radius(self) -> float:
        return tp.spectral_radius(self.poles)

    @property
    def regime(self) -> str:
        return tp.regime(self.poles)

    @property
    def stability_bound(self) -> float:
        """Largest stable η for this method, β and delay on the stiffest mode."""
        return self.bound_eta_lam / float(self.eigenvalues.max())

    @property
    def bound_eta_lam(self) -> float:
        if self.method == "heavy ball":
            return tp.heavy_ball_stability_bound(self.beta)
        if self.method == "nesterov":
            return tp.nesterov_stability_bound(self.beta)
        return tp.delay_stability_bound(self.delay)

    def poles_at(self, eta) -> np.ndarray:
        """Poles of every mode at other gains ``eta`` (shape ``eta.shape + (n, order)``)."""
        return mode_poles(self.method, np.asarray(eta, float)[..., None], self.beta,
                          self.eigenvalues, self.delay)


def mode_poles(method: str, eta, beta: float, lam, delay: int = 0) -> np.ndarray:
    """Poles of one method for gains ``eta`` and curvatures ``lam`` (broadcast)."""
    if method == "heavy ball":
        return tp.heavy_ball_poles(eta, beta, lam)
    if method == "nesterov":
        return tp.nesterov_poles(eta, beta, lam)
    return tp.delayed_gd_poles(eta, lam, delay)


def _constant_eta(gain) -> tuple[str, float, float] | None:
    kind = type(gain).kind
    if kind == "constant":
        return "gd", float(gain.eta), 0.0
    if kind in ("momentum", "nesterov") and type(gain.eta).kind == "constant":
        return ("heavy ball" if kind == "momentum" else "nesterov"), float(gain.eta.eta), \
            float(gain.beta)
    return None


def policy_loops(scenario) -> list[Loop | None]:
    """A :class:`Loop` for every policy with closed-form poles, ``None`` for the others."""
    pt = plant_theory(scenario)
    delay = int(getattr(scenario.stream, "feedback_delay", 0))
    out: list[Loop | None] = []
    for policy in scenario.policy:
        fixed = _constant_eta(policy.gain)
        est = type(policy.estimator).kind
        if pt is None or fixed is None or est not in ("gd", "lms") \
                or (fixed[0] != "gd" and delay > 0):
            out.append(None)
            continue
        method, eta, beta = fixed
        lam = pt.eigenvalues
        poles = mode_poles(method, eta, beta, lam, delay).reshape(lam.size, -1)
        out.append(Loop(policy=policy.name, method=method, eta=eta, beta=beta, delay=delay,
                        eigenvalues=lam, poles=poles))
    return out


def simulated_rate(k: np.ndarray, misalignment: np.ndarray, floor: float = 0.0) -> float | None:
    r"""Per-update contraction :math:`\rho` fitted to a misalignment curve :math:`\|e_k\|^2`.

    On a linear loop :math:`\|e_k\|^2 \propto \rho^{2k}` once the fast modes have died
    out, so :math:`\rho = \exp(s/2)` with ``s`` the least-squares slope of
    :math:`\log\|e_k\|^2` against the update count ``k``. Fitted over the points below a
    tenth of the start (past the fast modes) and above 100× ``floor`` (the noise floor)
    and 1e-200 of the start; for a growing curve, over the finite points above the start.
    ``None`` when fewer than 3 points qualify.
    """
    k, m = np.asarray(k, float), np.asarray(misalignment, float)
    ok = np.isfinite(m) & (m > 0)
    if not ok.any():
        return None
    m0 = m[ok][0]
    k, m = k[ok], m[ok]
    if m[-1] > m0:
        use = m > m0
    else:
        use = (m <= 0.1 * m0) & (m >= max(100.0 * floor, 1e-200 * m0))
    if use.sum() < 3:
        return None
    slope = np.polyfit(k[use], np.log(m[use]), 1)[0]
    return float(np.exp(slope / 2.0))


def updates_axis(scenario, t: np.ndarray) -> np.ndarray:
    """Mean number of updates applied by grid time ``t`` (periodic or Poisson stream)."""
    return np.asarray(t, float) * scenario.stream.rate * (1.0 - scenario.stream.dropout)


def plot_root_locus(loops: list[Loop], ax=None, *, overshoot: float = 1.25, points: int = 400):
    """Poles of every mode as η sweeps from 0 to ``overshoot`` × the bound; policies marked.

    All loops drawn on one axes must share method, β and delay (see :func:`locus_groups`).
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5.6, 5.6))
    ref = loops[0]
    top = overshoot * max(lp.stability_bound for lp in loops)
    eta = np.linspace(0.0, top, points)
    z = ref.poles_at(eta)                                   # (points, n, order)
    circle = np.exp(1j * np.linspace(0, 2 * np.pi, 361))
    ax.plot(circle.real, circle.imag, color="k", lw=1)
    ax.axhline(0, color="0.7", lw=0.6)
    ax.axvline(0, color="0.7", lw=0.6)
    inside = np.abs(z) < 1
    for i in range(min(ref.eigenvalues.size, 6)):  # at most 6 modes: a readable figure
        for j in range(z.shape[2]):
            zz, ok = z[:, i, j], inside[:, i, j]
            sc = ax.scatter(zz.real[ok], zz.imag[ok], c=eta[ok], s=3, cmap="viridis", vmin=0,
                            vmax=top, zorder=2)
            ax.scatter(zz.real[~ok], zz.imag[~ok], s=3, color="#c0392b", zorder=2)
    ax.figure.colorbar(sc, ax=ax, shrink=0.7, label="gain η")
    for n, lp in enumerate(loops):
        marker = "osD^vp"[n % 6]
        ax.scatter(lp.poles.real.ravel(), lp.poles.imag.ravel(), marker=marker, s=70,
                   facecolors="none", edgecolors=f"C{n}", lw=1.8, zorder=4,
                   label=f"{lp.policy}: ρ = {lp.spectral_radius:.3g}")
    lim = max(1.3, float(np.nanmax(np.abs(np.concatenate(
        [lp.poles.ravel() for lp in loops])))) * 1.1)
    lim = min(lim, 3.0)
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("Re z")
    ax.set_ylabel("Im z")
    ax.set_title(f"root locus of learning: {_describe(ref)}\n"
                 f"η from 0 to {top:.3g} (bound {ref.stability_bound:.3g}; red: |z| ≥ 1)",
                 fontsize="medium")
    ax.legend(fontsize="x-small", loc="lower left")
    return ax


def _describe(lp: Loop) -> str:
    text = {"gd": "z = 1 − ηλ", "heavy ball": f"heavy ball β = {lp.beta:g}",
            "nesterov": f"Nesterov β = {lp.beta:g}"}[lp.method]
    if lp.delay:
        text = f"z^{lp.delay + 1} − z^{lp.delay} + ηλ = 0 (delay D = {lp.delay})"
    return text


def locus_groups(loops: list[Loop | None]) -> list[list[Loop]]:
    """Loops that share a root locus (same method, β and delay), in order of appearance."""
    groups: dict[tuple, list[Loop]] = {}
    for lp in loops:
        if lp is not None:
            groups.setdefault((lp.method, lp.beta, lp.delay), []).append(lp)
    return list(groups.values())


def plot_regime_map(eigenvalues, loops: list[Loop | None] = (), ax=None, *, points: int = 300):
    r"""Heavy-ball regimes over :math:`(\eta\lambda, \beta)`, Polyak's optimum marked.

    Monotone, ringing (complex), alternating (negative real) and unstable regions of
    :func:`gainsim.theory.poles.heavy_ball_regime_map`; the optimum
    :func:`gainsim.theory.polyak_heavy_ball_optimum` for ``eigenvalues`` drawn at
    :math:`\eta^*\lambda_{\min}` and :math:`\eta^*\lambda_{\max}`; every heavy-ball loop
    in ``loops`` drawn at each of its modes.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import ListedColormap

    from gainsim.theory import polyak_heavy_ball_optimum

    if ax is None:
        _, ax = plt.subplots(figsize=(6.4, 4.6))
    a = np.linspace(0.0, 4.2, points)
    beta = np.linspace(0.0, 0.999, points)
    codes = tp.heavy_ball_regime_map(a[None, :], beta[:, None])
    ax.pcolormesh(a, beta, codes, cmap=ListedColormap(REGIME_COLORS), vmin=-0.5, vmax=3.5,
                  shading="auto")
    ax.plot(2 * (1 + beta), beta, color="k", lw=1)
    for c, label in zip(REGIME_COLORS, REGIME_LABELS):
        ax.fill_between([], [], color=c, label=label)
    lam = np.asarray(eigenvalues, float)
    lam = lam[lam > 0]
    if lam.size:
        best = polyak_heavy_ball_optimum(lam)
        pts = best.eta * np.array([lam.min(), lam.max()])
        ax.plot(pts, [best.beta] * 2, "k*", ms=13,
                label=f"Polyak optimum η = {best.eta:.3g}, β = {best.beta:.3g} "
                      f"(ρ = {best.rate:.3g})")
    for n, lp in enumerate(x for x in loops if x is not None and x.method == "heavy ball"):
        ax.plot(lp.eta * lp.eigenvalues, [lp.beta] * lp.eigenvalues.size, "o", mfc="none",
                mew=1.6, color=f"C{n}", label=f"{lp.policy} (each mode)")
    ax.set_xlim(0, 4.2)
    ax.set_ylim(0, 1)
    ax.set_xlabel("ηλ")
    ax.set_ylabel("momentum β")
    ax.set_title("heavy-ball regimes: z² − (1 + β − ηλ) z + β = 0", fontsize="medium")
    ax.legend(fontsize="x-small", loc="upper left")
    return ax
