r"""A fixed gain per parameter: ``gain = { kind = "per_parameter", eta = [0.1, 0.1, 0.0, ...] }``."""
from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numba import njit

from gainsim.estimators.loop import sample_loop
from gainsim.fields import nonneg, param
from gainsim.gains.compiled import Compiled, CompiledPolicy, Row
from gainsim.registry import register


@njit(cache=True, inline="always")
def per_parameter_law(prm, st, g, c, x, e, loss, base, k, step, eta):  # pragma: no cover
    """Fixed per-parameter gain: row 0 holds eta_j; step_j = -eta_j g_j."""
    for j in range(g.size):
        eta[j] = st[0, j]
        step[j] = -st[0, j] * g[j]
    return 0


@njit(cache=True, error_model="numpy")
def per_parameter_loop(data, laws, books, mon):  # pragma: no cover - compiled
    sample_loop(per_parameter_law, False, data, laws, books, mon)


@register("gain")
@dataclass(frozen=True)
class PerParameter(CompiledPolicy):
    r"""A constant gain for each parameter.

    .. math:: \theta_{k,j} = \theta_{k-1,j} - \eta_j\, g_{k,j}

    A zero freezes its weight at its start (an input known to be irrelevant); at
    least one gain must be positive. Sutton (1992) compares IDBD with the best such
    diagonal gain, the "ideal" fixed gains that are positive only on the relevant
    inputs. Recorded as the per-parameter η(t) (``eta_vector_mean`` in ``traces.npz``).
    On LMS the mean converges when every mode of
    :math:`\operatorname{diag}(\eta)R` has :math:`|1 - \lambda| < 1` (no closed form here).

    (A bare array ``gain = [0.1, 0.2]`` is not this gain: it means one constant-gain
    policy per value, as everywhere in gainsim.)

    References
    ----------
    R. S. Sutton, "Adapting bias by gradient descent: an incremental version of
    delta-bar-delta", AAAI-92, pp. 171–176, 1992.
    """

    kind: ClassVar[str] = "per_parameter"
    summary: ClassVar[str] = "a fixed gain per parameter: eta = [eta_1, ..., eta_n]"
    law: ClassVar = per_parameter_law
    loop: ClassVar = per_parameter_loop
    rows: ClassVar = (Row("eta"),)
    _unit_test_params: ClassVar = ({"eta": (0.1, 0.0, 0.2)},)  # the checks use n = 3
    eta: tuple[float, ...] = param(doc="one gain per parameter (zeros allowed, one > 0)",
                                   check=nonneg, note="n entries")

    def problems(self):
        if not any(v > 0 for v in self.eta):
            yield "eta", "needs at least one positive gain"

    def check_plant(self, plant) -> str | None:
        """A message when the plant has another number of parameters."""
        n = getattr(plant, "n", None)
        if n is not None and n != len(self.eta):
            return f"must have {n} entries (the plant's parameters) (got {len(self.eta)})"
        return None

    def base_schedule(self):
        return None  # no scheduled base gain: the vector is the gain

    def compile(self, plant, n: int) -> Compiled:
        """The gain row is the vector itself (cycled if ``n`` differs: examples only)."""
        row = np.resize(np.array(self.eta, dtype=float), n)
        return Compiled(params=np.zeros(0), state=row[None, :].copy(), eta0=row.copy())
