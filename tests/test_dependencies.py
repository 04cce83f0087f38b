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
    return {name: {m for m in imports_of(path, name) if m in modules} for name, path in modules.items()}


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


@pytest.mark.parametrize("package, forbidden", FORBIDDEN)
def test_a_package_never_reaches_what_it_must_not_depend_on(graph, package, forbidden):
    offending = []
    for module in sorted(m for m in graph if within(m, package)):
        seen = reach(graph, module)
        offending += [path_to(seen, module, m) for m in sorted(seen) if within(m, forbidden)][:1]
    assert not offending, "\n".join(offending)


def test_the_graph_is_read_from_the_sources(graph):
    # the walk sees real edges, so an empty graph cannot pass the test above
    assert "ledger.plan.model" in graph["ledger.store.plans"]
    assert "ledger.template.writer" in graph["ledger.collect.intake"]
    assert "ledger.store.plans" in graph["ledger.importing"]


def cycles_within(graph: dict[str, set[str]], package: str) -> list[str]:
    """Each module of the package that reaches itself again, with the path (lazy imports count)."""
    found = []
    for module in sorted(m for m in graph if within(m, package)):
        seen = reach(graph, module)
        back = [m for m in graph[module] if m != module and module in reach(graph, m)]
        if back:
            found.append(path_to(seen, module, back[0]) + " -> " + module)
    return found


def test_the_plan_package_has_no_import_cycle(graph):
    # notice readers register themselves (FORMAT) and sources asks them; none imports sources back
    assert cycles_within(graph, "ledger.plan") == []
