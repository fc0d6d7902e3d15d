"""Turn parsed TOML tables into frozen component objects, collecting every problem.

The loader never stops at the first mistake: each problem becomes one
``Problem(path, message)`` and the caller reports them all together.
"""
from __future__ import annotations

import collections.abc
import dataclasses
import difflib
import functools
import math
import types
import typing
from dataclasses import dataclass
from typing import Any

from gainsim.fields import FieldError


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a scenario: the key path and what is allowed."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class Problems(list):
    """A list of :class:`Problem` with a helper to add one."""

    def add(self, path: str, message: str) -> None:
        self.append(Problem(path, message))


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _type_name(value: Any) -> str:
    return {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
            list: "an array", dict: "a table"}.get(type(value), type(value).__name__)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _convert(value: Any, hint: Any, path: str, problems: Problems) -> Any:
    """Convert ``value`` to the annotated type ``hint``; on failure add a problem."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _convert(value, inner[0], path, problems)
    if hint is float:
        if _is_number(value):
            return float(value)
        problems.add(path, f"must be a number (got {_type_name(value)})")
    elif hint is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        problems.add(path, f"must be an integer (got {value!r})")
    elif hint is bool:
        if isinstance(value, bool):
            return value
        problems.add(path, f"must be true or false (got {value!r})")
    elif hint is str:
        if isinstance(value, str):
            return value
        problems.add(path, f"must be a string (got {_type_name(value)})")
    elif origin is tuple:
        if not isinstance(value, list):
            problems.add(path, f"must be an array (got {_type_name(value)})")
            return None
        before = len(problems)
        items = tuple(_convert(v, args[0], f"{path}[{i}]", problems) for i, v in enumerate(value))
        return items if len(problems) == before else None
    else:
        raise TypeError(f"unsupported field type {hint!r} at {path}")
    return None


def did_you_mean(word: str, options: typing.Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` or the list of allowed names."""
    options = sorted(options)
    if not options:
        return "(this table takes no keys)"
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    if close:
        return f"(did you mean {close[0]!r}?)"
    return f"(allowed: {', '.join(options)})"


def build_component(family: str, value: Any, path: str, problems: Problems,
                    shorthand: str | None = None) -> Any:
    """Build a registered component from ``{kind = ..., ...}`` (or its shorthand)."""
    from gainsim.catalog import kinds  # here, not at import: `import gainsim` stays light

    table = kinds(family)
    if isinstance(value, str):  # drift = "none", estimator = "lms"
        value = {"kind": value}
    elif shorthand is not None and not isinstance(value, dict):
        field = getattr(table[shorthand], "shorthand_field", None)
        if _is_number(value) and field:
            # gain = 0.01 is {kind = "constant", eta = 0.01}; its problems belong to `path`
            before = len(problems)
            built = build_component(family, {"kind": shorthand, field: value}, path, problems)
            inner = _join(path, field)
            problems[before:] = [Problem(path, p.message) if p.path == inner else p
                                 for p in problems[before:]]
            return built
        else:
            what = "a table with a kind, a kind name" + (" or a number" if field else "")
            problems.add(path, f"must be {what} (got {value!r})")
            return None
    if not isinstance(value, dict):
        problems.add(path, f"must be a table (got {_type_name(value)})")
        return None
    kind = value.get("kind")
    if not isinstance(kind, str):
        problems.add(_join(path, "kind"),
                     f"missing; known {family} kinds: {', '.join(sorted(table))}")
        return None
    if kind not in table:
        hint = did_you_mean(kind, table)
        problems.add(_join(path, "kind"), f"unknown {family} kind {kind!r} {hint}".rstrip())
        return None
    body = {k: v for k, v in value.items() if k != "kind"}
    cls = table[kind]
    return build_dataclass(cls, body, path, problems,
                           getattr(cls, "family_checks", {}).get(family))


MAX_UNKNOWN_KEYS = 10  # per table; the rest are counted in one problem


def add_unknown_keys(table: dict, allowed: typing.Iterable[str], path: str,
                     problems: Problems) -> None:
    """One problem per key of ``table`` not in ``allowed`` (the first few; then a count)."""
    unknown = [key for key in table if key not in allowed]
    for key in unknown[:MAX_UNKNOWN_KEYS]:
        problems.add(_join(path, key), f"unknown key {did_you_mean(key, allowed)}")
    if len(unknown) > MAX_UNKNOWN_KEYS:
        problems.add(path or "(top level)",
                     f"{len(unknown) - MAX_UNKNOWN_KEYS} more unknown keys")


def build_dataclass(cls: type, table: Any, path: str, problems: Problems,
                    checks: dict | None = None) -> Any:
    """Build dataclass ``cls`` from a TOML table, checking keys, types and ranges.

    ``checks`` replaces the ``param(check=...)`` of some fields: a class used in two
    families may be stricter in one (the constant gain must be > 0, the constant
    schedule may be 0: ``Constant.family_checks``).
    """
    if not isinstance(table, dict):
        problems.add(path, f"must be a table (got {_type_name(table)})")
        return None
    fields = _init_fields(cls)
    add_unknown_keys(table, fields, path, problems)
    hints = type_hints(cls)
    before = len(problems)
    values = {}
    for name, f in fields.items():
        key_path = _join(path, name)
        if name not in table:
            if f.default is dataclasses.MISSING:
                problems.add(key_path, f"missing required key ({f.metadata.get('doc', '')})")
            continue
        values[name] = _field_value(f, hints[name], table[name], key_path, problems,
                                    (checks or {}).get(name))
    if len(problems) > before:
        return None
    try:
        obj = cls(**values)
    except FieldError as err:  # a check the loader cannot see (gainsim.fields.validate)
        problems.add(_join(path, err.key), err.message)
        return None
    for key, message in getattr(obj, "problems", lambda: [])():
        problems.add(_join(path, key), message)
    return obj if len(problems) == before else None


def _field_value(f: dataclasses.Field, hint: Any, raw: Any, path: str, problems: Problems,
                 check: Any = None) -> Any:
    meta = f.metadata
    if meta.get("family"):
        return build_component(meta["family"], raw, path, problems, meta.get("shorthand"))
    if is_callable_hint(hint):  # a schedule nested in a schedule (warmup, join)
        return build_component("schedule", raw, path, problems, "constant")
    args = typing.get_args(hint)
    if typing.get_origin(hint) is tuple and args and is_callable_hint(args[0]):
        if not isinstance(raw, list) or not raw:
            problems.add(path, "must be a non-empty array of schedule tables")
            return None
        items = [build_component("schedule", v, f"{path}[{i}]", problems, "constant")
                 for i, v in enumerate(raw)]
        return None if any(v is None for v in items) else tuple(items)
    value = _convert(raw, hint, path, problems)
    if value is None:
        return None
    choices = meta.get("choices")
    if choices and value not in choices:
        close = difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        problems.add(path, f"must be one of {', '.join(map(repr, choices))} "
                           f"(got {value!r}){hint}")
        return None
    message = _not_finite(value, f.default)
    if message:
        problems.add(path, f"{message} (got {raw!r})")
        return None
    check = check or meta.get("check")
    message = check(value) if check else None
    if message:
        problems.add(path, f"{message} (got {raw!r})")
        return None
    return value


MAX_MAGNITUDE = 1e100        # squares and products of such numbers stay finite
INT_RANGE = (-2**63, 2**63 - 1)  # what numpy can hold


def _not_finite(value: Any, default: Any) -> str | None:
    """A phrase if a number in ``value`` is nan, infinite or absurdly large, else ``None``.

    Every number must be finite with ``|x| <= 1e100``, and every integer must fit in
    int64; a key whose default is infinite (``max_dbeta = inf``) also accepts ±inf.
    """
    allow_inf = isinstance(default, float) and math.isinf(default)
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, tuple):
            stack.extend(v)
        elif isinstance(v, bool):
            continue
        elif isinstance(v, int) and not INT_RANGE[0] <= v <= INT_RANGE[1]:
            return "must fit in a 64-bit integer"
        elif isinstance(v, float) and (math.isnan(v) or (abs(v) > MAX_MAGNITUDE and not (
                allow_inf and math.isinf(v)))):
            return "must be finite with |x| <= 1e100" + (" (or ±inf)" if allow_inf else "")
    return None


@functools.lru_cache(maxsize=None)
def type_hints(cls: type) -> dict:
    """``typing.get_type_hints(cls)``, evaluated once per class (a bank builds it per policy)."""
    return typing.get_type_hints(cls)


@functools.lru_cache(maxsize=None)
def _init_fields(cls: type) -> dict:
    return {f.name: f for f in dataclasses.fields(cls) if f.init}


def is_callable_hint(hint: Any) -> bool:
    return hint is typing.Callable or typing.get_origin(hint) is collections.abc.Callable


def to_table(obj: Any) -> dict:
    """Inverse of :func:`build_dataclass`: a TOML-ready dict with every default filled in."""
    out: dict[str, Any] = {}
    if hasattr(type(obj), "kind"):
        out["kind"] = type(obj).kind
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if value is None:
            continue
        out[f.name] = _plain(value)
    return out


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return to_table(value)
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value
