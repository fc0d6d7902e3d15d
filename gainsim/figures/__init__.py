"""Figures of a run: ``plot(run, kind, ax=None)`` draws one and returns its axes.

``run`` is a :class:`~gainsim.engine.runner.Results`, a :class:`~gainsim.report.rundata.RunData`
loaded from a run directory, or anything with ``run_data()``. :data:`KINDS` lists the
kinds; :func:`report_figures` says which figures a run directory holds.
"""
from __future__ import annotations

from gainsim.figures.common import as_run_data, is_bowl
from gainsim.figures.curves import plot_eta, plot_misalignment, plot_tracking_error
from gainsim.figures.quadratic import path_panels, plot_path
from gainsim.figures.ranking import plot_replicas, plot_steady_state
from gainsim.figures.theta import plot_theta, theta_panels

KINDS = {"tracking_error": plot_tracking_error, "eta": plot_eta,
         "misalignment": plot_misalignment, "theta": plot_theta, "path": plot_path,
         "steady_state": plot_steady_state, "replicas": plot_replicas}


def plot(run, kind: str = "tracking_error", ax=None, **options):
    """Draw figure ``kind`` of ``run`` on ``ax`` (a new figure when None); return the axes."""
    if kind not in KINDS:
        raise ValueError(f"plot kind {kind!r}: one of {', '.join(KINDS)}")
    return KINDS[kind](as_run_data(run), ax, **options)


def report_figures(data) -> list[tuple[str, str, object]]:
    """``(file name, caption, draw)`` of every figure of a run directory, in report order.

    ``draw(data)`` returns an axes of a new figure. A figure whose data the directory
    does not hold (one written before θ̂ or the replicas were saved) is left out.
    """
    has_theta = "theta_hat_mean" in data.traces
    figures = [
        ("tracking_error.png", "Tracking error of every policy (mean, 10–90 % band across "
         "replicas). Dashed: theory's predicted steady-state level in the policy's colour; "
         "dotted: the noise floor; ×: where a policy diverged.", plot_tracking_error, True),
        ("path.png", "The iterate path on the loss: the ball on the parabola (1-D) or the "
         "path over the contours (2-D).", path_panels, has_theta and is_bowl(data.scenario)),
        ("steady_state.png", "Ranking in steady state: error over the noise floor, best "
         "first, with 95 % confidence intervals and the ratio to the best.", plot_steady_state,
         True),
        ("replicas.png", "Each replica's steady-state error (the numbers of replicas.npz).",
         plot_replicas, bool(data.replicas)),
        ("eta.png", "The gain η(t) of every policy; shaded: gains the plant's stability "
         "bounds call unstable. NLMS is drawn at its effective gain.", plot_eta, True),
        ("theta.png", "Estimates θ̂ (solid) against the true weights θ* (dashed), mean "
         "over replicas: lag against noise." if _has_truth(data) else "Estimates θ̂, mean "
         "over replicas (recorded data: there is no true θ*).", theta_panels, has_theta),
    ]
    return [(name, caption, draw) for name, caption, draw, present in figures if present]


def _has_truth(data) -> bool:
    """Whether the run has a true θ* (recorded data has none: all nan)."""
    import numpy as np

    star = data.traces.get("theta_star_mean")
    return star is None or bool(np.isfinite(np.asarray(star, dtype=float)).any())


__all__ = ["KINDS", "plot", "plot_eta", "plot_misalignment", "plot_path", "plot_replicas",
           "plot_steady_state", "plot_theta", "plot_tracking_error", "report_figures"]
