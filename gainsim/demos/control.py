r"""Demo ``adaptive_control``: MRAC's MIT rule is LMS in continuous time, and γ is η.

The feedforward MIT rule :math:`d\theta/dt = -\gamma\, y_m e` is the LMS update
:math:`\theta \mathrel{+}= \eta\, e\, x` with the model output as the regressor. With a
constant command :math:`u_0` the linearised parameter error has the characteristic
polynomial :math:`s^3 + a_1 s^2 + a_2 s + \gamma k k_0 u_0^2/a_2`: the loop gain is
:math:`\gamma u_0^2`, so doubling the command amplitude cuts the stable γ by four.

References
----------
K. J. Åström and B. Wittenmark, *Adaptive Control*, 2nd ed., Addison-Wesley, 1995, §5.3.
"""
from __future__ import annotations

import numpy as np

from gainsim.demos.base import Demo, Number
from gainsim.theory import mrac_feedforward_gain_bound

RATE_TOL = 0.1   # linearised decay rate vs the fit on the simulated parameter error

SYMBOLS = (("LMS", "MRAC, MIT rule"),
           ("η (learning rate)", "γ (adaptation gain)"),
           ("x (regressor)", "y_m (model output: the sensitivity ∂y/∂θ up to a factor)"),
           ("e = d − θᵀx (a-priori error)", "e = y − y_m (model-following error)"),
           ("θ += η e x", "dθ/dt = −γ y_m e"),
           ("η < 2/λmax(R)", "γ k k0 u0² < a1 a2²"))


def _loop(s):
    proc, u0 = s.plant.process, float(s.plant.command.values[0])
    return proc.k, s.plant.k0, proc.a1, proc.a2, u0


def linearised_poles(gamma: float, k: float, k0: float, a1: float, a2: float, u0: float):
    """Roots of :math:`s^3 + a_1 s^2 + a_2 s + \\gamma k k_0 u_0^2 / a_2`."""
    return np.roots([1.0, a1, a2, gamma * k * k0 * u0 * u0 / a2])


def fitted_rate(t: np.ndarray, m: np.ndarray, unstable: bool) -> float | None:
    r"""Exponential rate σ of :math:`|\theta - \theta^*| \propto e^{\sigma t}` from the
    misalignment :math:`(\theta-\theta^*)^2`: half the slope of its log, fitted while the
    error is small (decaying: below 30 % of the start; growing: up to 10× the start)."""
    ok = np.isfinite(m) & (m > 0)
    m0 = m[0]
    use = ok & ((m > m0) & (m < 10 * m0) if unstable else (m < 0.3 * m0) & (m > 1e-14))
    if use.sum() < 4:
        return None
    return float(np.polyfit(t[use], np.log(m[use]), 1)[0] / 2.0)


def adaptive_control_numbers(results_list) -> list[Number]:
    rows = []
    for res in results_list:
        s = res.scenario
        k, k0, a1, a2, u0 = _loop(s)
        bound = mrac_feedforward_gain_bound(k, k0, a1, a2, u0)
        rows.append(Number(f"u0 = {u0:g}: stable adaptation gains", None, f"γ < {bound:g}",
                           "γ* = a1 a2² / (k k0 u0²)"))
        for i, policy in enumerate(s.policy):
            gamma = float(policy.gain.eta)
            sigma = float(linearised_poles(gamma, k, k0, a1, a2, u0).real.max())
            p = res.policies[i]
            rows.append(Number(f"u0 = {u0:g}, {policy.name}: diverges",
                               "yes" if p.diverged else "no",
                               "yes" if gamma >= bound else "no", "γ ≥ γ*"))
            if sigma < 0:
                rows.append(Number(f"u0 = {u0:g}, {policy.name}: decay rate σ (1/s)",
                                   fitted_rate(res.t, res.curves["misalignment_mean"][i], False),
                                   sigma, "max Re s of the linearised loop", RATE_TOL))
    return rows


def adaptive_control_figures(results_list) -> dict:
    """``mrac_theta.png``: the adapted gain θ(t) for each γ and command amplitude."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(results_list), figsize=(5.6 * len(results_list), 4.2),
                             squeeze=False)
    for ax, res in zip(axes[0], results_list):
        s = res.scenario
        for i, policy in enumerate(s.policy):
            ax.semilogy(res.t, res.curves["misalignment_mean"][i], color=f"C{i}",
                        label=policy.name + (" (diverged)" if res.policies[i].diverged else ""))
        ax.set(xlabel="time t (s)", ylabel="(θ − k0/k)²", ylim=(1e-12, 1e5),
               title=f"MIT rule, command u0 = {_loop(s)[4]:g}")
        ax.legend(fontsize="x-small")
    fig.tight_layout()
    return {"mrac_theta.png": fig}


DEMOS = (
    Demo("adaptive_control", "MRAC: the MIT rule is LMS with γ as η; γ·amplitude² sets "
         "its stability", ("adaptive_control_u2", "adaptive_control_u1"),
         adaptive_control_numbers, adaptive_control_figures, table=SYMBOLS),
)
