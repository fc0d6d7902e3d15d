"""Make the figures of ``docs/gains.md`` and ``docs/sweeps.md``: ``python docs/make_figures.py``.

* ``docs/figures/schedules.png``: every schedule kind evaluated with gainsim's own
  schedule classes over 1000 updates, one small panel per kind.
* ``docs/figures/drift_tracking_eta.png``: η(t) of the policies of
  ``scenarios/drift_tracking.toml`` (fewer replicas), drawn by
  ``Results.plot("eta")`` (:func:`gainsim.figures.plot_eta`).
* ``docs/figures/sweep_quickstart.png`` and ``range_test_quickstart.png``: the U-curve of
  ``gainsim sweep scenarios/quickstart.toml`` and the gain range test of its LMS policy.

All are deterministic (fixed seeds); ``python docs/make_figures.py sweep`` makes one.
"""
from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import gainsim  # noqa: E402
from gainsim.catalog import kinds  # noqa: E402

SCHEDULES = kinds("schedule")

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
FIGURES = DOCS / "figures"
UPDATES = 1000
DPI = 80

S = SCHEDULES  # kind -> class, so every panel is built from the registered class


def schedule_panels() -> list[tuple[str, str, list[tuple[str, object]]]]:
    """``(kind, parameter line, [(legend label, schedule), ...])`` per panel."""
    return [
        ("constant", "eta=0.05", [("", S["constant"](eta=0.05))]),
        ("step", "eta0=0.1, step_size=250, gamma=0.5",
         [("", S["step"](eta0=0.1, step_size=250, gamma=0.5))]),
        ("multistep", "eta0=0.1, milestones=[300, 600, 800], gamma=0.5",
         [("", S["multistep"](eta0=0.1, milestones=(300, 600, 800), gamma=0.5))]),
        ("exponential", "eta0=0.1, decay_rate=0.5, transition_steps=200",
         [("smooth", S["exponential"](eta0=0.1, decay_rate=0.5, transition_steps=200)),
          ("staircase", S["exponential"](eta0=0.1, decay_rate=0.5, transition_steps=200,
                                         staircase=True))]),
        ("range_test", "eta_min=0.001, eta_max=0.1, total_steps=800",
         [("", S["range_test"](eta_min=0.001, eta_max=0.1, total_steps=800))]),
        ("inverse_time", "eta0=0.1, decay_rate=1, decay_steps=100",
         [("smooth", S["inverse_time"](eta0=0.1, decay_rate=1.0, decay_steps=100)),
          ("staircase", S["inverse_time"](eta0=0.1, decay_rate=1.0, decay_steps=100,
                                          staircase=True))]),
        ("polynomial", "eta0=0.1, eta_end=0.01, total_steps=800",
         [("power=1", S["polynomial"](eta0=0.1, eta_end=0.01, power=1.0, total_steps=800)),
          ("power=2", S["polynomial"](eta0=0.1, eta_end=0.01, power=2.0, total_steps=800))]),
        ("robbins_monro", "eta0=0.1, tau=50",
         [("power=1", S["robbins_monro"](eta0=0.1, tau=50.0, power=1.0)),
          ("power=0.6", S["robbins_monro"](eta0=0.1, tau=50.0, power=0.6))]),
        ("cosine", "eta0=0.1, total_steps=800, eta_min=0.01",
         [("", S["cosine"](eta0=0.1, total_steps=800, eta_min=0.01))]),
        ("cosine_restarts", "eta0=0.1, t0=100, eta_min=0.01",
         [("t_mult=1", S["cosine_restarts"](eta0=0.1, t0=100, t_mult=1, eta_min=0.01)),
          ("t_mult=2", S["cosine_restarts"](eta0=0.1, t0=100, t_mult=2, eta_min=0.01))]),
        ("cyclical", "eta_min=0.01, eta_max=0.1, step_size_up=100",
         [("triangular", S["cyclical"](eta_min=0.01, eta_max=0.1, step_size_up=100)),
          ("triangular2", S["cyclical"](eta_min=0.01, eta_max=0.1, step_size_up=100,
                                        mode="triangular2")),
          ("exp_range γ=0.998", S["cyclical"](eta_min=0.01, eta_max=0.1, step_size_up=100,
                                              mode="exp_range", gamma=0.998))]),
        ("one_cycle", "eta_max=0.1, total_steps=1000 (pct_start 0.3)",
         [("anneal=cos", S["one_cycle"](eta_max=0.1, total_steps=1000)),
          ("anneal=linear", S["one_cycle"](eta_max=0.1, total_steps=1000, anneal="linear"))]),
        ("warmup", "warmup_steps=200, eta_start=0,\nschedule=cosine(eta0=0.1, total_steps=800)",
         [("", S["warmup"](schedule=S["cosine"](eta0=0.1, total_steps=800),
                           warmup_steps=200))]),
        ("join", "boundaries=[100, 500]: polynomial ramp,\nconstant 0.1, exponential from 0.05",
         [("", S["join"](schedules=(S["polynomial"](eta0=0.01, eta_end=0.1, power=1.0,
                                                     total_steps=100),
                                    S["constant"](eta=0.1),
                                    S["exponential"](eta0=0.05, decay_rate=0.5,
                                                     transition_steps=100)),
                         boundaries=(100, 500)))]),
    ]


def make_schedules_png(path: Path) -> None:
    panels = schedule_panels()
    missing = set(SCHEDULES) - {kind for kind, _, _ in panels}
    if missing:
        raise SystemExit(f"make_figures.py: no panel for schedule kinds {sorted(missing)}")
    k = np.arange(UPDATES)
    ncols = 4
    nrows = -(-len(panels) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(15, 3.0 * nrows), sharex=True)
    for ax, (kind, params, curves) in zip(axes.flat, panels):
        for i, (label, sched) in enumerate(curves):
            ax.plot(k, sched(k), lw=1.6, ls=("-", "--", ":")[i], label=label or None)
        ax.set_title(f"{kind}\n{params}", fontsize=8.5)
        top = max(float(np.max(sched(k))) for _, sched in curves)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
        if any(label for label, _ in curves):  # head-room above the curves for the legend
            ax.set_ylim(0.0, 1.55 * top)
            ax.legend(fontsize=7.5, loc="upper right", framealpha=0.9)
        else:
            ax.set_ylim(0.0, 1.1 * top)
    for ax in axes.flat[len(panels):]:
        ax.axis("off")
    for col in range(ncols):  # k-axis labels under the lowest panel of every column
        last = max(i for i in range(col, len(panels), ncols))
        axes.flat[last].tick_params(labelbottom=True)
        axes.flat[last].set_xlabel("update count k", fontsize=9)
    for row in axes:
        row[0].set_ylabel(r"gain $\eta_k$", fontsize=9)
    fig.suptitle("gainsim schedules over 1000 updates (k from 0)", fontsize=12)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def make_drift_eta_png(path: Path, replicas: int = 3) -> None:
    scenario = gainsim.load(ROOT / "scenarios" / "drift_tracking.toml")
    results = gainsim.run(scenario, replicas=replicas)
    fig, ax = plt.subplots(figsize=(11, 5.2))
    results.plot("eta", ax=ax)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9, frameon=False)
    ax.set_title(f"drift_tracking: gain η(t), mean over parameters and {replicas} replicas "
                 "(band: min–max over parameters)", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def make_sweep_png(path: Path) -> None:
    """The U-curve of docs/sweeps.md: quickstart's [sweep] table (LMS gain, 13 values)."""
    from gainsim.sweeps.sweep import sweep
    from gainsim.sweeps.plot import plot_sweep

    result = sweep(ROOT / "scenarios" / "quickstart.toml")
    ax = plot_sweep(result)
    ax.figure.tight_layout()
    ax.figure.savefig(path, dpi=DPI)
    plt.close(ax.figure)


def make_range_test_png(path: Path) -> None:
    """The range test of docs/sweeps.md: quickstart's LMS policy, default bounds."""
    from gainsim.sweeps.range_test import range_test
    from gainsim.sweeps.plot import plot_range_test

    scenario = gainsim.load(ROOT / "scenarios" / "quickstart.toml")
    ax = plot_range_test(range_test(scenario, "LMS η=0.01 (≈ optimal)"))
    ax.figure.tight_layout()
    ax.figure.savefig(path, dpi=DPI)
    plt.close(ax.figure)


def main(argv: list[str]) -> int:
    FIGURES.mkdir(exist_ok=True)
    targets = {"schedules": lambda: make_schedules_png(FIGURES / "schedules.png"),
               "drift": lambda: make_drift_eta_png(FIGURES / "drift_tracking_eta.png"),
               "sweep": lambda: make_sweep_png(FIGURES / "sweep_quickstart.png"),
               "range_test": lambda: make_range_test_png(FIGURES / "range_test_quickstart.png")}
    for name in argv or list(targets):
        targets[name]()
        print(f"wrote {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
