r"""What every scipy baseline shares: samples, the sliding window, losses, the update record.

A baseline is an *estimator implemented in Python* (``python = True``). Its
hyperparameters are a frozen dataclass; its per-run state (window, last step,
update count) is created by ``init_state(n, plant, eta0)`` and returned by
``step(state, theta, sample, plant) -> (Update, state)``, never stored on ``self``.
:class:`gainsim.estimators.python_group.PythonGroup` carries the state and calls
``step`` once per sample, in arrival order (predict, then learn).

Losses (the function the baseline optimises at each update)
------------------------------------------------------------
Regression plant (``d = θ*ᵀx + v``), window of the last W samples:

.. math:: L_W(\theta) = \frac{1}{2W}\sum_{i} (d_i - \theta^\top x_i)^2, \qquad
          \nabla L_W = -\frac{1}{W} X^\top (d - X\theta)

and the expected loss, known in simulation (R the input correlation, θ* of the sample):

.. math:: L(\theta) = \tfrac12 (\theta-\theta^*)^\top R (\theta-\theta^*) + \tfrac12\sigma_v^2

Quadratic plant: each sample is the noisy gradient :math:`H(\theta-\theta^*_i) + \nu_i`, the
exact gradient of :math:`f_i(\theta) = \tfrac12(\theta-\theta^*_i)^\top H(\theta-\theta^*_i)
+ \nu_i^\top(\theta-\theta^*_i)`; the window loss is the mean of the :math:`f_i` and the
expected loss the plant loss :math:`\tfrac12(\theta-\theta^*)^\top H(\theta-\theta^*)`.

Implied gain
------------
A baseline moves by :math:`\Delta\theta`; the gain it implies is the scalar that best
reproduces that move along its own gradient :math:`g`:

.. math:: \eta = -\frac{g^\top \Delta\theta}{g^\top g}

For a line search along :math:`-g` this is exactly the step length α, so it is directly
comparable with the η of LMS (``theta += eta * e * x`` is a step along :math:`-g = e x`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, NamedTuple

import numpy as np

LOSSES = ("window", "expected")


BOTH = ("regression", "quadratic")  # plant families a baseline serves


class LossChoice:
    """Mixin of the baselines with a ``loss`` key: the ``expected`` loss needs the truth."""

    @property
    def uses_truth(self) -> bool:
        """True when the searched loss is the true expected one (it needs ``theta_star``)."""
        return self.loss == "expected"


class Sample(NamedTuple):
    """One sample as a learner sees it (fields a plant does not produce are ``None``)."""

    x: np.ndarray | None
    d: float | None
    theta_star: np.ndarray
    noise: np.ndarray | None

    @classmethod
    def at(cls, cols: dict, i: int) -> "Sample":
        """Row ``i`` of a packet's columns."""
        x, d, noise = cols.get("x"), cols.get("d"), cols.get("noise")
        return cls(x=None if x is None else x[i], d=None if d is None else float(d[i]),
                   theta_star=cols["theta_star"][i], noise=None if noise is None else noise[i])


@dataclass(frozen=True)
class Update:
    """What one baseline step did with one sample."""

    theta: np.ndarray     # estimate after the sample
    error: float          # a-priori e² (regression) or a-priori loss (quadratic)
    eta: float | None     # implied gain; None when the gradient was zero (no information)
    nfev: int = 0         # loss evaluations
    ngev: int = 0         # gradient evaluations
    failed: bool = False  # the optimiser failed and the fallback step was taken (an event)


@dataclass(frozen=True)
class Window:
    """The last ``size`` samples: rows ``a`` and ``b``.

    Regression: ``a`` holds the regressors ``x`` (m, n), ``b`` the measurements ``d`` (m,).
    Quadratic: ``a`` holds ``theta_star`` (m, n), ``b`` the gradient noise (m, n).
    """

    a: np.ndarray
    b: np.ndarray
    size: int

    @classmethod
    def empty(cls, n: int, size: int, plant) -> "Window":
        """No rows yet; a row of ``b`` has the plant's ``observation_shape(n)``."""
        return cls(a=np.empty((0, n)), b=np.empty((0,) + plant.observation_shape(n)), size=size)

    def push(self, sample: Sample) -> "Window":
        """A new window with ``sample`` appended and the oldest row dropped if full."""
        if sample.x is not None:
            a_row, b_row = sample.x, np.array([sample.d])
        else:
            a_row, b_row = sample.theta_star, sample.noise[None, :]
        keep = max(self.a.shape[0] + 1 - self.size, 0)
        return Window(a=np.concatenate([self.a[keep:], a_row[None, :]]),
                      b=np.concatenate([self.b[keep:], b_row]), size=self.size)


class Objective(NamedTuple):
    """A loss ``f(theta)`` and its gradient ``grad(theta)``."""

    f: Callable[[np.ndarray], float]
    grad: Callable[[np.ndarray], np.ndarray]


class Counted:
    """Wrap an :class:`Objective` and count its evaluations (the baseline's cost)."""

    def __init__(self, objective: Objective):
        self._obj, self.nfev, self.ngev = objective, 0, 0

    def f(self, theta: np.ndarray) -> float:
        self.nfev += 1
        return self._obj.f(theta)

    def grad(self, theta: np.ndarray) -> np.ndarray:
        self.ngev += 1
        return self._obj.grad(theta)


def window_objective(window: Window, plant) -> Objective:
    """The sliding-window empirical loss, as the plant defines it (see the module docstring)."""
    f, grad = plant.window_objective(window.a, window.b)
    return Objective(f=f, grad=grad)


def expected_objective(sample: Sample, plant, M: np.ndarray) -> Objective:
    """The true expected loss at the sample's ``theta_star``; ``M`` is the plant's
    ``curvature()`` (``R`` or ``H``, computed once per run)."""
    star = sample.theta_star
    floor = 0.5 * plant.noise_floor

    def f(th):
        diff = th - star
        return 0.5 * float(diff @ M @ diff) + floor

    return Objective(f=f, grad=lambda th: M @ (th - star))


def objective(loss: str, window: Window, sample: Sample, plant, R) -> Objective:
    """``window`` or ``expected`` loss, by name."""
    return window_objective(window, plant) if loss == "window" else \
        expected_objective(sample, plant, R)


def a_priori_error(theta: np.ndarray, sample: Sample, plant) -> float:
    """Tracking error of ``theta`` on ``sample`` before learning from it.

    Regression: :math:`(d - \\theta^\\top x)^2`; quadratic: the plant loss
    :math:`\\tfrac12(\\theta-\\theta^*)^\\top H(\\theta-\\theta^*)`.
    """
    if sample.x is not None:
        return float((sample.d - theta @ sample.x) ** 2)
    diff = theta - sample.theta_star
    return 0.5 * float(diff @ plant.H @ diff)


def implied_gain(g: np.ndarray, delta: np.ndarray) -> float | None:
    """:math:`-g^\\top\\Delta\\theta / g^\\top g`, or ``None`` if ``g = 0``."""
    gg = float(g @ g)
    return -float(g @ delta) / gg if gg > 0 and np.isfinite(gg) else None

