"""``gainsim poles FILE``: the z-plane view of a scenario, printed and drawn.

Prints, for every policy that is a linear loop (see :mod:`gainsim.poles`), its poles,
spectral radius (predicted per-update contraction) and regime next to the rate measured
on a simulation of the scenario; writes ``root_locus.png`` and ``momentum_map.png``.
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np


def add_parser(sub) -> None:
    p = sub.add_parser("poles", help="root locus of learning: poles, spectral radius vs "
                                     "simulated rate, heavy-ball regime map")
    p.add_argument("scenario", help="scenario TOML file")
    p.add_argument("-o", "--output", help="folder for the figures (default: runs/NAME-poles)")
    p.add_argument("--no-run", action="store_true", help="theory only: do not simulate")


def _pole_text(poles: np.ndarray) -> str:
    z = np.unique(np.round(poles.ravel(), 6))
    if z.size > 4:
        return f"{z.size} poles"
    return ", ".join(f"{v.real:.4g}" if abs(v.imag) < 1e-9 else f"{v.real:.3g}{v.imag:+.3g}j"
                     for v in z)


def rows(scenario, loops, results=None) -> list[list[str]]:
    """Header and one row per policy: theory next to the simulated rate."""
    from gainsim.poles import simulated_rate, updates_axis

    out = [["policy", "loop", "poles", "ρ = max|z| (theory)", "regime", "ρ simulated"]]
    k = updates_axis(scenario, results.t) if results is not None else None
    floor = scenario.plant.noise_floor
    for i, (policy, lp) in enumerate(zip(scenario.policy, loops)):
        sim = "—"
        if results is not None:
            rate = simulated_rate(k, results.curves["misalignment_mean"][i], floor)
            sim = "—" if rate is None else f"{rate:.4g}"
        if lp is None:
            out.append([policy.name, "not a fixed linear loop", "", "", "", sim])
            continue
        loop = lp.method + (f" β={lp.beta:g}" if lp.beta else "") + \
            (f" D={lp.delay}" if lp.delay else "") + f" η={lp.eta:g}"
        out.append([policy.name, loop, _pole_text(lp.poles), f"{lp.spectral_radius:.4g}",
                    lp.regime, sim])
    return out


def command(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gainsim.poles import locus_groups, plot_regime_map, plot_root_locus, policy_loops
    from gainsim.predict import plant_theory
    from gainsim.report import format_table
    from gainsim.scenario import ScenarioError, load

    try:
        scenario = load(args.scenario)
    except ScenarioError as err:
        print(err, file=sys.stderr)
        return 2
    pt = plant_theory(scenario)
    if pt is None:
        print(f"gainsim: {args.scenario}: plant.kind: poles need a quadratic or fir plant "
              f"(got {type(scenario.plant).kind})", file=sys.stderr)
        return 2
    loops = policy_loops(scenario)
    results = None
    if not args.no_run:
        from gainsim.runner import run

        results = run(scenario)
    out = Path(args.output) if args.output else Path("runs") / f"{scenario.name}-poles"
    out.mkdir(parents=True, exist_ok=True)
    print(f"{scenario.name}: eigenvalues {np.array2string(pt.eigenvalues, precision=4)}")
    print(format_table(rows(scenario, loops, results)))
    written = []
    groups = locus_groups(loops)
    if groups:
        fig, axes = plt.subplots(1, len(groups), figsize=(5.6 * len(groups), 5.8), squeeze=False)
        for ax, group in zip(axes[0], groups):
            plot_root_locus(group, ax=ax)
        fig.tight_layout()
        fig.savefig(out / "root_locus.png", dpi=100)
        plt.close(fig)
        written.append("root_locus.png")
    ax = plot_regime_map(pt.eigenvalues, loops)
    ax.figure.tight_layout()
    ax.figure.savefig(out / "momentum_map.png", dpi=100)
    plt.close(ax.figure)
    written.append("momentum_map.png")
    print(f"wrote {out}/ ({', '.join(written)})")
    return 0
