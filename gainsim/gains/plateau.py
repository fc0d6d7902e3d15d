"""Reduce-on-plateau: cut the gain when the mean loss over a block of updates stops improving."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

from numba import njit

from gainsim.estimators.loop import sample_loop
from gainsim.gains.compiled import CompiledPolicy, Row
from gainsim.registry import register
from gainsim.fields import at_least_one, between, nonneg, param, positive


@njit(cache=True, inline="always")
def plateau_law(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Reduce on plateau. Scalars st[r, 0]: 0 gain, 1 best block mean, 2 block sum,
    3 block count, 4 cooldown left. prm = (factor, patience, threshold, cooldown, eta_min).

    Returns 1 when it reduces the gain (after this update's step).
    """
    factor, patience, threshold, cooldown, eta_min = prm[0], prm[1], prm[2], prm[3], prm[4]
    gain = st[0, 0]
    for j in range(g.size):
        eta[j] = gain
        step[j] = -gain * g[j]
    if st[4, 0] > 0.0:  # cooldown: this update's loss is not looked at
        st[4, 0] -= 1.0
        return 0
    if not math.isfinite(loss):
        return 0
    st[2, 0] += loss
    st[3, 0] += 1.0
    if st[3, 0] < patience:
        return 0
    mean = st[2, 0] / st[3, 0]
    st[2, 0] = 0.0
    st[3, 0] = 0.0
    if mean < st[1, 0] * (1.0 - threshold):
        st[1, 0] = mean
        return 0
    new = gain * factor
    if new < eta_min:
        new = eta_min
    st[4, 0] = cooldown
    if gain - new > 1e-8:  # as PyTorch (eps = 1e-8): smaller changes are ignored
        st[0, 0] = new
        return 1
    return 0


@njit(cache=True, error_model="numpy")
def plateau_loop(data, laws, books, mon):  # pragma: no cover - compiled
    sample_loop(plateau_law, False, data, laws, books, mon)


@register("gain")
@dataclass(frozen=True)
class Plateau(CompiledPolicy):
    r"""PyTorch ``ReduceLROnPlateau`` (mode ``min``, threshold mode ``rel``), per sample.

    The monitored metric is the mean sample loss (``½e²`` on LMS, the quadratic's value
    on ``gd``) over consecutive, non-overlapping *blocks* of ``patience`` updates; a
    block plays the role of one PyTorch epoch with PyTorch ``patience = 0``. At the end
    of block :math:`j`, with mean :math:`m_j` and best mean so far :math:`b`
    (:math:`b = \infty` at the start):

    .. math::
        m_j < b\,(1 - \text{threshold}) &\Rightarrow\ b \leftarrow m_j \\
        \text{otherwise} &\Rightarrow\
        \eta \leftarrow \max(\text{factor}\cdot\eta,\ \eta_\min)

    i.e. the gain is cut when ``patience`` updates bring no relative improvement of
    the block mean over the best block. The cut applies from the next update. After a
    cut (or a cut ignored because it would change η by less than 1e-8, as PyTorch's
    ``eps``), the next ``cooldown`` updates are skipped: their losses are not
    accumulated and the next block starts after them (PyTorch counts cooldown in epochs
    and still updates the best value during it). Each cut counts as one event.
    Defaults: ``eta0 = 0.01``, ``patience = 1000`` updates, and PyTorch's
    ``factor = 0.1``, ``threshold = 1e-4``, ``cooldown = 0``, ``eta_min = 0``.

    Stability: the gain only decreases, so the loop is at least as stable as at
    ``eta0``. On a drifting target the loss plateaus at the tracking floor and the
    rule keeps cutting the gain toward ``eta_min`` (and the lag then grows): use it on
    stationary problems, or with ``eta_min`` at a safe tracking gain.

    References
    ----------
    PyTorch ``torch.optim.lr_scheduler.ReduceLROnPlateau`` documentation (defaults
    mode = "min", factor = 0.1, patience = 10, threshold = 1e-4, threshold_mode = "rel",
    cooldown = 0, min_lr = 0, eps = 1e-8).
    """

    kind: ClassVar[str] = "plateau"
    summary: ClassVar[str] = "reduce on plateau: eta *= factor when the block-mean loss stalls"
    law: ClassVar = plateau_law
    loop: ClassVar = plateau_loop
    hyperparameters: ClassVar = ("factor", "patience", "threshold", "cooldown", "eta_min")
    rows: ClassVar = (Row("gain", "eta0"), Row("best_mean", math.inf), Row("block_sum"),
                      Row("block_count"), Row("cooldown_left"))
    _unit_test_params: ClassVar = ({}, {"eta0": 0.05, "patience": 5, "cooldown": 2})
    needs: ClassVar = ("direction", "loss")
    eta0: float = param(0.01, doc="initial gain", check=positive)
    factor: float = param(0.1, doc="multiplier at each cut", check=between(0.0, 1.0,
                                                                          open_low=True,
                                                                          open_high=True))
    patience: int = param(1000, doc="updates per block: the loss is averaged over a block",
                          check=at_least_one)
    threshold: float = param(1e-4, doc="relative improvement a block needs to be better",
                             check=between(0.0, 1.0, open_high=True))
    cooldown: int = param(0, doc="updates ignored after each cut", check=nonneg)
    eta_min: float = param(0.0, doc="smallest gain", check=nonneg)
