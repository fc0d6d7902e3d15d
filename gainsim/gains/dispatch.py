"""The law codes, and one compiled entry point for every law: ``gain_step(code, ...)``.

numba cannot cache kernels that take functions as arguments, so a policy names its
law by an integer ``code``. ``gain_step`` serves ``policy.step`` in Python and the
MRAC loop; the estimators' sample loops have one compiled loop per law instead
(:data:`gainsim.estimators.general.KERNELS`). Adding a law: write it in its module
with the signature of :mod:`gainsim.gains.laws`, give it the next code here, add a
branch below and a loop to ``KERNELS``.
"""
from __future__ import annotations

from numba import njit

from gainsim.gains import laws, laws_lms, laws_sgd

SCHEDULED, ADAM, IDBD, RLS, KALMAN = 0, 1, 2, 3, 4
MOMENTUM, NESTEROV, ADAGRAD, RMSPROP, SGD_HD, ADAM_HD, POLYAK, PLATEAU = 5, 6, 7, 8, 9, 10, 11, 12
NLMS_GAIN, VSS, MATHEWS_XIE, BENVENISTE, AUTOSTEP = 13, 14, 15, 16, 17


@njit(cache=True, inline="always")
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
    if code == MOMENTUM:
        return laws_sgd.momentum(prm, st, g, c, x, e, loss, base, k, step, eta)
    if code == NESTEROV:
        return laws_sgd.nesterov(prm, st, g, c, x, e, loss, base, k, step, eta)
    if code == ADAGRAD:
        return laws_sgd.adagrad(prm, st, g, c, x, e, loss, base, k, step, eta)
    if code == RMSPROP:
        return laws_sgd.rmsprop(prm, st, g, c, x, e, loss, base, k, step, eta)
    if code == SGD_HD:
        return laws_sgd.sgd_hd(prm, st, g, c, x, e, loss, base, k, step, eta)
    if code == ADAM_HD:
        return laws_sgd.adam_hd(prm, st, g, c, x, e, loss, base, k, step, eta)
    if code == POLYAK:
        return laws_sgd.polyak(prm, st, g, c, x, e, loss, base, k, step, eta)
    if code == PLATEAU:
        return laws_sgd.plateau(prm, st, g, c, x, e, loss, base, k, step, eta)
    if code == NLMS_GAIN:
        return laws_lms.nlms_gain(prm, st, g, c, x, e, loss, base, k, step, eta)
    if code == VSS:
        return laws_lms.vss(prm, st, g, c, x, e, loss, base, k, step, eta)
    if code == MATHEWS_XIE:
        return laws_lms.mathews_xie(prm, st, g, c, x, e, loss, base, k, step, eta)
    if code == BENVENISTE:
        return laws_lms.benveniste(prm, st, g, c, x, e, loss, base, k, step, eta)
    if code == AUTOSTEP:
        return laws_lms.autostep(prm, st, g, c, x, e, loss, base, k, step, eta)
    return -1
