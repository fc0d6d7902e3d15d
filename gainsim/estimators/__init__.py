"""Estimators: how an error becomes an update direction (they receive eta, never a policy)."""
from gainsim.estimators.gd import GradientDescent
from gainsim.estimators.lms import Lms, Nlms

__all__ = ["GradientDescent", "Lms", "Nlms"]
