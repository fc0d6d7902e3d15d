"""What every figure shares: axes, colours (a colour scale for big banks), legends, time axes.

Figures take a :class:`~gainsim.report.rundata.RunData` (what a run directory holds), so a figure
drawn right after a run and one redrawn from the saved files by ``gainsim report`` are
the same picture.
"""
from __future__ import annotations

import numpy as np

DPI = 110          # of every PNG a run directory holds
LEGEND_INSIDE = 3   # more entries than this: the legend goes outside the axes, right
BANK = 12           # more policies than this: a colour scale by gain value, no legend
# zlib level of those PNGs. The pixels are the same at every level; on quickstart's six
# figures level 3 encoded in 72 ms against 108 ms at Pillow's default 6, and the files
# came out 2 % smaller (line plots on white: the extra effort of 6 finds nothing more).
PNG_COMPRESS_LEVEL = 3


def png_bytes(fig) -> bytes:
    """``fig`` as PNG bytes at :data:`DPI`, zlib level :data:`PNG_COMPRESS_LEVEL` (closed
    afterwards)."""
    import io

    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI,  # laid out when made: one draw, not two
                pil_kwargs={"compress_level": PNG_COMPRESS_LEVEL})
    plt.close(fig)
    return buf.getvalue()


def as_run_data(obj):
    """The :class:`~gainsim.report.rundata.RunData` of ``obj`` (itself, or ``obj.run_data()``)."""
    return obj.run_data() if hasattr(obj, "run_data") else obj


def new_axes(ax, figsize=(8.0, 4.5)):
    """``ax`` itself, or the axes of a new figure."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize, layout="constrained")  # legends outside fit too
    return ax


def is_bank(data) -> bool:
    return len(data.summary["policies"]) > BANK


def initial_gains(data) -> np.ndarray | None:
    """Each policy's gain at t = 0 (mean over parameters); ``None`` unless all are > 0."""
    eta0 = np.asarray(data.traces["eta_mean"])[:, 0]
    return eta0 if np.all(np.isfinite(eta0) & (eta0 > 0)) else None


def colours(data) -> tuple[list, object | None]:
    """One colour per policy, and the scalar mappable of a colour scale (big banks) or None.

    Up to :data:`BANK` policies take the default colour cycle; a bigger bank is coloured
    by its initial gain η₀ on a log scale (or by rank when η₀ is not positive everywhere).
    """
    import matplotlib as mpl

    P = len(data.summary["policies"])
    if not is_bank(data):
        cycle = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
        return [cycle[i % len(cycle)] for i in range(P)], None
    eta0 = initial_gains(data)
    if eta0 is not None and eta0.min() < eta0.max():
        norm, values, label = mpl.colors.LogNorm(eta0.min(), eta0.max()), eta0, "initial gain η₀"
    else:
        norm, values, label = mpl.colors.Normalize(0, P - 1), np.arange(P), "policy index"
    mappable = mpl.cm.ScalarMappable(norm=norm, cmap="viridis")
    mappable.label = label
    return [mappable.to_rgba(v) for v in values], mappable


def finish_legend(ax, mappable=None) -> None:
    """A colour bar for a bank, and a legend, outside the axes when it has many entries."""
    if mappable is not None:
        bar = ax.figure.colorbar(mappable, ax=ax, pad=0.02)
        bar.set_label(mappable.label)
    handles, labels = ax.get_legend_handles_labels()
    if not handles:
        return
    if len(handles) > LEGEND_INSIDE and mappable is None:
        ax.legend(handles, labels, fontsize="small", loc="upper left",
                  bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, frameon=False)
    else:
        ax.legend(handles, labels, fontsize="small", loc="best")


def time_axis(scenario, counts: bool = False) -> tuple[float, str]:
    """``(scale, label)``: x = scale · t, labelled by what it counts.

    A periodic stream without latency or dropout applies sample k at t = k / rate, so the
    grid is an update count: it is labelled so when ``counts`` is asked for or when the
    stream runs at one sample per second (where "time t (s)" would hide that it counts
    updates). Otherwise it is the simulation time in seconds.
    """
    s = scenario.stream
    lossless = (s.arrivals == "periodic" and s.dropout == 0
                and type(s.latency).kind == "none"
                and not getattr(scenario.plant, "own_times", False))  # recorded times
    if lossless and (counts or s.rate == 1.0):
        return float(s.rate), "update count k"
    return 1.0, "time t (s)"


def is_bowl(scenario) -> bool:
    """True when every sample is one gradient of a quadratic bowl (the plant says so)."""
    from gainsim.predict.plants import GradientBowl
    from gainsim.predict.policies import plant_theory

    return isinstance(plant_theory(scenario), GradientBowl)


def policy_names(data) -> list[str]:
    return [p["name"] for p in data.summary["policies"]]
