"""Measurements the demos share: read steps, rates and divergence off a :class:`Results`."""
from __future__ import annotations

import math

import numpy as np


def estimates(scenario) -> np.ndarray:
    """The simulated estimate θ̂ of every policy at every grid time, replica 0 of the seed:
    shape (P, G+1, n), NaN once a policy has diverged (a deterministic plant needs no more)."""
    from gainsim.engine.results import replica_seeds
    from gainsim.engine.sim import simulate

    return simulate(scenario, replica_seeds(scenario.run.seed, 1)[0]).theta


def misalignment(results, i: int) -> np.ndarray:
    """Mean ‖θ̂ − θ*‖² of policy ``i`` at every grid time (grid point j = after j updates
    when the grid has one point per update)."""
    return results.curves["misalignment_mean"][i]


def steps_to_fraction(results, i: int, fraction: float) -> int | None:
    """First grid index j with misalignment ≤ ``fraction`` × its start (``None``: never)."""
    m = misalignment(results, i)
    hit = np.flatnonzero(np.isfinite(m) & (m <= fraction * m[0]))
    return int(hit[0]) if hit.size else None


def gd_misalignment(eta: float, eigenvalues, theta0, steps: int) -> np.ndarray:
    r"""Closed form of ‖θ_k − θ*‖² for gradient descent on a diagonal quadratic.

    .. math::
        \|\theta_k - \theta^*\|^2 = \sum_i (\theta_{0,i} - \theta^*_i)^2
                                    (1 - \eta\lambda_i)^{2k}
    """
    lam, e0 = np.asarray(eigenvalues, float), np.asarray(theta0, float)
    k = np.arange(steps + 1)[:, None]
    return np.sum(e0**2 * (1.0 - eta * lam) ** (2 * k), axis=1)


def first_step(sequence: np.ndarray, predicate) -> int | None:
    """First index where ``predicate(sequence)`` holds (``None``: never)."""
    hit = np.flatnonzero(predicate(np.asarray(sequence)))
    return int(hit[0]) if hit.size else None


def divergence_step(pole: float, start: float, limit: float) -> int:
    r"""First k with :math:`|start|\,|pole|^k > limit` (a 1-D loop with :math:`|pole| > 1`)."""
    return math.floor(math.log(limit / abs(start)) / math.log(abs(pole))) + 1


def steady_mean(results, metric: str, i: int, window: float) -> float:
    """Mean of ``metric`` over the last ``window`` fraction of the grid (NaN ignored)."""
    curve = results.curves[f"{metric}_mean"][i]
    start = int(round((1.0 - window) * (curve.size - 1)))
    return float(np.nanmean(curve[start + 1:]))


def local_level_variance(etas, lam: float, noise_var: float, Q: float, e0: float) -> np.ndarray:
    r"""Exact prior error variance of a 1-D noisy-gradient learner under any gain sequence.

    For :math:`e_{k+1} = (1 - \eta_k\lambda)e_k - \eta_k\nu_k - \omega_{k+1}` (gradient
    noise :math:`\nu` of variance :math:`s^2`, random-walk drift :math:`\omega` of variance
    :math:`Q`, the first sample already one drift step away from the start):

    .. math:: P_0 = e_0^2 + Q, \qquad P_{k+1} = (1 - \eta_k\lambda)^2 P_k + \eta_k^2 s^2 + Q

    and the expected a-priori loss of sample ``k`` is :math:`\tfrac12\lambda P_k`. For a
    constant gain the fixed point is :func:`gainsim.theory.fixed_gain_local_level_error`.

    References
    ----------
    A. H. Jazwinski, *Stochastic Processes and Filtering Theory*, Academic Press, 1970,
    §7.3 (the covariance recursion of a linear filter with a suboptimal gain).
    """
    etas = np.asarray(etas, float)
    P = np.empty(etas.size)
    p = e0 * e0 + Q
    for k, eta in enumerate(etas):
        P[k] = p
        p = (1.0 - eta * lam) ** 2 * p + eta * eta * noise_var + Q
    return P


def plot_misalignment(ax, results, x, **labels):
    """Every policy's mean misalignment against ``x`` on a log axis; ``labels`` go to
    ``ax.set`` (xlabel, ylabel, ylim, title). Diverged policies say so in the legend."""
    for i, policy in enumerate(results.scenario.policy):
        ax.semilogy(x, results.curves["misalignment_mean"][i], color=f"C{i}",
                    label=policy.name + (" (diverged)" if results.policies[i].diverged else ""))
    ax.set(**labels)
    ax.legend(fontsize="x-small")
    return ax
