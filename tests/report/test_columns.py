"""Report tables are declared as rows: header, width, kind and value together."""

from __future__ import annotations

from ledger.report import workbook
from ledger.report.columns import ReportColumn, kinds, layout, values
from ledger.report.status import REMINDER_COLUMNS


def test_a_table_gives_its_printed_columns_kinds_and_one_rows_cells_in_the_same_order():
    table = (ReportColumn("编号", 6, "center", lambda r: r["n"]), ReportColumn("单位", 20, "wrap", lambda r: r["u"]))
    assert layout(table) == (("编号", 6), ("单位", 20))
    assert kinds(table) == ("center", "wrap")
    assert values(table, {"n": "3", "u": "县科技局"}) == ("3", "县科技局")


def test_every_declared_table_has_one_known_kind_and_a_value_per_column():
    tables = [workbook.LEDGER_COLUMNS, workbook.LAG_COLUMNS, workbook.DUE_COLUMNS, workbook.MISSING_COLUMNS,
              workbook.SIGNED_OFF_COLUMNS, workbook.SCORES_COLUMNS, REMINDER_COLUMNS]
    for table in tables:
        assert all(c.kind in ("wrap", "center", "int", "pct", "num") for c in table)
        assert len({c.header for c in table}) == len(table)
