"""State shared by every estimator kernel: a bank of P policies over one stream.

Row ``p`` of each array belongs to policy ``p``. Kernels update ``theta``,
``alive``, ``updates`` and ``diverged_at`` in place and write the sum and count
of the a-priori squared error of the samples they applied into ``err_sum`` and
``err_cnt`` (reset by :meth:`Bank.start_interval`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass
class Bank:
    theta: np.ndarray        # (P, n) estimates
    eta: np.ndarray          # (P, n) gain used by each parameter
    alive: np.ndarray        # (P,) bool: False once diverged
    updates: np.ndarray      # (P,) int64 updates applied
    diverged_at: np.ndarray  # (P,) time of divergence, nan if none
    err_sum: np.ndarray      # (P,) sum of e² over this interval
    err_cnt: np.ndarray      # (P,) int64 samples in this interval

    @classmethod
    def create(cls, theta0: np.ndarray, eta: np.ndarray) -> "Bank":
        P = eta.shape[0]
        return cls(theta=np.repeat(theta0[None, :].astype(float), P, axis=0),
                   eta=np.ascontiguousarray(eta, dtype=float),
                   alive=np.ones(P, dtype=np.bool_), updates=np.zeros(P, dtype=np.int64),
                   diverged_at=np.full(P, np.nan), err_sum=np.zeros(P),
                   err_cnt=np.zeros(P, dtype=np.int64))

    def start_interval(self) -> None:
        self.err_sum[:] = 0.0
        self.err_cnt[:] = 0
