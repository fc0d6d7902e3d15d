r"""The constant gain: the first member of the gain-policy family and the constant schedule."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from gainsim.fields import nonneg, param, positive
from gainsim.gains.schedule import Schedule
from gainsim.registry import register


@register("gain", "schedule")
@dataclass(frozen=True)
class Constant(Schedule):
    r"""A fixed gain.

    .. math:: \eta_k = \eta

    As a loop gain on a quadratic it places every closed-loop pole at
    :math:`1 - \eta\lambda_i`; for LMS it trades lag (:math:`\propto 1/\eta`)
    against gradient noise (:math:`\propto \eta`) when the target drifts.

    One class serves both uses: as a policy's gain, ``eta`` must be > 0 (a zero gain
    never learns); inside another schedule (a phase of ``join``, the base gain of
    ``adam``) it may be 0 (a pause). The loader applies ``family_checks["gain"]``
    when it builds a gain; in Python ``Constant(0.0)`` is a valid schedule.

    References
    ----------
    B. Widrow and S. D. Stearns, *Adaptive Signal Processing*, Prentice-Hall, 1985, ch. 6;
    optax ``constant_schedule``.
    """

    kind: ClassVar[str] = "constant"
    summary: ClassVar[str] = "fixed gain eta"
    shorthand_field: ClassVar[str | None] = "eta"
    family_checks: ClassVar[dict] = {"gain": {"eta": positive}}
    needs: ClassVar[tuple[str, ...]] = ()  # the estimator's own fixed gain: fits every one
    _unit_test_params: ClassVar = ({"eta": 0.1},)  # gainsim.testing examples
    eta: float = param(doc="the gain (learning rate, step size)", check=nonneg)

    def _eta(self, k):
        return np.full(k.shape, float(self.eta))

    def eta_vector(self, n: int) -> np.ndarray:
        """The per-parameter gain handed to a compiled estimator kernel."""
        return np.full(n, self.eta)


def on_fast_kernel(policy) -> bool:
    """Whether ``policy`` runs on its estimator's constant-gain kernel (``apply_constant``:
    LMS, NLMS, gradient descent), whose gains never change, so its run records them once
    (:class:`gainsim.estimators.groups.FastGroup`); the scipy baselines run in Python."""
    est = policy.estimator
    return (isinstance(policy.gain, Constant) and hasattr(est, "apply_constant")
            and not hasattr(est, "init_state"))


def gains_recorded_once(scenario) -> bool:
    """Whether every policy's gains are constant in the run's kernels (each on its fast
    kernel, or every policy with a stale gradient, which only constant gains allow), so a
    replica's trace holds them once instead of at every grid time."""
    return scenario.stream.feedback_delay > 0 or all(on_fast_kernel(p) for p in scenario.policy)
