"""θ̂(t) against θ*(t): lag against noise when the estimator tracks a drifting target."""
from __future__ import annotations

import numpy as np

from gainsim.figures.common import finish_legend, new_axes, policy_names, time_axis

MAX_WEIGHTS = 8


def _policy_index(data, policy) -> int:
    """A policy given by index or name; by default the best-ranked one."""
    from gainsim.report.text import ranked

    if policy is None:
        return ranked(data.summary)[0]
    if isinstance(policy, str):
        names = policy_names(data)
        if policy not in names:
            raise ValueError(f"policy {policy!r}: not one of {names}")
        return names.index(policy)
    return int(policy)


def plot_theta(data, ax=None, *, policy=None):
    """θ̂ of one policy (solid) against θ* (dashed), first :data:`MAX_WEIGHTS` weights.

    Both are means over replicas on the monitor grid (``theta_hat_mean`` and
    ``theta_star_mean`` of ``traces.npz``). ``policy``: index or name (default: the
    best-ranked policy).
    """
    import matplotlib as mpl

    ax = new_axes(ax)
    i = _policy_index(data, policy)
    scale, xlabel = time_axis(data.scenario)
    x = np.asarray(data.traces["t"]) * scale
    theta = np.asarray(data.traces["theta_hat_mean"])[i]
    star = np.asarray(data.traces["theta_star_mean"])
    n = min(theta.shape[1], MAX_WEIGHTS)
    truth = bool(np.isfinite(star).any())  # recorded data has no θ*
    cycle = mpl.rcParams["axes.prop_cycle"].by_key()["color"]
    for k in range(n):
        c = cycle[k % len(cycle)]
        if truth:
            ax.plot(x, star[:, k], color=c, ls="--", lw=1.0)
        ax.plot(x, theta[:, k], color=c, lw=1.4, label=f"θ̂{_sub(k + 1)}")
    if truth:
        ax.plot([], [], color="0.3", ls="--", lw=1.0, label="θ* (dashed)")
    more = f" (first {n} of {theta.shape[1]})" if theta.shape[1] > n else ""
    vs = " vs θ*" if truth else " (no true θ*: recorded data)"
    ax.set_title(f"{policy_names(data)[i]}: θ̂{vs}{more}", fontsize="medium")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("weight (mean over replicas)")
    ax.grid(True, alpha=0.3)
    finish_legend(ax)
    return ax


def theta_panels(data, count: int = 4):
    """A figure of :func:`plot_theta` for up to ``count`` policies, best to worst stable."""
    import matplotlib.pyplot as plt

    from gainsim.report.text import ranked

    order = [i for i in ranked(data.summary) if not data.summary["policies"][i]["diverged"]]
    if len(order) > count:  # best, worst and evenly spaced ranks between
        order = [order[j] for j in np.linspace(0, len(order) - 1, count).round().astype(int)]
    order = order or ranked(data.summary)[:1]
    cols = min(len(order), 2)
    rows = -(-len(order) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(6.0 * cols, 3.6 * rows), squeeze=False,
                             sharey=True, layout="constrained")
    for ax, i in zip(axes.flat, order):
        plot_theta(data, ax, policy=i)
        if cols > 1 and ax in axes[:, 0]:
            ax.get_legend().remove()  # one legend per row, right of the last panel
    for ax in axes.flat[len(order):]:
        ax.set_visible(False)
    return axes.flat[0]


def _sub(k: int) -> str:
    return str(k).translate(str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉"))
