"""Fixtures of the report tests: the scenario of ``report_scenario`` in a fresh workspace."""

from __future__ import annotations

import pytest
from report_scenario import build_scenario

from ledger.workspace import Workspace


@pytest.fixture
def scenario(tmp_path) -> Workspace:
    return build_scenario(tmp_path / "ws")


@pytest.fixture(scope="module")
def shared_scenario(tmp_path_factory) -> Workspace:
    """Built once per module for tests that only read it (and write the same report)."""
    return build_scenario(tmp_path_factory.mktemp("report") / "ws")
