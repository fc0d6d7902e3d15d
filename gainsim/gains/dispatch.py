"""One compiled entry point for every adaptive gain law: ``gain_step(code, ...)``.

numba cannot cache kernels that take functions as arguments, so the laws are
selected by an integer ``code``. Adding a law: write it in its module with the
signature of :mod:`gainsim.gains.laws`, give it the next code here, add a branch.
"""
from __future__ import annotations

from numba import njit

from gainsim.gains import laws

SCHEDULED, ADAM, IDBD, RLS, KALMAN = 0, 1, 2, 3, 4


@njit(cache=True)
def gain_step(code, prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Run law ``code``; see :mod:`gainsim.gains.laws` for the arguments."""
    if code == SCHEDULED:
        return laws.scaled_gradient(prm, st, g, c, x, e, loss, base, k, step, eta)
    if code == ADAM:
        return laws.adam(prm, st, g, c, x, e, loss, base, k, step, eta)
    if code == IDBD:
        return laws.idbd(prm, st, g, c, x, e, loss, base, k, step, eta)
    if code == RLS:
        return laws.rls(prm, st, g, c, x, e, loss, base, k, step, eta)
    if code == KALMAN:
        return laws.kalman(prm, st, g, c, x, e, loss, base, k, step, eta)
    return -1
