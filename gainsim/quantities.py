"""What a gain law may read, and which estimator provides it: compatibility is computed.

A gain law ``needs`` a tuple of the names below (every law scaling a step direction
needs ``"direction"``) and an estimator ``provides`` a tuple of them. A gain fits an
estimator when the estimator provides everything the gain needs (:func:`missing`);
the loader reports the first missing quantity by name. Gains never name estimators,
estimators never name gains.

The scipy baselines (estimators written in Python) provide nothing: they take only
a constant gain, which needs nothing (it is the estimator's own fixed gain, and only
sets the baselines' starting gain).
"""
from __future__ import annotations

QUANTITIES = {
    "direction": "a step direction g for the gain to scale (theta += -eta g)",
    "gradient": "the gradient of the sample's loss as the direction, not a normalised one",
    "curvature": "the curvature diagonal c of the sample's loss",
    "loss": "the sample's loss",
    "error": "the a-priori error e",
    "regressor": "the regressor x of a linear model with the LMS direction g = -e x",
}


def _cls(obj) -> type:
    return obj if isinstance(obj, type) else type(obj)


def missing(gain, estimator) -> str | None:
    """The first quantity ``gain`` needs that ``estimator`` does not provide, or ``None``.

    Both may be instances or classes.
    """
    provided = set(getattr(_cls(estimator), "provides", ()))
    for quantity in getattr(_cls(gain), "needs", ()):
        if quantity not in QUANTITIES:
            raise ValueError(f"{_cls(gain).kind!r} needs an unknown quantity {quantity!r}")
        if quantity not in provided:
            return quantity
    return None


def mismatch(gain, estimator) -> str | None:
    """The loader's one-line message when ``gain`` does not fit ``estimator``, or ``None``."""
    quantity = missing(gain, estimator)
    if quantity is None:
        return None
    return (f"{_cls(gain).kind!r} needs {quantity} ({QUANTITIES[quantity]}), which "
            f"estimator {_cls(estimator).kind!r} does not provide")
