"""Figures of a sweep (the U-curve) and of the gain range test. Pure: they return the axes.

Follows the ``ax=None`` convention of :mod:`gainsim.report.text`; nothing is shown or saved.
"""
from __future__ import annotations

import numpy as np

from gainsim.sweeps.sweep import SweepResult, gain_policy


def _axes(ax):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(8.5, 5))
    return ax


def _series(sweep: SweepResult, policy: int, rows: list[int]):
    """x, error, CI low/high, theory, diverged flags and times of one policy at ``rows``."""
    key = sweep.axes[0].key
    entries = [sweep.records[r]["policies"][policy] for r in rows]
    x = np.array([sweep.points[r][key] for r in rows], dtype=float)

    def col(name, i=None):
        vals = [e[name] if i is None else e[name][i] for e in entries]
        return np.array([np.nan if v is None else v for v in vals], dtype=float)

    return (x, col("steady_state_tracking_error"), col("steady_state_tracking_error_ci95", 0),
            col("steady_state_tracking_error_ci95", 1),
            col("predicted_steady_state_tracking_error"),
            np.array([e["diverged"] for e in entries]), col("diverged_at"))


def _curves(sweep: SweepResult) -> list[tuple[str, int, list[int]]]:
    """``(label, policy, point rows)`` per curve: per policy the sweep changes (one axis),
    or per value of the second axis for the policy the first axis belongs to (a grid)."""
    n = len(sweep.points)
    if len(sweep.axes) == 1:
        from gainsim.sweeps.sweep import _varies

        names = sweep.policy_names
        changed = [p for p in range(len(names)) if _varies(sweep, p)] or list(range(len(names)))
        return [(names[p], p, list(range(n))) for p in changed]
    focus = gain_policy(sweep)
    focus = 0 if focus is None else focus
    second = sweep.axes[1]
    return [(f"{sweep.policy_names[focus]}, {second.key} = {v:.4g}", focus,
             [r for r in range(n) if sweep.points[r][second.key] == v]) for v in second.values]


def plot_sweep(sweep: SweepResult, ax=None):
    """Steady-state tracking error against the first swept key: the U-curve.

    Per curve: the measured mean (dots), its 95 % CI band across replicas, theory's
    prediction dashed, points where the policy diverged as ✕ along the top (and a ring
    where only some replicas diverged). When the key is a policy's constant gain, the
    stability bounds (2/λmax and the mean-square bound) are vertical lines and theory's
    optimal gain η* is marked.
    """
    ax = _axes(ax)
    axis = sweep.axes[0]
    top_marks, lows = [], []
    colors = []
    for label, policy, rows in _curves(sweep):
        x, y, lo, hi, theory, diverged, at = _series(sweep, policy, rows)
        (line,) = ax.plot(x, y, "o-", ms=3.5, lw=1.4, label=label)
        color = line.get_color()
        colors.append(color)
        band = np.isfinite(lo) & np.isfinite(hi)
        if band.any():
            ax.fill_between(x, np.where(band, lo, np.nan), np.where(band, hi, np.nan),
                            color=color, alpha=0.2, lw=0)
        if np.isfinite(theory).any():
            ax.plot(x, theory, "--", color=color, lw=1.2, label=f"{label}: theory")
        partial = diverged & np.isfinite(y)
        if partial.any():
            ax.plot(x[partial], y[partial], "o", mfc="none", mec="red", ms=9, mew=1.4)
        top_marks += [(xi, ti, color) for xi, ti in zip(x[diverged & ~np.isfinite(y)],
                                                        at[diverged & ~np.isfinite(y)])]
        lows += list(y[np.isfinite(y)])
    if axis.log:
        ax.set_xscale("log")
    if lows and min(lows) > 0:
        ax.set_yscale("log")
    _clip_top(ax, lows)
    _theory_lines(sweep, ax, colors)
    if top_marks:
        _, top = ax.get_ylim()
        for i, (xi, ti, color) in enumerate(top_marks):
            ax.plot([xi], [top], "x", color=color, ms=9, mew=2, clip_on=False,
                    label="diverged (✕ at the swept value)" if i == 0 else None)
        first = min(top_marks, key=lambda m: m[0])
        ax.annotate(f"diverged (t = {first[1]:.3g} s)", (first[0], top),
                    textcoords="offset points", xytext=(4, -12), fontsize="x-small")
    ax.set_xlabel(axis.key)
    ax.set_ylabel("steady-state tracking error (mean, 95 % CI)")
    ax.set_title(f"{sweep.name}: steady-state tracking error vs {axis.key}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="x-small", loc="best")
    return ax


CLIP = 30.0  # the y axis ends this factor above the lowest error (the U stays visible)


def _clip_top(ax, values: list) -> None:
    """End the y axis at CLIP × the lowest error; points above it become ▲ at the edge."""
    finite = [v for v in values if v > 0]
    if not finite or max(finite) <= CLIP * min(finite):
        return
    top = CLIP * min(finite)
    ax.set_ylim(top=top)
    for line in list(ax.get_lines()):
        x, y = (np.asarray(a, dtype=float) for a in line.get_data())
        above = np.isfinite(y) & (y > top)
        if line.get_marker() == "o" and above.any():
            ax.plot(x[above], np.full(above.sum(), top), "^", color=line.get_color(), ms=8,
                    clip_on=False, label="off scale (above the axis)")


def _theory_lines(sweep: SweepResult, ax, colors: list) -> None:
    """Stability bounds and η* of the policy whose gain is on the x axis.

    One line per distinct value over the curves (a grid whose second key changes the
    plant has one η* per curve, drawn in the curve's colour). A value within a factor 1.5
    of the plotted range widens the axis to show it; one further out is only named.
    """
    policy = gain_policy(sweep)
    if policy is None:
        return
    firsts = [rows[0] for _, _, rows in _curves(sweep)]
    lo, hi = ax.get_xlim()
    view = [lo, hi]
    lines = (("stability_bound", "2/λmax (mean stability)", "-"),
             ("mean_square_stability_bound", "mean-square bound", "-."),
             ("optimal_fixed_gain", "η* (theory)", ":"))
    for key, label, style in lines:
        values = [sweep.records[r]["policies"][policy].get(key) for r in firsts]
        distinct = sorted({v for v in values if v is not None})
        for value in distinct:
            color = ("k" if key == "optimal_fixed_gain" else "0.35") if len(distinct) == 1 \
                else colors[values.index(value)]
            if lo / 1.5 <= value <= hi * 1.5:
                ax.axvline(value, ls=style, color=color, lw=1.3, label=f"{label} = {value:.3g}")
                view = [min(view[0], value / 1.1), max(view[1], value * 1.1)]
            else:
                ax.plot([], [], ls=style, color=color,
                        label=f"{label} = {value:.3g} (off the axis)")
    ax.set_xlim(*view)


def plot_range_test(rt, ax=None):
    """Tracking error against the ramped gain η, smoothed, with the suggestion and bounds."""
    ax = _axes(ax)
    ax.plot(rt.eta, rt.error, color="0.6", lw=1.0, label="tracking error (mean per interval)")
    ax.plot(rt.eta, rt.smoothed, color="C0", lw=2.0, label="smoothed (log-scale moving mean)")
    if rt.suggested is not None:
        ax.axvline(rt.suggested, color="C2", lw=2, label=f"suggested η = {rt.suggested:.3g}")
    if rt.diverged_eta is not None:
        ax.axvline(rt.diverged_eta, color="red", lw=1.2, ls="--",
                   label=f"diverged at η = {rt.diverged_eta:.3g}")
    for value, label, style in ((rt.stability_bound, "2/λmax", "-"),
                                (rt.mean_square_bound, "mean-square bound", "-."),
                                (rt.optimal_fixed_gain, "η* (theory)", ":")):
        if value is not None and rt.lo <= value <= rt.hi:
            ax.axvline(value, color="k", lw=1.0, ls=style, label=f"{label} = {value:.3g}")
        elif value is not None:
            ax.plot([], [], color="k", lw=1.0, ls=style,
                    label=f"{label} = {value:.3g} (off the axis)")
    ax.set_xscale("log")
    ax.set_xlim(rt.lo, rt.hi)
    finite = rt.error[np.isfinite(rt.error)]
    if finite.size and finite.min() > 0:
        ax.set_yscale("log")
        low = float(np.nanmin(rt.smoothed))
        start = float(rt.smoothed[np.isfinite(rt.smoothed)][0])
        ax.set_ylim(low / 2, max(start, 10 * low) * 3)  # the U in view, the blow-up cut
    ax.set_xlabel("gain η (rising geometrically through the run)")
    ax.set_ylabel("tracking error")
    ax.set_title(f"{rt.name}: gain range test of {rt.policy}")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="x-small", loc="best")
    return ax
