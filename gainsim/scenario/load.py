"""Read, validate and write scenario files (stdlib ``tomllib``; ``tomli_w`` to write).

Every problem in a file is collected and reported together, one line each::

    quickstart.toml: policy[2].gain.eta: must be > 0 (got -0.1)
"""
from __future__ import annotations

import copy
import dataclasses
import itertools
import tomllib
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from gainsim.scenario.build import (Problems, build_component, build_dataclass, did_you_mean,
                                    is_callable_hint, to_table)
from gainsim.fields import param
from gainsim.quantities import mismatch
from gainsim.scenario.model import Metrics, Policy, Run
from gainsim.stream import Stream


@dataclass(frozen=True)
class Scenario:
    """A validated scenario file."""

    name: str = param(doc="scenario name (default: the file name)",
                      default_doc="the file name without `.toml`")
    plant: Any = param(doc="plant or target to learn or track", family="plant")
    policy: tuple[Policy, ...] = param(doc="the gain policies to compare ([[policy]] tables)",
                                       note="at least one")
    description: str = param("", doc="one paragraph shown in reports")
    stream: Stream = param(Stream(), doc="sample stream ([stream] table)",
                           default_doc="see [`[stream]`](#stream)")
    run: Run = param(Run(duration=100.0), doc="run settings ([run] table)",
                     default_doc="`duration = 100.0` s, see [`[run]`](#run)")
    metrics: Metrics = param(Metrics(), doc="metric settings ([metrics] table)",
                             default_doc="see [`[metrics]`](#metrics)")

    @classmethod
    def from_dict(cls, data: dict, source: str = "<dict>") -> "Scenario":
        """A scenario from the tables of a scenario file as Python dicts and lists.

        Validated exactly like a file (the dict is written as TOML and loaded); raises
        :class:`~gainsim.scenario.ScenarioError` whose lines carry the key paths, e.g.
        ``<dict>: policy[0].gain: must be > 0 (got -0.1)``.
        """
        return loads_dict(data, source)

    @property
    def duration(self) -> float:
        """Simulated seconds: ``run.duration`` or ``run.samples / stream.rate``."""
        if self.run.duration is not None:
            return self.run.duration
        return self.run.samples / self.stream.rate


_SECTIONS = {"stream": Stream, "run": Run, "metrics": Metrics}


class ScenarioError(Exception):
    """A scenario file could not be used; ``problems`` holds one line per mistake."""

    def __init__(self, source: str, problems: list):
        self.source = source
        self.problems = list(problems)
        super().__init__("\n".join(f"{source}: {p}" for p in self.problems))


def load(path: str | Path) -> Scenario:
    """Load and validate a scenario file; raise :class:`ScenarioError` on any problem."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(path.name, ["file not found"]) from None
    except (OSError, UnicodeDecodeError) as err:
        raise ScenarioError(path.name, [f"cannot read file ({err})"]) from None
    return loads(text, source=path.name, default_name=path.stem)


def loads(text: str, source: str = "<string>", default_name: str = "scenario") -> Scenario:
    """Validate TOML text; ``source`` names it in error messages."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(source, [f"TOML syntax error: {err}"]) from None
    problems = Problems()
    scenario = from_dict(data, problems, default_name)
    if problems:
        raise ScenarioError(source, problems)
    return scenario


def loads_dict(data: dict, source: str = "<dict>") -> Scenario:
    """Validate a scenario given as nested dicts: written as TOML, then :func:`loads`."""
    if not isinstance(data, dict):
        raise ScenarioError(source, [f"a scenario is a dict of tables (got {type(data).__name__})"])
    try:
        text = tomli_w.dumps(data)
    except (TypeError, ValueError) as err:
        raise ScenarioError(source, [f"not a TOML value: {err}"]) from None
    return loads(text, source=source)


def from_dict(data: dict, problems: Problems, default_name: str = "scenario") -> Scenario | None:
    """Build a :class:`Scenario` from parsed TOML, adding every problem found."""
    fields = {f.name for f in dataclasses.fields(Scenario)} | {"sweep"}
    for key in data:
        if key not in fields:
            problems.add(key, f"unknown key {did_you_mean(key, fields)}")
    if "sweep" in data:  # read by `gainsim sweep` only (gainsim.sweep_spec); checked here
        from gainsim.sweep_grammar import table_problems

        for path, message in table_problems(data["sweep"]):
            problems.add(path, message)
    name = data.get("name", default_name)
    if not isinstance(name, str):
        problems.add("name", f"must be a string (got {name!r})")
    description = data.get("description", "")
    if not isinstance(description, str):
        problems.add("description", f"must be a string (got {description!r})")
    if "plant" not in data:
        problems.add("plant", "missing required table [plant]")
        plant = None
    else:
        plant = build_component("plant", data["plant"], "plant", problems)
    defaults = {f.name: f.default for f in dataclasses.fields(Scenario)}
    sections = {key: build_dataclass(cls, data[key], key, problems) if key in data
                else defaults[key] for key, cls in _SECTIONS.items()}
    policies = _policies(data.get("policy"), plant, problems)
    stream = sections["stream"]
    stream_problem = getattr(plant, "stream_problem", None)  # a plant's own needs (mrac)
    message = stream_problem(stream) if stream_problem and stream is not None else None
    if message:
        problems.add("stream", message)
    if problems:
        return None
    return Scenario(name=name, description=description, plant=plant, policy=policies, **sections)


def _policies(raw: Any, plant: Any, problems: Problems) -> tuple[Policy, ...]:
    if raw is None:
        problems.add("policy", "missing: add at least one [[policy]] table")
        return ()
    if not isinstance(raw, list) or not raw:
        problems.add("policy", "must be a non-empty array of [[policy]] tables")
        return ()
    out, seen = [], set()
    for i, table in _expanded(raw):
        path = f"policy[{i}]"
        policy = build_dataclass(Policy, table, path, problems)
        if policy is None:
            continue
        if policy.name in seen:
            problems.add(f"{path}.name", f"duplicate policy name {policy.name!r}")
        seen.add(policy.name)
        wanted = type(policy.estimator).plant_family  # a family, or a tuple of families
        families = wanted if isinstance(wanted, tuple) else (wanted,)
        if plant is not None and plant.family not in families:
            problems.add(f"{path}.estimator.kind",
                         f"{type(policy.estimator).kind!r} needs a {' or '.join(families)} "
                         f"plant; plant is {type(plant).kind!r}")
        elif plant is not None and hasattr(policy.estimator, "check_plant"):
            message = policy.estimator.check_plant(plant)
            if message:
                problems.add(f"{path}.estimator.kind", message)
        message = mismatch(policy.gain, policy.estimator)  # what the gain needs, computed
        if message:
            problems.add(f"{path}.gain.kind", message)
        out.append(policy)
    return tuple(out)


def _expanded(raw: list):
    """``(index, table)`` per policy, a table with lists of hyperparameters giving one per value.

    ``gain = { kind = "constant", eta = [0.01, 0.1] }`` (or ``gain = [0.01, 0.1]``) is
    two policies named ``"NAME [eta=0.01]"`` and ``"NAME [eta=0.1]"``; several lists
    give every combination. Lists inside a nested schedule table count too
    (``eta = { kind = "cosine", eta0 = [0.01, 0.02], ... }`` gives ``[eta.eta0=0.01]``, …).
    Keys whose value is an array anyway (``milestones``) stay.
    """
    for i, table in enumerate(raw):
        if not isinstance(table, dict):
            yield i, table
            continue
        if "name" not in table:
            table = {**table, "name": _default_name(table)}
        axes = [(part, key, values) for part in ("estimator", "gain")
                for key, values in _list_keys(table.get(part), part)]
        if not axes:
            yield i, table
            continue
        for combo in itertools.product(*(values for _, _, values in axes)):
            variant = copy.deepcopy(table)
            labels = []
            for (part, keys, _), value in zip(axes, combo):
                if keys is None:
                    variant[part] = value
                    labels.append(f"{_SHORT_KEY[part]}={value}")
                else:
                    inner = variant[part]
                    for key in keys[:-1]:
                        inner = inner[key]
                    inner[keys[-1]] = value
                    labels.append(f"{'.'.join(keys)}={value}")
            variant["name"] = f"{table['name']} [{', '.join(labels)}]"
            yield i, variant


_SHORT_KEY = {"gain": "eta", "estimator": "estimator"}


def _list_keys(part: Any, family: str) -> list:
    """``(keys, values)``: the key paths of a component table whose list value means 'one
    policy per value', looking into nested schedule tables (``keys`` is None for a bare
    list: ``gain = [0.01, 0.1]``)."""
    if isinstance(part, list) and part and all(not isinstance(v, (dict, list)) for v in part):
        return [(None, part)]
    if not isinstance(part, dict):
        return []
    from gainsim.catalog import kinds  # here, not at import: `import gainsim` stays light

    cls = kinds(family).get(part.get("kind"))
    if cls is None:
        return []
    hints = typing.get_type_hints(cls)
    fields = {f.name: f for f in dataclasses.fields(cls)}
    out = []
    for key, value in part.items():
        hint = hints.get(key)
        if hint is None or key not in fields:
            continue
        if isinstance(value, list) and not _is_array_hint(hint):
            out.append(((key,), value))
        elif isinstance(value, dict):  # a nested component: eta = { kind = "cosine", ... }
            nested = fields[key].metadata.get("family") or (
                "schedule" if is_callable_hint(hint) else None)
            if nested:
                out += [((key,) + sub, values) for sub, values in _list_keys(value, nested)
                        if sub is not None]
    return out


def _is_array_hint(hint: Any) -> bool:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        return any(_is_array_hint(a) for a in typing.get_args(hint))
    return typing.get_origin(hint) is tuple


def _default_name(table: dict) -> str:
    est = table.get("estimator", "lms")
    est = est.get("kind", "?") if isinstance(est, dict) else est
    gain = table.get("gain")
    if isinstance(est, list):  # estimator = ["lms", "nlms"]: the variants add the estimator
        if isinstance(gain, dict):
            return str(gain.get("kind", "?"))
        return "gain" if isinstance(gain, list) else f"eta={gain}"
    if isinstance(gain, list):  # a bank: the variants add "[eta=...]"
        return str(est)
    if isinstance(gain, dict) and _list_keys(gain, "gain"):  # variants add "[key=...]"
        return f"{est} {gain.get('kind', '?')}"
    if isinstance(gain, dict):
        detail = ", ".join(f"{k}={v}" for k, v in gain.items() if k != "kind")
        gain = f"{gain.get('kind', '?')}({detail})"
    return f"{est} eta={gain}" if not isinstance(gain, str) else f"{est} {gain}"


def to_dict(scenario: Scenario) -> dict:
    """The resolved scenario as plain data: every default filled in."""
    return to_table(scenario)


def dumps(scenario: Scenario) -> str:
    """Resolved TOML text; :func:`loads` of it gives an equal scenario."""
    return tomli_w.dumps(to_dict(scenario))
