"""Curves against time: tracking error (with theory), misalignment and the gain η(t).

Each function takes a :class:`~gainsim.report.rundata.RunData`, draws on ``ax`` (a new figure when
``None``) and returns the axes. Bands are the 10–90 % spread across replicas.
"""
from __future__ import annotations

import numpy as np

from gainsim.figures.common import colours, finish_legend, is_bowl, new_axes, time_axis

def _curves(data, metric: str, ax, *, scale: float, label_suffix=None):
    """Mean curve and spread band of every policy; returns the colours used and the mappable."""
    cols, mappable = colours(data)
    x = np.asarray(data.traces["t"]) * scale
    replicas = data.summary["replicas"]
    bank = mappable is not None
    for i, p in enumerate(data.summary["policies"]):
        mean = data.traces[f"{metric}_mean"][i]
        suffix = label_suffix(i, p) if label_suffix else ""
        label = None if bank else p["name"] + (" (diverged)" if p["diverged"] else "") + suffix
        ax.plot(x, mean, label=label, lw=1.0 if bank else 1.4, color=cols[i])
        if replicas > 1 and not bank:
            ax.fill_between(x, data.traces[f"{metric}_p10"][i], data.traces[f"{metric}_p90"][i],
                            color=cols[i], alpha=0.18, lw=0)
    return cols, mappable


def _clip_diverged(data, metric: str, ax, cols, scale: float) -> None:
    """Keep the y-range on the policies that stayed stable; mark where the others blew up."""
    policies = data.summary["policies"]
    stable = [i for i, p in enumerate(policies) if not p["diverged"]]
    diverged = [i for i, p in enumerate(policies) if p["diverged"]]
    if not stable or not diverged:
        return
    values = np.concatenate([data.traces[f"{metric}_p90"][i] for i in stable])
    values = values[np.isfinite(values) & (values > 0)]
    if values.size == 0:
        return
    bottom, top = ax.get_ylim()
    top = min(top, float(values.max()) * 10.0)
    ax.set_ylim(bottom, top)
    for i in diverged:
        t = policies[i]["diverged_at"] * scale
        ax.plot([t], [top], marker="x", ms=9, mew=2, color=cols[i], clip_on=False)
        ax.annotate("diverged", (t, top), textcoords="offset points", xytext=(4, -12),
                    fontsize="x-small", color=cols[i])


def _log_bottom(ax, data, metric: str) -> None:
    """On a log axis, start at the smallest positive value drawn (exact zeros fall off)."""
    values = np.asarray(data.traces[f"{metric}_mean"], dtype=float)
    positive = values[np.isfinite(values) & (values > 0)]
    if positive.size:
        bottom, top = ax.get_ylim()
        ax.set_ylim(max(bottom, float(positive.min()) / 2.0, top * 1e-18), top)


def _style(ax, data, xlabel: str, ylabel: str, title: str) -> None:
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(True, which="both", alpha=0.3)
    ax.set_title(f"{data.summary['scenario']}: {title}")


def plot_tracking_error(data, ax=None, *, counts: bool | None = None):
    """A-priori tracking error vs time (log scale), with theory drawn on it.

    Each policy's predicted steady-state level (:mod:`gainsim.predict.policies`, where a formula
    applies) is a dashed line of the same colour; the noise floor σᵥ² is dotted;
    diverged policies are marked with × where they blew up. For the quadratic plant the
    error is the a-priori loss L(θ̂) and the x axis counts updates when it can.
    """
    ax = new_axes(ax)
    bowl = is_bowl(data.scenario)
    scale, xlabel = time_axis(data.scenario, bowl if counts is None else counts)
    cols, mappable = _curves(data, "tracking_error", ax, scale=scale)
    _clip_diverged(data, "tracking_error", ax, cols, scale)
    predicted = False
    for i, p in enumerate(data.summary["policies"]):
        level = p.get("predicted_steady_state_tracking_error")
        if level is not None and np.isfinite(level) and level > 0 and not p["diverged"]:
            ax.axhline(level, color=cols[i], ls="--", lw=1.0, alpha=0.9)
            predicted = True
    if predicted:
        ax.plot([], [], color="0.3", ls="--", lw=1.0, label="theory: predicted steady state")
    floor = data.summary["noise_floor"]  # None for recorded data
    if floor is not None and floor > 0:
        ax.axhline(floor, color="k", ls=":", lw=1.2, label="noise floor σᵥ²")
    _style(ax, data, xlabel, data.scenario.plant.error_label,
           "loss vs updates" if bowl else "tracking error")
    _log_bottom(ax, data, "tracking_error")
    finish_legend(ax, mappable)
    return ax


def plot_misalignment(data, ax=None):
    """Misalignment ‖θ̂ − θ*‖² at each grid time (log scale)."""
    ax = new_axes(ax)
    scale, xlabel = time_axis(data.scenario)
    if not np.isfinite(np.asarray(data.traces["misalignment_mean"], dtype=float)).any():
        ax.text(0.5, 0.5, "no true θ* (recorded data): misalignment is undefined",
                ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    cols, mappable = _curves(data, "misalignment", ax, scale=scale)
    _clip_diverged(data, "misalignment", ax, cols, scale)
    _style(ax, data, xlabel, "misalignment ‖θ̂ − θ*‖²", "misalignment")
    _log_bottom(ax, data, "misalignment")
    finish_legend(ax, mappable)
    return ax


def effective_gain_factor(data, i: int) -> float | None:
    """1/(ε + tr R) for a policy of the ``nlms`` estimator (its η is the normalised μ)."""
    from gainsim.predict.policies import plant_theory

    est = data.scenario.policy[i].estimator
    if type(est).kind != "nlms":
        return None
    pt = plant_theory(data.scenario)
    return None if pt is None else 1.0 / (getattr(est, "eps", 0.0) + float(np.trace(pt.matrix)))


def _unstable_regions(data) -> list[tuple[float, str, float]]:
    """``(bound, label, alpha)`` of the shaded regions of the η plot, lowest bound first."""
    from gainsim.predict.plants import GradientBowl
    from gainsim.predict.policies import plant_theory

    pt = plant_theory(data.scenario)
    if pt is None or not np.isfinite(pt.mean_bound):
        return []
    if isinstance(pt, GradientBowl):
        return [(pt.mean_bound, "unstable: η > 2/λmax(H)", 0.22)]
    regions = [(pt.mean_bound, "unstable in the mean: η > 2/λmax(R)", 0.22)]
    if pt.mean_square_bound is not None and pt.mean_square_bound < pt.mean_bound:
        regions.insert(0, (pt.mean_square_bound,
                           f"mean-square unstable (LMS): η > {pt.mean_square_rule}", 0.12))
    return regions


def plot_eta(data, ax=None):
    """The gain η(t) each policy used, with the stability bounds shaded as unstable.

    A scalar gain is one line; a per-parameter gain is its mean with a min–max band over
    parameters. The ``nlms`` estimator's η is the normalised step μ: it is drawn as its
    *effective* gain μ/(ε + tr R) (at the mean input power E‖x‖² = tr R), on LMS's scale,
    and the legend says so. (``nlms_gain`` on LMS already records μ/(ε + ‖x‖²).) The
    shaded regions are the plant's bounds for LMS / gradient descent: 2/λmax (mean) and
    the mean-square bound.
    """
    ax = new_axes(ax)
    scale, xlabel = time_axis(data.scenario)
    x = np.asarray(data.traces["t"]) * scale
    cols, mappable = colours(data)
    bank = mappable is not None
    for i, p in enumerate(data.summary["policies"]):
        factor = effective_gain_factor(data, i)
        k = 1.0 if factor is None else factor
        label = None if bank else (p["name"] + (" (effective gain μ/(ε+tr R))" if factor else ""))
        ax.plot(x, data.traces["eta_mean"][i] * k, color=cols[i], lw=1.0 if bank else 1.4,
                label=label)
        lo, hi = data.traces["eta_min_mean"][i] * k, data.traces["eta_max_mean"][i] * k
        if not bank and np.nanmax(np.abs(hi - lo), initial=0.0) > 0:
            ax.fill_between(x, lo, hi, color=cols[i], alpha=0.15, lw=0,
                            label=f"{p['name']}: min–max over parameters")
    ax.set_yscale("log")
    regions = _unstable_regions(data)
    if regions:
        bottom, top = ax.get_ylim()
        top = max(top, regions[-1][0] * 3.0)
        for j, (bound, label, alpha) in enumerate(regions):
            upper = regions[j + 1][0] if j + 1 < len(regions) else top
            ax.axhspan(bound, upper, color="tab:red", alpha=alpha, lw=0, label=label)
        ax.set_ylim(bottom, top)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("gain η(t)")
    ax.grid(True, which="both", alpha=0.3)
    ax.set_title(f"{data.summary['scenario']}: gain η(t)")
    finish_legend(ax, mappable)
    return ax
