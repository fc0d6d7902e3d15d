"""What a sweep varies: ``KEY=SPEC`` axes, dotted key paths and one scenario per grid point.

A key is a dotted path into the scenario file, with ``[i]`` picking one ``[[policy]]``
table: ``policy[0].gain``, ``policy[2].gain.theta``, ``plant.drift.std``,
``stream.latency.value``. A spec is a list ``0.001,0.003,0.01``, ``logspace:LO:HI:N``
(N values from LO to HI, equally spaced in log: ``numpy.geomspace``) or
``linspace:LO:HI:N`` (``numpy.linspace``). Two axes make a grid (first key slowest).

Every grid point is the file's own TOML with the swept values written in and then
validated by the normal loader, so a value a key does not allow is reported at the key
path, exactly as if it had been typed into the file.
"""
from __future__ import annotations

import copy
import tomllib
from pathlib import Path

# The grammar lives in gainsim.sweeps.grammar (the loader uses it too); its names stay
# importable from here.
from gainsim.sweeps.grammar import (Axis, SweepError, grid_points, parse_over,  # noqa: F401
                                   parse_spec, set_key, split_key, table_problems)


def read_toml(path: str | Path) -> tuple[dict, str]:
    """Parsed TOML of a scenario file and the name to report it by."""
    from gainsim.scenario import ScenarioError, load, to_dict

    path = Path(path)
    scenario = load(path)  # the file itself must be valid: raises ScenarioError as usual
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as err:  # pragma: no cover - load() checked it
        raise ScenarioError(path.name, [str(err)]) from None
    if hasattr(scenario.plant, "attach"):  # a plant reading files (data): its table as
        data["plant"] = to_dict(scenario)["plant"]  # loaded, paths made absolute
    return data, path.name


def table_axes(data: dict) -> list[Axis]:
    """The axes of a ``[sweep]`` table: ``over = { "KEY" = "SPEC" or [values], ... }``."""
    table = data.get("sweep")
    if table is None:
        return []
    problems = table_problems(table)
    if problems:
        raise SweepError(problems[0][0] + ": " + problems[0][1])
    return [parse_spec(key, spec) for key, spec in table["over"].items()]


def base_names(data: dict) -> dict:
    """``data`` with every unnamed policy given the default name the loader would give it,
    so that names do not change with the swept values."""
    from gainsim.scenario.load import _default_name

    data = copy.deepcopy(data)
    for table in data.get("policy") or []:
        if isinstance(table, dict) and "name" not in table:
            table["name"] = _default_name(table)
    return data


def point_scenarios(data: dict, source: str, axes: list[Axis]):
    """``(points, scenarios)``: every grid point and its validated scenario.

    Raises :class:`SweepError` with ``source: key path: problem`` for the first value
    the loader rejects (nothing has run yet).
    """
    from gainsim.scenario.build import Problems
    from gainsim.scenario.load import from_dict

    if not axes:
        raise SweepError(f"{source}: nothing to sweep (give --over KEY=SPEC or a [sweep] "
                         "table)")
    keys = [a.key for a in axes]
    if len(set(keys)) != len(keys):
        raise SweepError(f"{source}: {keys[0]}: swept twice")
    base = base_names({k: v for k, v in data.items() if k != "sweep"})
    points, scenarios, seen = grid_points(axes), [], {}
    for point in points:
        variant = copy.deepcopy(base)
        for key, value in point.items():
            try:
                set_key(variant, key, value)
            except SweepError as err:
                raise SweepError(f"{source}: {err}") from None
        problems = Problems()
        scenario = from_dict(variant, problems, default_name=Path(source).stem)
        if problems:
            raise SweepError(f"{source}: {problems[0]} (swept value "
                             f"{', '.join(f'{k}={v!r}' for k, v in point.items())})")
        if seen.setdefault("names", scenario and [p.name for p in scenario.policy]) != [
                p.name for p in scenario.policy]:
            raise SweepError(f"{source}: {keys[0]}: changes the policies themselves; sweep a "
                             "key of one policy")
        scenarios.append(scenario)
    return points, scenarios
