"""``gainsim poles FILE``: the z-plane view of a scenario, printed and drawn.

Prints, for every policy that is a linear loop (see :mod:`gainsim.predict.zplane`), its poles,
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


def command(args) -> int:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from gainsim.predict.zplane import plot_regime_map, policy_loops
    from gainsim.report.poles import pole_rows, root_locus_figure
    from gainsim.predict.policies import plant_theory
    from gainsim.report.text import format_table
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
        from gainsim.engine.runner import run

        results = run(scenario)
    out = Path(args.output) if args.output else Path("runs") / f"{scenario.name}-poles"
    out.mkdir(parents=True, exist_ok=True)
    print(f"{scenario.name}: eigenvalues {np.array2string(pt.eigenvalues, precision=4)}")
    print(format_table(pole_rows(scenario, loops, *((results.t, results.curves["misalignment_mean"])
                                                       if results is not None else ()))))
    written = []
    fig = root_locus_figure(loops)
    if fig is not None:
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
