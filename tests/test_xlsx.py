"""openpyxl reads only the office's own workbooks, and only through defusedxml."""

from __future__ import annotations

import subprocess
import sys

import openpyxl.xml
import pytest

from ledger.xlsx import safe_openpyxl


def test_openpyxl_is_handed_out_only_when_it_parses_through_defusedxml(monkeypatch):
    assert safe_openpyxl() is __import__("openpyxl")         # passes in this environment
    monkeypatch.setattr(openpyxl.xml, "DEFUSEDXML", False)
    with pytest.raises(ImportError, match="defusedxml"):
        safe_openpyxl()


def test_collect_never_loads_openpyxl():
    """Collect reads departments' workbooks with calamine and defusedxml; openpyxl costs start-up time."""
    code = ("import sys, ledger.collect.intake, ledger.collect.safety, ledger.collect.reader; "
            "print('openpyxl' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
