r"""The plant as theory sees it, and the closed forms that follow from its kind of samples.

A plant describes itself to theory through ``plant.theory(dropout)``, which returns one
of the classes below: :class:`GradientBowl` (samples are noisy gradients of a fixed
quadratic: GD's bounds, optimum and Kalman floor on ``H``) or :class:`LinearRegression`
(random regressors: LMS's bounds and optimum on ``R``). :mod:`gainsim.predict.policies` and
:mod:`gainsim.predict.explain` ask this object and never look at the plant's family.
Pure numpy on top of :mod:`gainsim.theory`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from gainsim import theory


#: On a tapped delay line, LMS predictions are given only up to this fraction of the
#: mean-square bound. Measured (white input, σᵥ = 0.1, 8 replicas of 20 000–40 000
#: samples): at 0.4× the run is within 1 % of theory for 4 and 16 taps, at 0.5× 4–17 %
#: above it, at 0.6× 50–90 % above, at 0.7× (16 taps) three times the prediction and
#: still growing, at 0.9× it diverges. The exact Gaussian forms assume regressors that
#: are independent from sample to sample; the delay line shares n − 1 entries.
TDL_TRUSTED_FRACTION = 0.4


@dataclass(frozen=True)
class PlantTheory:
    """The plant as theory sees it: the curvature matrix, noise, drift and bounds.

    Built by the plant (``plant.theory(dropout)``) through :meth:`of`; the subclass
    says which closed forms apply (:class:`GradientBowl`, :class:`LinearRegression`).
    """

    matrix_name: ClassVar[str] = "M"
    error_name: ClassVar[str] = "predicted error"

    matrix: np.ndarray              # R or H
    eigenvalues: np.ndarray         # ascending
    noise_var: float                # sigma_v² (regression) or gradient-noise variance s²
    Q: np.ndarray | None            # drift covariance per update; None: not a random walk
    white_std: float | None         # input std if the input is white (R = std² I)
    mean_bound: float               # 2 / lambda_max
    mean_square_bound: float | None  # regression: the LMS mean-square bound
    mean_square_rule: str           # its formula: exact for white Gaussian input, else practical
    theta_star: np.ndarray | None = None  # the true weights if the plant fixes them (else drawn)
    independent: bool = False       # regressors independent from sample to sample (no delay line)

    @property
    def n(self) -> int:
        return self.eigenvalues.size

    @property
    def spread(self) -> float | None:
        lo = float(self.eigenvalues[0])
        return float(self.eigenvalues[-1]) / lo if lo > 0 else None

    @property
    def drifts(self) -> bool:
        return self.Q is not None and bool(np.any(self.Q))

    @classmethod
    def of(cls, matrix: np.ndarray, noise_var: float, Q: np.ndarray | None,
           white_std: float | None = None, theta_star=None,
           independent: bool = False) -> "PlantTheory":
        """The theory of a plant with curvature ``matrix``, noise and drift ``Q`` per update."""
        eig = np.linalg.eigvalsh(matrix)
        ms, rule = cls.mean_square(matrix, white_std)
        return cls(matrix=matrix, eigenvalues=eig, noise_var=noise_var, Q=Q, white_std=white_std,
                   mean_bound=2.0 / float(eig[-1]) if eig[-1] > 0 else np.inf,
                   mean_square_bound=ms, mean_square_rule=rule,
                   theta_star=None if theta_star is None else np.asarray(theta_star, float),
                   independent=independent)

    @staticmethod
    def mean_square(matrix: np.ndarray, white_std: float | None) -> tuple[float | None, str]:
        """The mean-square stability bound and its formula (none by default)."""
        return None, ""

    def bounds(self) -> list[dict]:  # pragma: no cover - abstract
        """Stability bounds and reference gains: name, formula, value and a note."""
        raise NotImplementedError

    def optimum(self) -> tuple[str, float | None]:  # pragma: no cover - abstract
        """The optimal fixed gain: ``(formula, value)``."""
        raise NotImplementedError

    def kalman_floor(self) -> float | None:
        """The steady-state floor of the best causal tracker, where a closed form exists."""
        return None

    def floor_rows(self, noise_floor: float, fmt) -> list[tuple[str, str]]:
        """``(name, text)`` lines for the noise and Kalman floors (``fmt`` formats a number)."""
        return [("Kalman floor", fmt(self.kalman_floor()))]


def _row(name: str, formula: str, value, note: str = "") -> dict:
    return {"name": name, "formula": formula, "value": value, "note": note}


def drift_per_update(drift, n: int, dropout: float) -> np.ndarray | None:
    """``Q`` per *update*: the drift's per-sample covariance stretched by ``1/(1 - dropout)``
    (``None`` for a drift that is not a random walk; infinite when ``dropout = 1``: no
    sample is ever applied)."""
    cov = getattr(drift, "per_step_covariance", None)
    if cov is None:
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        return cov(n) / (1.0 - dropout)


@dataclass(frozen=True)
class GradientBowl(PlantTheory):
    """Samples are noisy gradients of a fixed quadratic bowl: GD's closed forms on ``H``."""

    matrix_name: ClassVar[str] = "H"
    error_name: ClassVar[str] = "predicted loss"

    def bounds(self) -> list[dict]:
        rows = [_row("GD stable", "η < 2/λmax", self.mean_bound)]
        if self.eigenvalues.size == 1 and self.eigenvalues[0] > 0:
            rows.append(_row("deadbeat", "η = 1/λ", theory.deadbeat_gain(self.eigenvalues[0])))
        return rows

    def optimum(self) -> tuple[str, float | None]:
        if self.drifts:
            return "GD η* (lowest tracking loss)", gd_optimum(self)
        return "GD η* = 2/(λmin+λmax)", gd_optimum(self)

    def kalman_floor(self) -> float | None:
        return kalman_floor(self)


@dataclass(frozen=True)
class LinearRegression(PlantTheory):
    """Samples are random regressors ``x`` with ``d = θ*ᵀx + v``: LMS's closed forms on ``R``."""

    matrix_name: ClassVar[str] = "R"
    error_name: ClassVar[str] = "predicted e²"

    @staticmethod
    def mean_square(matrix: np.ndarray, white_std: float | None) -> tuple[float | None, str]:
        if white_std is not None:
            return theory.lms_gaussian_white_bound(matrix.shape[0], white_std ** 2), "2/((n+2)σ²)"
        return theory.lms_mean_square_bound(matrix), "2/tr R"

    def bounds(self) -> list[dict]:
        rows = [_row("LMS mean", "η < 2/λmax", self.mean_bound)]
        if self.white_std is not None:
            note = ("exact, independent Gaussian regressors" if self.independent else
                    "exact for independent Gaussian regressors only; on this tapped delay "
                    f"line no prediction above {TDL_TRUSTED_FRACTION:g}× it")
            rows.append(_row("LMS mean-square", f"η < {self.mean_square_rule}",
                             self.mean_square_bound, note))
        return rows + [_row("LMS practical", "η < 2/tr R", theory.lms_mean_square_bound(self.matrix)),
                       _row("NLMS", "η < 2", theory.nlms_bound())]

    def optimum(self) -> tuple[str, float | None]:
        r"""The best fixed LMS gain, and advice that follows the predictions.

        Random-walk drift with noise: the tracking optimum. Without drift and with noise:
        smaller η, lower steady-state error. Noise-free without drift every stable η
        reaches e² = 0 and a larger one gets there faster: for white input the fastest
        mean-square convergence is at :math:`1/((n+2)\sigma^2)`, half the bound (exact for
        independent Gaussian regressors). Noise-free random-walk drift: only lag, so
        larger is better up to the bound. Drift that is not a random walk: no closed form.
        """
        if self.Q is None:
            return "LMS η*: no closed form (drift is not a random walk)", None
        if self.drifts and self.noise_var > 0:
            return ("LMS η* = √(tr Q/(σᵥ² tr R))",
                    theory.lms_optimal_tracking_gain(self.matrix, np.sqrt(self.noise_var), self.Q))
        if self.drifts:
            return "LMS η*: noise-free drift, only lag: larger η, lower error (below the bound)", None
        if self.noise_var > 0:
            return "LMS η* (no drift: smaller η, lower error)", None
        if self.white_std is not None:
            return ("LMS η (noise-free, no drift: fastest convergence) = 1/((n+2)σ²)",
                    fastest_white_lms_gain(self.n, self.white_std))
        return "LMS η* (noise-free, no drift: every stable η reaches 0; larger is faster)", None

    def floor_rows(self, noise_floor: float, fmt) -> list[tuple[str, str]]:
        return [("noise floor", f"σᵥ² = {fmt(noise_floor)}"),
                ("Kalman floor", "— (no closed form for random regressors)")]


def fastest_white_lms_gain(n: int, std: float) -> float:
    r"""The LMS gain of fastest mean-square convergence on white Gaussian input,
    :math:`1/((n+2)\sigma^2)`: it minimises the per-update factor
    :math:`1 - 2\eta\sigma^2 + \eta^2\sigma^4(n+2)` of the weight-error power
    (exact for independent regressors; Feuer & Weinstein 1985)."""
    return 1.0 / ((n + 2) * std ** 2)


def kalman_floor(pt: PlantTheory) -> float | None:
    r"""Quadratic plant: the per-mode steady-state Kalman floor of the a-priori loss.

    Observing the noisy gradient :math:`g = H(\theta-\theta^*) + \nu` is observing
    :math:`\theta^*` in mode i with noise variance :math:`s^2/\lambda_i^2`; with drift
    :math:`q_i = (V^\top QV)_{ii}` the best causal tracker has prior variance
    :func:`gainsim.theory.kalman_steady_state_prior_variance` per mode, so the floor is
    :math:`\tfrac12\sum_i \lambda_i P_i`. ``None`` for the regression plant (no closed
    form for random regressors) or a drift that is not a random walk.
    """
    if not isinstance(pt, GradientBowl) or pt.Q is None:
        return None
    lam, q = _modes(pt)
    per_mode = (lam_i * theory.kalman_steady_state_prior_variance(q_i, pt.noise_var / lam_i**2)
                for lam_i, q_i in zip(lam.tolist(), q.tolist()))
    return 0.5 * sum(per_mode)


def _modes(pt: PlantTheory) -> tuple[np.ndarray, np.ndarray]:
    """Positive eigenvalues and the drift variance of each of their modes."""
    lam, V = np.linalg.eigh(pt.matrix)
    q = np.einsum("ji,jk,ki->i", V, pt.Q, V) if pt.Q is not None else np.zeros(lam.size)
    keep = lam > 1e-12 * max(lam.max(), 1e-300)
    return lam[keep], q[keep]


def gd_tracking_loss(eta: float, pt: PlantTheory) -> float:
    r"""Steady-state a-priori loss of GD with fixed gain η on the quadratic plant.

    Each mode is a fixed-gain local-level filter with gain :math:`\eta\lambda_i`,
    drift :math:`q_i` and measurement noise :math:`s^2/\lambda_i^2`
    (:func:`gainsim.theory.fixed_gain_local_level_error`):

    .. math:: E L = \tfrac12 \sum_i \lambda_i P_i(\eta\lambda_i)
              = \tfrac12 \sum_i \frac{\eta^2 s^2 + q_i}{\eta\,(2 - \eta\lambda_i)}

    Exact for Gaussian gradient noise and random-walk drift; ``inf`` if unstable.
    """
    lam, q = _modes(pt)
    per_mode = (lam_i * theory.fixed_gain_local_level_error(eta * lam_i, q_i,
                                                            pt.noise_var / lam_i**2)
                for lam_i, q_i in zip(lam.tolist(), q.tolist()))
    return 0.5 * sum(per_mode)


def _argmin(fn, high: float) -> float:
    """The minimiser of ``fn`` on (0, high), by scipy's bounded Brent on log η."""
    from scipy.optimize import minimize_scalar

    res = minimize_scalar(lambda u: fn(np.exp(u)), bounds=(np.log(high) - 30, np.log(high)),
                          method="bounded", options={"xatol": 1e-10})
    return float(np.exp(res.x))


def gd_optimum(pt: PlantTheory) -> float | None:
    """Best fixed GD gain: fastest convergence without noise and drift (2/(λmin+λmax)),
    lowest tracking loss with drift, ``None`` with noise only (smaller is always better)."""
    lam = pt.eigenvalues[pt.eigenvalues > 0]
    if pt.Q is None or lam.size == 0:
        return None
    if not pt.drifts:
        return theory.gd_optimal_gain(lam).eta if pt.noise_var == 0 else None
    return _argmin(lambda e: gd_tracking_loss(e, pt), pt.mean_bound * (1 - 1e-9))
