"""Input coercion shared by the closed forms (eigenvalues, matrices, drift traces)."""

import numpy as np


def _eigs(R_or_eigs) -> np.ndarray:
    """Eigenvalues of a symmetric matrix, or the 1-D array of eigenvalues itself."""
    a = np.asarray(R_or_eigs, dtype=float)
    return np.linalg.eigvalsh(a) if a.ndim == 2 else np.atleast_1d(a)


def _matrix(A) -> np.ndarray:
    """Scalar -> 1x1, 1-D -> diagonal matrix, 2-D square -> unchanged."""
    a = np.asarray(A, dtype=float)
    if a.ndim < 2:
        return np.diag(np.atleast_1d(a))
    if a.ndim != 2 or a.shape[0] != a.shape[1]:
        raise ValueError(f"expected a square matrix, got shape {a.shape}")
    return a


def _drift_trace(Q, R, weight_by_R: bool = False) -> float:
    """tr Q (or tr QR), after checking Q has R's shape (catches a scalar q meant as q*I)."""
    if Q is None:
        return 0.0
    Qm, Rm = _matrix(Q), _matrix(R)
    if Qm.shape != Rm.shape:
        raise ValueError(f"Q has shape {Qm.shape} but R has shape {Rm.shape}")
    return float(np.trace(Qm @ Rm if weight_by_R else Qm))


def _positive(name: str, value: float) -> float:
    if not value > 0:
        raise ValueError(f"{name} must be > 0, got {value!r}")
    return float(value)
