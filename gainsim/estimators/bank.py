"""State shared by every estimator kernel: a bank of P policies over one stream.

Row ``p`` of each array belongs to policy ``p`` of the group. Kernels update
``theta``, ``alive``, ``updates`` and ``diverged_at`` in place, add each sample's
a-priori squared error to ``err_sum``/``err_cnt`` of the monitor interval it arrived
in, and at every monitor time write the policy's misalignment, estimate and gain statistics
(:func:`gainsim.estimators.monitor.snapshot`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Bank:
    theta: np.ndarray        # (P, n) estimates
    eta: np.ndarray          # (P, n) gain used by each parameter (last update)
    alive: np.ndarray        # (P,) bool: False once diverged
    updates: np.ndarray      # (P,) int64 updates applied
    diverged_at: np.ndarray  # (P,) time of divergence, nan if none
    err_sum: np.ndarray      # (P, G) sum of e² per monitor interval
    err_cnt: np.ndarray      # (P, G) int64 samples per monitor interval
    mis: np.ndarray          # (P, G+1) misalignment at each monitor time (nan once diverged)
    eta_mean: np.ndarray     # (P, G+1) mean / min / max over parameters of the gain
    eta_min: np.ndarray
    eta_max: np.ndarray
    eta_vec: np.ndarray      # (P, G+1, n) per-parameter gain at each monitor time
    theta_vec: np.ndarray    # (P, G+1, n) estimate at each monitor time (nan once diverged)

    @classmethod
    def create(cls, theta0: np.ndarray, eta: np.ndarray, grid: int) -> "Bank":
        P = eta.shape[0]
        nan = lambda: np.full((P, grid + 1), np.nan)  # noqa: E731
        return cls(theta=np.repeat(theta0[None, :].astype(float), P, axis=0),
                   eta=np.ascontiguousarray(eta, dtype=float),
                   alive=np.ones(P, dtype=np.bool_), updates=np.zeros(P, dtype=np.int64),
                   diverged_at=np.full(P, np.nan), err_sum=np.zeros((P, grid)),
                   err_cnt=np.zeros((P, grid), dtype=np.int64), mis=nan(), eta_mean=nan(),
                   eta_min=nan(), eta_max=nan(),
                   eta_vec=np.full((P, grid + 1, theta0.size), np.nan),
                   theta_vec=np.full((P, grid + 1, theta0.size), np.nan))

    def monitor(self, chunk) -> tuple:
        """The arguments every kernel takes for recording, as one tuple."""
        return (chunk.grid_pos, chunk.grid_j, chunk.first_interval, chunk.truth, self.mis,
                self.eta_mean, self.eta_min, self.eta_max, self.err_sum, self.err_cnt,
                self.eta_vec, self.theta_vec)
