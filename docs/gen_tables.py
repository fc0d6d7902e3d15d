"""Regenerate the key tables of the docs from the ``param(...)`` metadata in the code.

    python docs/gen_tables.py          # rewrite the marked blocks in place
    python docs/gen_tables.py --check  # exit 1 (and name the blocks) if any is stale

A generated block sits between two markers; everything outside them (prose,
stability notes, snippets, references) is hand-written and left alone::

    <!-- keys: plant fir -->        docs/scenarios.md: | Key | Type | Default | Allowed | Meaning |
    <!-- keys: Run -->              a settings table of the scenario (Scenario, Stream, Run, ...)
    <!-- params: gain idbd -->      docs/gains.md: | Key | Default | Meaning |
    <!-- end -->

Each cell comes from the field: its annotation (type), its default (or the
``default_doc`` phrase when it is computed), its check, choices, component family and
``note`` (allowed), and its ``doc`` (meaning). ``tests/test_docs.py`` fails when a
committed page differs from what this script writes.
"""
from __future__ import annotations

import collections.abc
import dataclasses
import re
import sys
import types
import typing
from pathlib import Path

DOCS = Path(__file__).resolve().parent
sys.path.insert(0, str(DOCS.parent))

from gainsim.catalog import FAMILIES, kinds  # noqa: E402
from gainsim.fields import describe_check  # noqa: E402
from gainsim.scenario.build import to_table  # noqa: E402
from gainsim.scenario import Metrics, Policy, Run, Scenario  # noqa: E402
from gainsim.engine.stream import Stream  # noqa: E402

PAGES = ("scenarios.md", "gains.md")
SETTINGS = {cls.__name__: cls for cls in (Scenario, Policy, Stream, Run, Metrics)}
BLOCK = re.compile(r"(<!-- (keys|params): ([\w ]+?) -->\n)(.*?)(<!-- end -->)", re.S)
# Where a field that takes any member of a family points the reader.
FAMILY_LINKS = {"gain": "any gain (see *Gains* below)",
                "estimator": "any estimator (see *Estimators* below)",
                "schedule": "any schedule (see Schedules)"}


def _is_callable(hint) -> bool:
    return hint is typing.Callable or typing.get_origin(hint) is collections.abc.Callable


def type_word(hint, field: dataclasses.Field) -> str:
    """How the docs name a field's TOML type."""
    meta = field.metadata
    if meta.get("family"):
        shorthand = meta.get("shorthand")
        cls = kinds(meta["family"]).get(shorthand) if shorthand else None
        if cls is None:
            return "table"
        return "table or number" if getattr(cls, "shorthand_field", None) else "table or string"
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return type_word(next(a for a in args if a is not type(None)), field)
    if origin is tuple:
        inner = args[0]
        if typing.get_origin(inner) is tuple:
            return "array of arrays of numbers"
        if dataclasses.is_dataclass(inner) or _is_callable(inner):
            return "array of tables"
        return {float: "array of numbers", int: "array of integers", str: "array of strings"}[inner]
    if hint is typing.Any or dataclasses.is_dataclass(hint) or _is_callable(hint):
        return "table"
    return {float: "number", int: "integer", str: "string", bool: "boolean"}[hint]


def number(value: float | int) -> str:
    """A number as TOML shows it, short: ``1e6`` rather than ``1000000.0``."""
    text = repr(value)
    if isinstance(value, float) and value != 0 and (abs(value) >= 1e4 or abs(value) < 1e-3):
        short = f"{value:g}".replace("e+0", "e").replace("e+", "e").replace("e-0", "e-")
        text = short if len(short) < len(text) else text
    return text


def inline(value) -> str:
    """A value as an inline TOML literal (components as ``{kind = ..., ...}``)."""
    if dataclasses.is_dataclass(value):
        value = to_table(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {inline(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(inline(v) for v in value) + "]"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value}"'
    return number(value)


def default_cell(field: dataclasses.Field) -> str:
    if field.metadata.get("default_doc"):
        return field.metadata["default_doc"]
    if field.default is dataclasses.MISSING:
        return "required"
    if field.default is None:
        return "—"
    return f"`{inline(field.default)}`"


def allowed_cell(cls: type, field: dataclasses.Field, hint, family: str | None) -> str:
    """Choices, range, the kinds a nested component may take, and the field's note."""
    meta = field.metadata
    parts = []
    if meta.get("choices"):
        parts.append(", ".join(f'`"{c}"`' for c in meta["choices"]))
    overrides = getattr(cls, "family_checks", {})
    check = overrides.get(family, {}).get(field.name) or meta.get("check")
    if describe_check(check):
        parts.append(describe_check(check))
    uses = [fam for fam, table in FAMILIES.items() if table.get(getattr(cls, "kind", None)) is cls]
    for other in uses:  # the same class registered twice, with a stricter rule in one use
        other_check = overrides.get(other, {}).get(field.name) or meta.get("check")
        if other != family and describe_check(other_check) != describe_check(check):
            parts[-1] += f" ({describe_check(other_check)} as a {other})"
    nested = meta.get("family")
    callable_field = _is_callable(hint) or (typing.get_origin(hint) is tuple
                                            and _is_callable(typing.get_args(hint)[0]))
    if nested in FAMILY_LINKS:
        number_ok = nested != "estimator"
        parts.append(("a number or " if number_ok else "") + FAMILY_LINKS[nested])
    elif nested:
        parts.append("kind: " + ", ".join(f"`{k}`" for k in kinds(nested)))
    elif callable_field:
        parts.append("any schedule; a number means `constant`")
    if meta.get("note"):
        parts.append(meta["note"])
    return "; ".join(parts) if parts else "—"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def key_table(cls: type, family: str | None) -> list[str]:
    """``| Key | Type | Default | Allowed | Meaning |`` rows for docs/scenarios.md."""
    hints = typing.get_type_hints(cls)
    rows = ["| Key | Type | Default | Allowed | Meaning |", "|---|---|---|---|---|"]
    for f in dataclasses.fields(cls):
        cells = (f"`{f.name}`", type_word(hints[f.name], f), default_cell(f),
                 allowed_cell(cls, f, hints[f.name], family), f.metadata.get("doc", ""))
        rows.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    return rows


def param_table(cls: type, family: str) -> list[str]:
    """``| Key | Default | Meaning |`` rows for docs/gains.md (allowed range in the meaning)."""
    hints = typing.get_type_hints(cls)
    rows = ["| Key | Default | Meaning |", "|---|---|---|"]
    for f in dataclasses.fields(cls):
        allowed = allowed_cell(cls, f, hints[f.name], family)
        meaning = f.metadata.get("doc", "")
        if allowed != "—" and not f.metadata.get("family"):
            meaning = f"{meaning}; {allowed}"
        rows.append("| " + " | ".join(_cell(c) for c in (f"`{f.name}`", default_cell(f),
                                                          meaning)) + " |")
    return rows


def render(kind_of_table: str, target: str) -> list[str]:
    words = target.split()
    if len(words) == 1:
        return key_table(SETTINGS[words[0]], None)
    family, kind = words
    cls = kinds(family)[kind]
    return key_table(cls, family) if kind_of_table == "keys" else param_table(cls, family)


def regenerate(text: str) -> str:
    """``text`` with every marked block rewritten from the code."""
    def block(m: re.Match) -> str:
        return m.group(1) + "\n".join(render(m.group(2), m.group(3))) + "\n" + m.group(5)

    return BLOCK.sub(block, text)


def targets(text: str) -> list[str]:
    return [m.group(3) for m in BLOCK.finditer(text)]


def main(argv: list[str]) -> int:
    stale = []
    for name in PAGES:
        path = DOCS / name
        text = path.read_text(encoding="utf-8")
        new = regenerate(text)
        if new != text:
            stale.append(name)
            if "--check" not in argv:
                path.write_text(new, encoding="utf-8")
    if stale and "--check" in argv:
        print(f"stale generated tables in {', '.join(stale)}: run python docs/gen_tables.py",
              file=sys.stderr)
        return 1
    return 0


__all__ = ["FAMILIES", "main", "regenerate", "targets"]

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
