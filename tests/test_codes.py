"""The catalogue of finding codes: every code is declared once, raised by the code, shown to the
office, rendered whole, and exercised by a test."""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from ledger import codes
from ledger.cli import cli
from ledger.collect.feedback import write_problem_list
from ledger.findings import ERROR, WARNING

ROOT = Path(__file__).resolve().parents[1]
SOURCES = {p: p.read_text(encoding="utf-8") for p in (ROOT / "ledger").rglob("*.py") if p.name != "codes.py"}
TESTS = {p: p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("*.py") if p.name != "test_codes.py"}
CONSTANTS = {c.code: name for name, c in vars(codes).items() if isinstance(c, codes.Code)}


def _placeholders(code: codes.Code) -> set[str]:
    return {f for text in (code.problem, code.fix) for _, f, _, _ in string.Formatter().parse(text) if f}


def _sample(code: codes.Code) -> codes.Told:
    return code.told(**{name: f"〔{name}〕" for name in _placeholders(code)})


def test_every_declared_code_has_a_constant_and_a_known_scope_and_severity():
    assert set(CONSTANTS) == set(codes.CATALOGUE)
    for code in codes.CATALOGUE.values():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", code.code)
        assert code.severity in (ERROR, WARNING) and code.scope in codes.SCOPES
        assert code.about and code.problem


@pytest.mark.parametrize("name", sorted(codes.CATALOGUE))
def test_every_code_is_raised_by_the_code(name):
    constant = CONSTANTS[name]
    raised = [p for p, text in SOURCES.items()
              if re.search(rf"codes\.{constant}\b", text) or re.search(rf"_Reject\(\"{name}\"", text)]
    assert raised, f"{name} is declared but nothing in ledger/ raises it"


@pytest.mark.parametrize("name", sorted(codes.CATALOGUE))
def test_every_code_is_exercised_by_a_test(name):
    constant = CONSTANTS[name]
    assert any(name in text or re.search(rf"codes\.{constant}\b", text) for text in TESTS.values()), \
        f"no test looks for {name}"


@pytest.mark.parametrize("name", sorted(codes.CATALOGUE))
def test_every_placeholder_is_described_for_the_office(name):
    code = codes.CATALOGUE[name]
    assert _placeholders(code) <= set(codes.PLACEHOLDERS)
    shown = code.to_dict()
    assert "{" not in shown["problem"] + shown["fix"]


def test_every_code_renders_whole_on_a_problem_list(tmp_path):
    findings = [_sample(code).at(value="x") for code in codes.CATALOGUE.values()]
    path = write_problem_list(tmp_path / "问题清单.xlsx", "某单位", findings)
    ws = openpyxl.load_workbook(path).worksheets[0]
    text = "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value is not None)
    for finding in findings:
        assert finding.problem_alone in text
        assert "{" not in finding.message and "}" not in finding.message


def test_a_filled_code_keeps_problem_and_fix_apart():
    f = codes.STATUS_UNKNOWN.finding(typed="进行中", choices="已完成、滞后", cell="K4", value="进行中")
    assert (f.code, f.severity) == ("status-unknown", ERROR)
    assert f.message == "“进行中”不是有效的完成状态，请从下拉列表选择：已完成、滞后"
    assert f.problem == "“进行中”不是有效的完成状态" and f.fix == "请从下拉列表选择：已完成、滞后"
    led = codes.STATUS_UNKNOWN.told(typed="进行中", choices="已完成").at("K4“完成状态”：", cell="K4")
    assert led.message.startswith("K4“完成状态”：“进行中”") and led.problem_alone == "“进行中”不是有效的完成状态"


def test_a_code_cannot_be_declared_twice():
    with pytest.raises(ValueError):
        codes._declare("file-empty", ERROR, codes.FILE, "again", "again")


def test_ledger_codes_lists_every_code_for_the_office():
    result = CliRunner().invoke(cli, ["codes", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert "schema_version" in data
    listed = {c["code"]: c for c in data["codes"]}
    assert set(listed) == set(codes.CATALOGUE)
    assert listed["file-macro"]["severity"] == ERROR and listed["phone-invalid"]["severity"] == WARNING
    assert listed["status-unknown"]["fix"] == "请从下拉列表选择：〈可选值〉"


def test_ledger_codes_explains_one_code_and_refuses_an_unknown_one_in_a_line():
    result = CliRunner().invoke(cli, ["codes", "STATUS-UNKNOWN"])
    assert result.exit_code == 0 and "status-unknown" in result.output and "完成状态" in result.output
    assert "file-empty" not in result.output
    wrong = CliRunner().invoke(cli, ["codes", "no-such-code"])
    assert wrong.exit_code == 1 and "no-such-code" in wrong.output and "Traceback" not in wrong.output


def test_nothing_but_the_catalogue_makes_a_finding_from_a_code_of_its_own():
    """A finding made elsewhere from a literal code would be missing from ledger codes."""
    made = re.compile(r"\bFinding\s*\(|\bFinding\.of\s*\(|\btold\s*\(\s*f?[\"']")
    offending = [f"{p.relative_to(ROOT)}:{n}" for p, text in SOURCES.items() if p.name != "findings.py"
                 for n, line in enumerate(text.splitlines(), start=1) if made.search(line)]
    assert not offending, offending
