"""Who won: the steady-state panel and each replica's result.

Good policies overlap at the noise floor on the curves; here the steady-state error is
shown as its *excess over the noise floor* (the error the gain is responsible for), ranked,
on a log scale, so the ranking is visible. A big bank becomes a curve of excess error
against its gain value, with theory's prediction dashed.
"""
from __future__ import annotations

import numpy as np

from gainsim.figures.common import initial_gains, is_bank, new_axes

MAX_ROWS = 40  # policies shown by the strip plot


def _horizontal() -> dict:
    import matplotlib

    major, minor = (int(v) for v in matplotlib.__version__.split(".")[:2])
    return {"orientation": "horizontal"} if (major, minor) >= (3, 10) else {"vert": False}


_HORIZONTAL = _horizontal()


def _excess(data) -> tuple[np.ndarray, float, str]:
    """Steady-state error per policy minus the floor when that stays positive, and the label."""
    te = np.array([np.nan if p["steady_state_tracking_error"] is None
                   else p["steady_state_tracking_error"] for p in data.summary["policies"]])
    floor = data.summary["noise_floor"]  # None for recorded data
    if floor is not None and floor > 0 and np.all(te[np.isfinite(te)] > floor):
        return te - floor, floor, "excess steady-state error over the noise floor (e² − σᵥ²)"
    return te, 0.0, "steady-state tracking error"


def plot_steady_state(data, ax=None):
    """Ranked steady-state error (excess over the floor), 95 % CI bars; diverged marked.

    Policies are sorted best first; each bar is labelled with its ratio to the best.
    For more than :data:`~gainsim.figures.common.BANK` policies with positive initial
    gains η₀, the panel is instead excess error against η₀ (log–log) with the
    predicted excess dashed, and the best policy starred.
    """
    if is_bank(data) and initial_gains(data) is not None:
        return _bank_curve(data, ax)
    from gainsim.report.text import ranked

    policies = data.summary["policies"]
    order = ranked(data.summary)
    value, floor, label = _excess(data)
    ax = new_axes(ax, figsize=(8.0, 0.45 * len(order) + 1.4))
    y = np.arange(len(order))[::-1]
    finite = value[np.isfinite(value)]
    positive = finite[finite > 0]
    best = float(finite.min()) if finite.size else np.nan
    right = 0.0  # the right end of the bars, CIs included
    for row, i in zip(y, order):
        p = policies[i]
        if not np.isfinite(value[i]):
            ax.annotate("diverged" if p["diverged"] else "no steady state", (0.0, row),
                        xycoords=("axes fraction", "data"), xytext=(4, 0),
                        textcoords="offset points", va="center", fontsize="small", color="tab:red")
            continue
        if value[i] <= 0:
            ax.annotate("0 (exact)" if value[i] == 0 else f"{value[i]:.3g} (below the floor)",
                        (0.0, row), xycoords=("axes fraction", "data"), xytext=(4, 0),
                        textcoords="offset points", va="center", fontsize="small")
            continue
        lo, hi = p["steady_state_tracking_error_ci95"]
        ax.barh(row, value[i], color="tab:blue" if i == order[0] else "tab:gray", alpha=0.8)
        end = value[i]
        if lo is not None:  # the CI, its lower end clipped at value/100 for the log scale
            low, end = max(lo - floor, value[i] / 100.0), max(hi - floor, value[i])
            ax.errorbar(value[i], row, xerr=[[value[i] - low], [end - value[i]]], color="k",
                        capsize=3, lw=1)
        ratio = value[i] / best if best > 0 else None
        text = (f"{value[i]:.3g}" if ratio is None else
                f"×{ratio:.2f}" if ratio < 10 else f"×{ratio:.3g}")
        ax.annotate(text, (end, row), xytext=(6, 0), textcoords="offset points",
                    va="center", fontsize="x-small")
        right = max(right, end)
    ax.set_yticks(y, [policies[i]["name"] for i in order], fontsize="small")
    ax.set_ylim(-0.6, len(order) - 0.4)
    if positive.size:
        ax.set_xscale("log")
        ax.set_xlim(positive.min() / 3.0, max(positive.max(), right) * 4.0)
    ax.set_xlabel(label + (" — ratio to the best at each bar" if best > 0 else ""))
    ax.set_title(f"{data.summary['scenario']}: ranking in steady state", fontsize="medium")
    ax.grid(True, axis="x", which="both", alpha=0.3)
    return ax


def _bank_curve(data, ax):
    ax = new_axes(ax)
    eta0 = initial_gains(data)
    value, floor, label = _excess(data)
    predicted = np.array([np.nan if p.get("predicted_steady_state_tracking_error") is None
                          else p["predicted_steady_state_tracking_error"] - floor
                          for p in data.summary["policies"]])
    order = np.argsort(eta0, kind="stable")
    ok = np.isfinite(value[order]) & (value[order] > 0)
    ax.plot(eta0[order][ok], value[order][ok], "o-", ms=3, lw=1, label="simulated")
    if np.isfinite(predicted).any():
        ax.plot(eta0[order], predicted[order], "k--", lw=1, label="theory: predicted")
    div = [i for i, p in enumerate(data.summary["policies"]) if p["diverged"]]
    if div:
        ax.plot(eta0[div], np.full(len(div), np.nanmax(value) * 3 if ok.any() else 1.0), "x",
                color="tab:red", label="diverged")
    if ok.any():
        b = int(np.nanargmin(np.where(np.isfinite(value), value, np.inf)))
        ax.plot([eta0[b]], [value[b]], "*", ms=14, color="tab:orange",
                label=f"best: {data.summary['policies'][b]['name']}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("initial gain η₀")
    ax.set_ylabel(label)
    ax.set_title(f"{data.summary['scenario']}: steady state across the bank", fontsize="medium")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    return ax


def plot_replicas(data, ax=None):
    """Each replica's steady-state error per policy (``replicas.npz``): a box and the points.

    Ranked best first (at most :data:`MAX_ROWS` policies); diverged replicas are left out
    and counted in the label. The noise floor is dotted.
    """
    from gainsim.report.text import ranked

    errors = np.asarray(data.replicas["steady_state_tracking_error"])  # (R, P)
    policies = data.summary["policies"]
    order = ranked(data.summary)[:MAX_ROWS]
    ax = new_axes(ax, figsize=(8.0, 0.45 * len(order) + 1.4))
    y = np.arange(len(order))[::-1]
    labels = []
    for row, i in zip(y, order):
        v = errors[:, i][np.isfinite(errors[:, i])]
        lost = errors.shape[0] - v.size
        labels.append(policies[i]["name"] + (f" ({lost} diverged)" if lost else ""))
        if v.size == 0:
            continue
        if v.size > 1:
            ax.boxplot(v, positions=[row], widths=0.6, showfliers=False,
                       medianprops={"color": "tab:orange"}, **_HORIZONTAL)
        jitter = np.linspace(-0.18, 0.18, v.size) if v.size > 1 else np.zeros(1)
        ax.plot(v, row + jitter, "o", ms=3, alpha=0.6, color="tab:blue")
    floor = data.summary["noise_floor"]  # None for recorded data
    if floor is not None and floor > 0:
        ax.axvline(floor, color="k", ls=":", lw=1.2, label="noise floor σᵥ²")
        ax.legend(fontsize="small", loc="lower right")
    ax.set_yticks(y, labels, fontsize="small")
    ax.set_ylim(-0.6, len(order) - 0.4)
    finite = errors[np.isfinite(errors)]
    if finite.size and finite.min() > 0:
        ax.set_xscale("log")
    ax.set_xlabel(f"steady-state tracking error of each replica ({errors.shape[0]} replicas)")
    ax.set_title(f"{data.summary['scenario']}: spread across replicas", fontsize="medium")
    ax.grid(True, axis="x", which="both", alpha=0.3)
    return ax
