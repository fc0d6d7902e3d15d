"""Declarative fields: the one vocabulary for hyperparameters, their docs and their checks.

``param`` is a thin wrapper over :func:`dataclasses.field` that stores the
metadata the loader (:mod:`gainsim.scenario.build`), the resolved-TOML writer
and the generated key tables of the docs (``docs/gen_tables.py``) need. Checks
return ``None`` when a value is fine and a short phrase (``"must be > 0"``) when
it is not. A component built in Python (``Step(eta0=0.1, step_size=10)``) runs the
same checks through :func:`validate`, which raises :class:`FieldError` naming the
field; the loader turns that error into a problem at the field's key path.

This module is part of the ground floor with :mod:`gainsim.registry`: it imports
no other gainsim module.
"""
from __future__ import annotations

import collections.abc
import dataclasses
import functools
import math
import numbers
import types
import typing
from typing import Any, Callable

Check = Callable[[Any], "str | None"]


def param(default: Any = dataclasses.MISSING, *, doc: str, check: Check | None = None,
          family: str | None = None, choices: tuple[str, ...] | None = None,
          shorthand: str | None = None, note: str | None = None,
          default_doc: str | None = None):
    """A dataclass field with loader metadata.

    Parameters
    ----------
    default
        Default value; omit for a required key.
    doc
        One line for ``docs/scenarios.md`` and error messages.
    check
        Called with the converted value; returns ``None`` or a phrase.
    family
        For a nested component: the registry family its ``kind`` is looked up in.
    choices
        For a string: the allowed values.
    shorthand
        For a nested component: the kind a bare number or string stands for
        (``gain = 0.05`` means ``{kind = "constant", eta = 0.05}``).
    note
        For the docs' "Allowed" column: what the check cannot say (``"taps entries"``,
        ``"symmetric"``), checked elsewhere (a class's ``problems()``).
    default_doc
        For the docs' "Default" column when the default is computed (``"zeros"``).
    """
    meta = {"doc": doc, "check": check, "family": family, "choices": choices,
            "shorthand": shorthand, "note": note, "default_doc": default_doc}
    if isinstance(default, (list, dict)):
        raise TypeError("mutable defaults are not allowed; use a tuple")
    return dataclasses.field(default=default, metadata=meta)


def _fmt(x: float) -> str:
    return repr(x) if not isinstance(x, float) else f"{x:g}"


def _compare(op: str, bound: float) -> Check:
    tests = {">": lambda v: v > bound, ">=": lambda v: v >= bound,
             "<": lambda v: v < bound, "<=": lambda v: v <= bound}
    test = tests[op]

    def check(value):
        values = value if isinstance(value, (tuple, list)) else (value,)
        flat = [v for item in values
                for v in (item if isinstance(item, (tuple, list)) else (item,))]
        bad = [v for v in flat if not (math.isfinite(v) and test(v))]
        return f"must be {op} {_fmt(bound)}" if bad else None

    check.__doc__ = f"{op} {_fmt(bound)}"
    return check


positive = _compare(">", 0)
nonneg = _compare(">=", 0)
at_least_one = _compare(">=", 1)


def between(low: float, high: float, *, open_low: bool = False, open_high: bool = False) -> Check:
    """Check ``low ≤ v ≤ high`` (or strict on either side)."""
    text = f"must be in {'(' if open_low else '['}{_fmt(low)}, {_fmt(high)}{')' if open_high else ']'}"

    def check(value):
        lo_ok = low < value if open_low else low <= value
        hi_ok = value < high if open_high else value <= high
        return None if (math.isfinite(value) and lo_ok and hi_ok) else text

    check.__doc__ = text.removeprefix("must be ")
    return check


probability = between(0.0, 1.0)


def _increasing(value) -> str | None:
    return None if all(a < b for a, b in zip(value, value[1:])) else "must be strictly increasing"


_increasing.__doc__ = "strictly increasing"
increasing: Check = _increasing


def all_of(*checks: Check) -> Check:
    """A check that applies ``checks`` in order and reports the first failure."""
    def check(value):
        return next((m for m in (c(value) for c in checks) if m), None)

    check.__doc__ = ", ".join(describe_check(c) for c in checks)
    return check


class FieldError(ValueError):
    """A bad hyperparameter: ``key`` names the field, ``message`` says what is allowed.

    ``str(err)`` is ``"key: message"`` (``"eta0: must be > 0 (got -1)"``).
    """

    def __init__(self, key: str, message: str):
        self.key, self.message = key, message
        super().__init__(f"{key}: {message}")


def _type_phrase(value: Any, hint: Any) -> str | None:
    """What ``value`` must be to fit the annotation ``hint`` (``None`` if it fits)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        return _type_phrase(value, next(a for a in args if a is not type(None)))
    if hint is float:
        ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
        return None if ok else "a number"
    if hint is int:
        ok = isinstance(value, numbers.Integral) and not isinstance(value, bool)
        return None if ok else "an integer"
    if hint is bool:
        return None if isinstance(value, bool) or type(value).__name__ == "bool_" else \
            "true or false"
    if hint is str:
        return None if isinstance(value, str) else "a string"
    if hint is typing.Callable or origin is collections.abc.Callable:
        return None if callable(value) else "a schedule (callable k -> eta)"
    if origin is tuple:
        if not hasattr(value, "__len__") or isinstance(value, (str, bytes, dict)):
            return "an array"
        inner = [_type_phrase(v, args[0]) for v in value]
        bad = next((p for p in inner if p), None)
        plural = {"a number": "numbers", "an integer": "integers", "a string": "strings"}
        return f"an array of {plural.get(bad, f'items that are {bad}')}" if bad else None
    return None


@functools.lru_cache(maxsize=None)
def _hints(cls: type) -> dict:
    return typing.get_type_hints(cls)


def validate(obj: Any) -> None:
    """Check every field of a dataclass built in Python: type, choices, ``check``, ``problems()``.

    Raises
    ------
    FieldError
        For the first field that is wrong, with the loader's wording
        (``"must be > 0 (got -1)"``).
    """
    hints = _hints(type(obj))
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if f.metadata.get("family") or (value is None and f.default is None):
            continue
        phrase = _type_phrase(value, hints[f.name])
        if phrase:
            raise FieldError(f.name, f"must be {phrase} (got {value!r})")
        choices = f.metadata.get("choices")
        if choices and value not in choices:
            raise FieldError(f.name, f"must be one of {', '.join(map(repr, choices))} "
                                     f"(got {value!r})")
        check = f.metadata.get("check")
        message = check(value) if check else None
        if message:
            raise FieldError(f.name, f"{message} (got {value!r})")
    for key, message in getattr(obj, "problems", lambda: ())():
        raise FieldError(key, message)


def describe_check(check: Check | None) -> str:
    """The allowed range as written in the docs (``"> 0"``)."""
    return (check.__doc__ or "") if check else ""
