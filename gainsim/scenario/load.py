"""Read, validate and write scenario files (stdlib ``tomllib``; ``tomli_w`` to write).

Every problem in a file is collected and reported together, one line each::

    quickstart.toml: policy[2].gain.eta: must be > 0 (got -0.1)
"""
from __future__ import annotations

import dataclasses
import itertools
import tomllib
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w

from gainsim.scenario.build import (Problems, add_unknown_keys, build_component,
                                    build_dataclass, is_callable_hint, to_table,
                                    type_hints)
from gainsim.fields import FieldError, param
from gainsim.files import FileRefused, read_regular
from gainsim.quantities import mismatch
from gainsim.scenario.model import Metrics, Policy, Run
from gainsim.engine.stream import Stream


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


MAX_FILE_BYTES = 10_000_000  # a scenario is a few kB; anything this big is a mistake
MAX_PRINTED_PROBLEMS = 20    # more are counted, not printed


class ScenarioError(Exception):
    """A scenario file could not be used; ``problems`` holds one line per mistake.

    The message has one line per problem (at most :data:`MAX_PRINTED_PROBLEMS`, then a
    count of the rest); control characters in keys or values are escaped, so one
    problem is always one line.
    """

    def __init__(self, source: str, problems: list):
        self.source = source
        self.problems = list(problems)
        lines = [_one_line(f"{source}: {p}") for p in self.problems[:MAX_PRINTED_PROBLEMS]]
        hidden = len(self.problems) - len(lines)
        if hidden > 0:
            lines.append(f"{_one_line(source)}: ... and {hidden} more problems")
        super().__init__("\n".join(lines))


def _one_line(text: str) -> str:
    """``text`` with newlines and other control characters escaped (``\\n``, ``\\x1b``)."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode("ascii")
                   for c in text)


def load(path: str | Path, arrays: dict | None = None) -> Scenario:
    """Load and validate a scenario file; raise :class:`ScenarioError` on any problem.

    Messages name the path as given. Only a regular file of at most
    :data:`MAX_FILE_BYTES` is read (a FIFO, directory or device such as ``/dev/zero``
    is refused before reading); a UTF-8 byte-order mark is allowed. Files a plant
    reads (the ``data`` plant's ``path``) are relative to the scenario file's folder;
    ``arrays`` (named columns) replace a data plant's file.
    """
    path = Path(path)
    source = str(path)
    try:
        raw = read_regular(path, MAX_FILE_BYTES, "a scenario")
    except FileRefused as err:
        raise ScenarioError(source, [str(err)]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ScenarioError(source, [f"not UTF-8 text (byte {err.start}: {err.reason})"]) from None
    return loads(text, source=source, default_name=path.stem, base_dir=path.parent,
                 arrays=arrays)


def loads(text: str, source: str = "<string>", default_name: str = "scenario",
          base_dir: str | Path | None = None, arrays: dict | None = None) -> Scenario:
    """Validate TOML text; ``source`` names it in error messages.

    ``base_dir``: the folder a plant's relative file paths start from (default: the
    working directory); ``arrays``: named columns for a ``data`` plant instead of its file.
    """
    text = text.removeprefix("\ufeff")  # a byte-order mark some editors write
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        raise ScenarioError(source, [f"TOML syntax error: {err}"]) from None
    except RecursionError:
        raise ScenarioError(source, ["arrays or inline tables nested too deep"]) from None
    problems = Problems()
    scenario = from_dict(data, problems, default_name, base_dir, arrays)
    if problems:
        raise ScenarioError(source, problems)
    return scenario


def loads_dict(data: dict, source: str = "<dict>", arrays: dict | None = None) -> Scenario:
    """Validate a scenario given as nested dicts: written as TOML, then :func:`loads`."""
    if not isinstance(data, dict):
        raise ScenarioError(source, [f"a scenario is a dict of tables (got {type(data).__name__})"])
    try:
        text = tomli_w.dumps(data)
    except (TypeError, ValueError) as err:
        raise ScenarioError(source, [f"not a TOML value: {err}"]) from None
    return loads(text, source=source, arrays=arrays)


def from_dict(data: dict, problems: Problems, default_name: str = "scenario",
              base_dir: str | Path | None = None, arrays: dict | None = None) -> Scenario | None:
    """Build a :class:`Scenario` from parsed TOML, adding every problem found.

    ``base_dir`` and ``arrays``: see :func:`loads`.
    """
    fields = {f.name for f in dataclasses.fields(Scenario)} | {"sweep"}
    add_unknown_keys(data, fields, "", problems)
    if "sweep" in data:  # read by `gainsim sweep` only (gainsim.sweeps.spec); checked here
        from gainsim.sweeps.grammar import table_problems

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
        plant = _plant_files(build_component("plant", data["plant"], "plant", problems),
                             base_dir, arrays, problems)
    defaults = {f.name: f.default for f in dataclasses.fields(Scenario)}
    tables = dict(data)
    run_table = getattr(plant, "run_table", None)  # a plant that knows its length (data)
    if run_table is not None:
        tables["run"] = run_table(data.get("run"))
    sections = {key: build_dataclass(cls, tables[key], key, problems) if key in tables
                else defaults[key] for key, cls in _SECTIONS.items()}
    policies = _policies(data.get("policy"), plant, problems)
    stream = sections["stream"]
    stream_problem = getattr(plant, "stream_problem", None)  # a plant's own needs (mrac)
    message = stream_problem(stream) if stream_problem and stream is not None else None
    if message:
        problems.add("stream", message)
    run_problems = getattr(plant, "run_problems", None)  # a plant's limits on [run] (data)
    if run_problems is not None and stream is not None and sections["run"] is not None:
        for key, message in run_problems(stream, sections["run"]):
            problems.add(key, message)
    if stream is not None and stream.feedback_delay > 0:
        from gainsim.estimators.delayed import delay_problem

        for i, policy in enumerate(policies):
            if delay_problem(policy):
                problems.add(f"policy[{i}].estimator", delay_problem(policy))
    if problems:
        return None
    return Scenario(name=name, description=description, plant=plant, policy=policies, **sections)


def replicas_problem(scenario: Scenario, replicas: int) -> str | None:
    """The plant's objection to ``replicas`` replicas (a data plant: 1 unless the stream
    is random), or ``None``: for overrides (``--replicas``, ``run(replicas=)``)."""
    check = getattr(scenario.plant, "run_problems", None)
    if check is None:
        return None
    run = dataclasses.replace(scenario.run, replicas=replicas)
    return next((m for key, m in check(scenario.stream, run) if key == "run.replicas"), None)


def _plant_files(plant: Any, base_dir, arrays: dict | None, problems: Problems) -> Any:
    """A plant that reads files (``attach``), with them read; ``arrays`` replace the file."""
    attach = getattr(plant, "attach", None)
    if attach is None:
        if arrays is not None and plant is not None:
            problems.add("plant.kind", f"data= needs a 'data' plant (got {type(plant).kind!r})")
        return plant
    try:
        return attach(base_dir, arrays)
    except FieldError as err:
        problems.add(f"plant.{err.key}" if err.key else "plant", err.message)
        return None


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
        gain_check = getattr(policy.gain, "check_plant", None)  # e.g. one gain per parameter
        message = gain_check(plant) if plant is not None and gain_check is not None else None
        if message:
            problems.add(f"{path}.gain.eta", message)
        message = mismatch(policy.gain, policy.estimator)  # what the gain needs, computed
        if message:
            problems.add(f"{path}.gain.kind", message)
        for key, message in getattr(plant, "policy_problems", lambda p: ())(policy):
            problems.add(f"{path}.{key}", message)
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
            variant = dict(table)  # copies only the tables on the paths it changes: linear
            labels = []
            for (part, keys, _), value in zip(axes, combo):
                if keys is None:
                    variant[part] = value
                    short = gain_symbol(table.get("estimator")) if part == "gain" else part
                    labels.append(f"{short}={value}")
                else:
                    _set_copied(variant, (part, *keys), value)
                    labels.append(f"{'.'.join(keys)}={value}")
            variant["name"] = f"{table['name']} [{', '.join(labels)}]"
            yield i, variant


def _set_copied(table: dict, keys: tuple, value: Any) -> None:
    """``table[k0][k1]...[kn] = value``, copying each nested table first (never the input's)."""
    for key in keys[:-1]:
        table[key] = table = dict(table[key])
    table[keys[-1]] = value


def gain_symbol(estimator: Any) -> str:
    """The name of a constant gain for ``estimator`` (a kind name or table) in default
    policy names: its ``gain_symbol`` (``gamma`` for the MRAC controllers' adaptation
    gain, ``mu`` for NLMS's normalised step), else ``eta``."""
    from gainsim.catalog import kinds  # here, not at import: `import gainsim` stays light

    kind = estimator.get("kind") if isinstance(estimator, dict) else estimator
    cls = kinds("estimator").get(kind) if isinstance(kind, str) else None
    return getattr(cls, "gain_symbol", "eta")


def _list_keys(part: Any, family: str) -> list:
    """``(keys, values)``: the key paths of a component table whose list value means 'one
    policy per value', looking into nested schedule tables (``keys`` is None for a bare
    list: ``gain = [0.01, 0.1]``)."""
    if isinstance(part, list) and part and all(not isinstance(v, (dict, list)) for v in part):
        return [(None, part)]
    if not isinstance(part, dict):
        return []
    from gainsim.catalog import kinds  # here, not at import: `import gainsim` stays light

    kind = part.get("kind")
    cls = kinds(family).get(kind) if isinstance(kind, str) else None
    if cls is None:
        return []
    hints = type_hints(cls)
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
    symbol = gain_symbol(est)
    if isinstance(gain, list):  # a bank: the variants add "[eta=...]"
        return str(est)
    if isinstance(gain, dict) and _list_keys(gain, "gain"):  # variants add "[key=...]"
        return f"{est} {gain.get('kind', '?')}"
    if isinstance(gain, dict):
        detail = ", ".join(f"{k}={v}" for k, v in gain.items() if k != "kind")
        gain = f"{gain.get('kind', '?')}({detail})"
    return f"{est} {symbol}={gain}" if not isinstance(gain, str) else f"{est} {gain}"


def to_dict(scenario: Scenario) -> dict:
    """The resolved scenario as plain data: every default filled in."""
    return to_table(scenario)


def dumps(scenario: Scenario) -> str:
    """Resolved TOML text; :func:`loads` of it gives an equal scenario."""
    return tomli_w.dumps(to_dict(scenario))
