"""scipy baselines: step lengths and estimates chosen by optimisation, not by a gain policy.

Each baseline is an estimator implemented in Python (``init_state`` / ``step``), run by
:class:`gainsim.estimators.python_group.PythonGroup` outside the compiled kernels:

* ``wolfe`` — ``scipy.optimize.line_search`` (strong Wolfe) along −∇L;
* ``exact`` — ``scipy.optimize.minimize_scalar`` (bounded) along −∇L;
* ``bfgs`` / ``lbfgsb`` — ``scipy.optimize.minimize`` warm-started per update;
* ``newton`` — θ ← θ − H⁻¹∇f on the quadratic plant (``scipy.linalg.pinvh``);
* ``least_squares`` — windowed ``scipy.linalg.lstsq`` or the Wiener solution R⁻¹p.

See ``docs/baselines.md``.
"""
from gainsim.baselines.bfgs import Bfgs, Lbfgsb
from gainsim.baselines.exact import ExactLineSearch
from gainsim.baselines.least_squares import LeastSquares
from gainsim.baselines.newton import Newton
from gainsim.baselines.wolfe import Wolfe

__all__ = ["Bfgs", "ExactLineSearch", "LeastSquares", "Lbfgsb", "Newton", "Wolfe"]
