"""The plain per-sample loop that the simpy engine must reproduce bit for bit.

:func:`run_offline` draws every sample of a zero-latency periodic stream in one go
and applies them one at a time in pure Python, in the same arithmetic order as the
compiled kernels. It is slow and exists to document (and test) the semantics of
:func:`gainsim.engine.sim.simulate`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gainsim.engine.sim import Rngs


@dataclass(frozen=True)
class OfflineRun:
    theta: np.ndarray   # (P, n) final estimates
    errors: np.ndarray  # (P, N) a-priori squared error (or loss) of every sample


def _lms_step(th: list, x, d: float, eta, normalized: bool, eps: float) -> float:
    y = 0.0
    for j in range(len(th)):
        y += th[j] * x[j]
    e = d - y
    g = e
    if normalized:
        xx = 0.0
        for j in range(len(th)):
            xx += x[j] * x[j]
        g = e / (eps + xx)
    for j in range(len(th)):
        th[j] += eta[j] * g * x[j]
    return e * e


def _gd_step(th: list, theta_star, noise, H, eta) -> float:
    n = len(th)
    diff = [th[j] - theta_star[j] for j in range(n)]
    loss = 0.0
    for j in range(n):
        g = noise[j]
        for l in range(n):
            g += H[j][l] * diff[l]
        loss += 0.5 * diff[j] * (g - noise[j])
        th[j] -= eta[j] * g
    return loss


def run_offline(scenario, seed: np.random.SeedSequence) -> OfflineRun:
    """Apply every sample of a zero-latency periodic stream, one at a time, in Python."""
    plant = scenario.plant
    n_samples = int(np.floor(scenario.duration * scenario.stream.rate + 1e-9))
    rngs = Rngs.from_seed(seed)
    state, _ = plant.init(rngs)
    t = np.arange(1, n_samples + 1) / scenario.stream.rate
    cols, _ = plant.packet(state, t, rngs)
    H = None if "x" in cols else plant.curvature().tolist()  # gradient samples: GD
    thetas, errors = [], []
    for policy in scenario.policy:
        est = policy.estimator
        eta = policy.gain.eta_vector(plant.n).tolist()
        th = plant.start_estimate().tolist()
        err = []
        for i in range(n_samples):
            if H is not None:
                err.append(_gd_step(th, cols["theta_star"][i], cols["noise"][i], H, eta))
            else:
                err.append(_lms_step(th, cols["x"][i], cols["d"][i], eta,
                                     est.kind == "nlms", getattr(est, "eps", 0.0)))
        thetas.append(th)
        errors.append(err)
    return OfflineRun(theta=np.array(thetas), errors=np.array(errors))
