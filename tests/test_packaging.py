"""pyproject.toml: the distribution name and the dependencies match what the package imports."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _name(requirement: str) -> str:
    return re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def imported_modules() -> set[str]:
    """Top-level modules imported anywhere in ledger/ (at module level or inside functions)."""
    found: set[str] = set()
    for path in (ROOT / "ledger").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {a.name.split(".")[0] for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                found.add(node.module.split(".")[0])
    return found - set(sys.stdlib_module_names) - {"ledger"}


def test_distribution_is_not_the_unrelated_pypi_ledger_but_the_command_is():
    assert PROJECT["name"] == "ledger-taizhang"
    assert PROJECT["scripts"] == {"ledger": "ledger.cli:main"}


def test_every_imported_distribution_is_declared():
    declared = {_name(r) for r in PROJECT["dependencies"]}
    optional = {_name(r) for reqs in PROJECT["optional-dependencies"].values() for r in reqs}
    dists = packages_distributions()
    missing = {}
    for module in imported_modules():
        names = {d.lower().replace("_", "-") for d in dists.get(module, [module])}
        if not names & (declared | optional):
            missing[module] = names
    assert missing == {}
    assert "olefile" in declared


def test_pandas_is_an_extra_because_the_package_never_imports_it():
    assert "pandas" not in imported_modules()
    assert "pandas" not in {_name(r) for r in PROJECT["dependencies"]}
    assert PROJECT["optional-dependencies"]["analysis"] == ["pandas>=2.1"]
