"""Compile the kernels a scenario needs ahead of its first run, gain laws side by side.

numba compiles a kernel on its first call (about a second and a half per adaptive law
on this project's 2-core machine) and caches it; a cold run would compile its laws
one after the other. Here each law group of the scenarios (the constant-gain bank of an
estimator; each adaptive gain kind with its estimator) runs as a tiny probe — one
replica, a few hundred samples — on several processes side by side (this one and
helper processes, :mod:`gainsim.engine.compilers`: fresh interpreters that never import
the caller's ``__main__``), which fills the shared cache; the run afterwards loads
everything from it. Results never depend on it: probes only compile.

``gainsim warmup FILE…`` and :func:`gainsim.api.warmup` run every probe; ``gainsim run``,
``gainsim sweep`` and :func:`gainsim.api.run` call :func:`compile_ahead` first, which runs
only the probes whose kernels the cache does not hold yet, and only when two or more
compiles are missing (each adaptive law one, the constant-gain banks together one) and
this process may use two or more cores (set the environment variable
``GAINSIM_COMPILE_AHEAD=0`` to turn it off).

A first ``gainsim run`` whose only missing compile is its constant-gain banks (one LMS
kernel: nothing for :func:`compile_ahead` to run side by side) splits it instead
(:func:`split_compile`): the figure helper the run starts anyway
(:mod:`gainsim.report.figure_helper`) first measures one packet of the plant
(:func:`compile_sensor`: its compiled draws), while this process runs the bank's probe
on so few samples that numpy makes every draw (:func:`compile_learners`: the learners'
kernels). A first quickstart run: 3.21-3.58 s → 2.95-3.10 s (medians 3.34 → 3.05 s, 7
alternating pairs of first runs, 2026-12-04).
"""
from __future__ import annotations

import dataclasses
import os
import time
from typing import Callable

import numpy as np

PROBE_SAMPLES = 200
MAX_COMPILERS = 4  # processes compiling side by side at most


@dataclasses.dataclass(frozen=True)
class Probe:
    label: str      # what it compiles, e.g. "fir: lms + idbd"
    scenario: object
    constant: bool  # a constant-gain bank (the estimator's fast kernels), not one law


def probes(scenarios) -> list[Probe]:
    """One tiny scenario per law group of ``scenarios``, duplicates across them merged.

    A law group is what one compile serves: the constant-gain bank of an estimator (its
    fast kernels), or the policies of an estimator whose gains run the same compiled loop
    (``type(gain).loop``: every schedule — step, cosine, warm-up … — runs
    ``scheduled_loop``, so they are one group, labelled with all their kinds).
    """
    from gainsim.gains.constant import Constant

    found: dict = {}  # key -> (scenario, policies kept, gain kinds)
    for scenario in scenarios:
        groups: dict = {}
        for policy in scenario.policy:
            constant = isinstance(policy.gain, Constant)
            kind = "constant" if constant else type(policy.gain).kind
            loop = "constant" if constant else getattr(type(policy.gain), "loop", None) or kind
            key = (type(scenario.plant).kind, type(policy.estimator).kind, loop)
            groups.setdefault(key, []).append(policy)
        for key, members in groups.items():
            kinds = ["constant"] if key[2] == "constant" else [type(q.gain).kind for q in members]
            if key not in found:  # a constant bank keeps its size: 8+ take the bank kernel
                kept = tuple(members) if key[2] == "constant" else (members[0],)
                found[key] = (scenario, kept, [])
            found[key][2].extend(k for k in kinds if k not in found[key][2])
    return [Probe(f"{key[0]}: {key[1]} + {'/'.join(kinds)}", _tiny(scenario, kept),
                  key[2] == "constant")
            for key, (scenario, kept, kinds) in found.items()]


def _tiny(scenario, policies):
    samples = max(min(int(round(scenario.duration * scenario.stream.rate)), PROBE_SAMPLES), 1)
    run = dataclasses.replace(scenario.run, replicas=1, duration=None, samples=samples)
    metrics = dataclasses.replace(scenario.metrics, grid=min(scenario.metrics.grid, 10))
    return dataclasses.replace(scenario, run=run, metrics=metrics, policy=policies)


def _compile(probe: Probe) -> tuple[str, float]:
    from gainsim.engine.lifetime import interrupts_deferred
    from gainsim.engine.sim import simulate

    t0 = time.perf_counter()
    with interrupts_deferred():
        simulate(probe.scenario, np.random.SeedSequence(0))
    return probe.label, time.perf_counter() - t0


def run_probes(todo: list[Probe], workers: int = 2) -> list[tuple[str, float]]:
    """Run ``todo`` on ``workers`` processes (this one included); ``(label, seconds)`` each,
    in the order they finished."""
    from gainsim.engine.compilers import share

    workers = max(1, min(workers, len(todo)))
    if workers == 1:
        return [_compile(p) for p in todo]
    # the helper processes take the first tasks; this process the next one: the constant
    # banks, which compile the helpers every kernel calls (monitor, measurement) while
    # the workers are still starting, so that they load those from the cache instead of
    # compiling them again (first drift_tracking run, 3 alternating pairs: 10.1 s median
    # against 11.0 s with the constant banks last)
    adaptive, constant = [p for p in todo if not p.constant], [p for p in todo if p.constant]
    return share(_compile, adaptive[:workers - 1] + constant + adaptive[workers - 1:],
                 workers - 1)


def warm(scenarios, workers: int = 2) -> list[tuple[str, float]]:
    """Run every probe of ``scenarios`` (``workers`` processes side by side)."""
    return run_probes(probes(scenarios), workers)


def _cached(dispatcher) -> bool | None:
    """Whether numba's cache holds a compiled version of ``dispatcher`` for this source
    (``None``: cannot tell, e.g. another numba version lays its cache out differently)."""
    try:
        return bool(dispatcher._cache._cache_file._load_index())
    except Exception:  # noqa: BLE001 - a private numba API: no answer is an answer
        return None


def _kernel(policy):
    """The compiled function whose presence in the cache says a policy's kernels are there:
    an adaptive law's own loop; for constant-gain banks (the estimator's fast kernels)
    the monitor helper every kernel calls, compiled by any first run of this source."""
    from gainsim.estimators.monitor import flush_snapshots
    from gainsim.gains.constant import Constant

    loop = getattr(type(policy.gain), "loop", None)
    return flush_snapshots if isinstance(policy.gain, Constant) or loop is None else loop


def cold(found: list[Probe]) -> list[Probe]:
    """The probes some of whose kernels numba's cache does not hold yet."""
    return [p for p in found if any(_cached(_kernel(q)) is False for q in p.scenario.policy)]


def compilers(todo: list[Probe], cores: int) -> int:
    """Processes worth compiling ``todo`` side by side: one per compile, at most ``cores``
    and :data:`MAX_COMPILERS`. The constant-gain banks share the estimators' fast
    kernels (LMS and NLMS the same one): together they are one compile; each adaptive
    law is another."""
    units = sum(not p.constant for p in todo) + any(p.constant for p in todo)
    return min(cores, units, MAX_COMPILERS)


def compile_ahead(scenarios, note: Callable[[str], None] | None = None) -> list:
    """Before a first run: compile the laws of ``scenarios`` that the cache lacks, side by
    side, when :func:`compilers` finds two or more processes worth it; ``note`` gets one
    line saying so. Returns what :func:`run_probes` returns (empty when it did nothing)."""
    if os.environ.get("GAINSIM_COMPILE_AHEAD", "1") == "0":
        return []
    todo = cold(probes(scenarios))
    from gainsim.estimators.threads import CORES  # the cores this process may use

    workers = compilers(todo, CORES)
    if workers < 2:
        return []
    if note is not None:
        note(f"first run of these gain laws: compiling {len(todo)} kernel groups on {workers} "
             f"processes (once; later runs load them from numba's cache)")
    return run_probes(todo, workers)


# ------------------------------------------------ a first run's bank beside the figure helper
SENSOR_WAIT_SECONDS = 120.0  # for the helper's compile at most; then the run compiles it


def split_compile(scenarios) -> "SplitCompile | None":
    """For a first run whose only missing compile is its constant-gain banks (which
    :func:`compile_ahead` leaves to the run: one compile, nothing side by side), the
    split of it between this process and ``gainsim run``'s figure helper; else ``None``."""
    if os.environ.get("GAINSIM_COMPILE_AHEAD", "1") == "0":
        return None
    todo = cold(probes(scenarios))
    if len(scenarios) != 1 or not todo or not all(p.constant for p in todo):
        return None  # laws: compile_ahead's probes
    return SplitCompile(scenarios[0], tuple(todo))


@dataclasses.dataclass(frozen=True)
class SplitCompile:
    """A first run's constant-gain bank compiled on two processes: the plant's draws in
    the figure helper (:meth:`task`, :func:`compile_sensor`), the learners' kernels here
    (:meth:`compile_here`, :func:`compile_learners`), side by side.

    Without it the run compiles both in this process, one after the other, while the
    helper, started to draw figures, has imported matplotlib and waits. Which process
    compiled a kernel changes nothing: each loads the other's from numba's cache.
    """

    scenario: object  # the run's
    probes: tuple     # of Probe: its constant-gain banks (one per estimator), one compile

    def task(self) -> tuple:
        """``(fn, arg)`` for the helper (:func:`gainsim.report.figure_helper.helping`)."""
        return compile_sensor, self.scenario

    def compile_here(self, sensor) -> None:
        """Compile the learners, then wait for the helper's future ``sensor`` (``None``:
        no helper) so that the run loads the draws instead of compiling them again; a
        failed or late helper only means the run compiles them itself."""
        for probe in self.probes:
            compile_learners(probe)
        if sensor is not None:
            try:
                sensor.result(timeout=SENSOR_WAIT_SECONDS)
            except Exception:  # noqa: BLE001 - the run compiles what the helper did not
                pass


def compile_sensor(scenario) -> float:
    """Measure the first packet of ``scenario``'s plant as its run does, no learner:
    compiles (or loads) the plant's draw and measurement kernels, those of draws big
    enough for the compiled path (:data:`gainsim.signals.normals.COMPILED_MIN`) as the
    run's packets are. Returns the seconds it took."""
    from gainsim.engine.sim import Rngs, packet_times

    t0 = time.perf_counter()
    plant = scenario.plant
    rngs = Rngs.from_seed(np.random.SeedSequence(0))
    state, _ = plant.init(rngs)
    plant.packet(state, packet_times(plant, scenario.stream, 0, 0.0, rngs, scenario.duration),
                 rngs)
    return time.perf_counter() - t0


def compile_learners(probe: Probe) -> tuple[str, float]:
    """:func:`_compile` of ``probe`` cut to so few samples that the plant draws fewer than
    :data:`gainsim.signals.normals.COMPILED_MIN` values at a time (numpy draws them, the
    same bits): it compiles the learners' kernels and leaves the plant's compiled draws
    to :func:`compile_sensor`."""
    from gainsim.signals.normals import COMPILED_MIN

    scenario = probe.scenario
    few = max(1, (COMPILED_MIN - 1) // (2 * max(int(scenario.plant.n), 1)))
    run = dataclasses.replace(scenario.run, samples=min(few, scenario.run.samples))
    return _compile(dataclasses.replace(probe, scenario=dataclasses.replace(scenario, run=run)))
