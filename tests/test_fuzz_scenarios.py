"""Property-based fuzz of the loader: any mutation of a valid scenario either loads (and
``explain`` works on it) or raises a ScenarioError whose every line names a key path.

A mutation picks a key path in a shipped scenario and replaces, deletes or adds a value
(wrong types, huge and tiny magnitudes, NaN/inf, huge integers, deep nesting, unicode
and control characters in keys and strings). The number of examples is bounded so the
test takes a few seconds.
"""
import math
import re
import tomllib
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="the [test] extra installs hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import tomli_w  # noqa: E402

import gainsim  # noqa: E402
from gainsim.predict.explain import explain_text  # noqa: E402
from gainsim.scenario import ScenarioError  # noqa: E402
from gainsim.scenario.sizes import MAX_MEMORY, estimate  # noqa: E402

SCENARIOS = sorted((Path(__file__).parent.parent / "scenarios").glob("*.toml"))
BASES = [tomllib.loads(p.read_text(encoding="utf-8")) for p in SCENARIOS]
# one problem line: "x.toml: key.path[0]: message" (or a file-level problem)
LINE = re.compile(r"^x\.toml: (\S.*: )?\S.*$")


def _paths(value, prefix=()):
    """Every key path of a parsed TOML document (tables, arrays, leaves)."""
    yield prefix
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, prefix + (i,))


def _nested(depth: int):
    out = 1.0
    for _ in range(depth):
        out = [out]
    return out


FINITE = st.floats(allow_nan=False, allow_infinity=False)
VALUES = st.one_of(
    st.none(),  # means: delete the key
    st.booleans(), st.integers(), st.integers(min_value=2**62, max_value=2**80),
    st.floats(), st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0, 1e-300, 1e300,
                                  1.3e154, 1e100, -1.0, 1e9, 2**63]),
    st.text(max_size=8), st.sampled_from(["", "fir", "lms", "nan", "\n", "é", "\x00"]),
    st.lists(FINITE, max_size=4), st.lists(st.integers(), max_size=3),
    st.just([]), st.just({}), st.builds(_nested, st.integers(1, 60)),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.dictionaries(st.sampled_from(["kind"]), st.sampled_from(["", "constant", "fir"]),
                    max_size=1),
)
KEYS = st.one_of(st.text(max_size=6), st.sampled_from(["kind", "eta", "taps", "a\nb", "\x1b["]))


@st.composite
def mutated(draw):
    doc = draw(st.sampled_from(BASES))
    doc = tomllib.loads(tomli_w.dumps(doc))  # a fresh copy
    for _ in range(draw(st.integers(1, 3))):
        paths = list(_paths(doc))
        path = draw(st.sampled_from(paths))
        value = draw(VALUES)
        if not path:
            continue
        parent = doc
        for key in path[:-1]:
            parent = parent[key]
        if draw(st.booleans()) and isinstance(parent, dict):  # add a key beside
            parent[draw(KEYS)] = value if value is not None else 1
        elif value is None:
            del parent[path[-1]]
        else:
            parent[path[-1]] = value
    return doc


def _text(doc) -> str | None:
    try:
        return tomli_w.dumps(doc)
    except (TypeError, ValueError):  # e.g. an array of mixed tables and values
        return None


@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated())
def test_a_mutated_scenario_loads_or_names_its_key_paths(doc):
    text = _text(doc)
    if text is None:
        return
    try:
        scenario = gainsim.loads(text, source="x.toml")
    except ScenarioError as err:
        lines = str(err).splitlines()
        assert lines and all(LINE.match(line) for line in lines), lines
        return
    if estimate(scenario).explain_memory <= MAX_MEMORY:  # explain refuses bigger ones
        assert explain_text(scenario)
