"""``gainsim warmup FILE...``: compile the kernels of scenarios before their first run."""
from __future__ import annotations

import os
import sys
import time


def add_parser(sub) -> None:
    p = sub.add_parser("warmup", help="compile the kernels scenarios use (in parallel), so "
                                      "their first run does not wait for numba")
    p.add_argument("scenarios", nargs="+", help="scenario TOML files")
    p.add_argument("--workers", type=int, default=min(os.cpu_count() or 1, 4),
                   help="processes compiling side by side, this one included "
                        "(default: cores, at most 4)")


def command(args) -> int:
    from gainsim.scenario import ScenarioError, load
    from gainsim.engine.warmup import warm

    if args.workers < 1:
        print(f"gainsim: --workers: must be >= 1 (got {args.workers})", file=sys.stderr)
        return 2
    try:
        scenarios = [load(path) for path in args.scenarios]
    except ScenarioError as err:
        print(err, file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    done = warm(scenarios, args.workers)
    for label, seconds in done:
        print(f"  {label:<40} {seconds:6.1f} s")
    print(f"compiled or loaded {len(done)} kernel groups in {time.perf_counter() - t0:.1f} s "
          f"({args.workers} processes); runs of these scenarios now load them from the cache")
    return 0


def say(line: str) -> None:
    """A note of the commands on stderr (``gainsim: …``)."""
    print(f"gainsim: {line}", file=sys.stderr, flush=True)


def compile_first(scenarios, quiet: bool) -> None:
    """Before ``run`` or ``sweep``: compile the laws the numba cache lacks, side by side
    (:func:`gainsim.engine.warmup.compile_ahead`), saying so on stderr unless ``quiet``."""
    from gainsim.engine.warmup import compile_ahead

    compile_ahead(scenarios, None if quiet else say)


def split_first(scenarios, quiet: bool):
    """Before ``run``: the :class:`gainsim.engine.warmup.SplitCompile` of a first run
    whose one missing compile is its constant-gain bank (else ``None``), saying so on
    stderr unless ``quiet``."""
    from gainsim.engine.warmup import split_compile

    split = split_compile(scenarios)
    if split is not None and not quiet:
        say("first run: compiling its kernels (once; later runs load them "
            "from numba's cache)")
    return split
