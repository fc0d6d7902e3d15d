"""The docs are a contract too: every key, kind and output field is documented, examples run.

``docs/scenarios.md`` has one section per registered component (heading
``### <family> `<kind>` ``) and per table (``## `[stream]` `` ...), each with a key table
``| `key` | type | default | allowed | meaning |`` written by ``docs/gen_tables.py`` from the
``param(...)`` metadata (a test below asserts the committed pages are current) and
checked against that metadata here.
"""
from __future__ import annotations

import dataclasses
import json
import re
from functools import lru_cache
from pathlib import Path

import pytest

import gainsim
from gainsim.catalog import FAMILIES, kinds
from gainsim.report.text import summary_dict, trace_arrays
from gainsim.scenario import ScenarioError, dumps
from gainsim.fields import describe_check
from gainsim.scenario import Metrics, Policy, Run, Scenario
from gainsim.engine.stream import Stream
from gainsim.testing import fitting_estimators

DOCS = Path(__file__).resolve().parent.parent / "docs"

# Sections of docs/scenarios.md for the classes that are not registered components.
TABLE_SECTIONS = {Scenario: "Top-level keys", Policy: "`[[policy]]`", Stream: "`[stream]`",
                  Run: "`[run]`", Metrics: "`[metrics]`"}


@lru_cache(maxsize=None)
def read(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def sections(text: str) -> dict[str, str]:
    """Heading text (without the leading #'s) -> body up to the next heading."""
    out: dict[str, str] = {}
    title, body = None, []
    in_code = False
    for line in text.splitlines():
        if line.startswith("```"):
            in_code = not in_code
        if not in_code and re.match(r"#{1,6} ", line):
            if title is not None:
                out[title] = "\n".join(body)
            title, body = line.lstrip("#").strip(), []
        else:
            body.append(line)
    if title is not None:
        out[title] = "\n".join(body)
    return out


def code_blocks(text: str) -> list[tuple[str, str]]:
    """``(info string, code)`` for every fenced block."""
    return [(m.group(1).strip(), m.group(2))
            for m in re.finditer(r"^```([^\n]*)\n(.*?)^```", text, re.M | re.S)]


def all_components() -> list:
    return [pytest.param(family, kind, cls, id=f"{family}-{kind}")
            for family in FAMILIES for kind, cls in kinds(family).items()]


def documented_classes() -> list:
    """(class, heading) pairs; a component's heading contains ``family `kind` ``."""
    out = [pytest.param(cls, f"{family} `{kind}`", id=f"{family}-{kind}")
           for family, kind, cls in (p.values for p in all_components())]
    out += [pytest.param(cls, title, id=cls.__name__) for cls, title in TABLE_SECTIONS.items()]
    return out


def find_section(title: str) -> str | None:
    """Body of the first heading equal to ``title`` or (components) containing it."""
    secs = sections(read("scenarios.md"))
    if title in secs:
        return secs[title]
    hits = [body for heading, body in secs.items() if title in heading]
    return hits[0] if hits else None


def row_cells(section: str, key: str) -> list[str] | None:
    """Cells of the table row for ``key`` (``\\|`` inside a cell is a literal bar)."""
    for line in section.splitlines():
        if line.startswith(f"| `{key}` |"):
            cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
            return [c.strip().replace("\\|", "|") for c in cells]
    return None


def allowed_text(cls: type, f: dataclasses.Field) -> str:
    """The range phrase from ``param(check=...)``."""
    return describe_check(f.metadata.get("check"))


# ----------------------------------------------------------------------------- scenarios.md
@pytest.mark.parametrize("family, kind, cls", all_components())
def test_every_kind_has_a_section(family, kind, cls):
    assert find_section(f"{family} `{kind}`") is not None, (
        f"docs/scenarios.md needs a heading '### {family} `{kind}`'")


@pytest.mark.parametrize("cls, title", documented_classes())
def test_every_key_is_documented_in_its_section(cls, title):
    section = find_section(title)
    assert section is not None, f"docs/scenarios.md has no section '{title}'"
    for f in dataclasses.fields(cls):
        cells = row_cells(section, f.name)
        assert cells is not None, f"{title}: no table row for `{f.name}`"
        assert len(cells) == 5, f"{title}: row `{f.name}` needs 5 cells, has {len(cells)}"
        _, type_cell, default_cell, allowed_cell, meaning = cells
        meta = f.metadata
        where = f"{title} / {f.name}"
        if "doc" in meta:
            assert meta["doc"] in meaning, f"{where}: meaning must contain {meta['doc']!r}"
        else:  # schedules: no param() metadata; the docs paraphrase the numpydoc
            assert meaning, f"{where}: empty meaning"
        assert type_cell, f"{where}: empty type (the cell is written by docs/gen_tables.py)"
        rng = allowed_text(cls, f)
        assert rng in allowed_cell, f"{where}: allowed range must say {rng!r}"
        for choice in meta.get("choices") or ():
            assert f'"{choice}"' in allowed_cell, f"{where}: choice {choice!r} missing"
        family = meta.get("family")
        if family and f"any {family}" not in allowed_cell:
            for kind in kinds(family):
                assert f"`{kind}`" in allowed_cell, f"{where}: kind {kind!r} not listed"
        check_default(where, f, default_cell)


def check_default(where: str, f: dataclasses.Field, cell: str) -> None:
    default = f.default
    if "default:" in f.metadata.get("doc", ""):
        return  # the doc line itself states the default
    if default is dataclasses.MISSING:
        assert "required" in cell, f"{where}: default cell should say 'required'"
    elif default is None:
        assert cell == "—", f"{where}: an unset default is written '—'"
    elif isinstance(default, bool):
        assert f"`{str(default).lower()}`" == cell, f"{where}: default {default!r}, docs {cell!r}"
    elif isinstance(default, (int, float)):
        assert float(cell.strip("`")) == default, f"{where}: default {default!r}, docs {cell!r}"
    elif isinstance(default, str):
        assert f'"{default}"' in cell, f"{where}: default {default!r}, docs {cell!r}"
    elif hasattr(type(default), "kind"):
        assert f'kind = "{type(default).kind}"' in cell, f"{where}: default kind"


def test_shorthands_are_explained():
    text = read("scenarios.md")
    for phrase in ('`gain = 0.05`', '{kind = "constant", eta = 0.05}', '`estimator = "lms"`',
                   '`latency = 0.5`', '{kind = "constant", value = 0.5}', "`policy[2]`",
                   "0-based", "exactly one", "scenario.resolved.toml", "exit code"):
        assert phrase in text, phrase


def test_complete_toml_examples_load_and_round_trip():
    found = 0
    for name in ("scenarios.md", "concepts.md", "outputs.md", "index.md"):
        for info, code in code_blocks(read(name)):
            if info != "toml" or "[plant]" not in code or "[[policy]]" not in code:
                continue
            scenario = gainsim.loads(code, source=f"{name} example")
            assert gainsim.loads(dumps(scenario)) == scenario
            found += 1
    assert found >= 3  # the minimal example and the two complete ones


def test_invalid_example_prints_exactly_the_documented_errors():
    blocks = code_blocks(read("scenarios.md"))
    idx = [i for i, (info, _) in enumerate(blocks) if info == "toml invalid"]
    assert idx, "docs/scenarios.md should show an invalid scenario ('```toml invalid')"
    for i in idx:
        info, expected = blocks[i + 1]
        assert info == "text", "the invalid example must be followed by its error lines"
        source = expected.split(":", 1)[0]
        with pytest.raises(ScenarioError) as err:
            gainsim.loads(blocks[i][1], source=source)
        assert str(err.value).splitlines() == expected.strip().splitlines()


# ----------------------------------------------------------------------------- outputs.md
TINY = """
[plant]
kind = "quadratic"
theta0 = [1.0, -1.0]
eigenvalues = [1.0, 3.0]
[run]
samples = 20
replicas = 2
[metrics]
grid = 10
[[policy]]
estimator = "gd"
gain = 0.3
[[policy]]
estimator = "gd"
gain = 1.0
"""


@lru_cache(maxsize=None)
def tiny_results():
    return gainsim.run(gainsim.loads(TINY, source="tiny.toml"))


def test_every_summary_key_is_documented():
    summary = summary_dict(tiny_results())
    text = read("outputs.md")
    keys = set(summary) | set(summary["policies"][0])
    missing = sorted(k for k in keys if f"`{k}`" not in text)
    assert not missing, f"docs/outputs.md does not document {missing}"


def test_summary_example_has_exactly_the_real_keys():
    summary = summary_dict(tiny_results())
    examples = [json.loads(code) for info, code in code_blocks(read("outputs.md"))
                if info == "json"]
    assert examples, "docs/outputs.md should show a summary.json example"
    example = examples[0]
    assert list(example) == list(summary)
    for entry in example["policies"]:
        assert list(entry) == list(summary["policies"][0])


def test_every_trace_array_is_documented():
    text = read("outputs.md")
    missing = sorted(k for k in trace_arrays(tiny_results()) if f"`{k}`" not in text)
    assert not missing, f"docs/outputs.md does not document traces.npz arrays {missing}"


# ----------------------------------------------------------------------------- all pages
@pytest.mark.parametrize("name", ["index.md", "concepts.md", "scenarios.md", "outputs.md"])
def test_links_resolve_and_no_machine_paths(name):
    text = read(name)
    for target in re.findall(r"\]\(([^)#\s]+)", text):
        if "://" not in target:
            assert (DOCS / target).exists(), f"{name}: broken link {target}"
    machine = re.search(r"(?<![\w.)\]])/(?:home|Users|root|tmp|work)/", text)
    assert machine is None, f"{name}: machine path {machine and machine.group(0)}"


def test_concepts_states_the_conventions():
    text = read("concepts.md")
    for phrase in ("theta += eta * e * x", "e = d − thetaᵀx", "μ_Widrow = eta / 2",
                   "M = eta tr R / 2", "1 − eta λ", "`mu`", "`alpha`", "`lr`", "`gamma`"):
        assert phrase in text, phrase
    for word in ("k", "t", "x", "d", "y", "e", "theta", "theta_star", "eta", "R", "Q",
                 "noise_std"):
        assert f"| `{word}` |" in text, f"vocabulary table lacks `{word}`"


# ----------------------------------------------------------------------------- gains.md
# docs/gains.md has one section per gain and schedule kind, headed "### `kind`: ...", with
# the law, a key table "| `key` | default | meaning |", "Estimators: ...", a TOML snippet,
# stability notes and a reference; docs/make_figures.py draws its figures.
GAIN_AND_SCHEDULE_KINDS = sorted(set(kinds("gain")) | set(kinds("schedule")))
FIGURES = ("figures/schedules.png", "figures/drift_tracking_eta.png")
FIR_PLANT = '[plant]\nkind = "fir"\ntaps = 4\n'
QUADRATIC_PLANT = '[plant]\nkind = "quadratic"\ntheta0 = [1.0, -1.0]\neigenvalues = [1.0, 3.0]\n'


def component_class(kind: str) -> type:
    """The class of a kind: the gain if there is one (the gain `constant`), else the schedule."""
    return kinds("gain").get(kind) or kinds("schedule")[kind]


def gains_section(kind: str) -> str | None:
    """Body of the docs/gains.md section whose heading starts with the backticked kind."""
    hits = [body for heading, body in sections(read("gains.md")).items()
            if heading.startswith(f"`{kind}`")]
    return hits[0] if hits else None


def gain_lines(text: str) -> list[str]:
    """Every ``gain = ...`` line of the ```toml blocks."""
    return [line for info, code in code_blocks(text) if info == "toml"
            for line in code.splitlines() if line.startswith("gain = ")]


def gain_kind(line: str) -> str:
    import tomllib

    value = tomllib.loads(line)["gain"]
    if isinstance(value, dict):
        return value["kind"]
    return value if isinstance(value, str) else "constant"  # a number or a list of numbers


def wrap_gain_line(line: str) -> str:
    """A minimal scenario around one ``gain = ...`` line, with an estimator that fits it."""
    estimator = fitting_estimators(kinds("gain")[gain_kind(line)])[0]
    plant = QUADRATIC_PLANT if estimator == "gd" else FIR_PLANT
    return (f'{plant}\n[run]\nsamples = 100\n\n[[policy]]\nname = "snippet"\n'
            f'estimator = "{estimator}"\n{line}\n')


@pytest.mark.parametrize("kind", GAIN_AND_SCHEDULE_KINDS)
def test_gains_md_has_a_section_per_kind(kind):
    section = gains_section(kind)
    assert section is not None, f"docs/gains.md needs a heading '### `{kind}`: ...'"
    for part in ("$$", "Stability", "Reference:", "```toml"):
        assert part in section, f"docs/gains.md `{kind}`: no {part!r}"
    assert any(gain_kind(line) == kind for line in gain_lines(section)), (
        f"docs/gains.md `{kind}`: no `gain = {{ kind = \"{kind}\", ... }}` snippet")


@pytest.mark.parametrize("kind", GAIN_AND_SCHEDULE_KINDS)
def test_gains_md_keys_defaults_and_estimators_match_the_code(kind):
    section = gains_section(kind)
    assert section is not None
    cls = component_class(kind)
    for f in dataclasses.fields(cls):
        cells = row_cells(section, f.name)
        assert cells is not None, f"docs/gains.md `{kind}`: no table row for `{f.name}`"
        assert len(cells) == 3, f"docs/gains.md `{kind}` / {f.name}: needs 3 cells"
        check_default(f"docs/gains.md `{kind}` / {f.name}", f, cells[1])
    m = re.search(r"Estimators:\s*(.+?)\.(?=\s|$)", section, re.S)
    assert m, f"docs/gains.md `{kind}`: no 'Estimators: ...' line"
    allowed = fitting_estimators(cls)
    assert set(re.findall(r"`(\w+)`", m.group(1))) == set(allowed), (
        f"docs/gains.md `{kind}`: estimators are {allowed}")


def test_gains_md_every_gain_line_loads():
    lines = gain_lines(read("gains.md"))
    assert len(lines) >= len(GAIN_AND_SCHEDULE_KINDS)
    for line in lines:
        kind = gain_kind(line)
        scenario = gainsim.loads(wrap_gain_line(line), source=f"docs/gains.md: {line}")
        assert scenario.policy and all(type(p.gain).kind == kind for p in scenario.policy), line
        assert gainsim.loads(dumps(scenario)) == scenario, line


def test_gains_md_complete_examples_load():
    found = 0
    for info, code in code_blocks(read("gains.md")):
        if info == "toml" and "[plant]" in code and "[[policy]]" in code:
            scenario = gainsim.loads(code, source="docs/gains.md example")
            assert gainsim.loads(dumps(scenario)) == scenario
            found += 1
    assert found >= 1


def test_gains_md_crosswalk_has_a_line_per_schedule_and_optimizer():
    secs = sections(read("gains.md"))
    table = next(body for heading, body in secs.items() if heading.startswith("Crosswalk"))
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    firsts = " ".join(re.split(r"(?<!\\)\|", row)[1] for row in rows)
    for kind in GAIN_AND_SCHEDULE_KINDS:
        assert f"`{kind}`" in firsts, f"crosswalk: no line for `{kind}`"


def test_gains_md_figures_exist_and_are_small():
    text = read("gains.md")
    for name in FIGURES:
        path = DOCS / name
        assert path.exists(), f"run `python docs/make_figures.py` to make {name}"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", f"{name} is not a PNG"
        assert path.stat().st_size < 300_000, f"{name} is over 300 KB"
        assert f"]({name})" in text, f"docs/gains.md does not show {name}"


def test_make_figures_draws_every_schedule_kind():
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_figures", DOCS / "make_figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    panels = module.schedule_panels()
    assert sorted(kind for kind, _, _ in panels) == sorted(kinds("schedule"))
    for kind, _, curves in panels:
        for _, sched in curves:
            assert type(sched).kind == kind or kind in ("warmup", "join")


def test_gains_md_links_resolve_and_index_links_it():
    text = read("gains.md")
    for target in re.findall(r"\]\(([^)#\s]+)", text):
        if "://" not in target:
            assert (DOCS / target).exists(), f"gains.md: broken link {target}"
    machine = re.search(r"(?<![\w.)\]])/(?:home|Users|root|tmp|work)/", text)
    assert machine is None, f"gains.md: machine path {machine and machine.group(0)}"
    for name in ("gains.md", "make_figures.py"):
        assert not re.search(r"(?<![\w.)\]])/(?:home|Users|root|tmp|work)/",
                             (DOCS / name).read_text(encoding="utf-8"))
    assert "](gains.md)" in read("index.md"), "docs/index.md should link gains.md"


# ----------------------------------------------------------------------------- generated tables
def _gen_tables():
    import importlib.util

    spec = importlib.util.spec_from_file_location("gen_tables", DOCS / "gen_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["scenarios.md", "gains.md"])
def test_generated_key_tables_are_current(name):
    gen = _gen_tables()
    text = read(name)
    assert text == gen.regenerate(text), (
        f"docs/{name}: key tables differ from the param(...) metadata; "
        "run `python docs/gen_tables.py`")


def test_every_component_has_a_generated_table():
    gen = _gen_tables()
    scenario_targets = set(gen.targets(read("scenarios.md")))
    for family, kind, cls in (p.values for p in all_components()):
        if dataclasses.fields(cls):
            assert f"{family} {kind}" in scenario_targets or any(
                t.endswith(f" {kind}") and kinds(t.split()[0]).get(kind) is cls
                for t in scenario_targets), f"docs/scenarios.md: no generated table for {kind}"
    for cls in TABLE_SECTIONS:
        assert cls.__name__ in scenario_targets
    gain_targets = set(gen.targets(read("gains.md")))
    for kind in GAIN_AND_SCHEDULE_KINDS:
        if dataclasses.fields(component_class(kind)):
            assert f"gain {kind}" in gain_targets, f"docs/gains.md: no generated table for {kind}"


def test_regenerating_fixes_a_stale_cell():
    gen = _gen_tables()
    text = read("gains.md")
    stale = text.replace("| `beta` | `0.9` |", "| `beta` | `0.8` |", 1)
    assert stale != text and gen.regenerate(stale) == text
