"""State shared by every estimator kernel: a bank of P policies over one stream.

Row ``p`` of each array belongs to policy ``p`` of the group. Kernels update
``theta``, ``alive``, ``updates``, ``diverged_at`` and ``last_gain`` in place, add each
sample's tracking error to ``err_sum``/``err_cnt`` of the monitor interval it arrived
in, and at every monitor time write the policy's misalignment, estimate and gain statistics
(:func:`gainsim.estimators.monitor.snapshot`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from gainsim.estimators.monitor import Monitor, snapshot_live


class Books(NamedTuple):
    """The per-policy state a sample loop updates (one name per quantity)."""

    limit2: float            # divergence threshold on |theta|²
    arrival: np.ndarray      # (m,) arrival time of each sample of the chunk
    theta: np.ndarray        # (P, n) estimates
    alive: np.ndarray        # (P,) bool
    updates: np.ndarray      # (P,) int64
    diverged_at: np.ndarray  # (P,) time of divergence, nan if none
    last_gain: np.ndarray    # (P, n) gain of each parameter at its last update
    loop: np.ndarray         # (P, L) state of a closed loop the estimator keeps (L may be 0)


@dataclass
class Bank:
    theta: np.ndarray        # (P, n) estimates
    last_gain: np.ndarray    # (P, n) gain used by each parameter at its last update
    alive: np.ndarray        # (P,) bool: False once diverged
    updates: np.ndarray      # (P,) int64 updates applied
    diverged_at: np.ndarray  # (P,) time of divergence, nan if none
    err_sum: np.ndarray      # (P, G) sum of the tracking error per monitor interval
    err_cnt: np.ndarray      # (P, G) int64 samples per monitor interval
    mis: np.ndarray          # (P, G+1) misalignment at each monitor time (nan once diverged)
    eta_mean: np.ndarray     # (P, G+1) mean / min / max over parameters of the gain
    eta_min: np.ndarray
    eta_max: np.ndarray
    eta_vec: np.ndarray      # (P, G+1, n) per-parameter gain at each monitor time; (P, 1, n)
                             # for constant gains (``constant``): they never change
    theta_vec: np.ndarray    # (P, G+1, n) estimate at each monitor time (nan once diverged)

    @classmethod
    def create(cls, theta0: np.ndarray, gain: np.ndarray, grid: int,
               constant: bool = False) -> "Bank":
        """A bank starting at ``theta0`` with the per-parameter gains ``gain`` (P, n);
        ``constant``: its kernels never change them (``last_gain`` stays ``gain``), so
        ``eta_vec`` keeps one row, not one per monitor time (a bank of 64 gains on 16
        taps over a grid of 2000 spares 16 MB per replica)."""
        P = gain.shape[0]
        nan = lambda: np.full((P, grid + 1), np.nan)  # noqa: E731
        return cls(theta=np.repeat(theta0[None, :].astype(float), P, axis=0),
                   last_gain=np.ascontiguousarray(gain, dtype=float),
                   alive=np.ones(P, dtype=np.bool_), updates=np.zeros(P, dtype=np.int64),
                   diverged_at=np.full(P, np.nan), err_sum=np.zeros((P, grid)),
                   err_cnt=np.zeros((P, grid), dtype=np.int64), mis=nan(), eta_mean=nan(),
                   eta_min=nan(), eta_max=nan(),
                   eta_vec=np.full((P, 1 if constant else grid + 1, theta0.size), np.nan),
                   theta_vec=np.full((P, grid + 1, theta0.size), np.nan))

    def monitor(self, chunk) -> Monitor:
        """The recording arguments every kernel takes, by name."""
        return Monitor(grid_pos=chunk.grid_pos, grid_j=chunk.grid_j, first=chunk.first_interval,
                       truth=chunk.truth, mis=self.mis, eta_mean=self.eta_mean,
                       eta_min=self.eta_min, eta_max=self.eta_max, err_sum=self.err_sum,
                       err_cnt=self.err_cnt, eta_vec=self.eta_vec, theta_vec=self.theta_vec)

    def books(self, chunk, loop: np.ndarray | None = None) -> Books:
        """The per-policy state a sample loop updates, by name (``loop``: see :class:`Books`)."""
        if loop is None:
            loop = np.zeros((self.theta.shape[0], 0))
        return Books(limit2=float(chunk.limit2), arrival=chunk.arrival, theta=self.theta,
                     alive=self.alive,
                     updates=self.updates, diverged_at=self.diverged_at,
                     last_gain=self.last_gain, loop=loop)

    def record_monitor_times(self, chunk) -> None:
        """A chunk without samples changes no estimate: record its monitor times only
        (:func:`gainsim.estimators.monitor.snapshot_live`). The engine calls it only when
        a run ends without a sample since its last records; other monitor times that pass
        without samples go with the next chunk that has some (:mod:`gainsim.engine.sim`)."""
        snapshot_live(self.theta, self.last_gain, self.alive, self.monitor(chunk))
