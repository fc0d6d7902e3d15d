"""Import every module that registers a component (see :mod:`gainsim.registry`)."""
import gainsim.baselines  # noqa: F401
import gainsim.estimators  # noqa: F401
import gainsim.gains  # noqa: F401
import gainsim.signals.drift  # noqa: F401
import gainsim.signals.fir  # noqa: F401
import gainsim.signals.inputs  # noqa: F401
import gainsim.signals.quadratic  # noqa: F401
import gainsim.stream  # noqa: F401
import gainsim.estimators.mrac  # noqa: F401
import gainsim.signals.mrac  # noqa: F401
