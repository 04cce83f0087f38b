"""Units' contacts: checked on the way in (option or cell named), kept in the store, edited through
``ledger units`` and the 计划分解表's 单位 sheet."""

from __future__ import annotations

import json

import openpyxl
import pytest
from click.testing import CliRunner

from ledger.cli import cli
from ledger.contacts import Contact, ContactError, make_contact
from ledger.errors import PlanImportError
from ledger.plan.review import UNIT_SHEET, read_units
from ledger.store.contacts import unit_contacts


def run(ws, *args):
    return CliRunner().invoke(cli, ["-w", str(ws.root), *args])


@pytest.mark.parametrize("phone, email, field, expected", [
    ("138 0013 8000", "", None, Contact("", "13800138000", "")),
    ("+86 138-0013-8000", "", None, Contact("", "13800138000", "")),
    ("", "zhang.san@kj.example.gov.cn", None, Contact("", "", "zhang.san@kj.example.gov.cn")),
    ("1380013800", "", "--phone", None),               # ten digits
    ("23800138000", "", "--phone", None),              # no mobile starts with 2
    ("0533-1234567", "", "--phone", None),             # a desk phone is not a 手机
    ("", "zhangsan@", "--email", None),
    ("", "zhang san@example.cn", "--email", None),
    ("", "a@b", "--email", None),
])
def test_a_phone_or_email_is_checked(phone, email, field, expected):
    where = {"name": "--contact", "phone": "--phone", "email": "--email"}
    if field is None:
        assert make_contact("", phone, email, where) == expected
    else:
        with pytest.raises(ContactError, match=f"^{field}："):
            make_contact("张三", phone, email, where)


def test_units_set_adds_updates_and_clears(planned):
    out = run(planned, "units", "set", "县科技局", "--contact", "张三", "--phone", "13800138000",
              "--contact", "李四", "--email", "lisi@example.gov.cn")
    assert out.exit_code == 0, out.output
    assert unit_contacts(planned.engine)["县科技局"] == [Contact("张三", "13800138000", ""),
                                                      Contact("李四", "", "lisi@example.gov.cn")]
    out = run(planned, "units", "set", "县科技局", "--contact", "张三", "--email", "zs@example.gov.cn")
    assert unit_contacts(planned.engine)["县科技局"][0] == Contact("张三", "13800138000", "zs@example.gov.cn")
    listed = json.loads(run(planned, "units", "list", "--json").output)
    assert listed["schema_version"] == 1
    kj = next(u for u in listed["units"] if u["unit"] == "县科技局")
    assert [c["name"] for c in kj["contacts"]] == ["张三", "李四"]
    assert run(planned, "units", "set", "县科技局", "--clear").exit_code == 0
    assert unit_contacts(planned.engine)["县科技局"] == []
    assert "县科技局的联系人：已清空" in run(planned, "log").output


def test_units_set_refuses_a_wrong_phone_naming_the_option(planned):
    out = run(planned, "units", "set", "县科技局", "--contact", "张三", "--phone", "1380013800")
    assert out.exit_code == 1
    assert "--phone：手机号“1380013800”无效，应为 11 位手机号码" in out.output
    assert "Traceback" not in out.output
    assert unit_contacts(planned.engine)["县科技局"] == []


def test_units_set_names_an_unknown_unit(planned):
    out = run(planned, "units", "set", "县不存在局", "--contact", "张三")
    assert out.exit_code == 1 and "没有名为“县不存在局”的单位" in out.output


def test_the_unit_sheet_round_trips(planned, tmp_path):
    run(planned, "units", "set", "县科技局", "--contact", "张三", "--phone", "13800138000",
        "--contact", "李四", "--email", "lisi@example.gov.cn")
    assert run(planned, "plan", "export").exit_code == 0
    path = planned.outbox_dir / "计划分解表.xlsx"
    wb = openpyxl.load_workbook(path)
    sheet = wb[UNIT_SHEET]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=2)]
    assert ["县科技局", "张三", "13800138000", ""] in rows and ["县科技局", "李四", "", "lisi@example.gov.cn"] in rows
    assert ["县财政局", "", "", ""] in rows                         # a unit of the plan without contacts
    # the office edits: a phone typed as a number, a second unit's contact on a row without its name
    fin = next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, 1).value == "县财政局")
    sheet.cell(fin, 2, "王五")
    sheet.cell(fin, 3, 13900139000)
    sheet.insert_rows(fin + 1)
    sheet.cell(fin + 1, 2, "赵六")
    sheet.cell(fin + 1, 4, "zhaoliu@example.gov.cn")
    wb.save(path)
    out = run(planned, "plan", "load", str(path))
    assert out.exit_code == 0, out.output
    stored = unit_contacts(planned.engine)
    assert stored["县财政局"] == [Contact("王五", "13900139000", ""), Contact("赵六", "", "zhaoliu@example.gov.cn")]
    assert stored["县科技局"] == [Contact("张三", "13800138000", ""), Contact("李四", "", "lisi@example.gov.cn")]


def test_a_wrong_email_in_the_unit_sheet_is_refused_naming_the_cell(planned):
    run(planned, "plan", "export")
    path = planned.outbox_dir / "计划分解表.xlsx"
    wb = openpyxl.load_workbook(path)
    sheet = wb[UNIT_SHEET]
    sheet.cell(2, 4, "not-an-address")
    wb.save(path)
    with pytest.raises(PlanImportError, match="“单位”工作表 D2：邮箱“not-an-address”无效"):
        read_units(path)
    out = run(planned, "plan", "load", str(path))
    assert out.exit_code == 1 and "D2" in out.output
    assert run(planned, "plan", "versions", "--json").output.count('"version"') == 1   # nothing stored


def test_a_workbook_without_the_unit_sheet_leaves_contacts_alone(planned, tmp_path):
    from ledger.plan.review import export_review
    from ledger.store.plans import load_plan

    run(planned, "units", "set", "县科技局", "--contact", "张三")
    path = export_review(load_plan(planned.engine), tmp_path / "旧表.xlsx")     # as exported before the sheet
    assert read_units(path) is None
    assert run(planned, "plan", "load", str(path)).exit_code == 0
    assert unit_contacts(planned.engine)["县科技局"] == [Contact("张三")]
