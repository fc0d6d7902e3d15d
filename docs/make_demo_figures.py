"""Make the figures of ``docs/teaching.md``: run ``python docs/make_demo_figures.py``.

Runs every demo of ``gainsim demo`` (the same shipped scenarios, the same figures) and
``gainsim poles`` on the curvature demo, and saves the figures small into
``docs/figures/demos/``. Deterministic (fixed seeds); takes a minute or two.
"""
from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from gainsim.demos import demos, run_demo, scenario_path  # noqa: E402

OUT = Path(__file__).resolve().parent / "figures" / "demos"
DPI = 72


def poles_figures() -> None:
    import gainsim
    from gainsim.predict.zplane import locus_groups, plot_regime_map, plot_root_locus, policy_loops

    scenario = gainsim.load(scenario_path("curvature"))
    loops = policy_loops(scenario)
    groups = locus_groups(loops)
    fig, axes = plt.subplots(1, len(groups), figsize=(5.6 * len(groups), 5.8), squeeze=False)
    for ax, group in zip(axes[0], groups):
        plot_root_locus(group, ax=ax)
    fig.tight_layout()
    fig.savefig(OUT / "root_locus.png", dpi=DPI)
    plt.close(fig)
    ax = plot_regime_map(scenario.plant.eigenvalues, loops)
    ax.figure.tight_layout()
    ax.figure.savefig(OUT / "momentum_map.png", dpi=DPI)
    plt.close(ax.figure)


def main(names: list[str]) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name in names or list(demos()):
        for file, fig in run_demo(name).figures.items():
            fig.savefig(OUT / file, dpi=DPI)
            plt.close(fig)
    if not names:
        poles_figures()


if __name__ == "__main__":
    main(sys.argv[1:])
