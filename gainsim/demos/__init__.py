"""``gainsim demo``: one shipped scenario per claim about the learning rate, with its proof.

A demo runs one or more scenario files shipped in ``gainsim/demos/scenarios/`` and turns
the results into :class:`Number` rows: a simulated number next to the closed form that
predicts it (and the formula). Everything here is pure: :func:`run_demo` returns a
:class:`DemoOutput`; the CLI (:mod:`gainsim.cli.demo`) prints it and writes the files.

The demos, in the order a lecture would take them (:data:`LECTURE_ORDER`), are returned by
:func:`demos`; each
lives in a small module of this package with its analysis and its own figure.
"""
from __future__ import annotations

from gainsim.demos.base import SCENARIOS, Demo, DemoOutput, Number, scenario_path

__all__ = ["LECTURE_ORDER", "SCENARIOS", "Demo", "DemoOutput", "Number", "demos", "run_demo",
           "scenario_path"]
# The order of docs/teaching.md: one mode, many modes, delay, oracles, learned gains, tracking,
# control.
LECTURE_ORDER = ("goldilocks", "curvature", "delay", "line_search", "per_parameter", "adaptive",
                 "schedules", "adaptive_control")


def _catalog() -> dict[str, Demo]:
    from gainsim.demos import adaptive, bowls, control, delay, oracles

    by_name = {d.name: d for d in (*bowls.DEMOS, *delay.DEMOS, *adaptive.DEMOS, *oracles.DEMOS,
                                   *control.DEMOS)}
    return {name: by_name[name] for name in LECTURE_ORDER if name in by_name}


def demos() -> dict[str, Demo]:
    """Every demo by name, in lecture order."""
    return _catalog()


def run_demo(name: str, *, figures: bool = True, note=None) -> DemoOutput:
    """Run every scenario of demo ``name`` and analyse the results (the laws of all of
    its scenarios compiled ahead together, :func:`gainsim.engine.warmup.compile_ahead`,
    when the cache lacks them; ``note`` gets the line saying so, by default the
    ``gainsim`` logger at level INFO)."""
    import logging

    import gainsim
    from gainsim.engine.warmup import compile_ahead

    demo = demos()[name]
    scenarios = [gainsim.load(scenario_path(s)) for s in demo.scenarios]
    compile_ahead(scenarios, note or logging.getLogger("gainsim").info)
    results = [gainsim.run(s) for s in scenarios]
    return DemoOutput(demo=demo, results=results, numbers=demo.analyse(results),
                      figures=demo.figures(results) if figures else {})
