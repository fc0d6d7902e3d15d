r"""Paired comparisons: each policy against the best one, replica by replica.

Every policy of a scenario sees the same samples in each replica (common random
numbers), so the difference of two policies' steady-state tracking errors is best
judged on the per-replica differences :math:`d_r = e_{p,r} - e_{b,r}`, which cancel
the noise both share. With :math:`R` replicas,

.. math:: \bar d \pm t_{0.975,\,R-1}\, s_d / \sqrt{R}

is the paired 95 % confidence interval (Student t); a policy is *distinguishable*
from the best when that interval excludes 0. A policy that diverged in any replica is
distinguishable (it is worse); replicas where either policy has no steady-state error
are left out of the pairs.

Reference: D. C. Montgomery, *Design and Analysis of Experiments*, 8th ed., Wiley 2013,
section 2.5.1 (the paired comparison design).
"""
from __future__ import annotations

import numpy as np

from gainsim.analysis.metrics import mean_ci95

PAIRED_FIELDS = ("difference_to_best", "difference_to_best_ci95", "distinguishable_from_best")


def paired_fields(errors: np.ndarray | None, best: int, diverged: list[bool]) -> list[dict]:
    """Per policy: mean paired difference to policy ``best``, its 95 % CI, distinguishable.

    Parameters
    ----------
    errors
        (R, P) steady-state tracking error per replica (``nan``: none), or ``None``.
    best
        Index of the best policy (lowest steady-state error, never diverged).
    diverged
        Per policy: diverged in at least one replica.
    """
    P = len(diverged)
    out = []
    for p in range(P):
        if errors is None:
            out.append({"difference_to_best": None, "difference_to_best_ci95": [None, None],
                        "distinguishable_from_best": None})
            continue
        d = errors[:, p] - errors[:, best]
        mean, (lo, hi) = mean_ci95(d)
        if p == best:
            distinct = False
        elif diverged[p] and not diverged[best]:
            distinct = True
        else:
            distinct = None if lo is None else bool(lo > 0 or hi < 0)
        out.append({"difference_to_best": float(mean) if np.isfinite(mean) else None,
                    "difference_to_best_ci95": [lo, hi],
                    "distinguishable_from_best": distinct})
    return out
