"""The import graph: packages depend one way (template never on collect; store on plan's model, plan never on store).

Every import counts, also one inside a function: a lazy import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import ledger

ROOT = Path(ledger.__file__).parent

# (package, what it must never reach, directly or through other modules)
FORBIDDEN = [
    ("ledger.template", "ledger.collect"),
    ("ledger.plan", "ledger.store"),
    ("ledger.plan", "ledger.workspace"),     # the workspace opens the store
    ("ledger.collect", "ledger.web"),        # the web channel uses collect, never the other way
    ("ledger.store", "ledger.web"),
    ("ledger.links", "ledger.web"),
    ("ledger.web", "ledger.commands"),       # the web pages sit on the library, beside the CLI
]
# The root modules every stage builds on: findings and their catalogue, errors, typed values, column
# kinds and the layout, statuses, periods, settings, files on disk. None reaches a stage.
BASICS = ["ledger.codes", "ledger.findings", "ledger.errors", "ledger.normalise", "ledger.kinds", "ledger.layout",
          "ledger.statuses", "ledger.period", "ledger.localtime", "ledger.settings", "ledger.durable", "ledger.xlsx",
          "ledger.progress", "ledger.workers", "ledger.soffice"]
STAGES = ["ledger.plan", "ledger.store", "ledger.template", "ledger.collect", "ledger.report", "ledger.schedule",
          "ledger.web", "ledger.commands", "ledger.cli", "ledger.workspace", "ledger.importing", "ledger.links",
          "ledger.demo"]
FORBIDDEN += [(basic, stage) for basic in BASICS for stage in STAGES]
FORBIDDEN += [("ledger.findings", "ledger.codes"),    # a finding is a record; the catalogue declares them
              ("ledger.kinds", "ledger.layout")]      # the layout asks the kinds, never the other way


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, name: str) -> set[str]:
    """Modules of ledger that the file imports (``from ledger.x import y`` counts y when it is a module)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{a.name}" for a in node.names)
    return {m for m in found if m == "ledger" or m.startswith("ledger.")}


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in ROOT.rglob("*.py")}
    # A module inside a package has that package imported already: an edge up to it says nothing.
    return {name: {m for m in imports_of(path, name) if m in modules and not within(name, m)}
            for name, path in modules.items()}


def reach(graph: dict[str, set[str]], start: str) -> dict[str, str]:
    """Every module reachable from start, each with the module that imports it on one path."""
    seen: dict[str, str] = {}
    todo = [start]
    while todo:
        current = todo.pop()
        for nxt in graph[current]:
            if nxt not in seen and nxt != start:
                seen[nxt] = current
                todo.append(nxt)
    return seen


def path_to(seen: dict[str, str], start: str, target: str) -> str:
    chain = [target]
    while chain[-1] != start:
        chain.append(seen[chain[-1]])
    return " -> ".join(reversed(chain))


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


@pytest.fixture(scope="module")
def reached(graph) -> dict[str, dict[str, str]]:
    """What each module reaches, walked once for all the rules below."""
    return {module: reach(graph, module) for module in graph}


@pytest.mark.parametrize("package, forbidden", FORBIDDEN)
def test_a_package_never_reaches_what_it_must_not_depend_on(graph, reached, package, forbidden):
    offending = []
    for module in sorted(m for m in graph if within(m, package)):
        seen = reached[module]
        offending += [path_to(seen, module, m) for m in sorted(seen) if within(m, forbidden)][:1]
    assert not offending, "\n".join(offending)


def test_the_graph_is_read_from_the_sources(graph):
    # the walk sees real edges, so an empty graph cannot pass the test above
    assert "ledger.plan.model" in graph["ledger.store.plans"]
    assert "ledger.template.writer" in graph["ledger.collect.intake"]
    assert "ledger.store.plans" in graph["ledger.importing"]


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The import circles: strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_module_imports_itself_back_through_others(graph):
    """No circle anywhere: lazy imports inside functions and imports for type hints count too."""
    assert not cycles(graph), "\n".join(" ↔ ".join(c) for c in cycles(graph))


def test_the_report_writers_never_reach_the_report_run(graph):
    # build reads the store and calls the writers; they read only ledger.report.model (issue 19 §3)
    assert "ledger.report.model" in graph["ledger.report.workbook"]
    entry = {"ledger.report", "ledger.report.build", "ledger.report.span", "ledger.report.span_report"}
    offending = []
    for module in sorted(m for m in graph if within(m, "ledger.report") and m not in entry):
        seen = reach(graph, module)
        if "ledger.report.build" in seen:
            offending.append(path_to(seen, module, "ledger.report.build"))
    assert not offending, "\n".join(offending)
