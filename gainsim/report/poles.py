"""The z-plane view of a scenario as a table and a figure, for ``gainsim poles`` and ``report.html``.

:func:`pole_rows` puts, for every policy that is a fixed linear loop (see
:mod:`gainsim.predict.zplane`), its poles, spectral radius :math:`\\rho = \\max_i |z_i|` (the
predicted per-update contraction of the error) and regime next to the rate fitted to the
simulated misalignment curve; :func:`root_locus_figure` draws one root locus per group of
loops that share one (same method, β and delay).
"""
from __future__ import annotations

import numpy as np

HEADER = ["policy", "loop", "poles", "ρ = max|z| (theory)", "regime", "ρ simulated"]


def pole_text(poles: np.ndarray) -> str:
    """The distinct poles, rounded to 6 decimals; ``"N poles"`` when there are more than 4."""
    z = np.unique(np.round(poles.ravel(), 6))
    if z.size > 4:
        return f"{z.size} poles"
    return ", ".join(f"{v.real:.4g}" if abs(v.imag) < 1e-9 else f"{v.real:.3g}{v.imag:+.3g}j"
                     for v in z)


def pole_rows(scenario, loops, t=None, misalignment=None) -> list[list[str]]:
    """Header and one row per policy: theory next to the simulated rate.

    ``t`` (the grid) and ``misalignment`` (policies × grid, mean over replicas) come from a
    simulation of ``scenario``; without them the last column is a dash.
    """
    from gainsim.predict.zplane import simulated_rate, updates_axis

    out = [list(HEADER)]
    k = updates_axis(scenario, t) if t is not None else None
    floor = scenario.plant.noise_floor
    for i, (policy, lp) in enumerate(zip(scenario.policy, loops)):
        sim = "—"
        if k is not None:
            rate = simulated_rate(k, misalignment[i], floor)
            sim = "—" if rate is None else f"{rate:.4g}"
        if lp is None:
            out.append([policy.name, "not a fixed linear loop", "", "", "", sim])
            continue
        loop = lp.method + (f" β={lp.beta:g}" if lp.beta else "") + \
            (f" D={lp.delay}" if lp.delay else "") + f" η={lp.eta:g}"
        out.append([policy.name, loop, pole_text(lp.poles), f"{lp.spectral_radius:.4g}",
                    lp.regime, sim])
    return out


def root_locus_figure(loops):
    """A figure with one root locus per group of loops sharing one; ``None`` without loops."""
    import matplotlib.pyplot as plt

    from gainsim.predict.zplane import locus_groups, plot_root_locus

    groups = locus_groups(loops)
    if not groups:
        return None
    fig, axes = plt.subplots(1, len(groups), figsize=(5.6 * len(groups), 5.8), squeeze=False)
    for ax, group in zip(axes[0], groups):
        plot_root_locus(group, ax=ax)
    fig.tight_layout()
    return fig


def report_section(data, figure: bool = True) -> tuple[list[list[str]], object | None] | None:
    """The poles table and root-locus figure of a run (``figure=False``: ``None`` in its
    place), or ``None`` when its plant has no eigen-modes (not a quadratic bowl or FIR
    plant) or no policy is a fixed linear loop."""
    from gainsim.predict.zplane import policy_loops
    from gainsim.predict.policies import plant_theory

    scenario = data.scenario
    if plant_theory(scenario) is None:
        return None
    loops = policy_loops(scenario)
    if not any(lp is not None for lp in loops):
        return None
    traces = data.traces
    table = pole_rows(scenario, loops, traces.get("t"), traces.get("misalignment_mean"))
    return table, (root_locus_figure(loops) if figure else None)
