"""The house has no import circles: the module import graph of ``gainsim/`` is acyclic.

The graph is built with :mod:`ast` from every ``import`` statement, wherever it is
written: a function-level (lazy) import counts like a top-level one, because it is
the same dependency, only hidden until a call. Not counted: the implicit import of
a parent package (``import gainsim.gains.adam`` runs ``gainsim/gains/__init__.py``
too; counting it would make every module depend on the public API that
``gainsim/__init__.py`` re-exports) and imports under ``if TYPE_CHECKING:``.
The ground floor (:mod:`gainsim.registry`, :mod:`gainsim.fields`) imports no
gainsim module at all.
"""
from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "gainsim"
GROUND_FLOOR = ("gainsim.registry", "gainsim.fields", "gainsim.quantities", "gainsim.files",
                "gainsim.collector")


def module_names() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    skip = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skip |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    return skip


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The gainsim modules that module ``name`` imports (``from pkg import sub`` → ``pkg.sub``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    skip = _type_checking_nodes(tree)
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    out = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target not in modules:
                continue
            for alias in node.names:
                sub = f"{target}.{alias.name}"
                out.add(sub if sub in modules else target)
    out.discard(name)
    return out


def import_graph() -> dict[str, set[str]]:
    modules = module_names()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index, low, on_stack, stack, out = {}, {}, set(), [], []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            v, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[v] = min(low[v], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1 or v in graph[v]:
                    out.append(sorted(component))
    return out


def test_cycle_finder_finds_a_circle_and_a_lazy_one():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert cycles(graph) == [["a", "b", "c"]]
    assert cycles({"x": {"y"}, "y": set()}) == []


def test_function_level_and_relative_imports_are_edges(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from pkg import b\n")
    (pkg / "b.py").write_text("from .a import f\nimport typing\nif typing.TYPE_CHECKING:\n"
                              "    import pkg.c\n")
    (pkg / "c.py").write_text("")
    modules = {"pkg": pkg / "__init__.py", "pkg.a": pkg / "a.py", "pkg.b": pkg / "b.py",
               "pkg.c": pkg / "c.py"}
    graph = {n: imports_of(n, p, modules) for n, p in modules.items()}
    assert graph["pkg.a"] == {"pkg.b"} and graph["pkg.b"] == {"pkg.a"}
    assert cycles(graph) == [["pkg.a", "pkg.b"]]


def test_gainsim_has_no_import_cycles():
    found = cycles(import_graph())
    assert not found, "import circles in gainsim/: " + "; ".join(" -> ".join(c) for c in found)


def test_ground_floor_imports_nothing_from_gainsim():
    graph = import_graph()
    for name in GROUND_FLOOR:
        assert graph[name] == set(), f"{name} imports {sorted(graph[name])}"


def test_registry_is_filled_by_the_catalogue_only():
    graph = import_graph()
    importers = sorted(n for n, deps in graph.items() if "gainsim.catalog" in deps)
    assert "gainsim.registry" not in importers
    assert "gainsim.scenario.build" in importers  # the loader
    assert "gainsim.cli.main" in importers             # gainsim list


# The floors of docs/concepts.md ("Architecture"), lowest first. A module imports only
# modules of its own floor or below; a module not listed is on the top floor (commands).
FLOORS = (
    ("ground", ("gainsim.registry", "gainsim.fields", "gainsim.quantities", "gainsim.engine.lifetime",
                "gainsim.collector", "gainsim.files")),
    ("maths", ("gainsim.theory", "gainsim.predict.plants", "gainsim.predict.mrac",
               "gainsim.predict.lms_variants", "gainsim._numba_cache")),
    ("components", ("gainsim.signals", "gainsim.engine.stream", "gainsim.gains", "gainsim.estimators",
                    "gainsim.baselines")),
    ("catalogue", ("gainsim.catalog",)),
    ("scenario", ("gainsim.scenario", "gainsim.sweeps.grammar")),
    ("engine", ("gainsim.engine.sim", "gainsim.engine.offline", "gainsim.engine.lifetime")),
    ("numbers", ("gainsim.analysis.metrics", "gainsim.analysis.paired",
                 "gainsim.analysis.replica_stats", "gainsim.engine.results", "gainsim.predict.policies",
                 "gainsim.predict.explain", "gainsim.predict.zplane")),
    ("report", ("gainsim.report.text",)),
    ("orchestration", ("gainsim.engine.executors", "gainsim.engine.runner", "gainsim.sweeps.spec",
                       "gainsim.engine.lifetime", "gainsim.engine.compilers")),
)


def floor_of(module: str) -> int:
    for level, (_, prefixes) in enumerate(FLOORS):
        if any(module == p or module.startswith(p + ".") for p in prefixes):
            return level
    return len(FLOORS)  # the top floor: api.py, report/, figures/, sweeps/, cli/ …


def test_floors_import_only_floors_below():
    upward = [f"{m} ({FLOORS[floor_of(m)][0] if floor_of(m) < len(FLOORS) else 'commands'}) "
              f"imports {d} ({FLOORS[floor_of(d)][0] if floor_of(d) < len(FLOORS) else 'commands'})"
              for m, deps in sorted(import_graph().items()) for d in sorted(deps)
              if floor_of(d) > floor_of(m)]
    assert not upward, "imports going up a floor: " + "; ".join(upward)


def test_floor_order():
    order = ["gainsim.registry", "gainsim.theory.lms", "gainsim.signals.fir", "gainsim.catalog",
             "gainsim.scenario.load", "gainsim.engine.sim", "gainsim.analysis.metrics", "gainsim.report.text",
             "gainsim.engine.runner", "gainsim.cli.main"]
    assert [floor_of(m) for m in order] == sorted(floor_of(m) for m in order)
    assert len({floor_of(m) for m in order}) == len(order)
