"""The grammar of a sweep: ``KEY=SPEC`` axes, dotted key paths, the ``[sweep]`` table.

Pure parsing, no scenario objects: the loader checks a file's ``[sweep]`` table with
:func:`table_problems`, and :mod:`gainsim.sweeps.spec` (which builds one scenario per
grid point with the loader) uses the rest. Split from :mod:`gainsim.sweeps.spec` so the
loader and the sweep builder do not import each other.

A key is a dotted path into the scenario file, with ``[i]`` picking one ``[[policy]]``
table: ``policy[0].gain``, ``policy[2].gain.theta``, ``plant.drift.std``,
``stream.latency.value``. A spec is a list ``0.001,0.003,0.01``, ``logspace:LO:HI:N``
(N values from LO to HI, equally spaced in log: ``numpy.geomspace``) or
``linspace:LO:HI:N`` (``numpy.linspace``). Two axes make a grid (first key slowest).
"""
from __future__ import annotations

import itertools
import math
import re
from dataclasses import dataclass

import numpy as np

_SEGMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?$")


_SECTIONS = ("stream", "run", "metrics")  # tables a key may create when the file omits them


class SweepError(Exception):
    """A sweep cannot start; ``str(err)`` is the one line to print (``FILE: problem``)."""


@dataclass(frozen=True)
class Axis:
    """One swept key and its values."""

    key: str
    values: tuple[float, ...]
    spec: str

    @property
    def log(self) -> bool:
        """Whether the values are best shown on a log axis."""
        v = np.asarray(self.values, dtype=float)
        return bool(np.all(v > 0) and (self.spec.startswith("logspace:")
                                       or (v.size > 2 and v.max() / v.min() >= 20)))


def _number(text: str, what: str) -> float | int:
    text = text.strip()
    try:
        value = int(text) if re.fullmatch(r"[+-]?\d+", text) else float(text)
    except ValueError:
        raise SweepError(f"{what}: {text!r} is not a number") from None
    if isinstance(value, float) and not math.isfinite(value):
        raise SweepError(f"{what}: {text!r} is not a finite number")
    return value


def parse_spec(key: str, spec) -> Axis:
    """An :class:`Axis` from ``spec``: a string (list, logspace, linspace) or a list of numbers."""
    where = f"{key}={spec}" if isinstance(spec, str) else key
    if isinstance(spec, (list, tuple)):
        if not spec:
            raise SweepError(f"{where}: empty list of values")
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in spec):
            raise SweepError(f"{where}: values must be numbers (got {list(spec)!r})")
        return Axis(key, tuple(spec), "list")
    if not isinstance(spec, str):
        raise SweepError(f"{where}: must be a string spec or an array of numbers")
    text = spec.strip()
    if not text:
        raise SweepError(f"{where}: empty range (give a list a,b,c, logspace:LO:HI:N or "
                         "linspace:LO:HI:N)")
    head = text.split(":", 1)[0]
    if head in ("logspace", "linspace"):
        parts = text.split(":")
        if len(parts) != 4:
            raise SweepError(f"{where}: must be {head}:LO:HI:N")
        lo, hi = (_number(p, where) for p in parts[1:3])
        n = _number(parts[3], where)
        if not isinstance(n, int) or n < 1:
            raise SweepError(f"{where}: N must be an integer >= 1 (got {parts[3]!r})")
        if head == "logspace" and lo <= 0:
            raise SweepError(f"{where}: logspace needs LO > 0 (got {lo!r}); use linspace "
                             "for ranges through 0")
        if lo > hi or (lo == hi and n > 1):
            raise SweepError(f"{where}: needs LO < HI (got LO = {lo!r}, HI = {hi!r})")
        values = (np.geomspace if head == "logspace" else np.linspace)(lo, hi, n)
        return Axis(key, tuple(float(v) for v in values), text)
    values = [_number(v, where) for v in text.split(",") if v.strip()]
    if not values:
        raise SweepError(f"{where}: empty list of values")
    return Axis(key, tuple(values), "list")


def parse_over(text: str) -> Axis:
    """An :class:`Axis` from one ``--over KEY=SPEC`` argument."""
    key, eq, spec = text.partition("=")
    if not eq or not key.strip():
        raise SweepError(f"--over {text!r}: must be KEY=SPEC (e.g. policy[0].gain="
                         "logspace:0.001:0.1:9)")
    return parse_spec(key.strip(), spec)


def split_key(key: str) -> list[tuple[str, int | None]]:
    """``policy[0].gain.eta`` -> ``[("policy", 0), ("gain", None), ("eta", None)]``."""
    out = []
    for part in key.split("."):
        m = _SEGMENT.match(part)
        if not m:
            raise SweepError(f"{key}: not a key path (write e.g. policy[0].gain or "
                             "plant.drift.std)")
        out.append((m.group(1), None if m.group(2) is None else int(m.group(2))))
    return out


def set_key(data: dict, key: str, value) -> None:
    """Write ``value`` at ``key`` into parsed TOML ``data`` (in place), or raise SweepError.

    A missing ``[stream]``, ``[run]`` or ``[metrics]`` table is created; a component
    written as its kind name (``drift = "random_walk"``) or a gain written as a number
    becomes a table first. The leaf must be a number, or absent (then the loader checks
    that the key exists).
    """
    node, path = data, ""
    segments = split_key(key)
    for depth, (name, index) in enumerate(segments):
        path = f"{path}.{name}" if path else name
        last = depth == len(segments) - 1
        if index is not None:
            tables = node.get(name)
            if not isinstance(tables, list):
                raise SweepError(f"{path}[{index}]: {name} is not an array of tables")
            if index >= len(tables):
                raise SweepError(f"{path}[{index}]: no such table (the file has "
                                 f"{len(tables)} [[{name}]] tables)")
            path = f"{path}[{index}]"
            if last:
                raise SweepError(f"{path}: a table, not a number; sweep one of its keys")
            node = tables[index]
            continue
        if last:
            _check_leaf(node.get(name), path)
            node[name] = value
            return
        child = node.get(name)
        if child is None and depth == 0 and name in _SECTIONS:
            child = node[name] = {}
        elif isinstance(child, str):
            child = node[name] = {"kind": child}
        elif name == "gain" and isinstance(child, (int, float)) and not isinstance(child, bool):
            child = node[name] = {"kind": "constant", "eta": child}
        if child is None:
            raise SweepError(f"{path}: not in the scenario file (write the table there "
                             f"to sweep its keys)")
        if not isinstance(child, dict):
            raise SweepError(f"{path}: holds {child!r}, not a table")
        node = child


def _check_leaf(current, path: str) -> None:
    if current is None or (isinstance(current, (int, float)) and not isinstance(current, bool)):
        return
    if isinstance(current, dict):
        keys = ", ".join(k for k in current if k != "kind") or "none"
        raise SweepError(f"{path}: a table ({current.get('kind', '?')}), not a number; sweep "
                         f"one of its keys ({keys})")
    if isinstance(current, list):
        raise SweepError(f"{path}: holds a list (a bank of policies); write one number in "
                         "the file to sweep it")
    raise SweepError(f"{path}: not a numeric key (holds {current!r})")


def table_problems(table) -> list[tuple[str, str]]:
    """``(key path, message)`` for a malformed ``[sweep]`` table (the loader reports them)."""
    if not isinstance(table, dict):
        return [("sweep", "must be a table with over = { KEY = SPEC, ... }")]
    out = [(f"sweep.{k}", "unknown key (allowed: over)") for k in table if k != "over"]
    over = table.get("over")
    if not isinstance(over, dict) or not over:
        return out + [("sweep.over", 'must be a non-empty table such as '
                                     '{ "policy[0].gain" = "logspace:0.001:0.1:9" }')]
    if len(over) > 2:
        out.append(("sweep.over", f"at most two keys (a grid), got {len(over)}"))
    for key, spec in over.items():
        try:
            split_key(key)
            parse_spec(key, spec)
        except SweepError as err:
            out.append((f'sweep.over."{key}"', str(err).split(": ", 1)[-1]))
    return out


def grid_points(axes: list[Axis]) -> list[dict]:
    """Every combination of the axes' values, first axis slowest: ``[{key: value}, ...]``."""
    return [dict(zip((a.key for a in axes), combo))
            for combo in itertools.product(*(a.values for a in axes))]
