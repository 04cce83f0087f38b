"""The 退回意见 workbook of a ledger the office sent back on review: the unit's own returned file
rebuilt as its template (as a rejection's feedback is), the office's comment on the item's row and
in the 问题清单, so the unit corrects that file and uploads it again."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from xlsxwriter.utility import xl_rowcol_to_cell

from ledger import layout
from ledger.collect import examine as ex
from ledger.collect.feedback import problem_sheet
from ledger import codes
from ledger.findings import Finding
from ledger.store import schema as s
from ledger.template.writer import write_template
from ledger.workspace import Workspace
from ledger.xlsx import atomic_output



def comment_findings(read, plan, comment: str, items: list[tuple[str, str]], by: str) -> list[Finding]:
    """The office's comment as findings: on each named item's rows (本月进展情况), or on the whole ledger."""
    if not items:
        return [codes.REVIEW_SENT_BACK.finding(item="", by=by, comment=comment)]
    ids = {}
    for item in plan.items:
        ids.setdefault(item.number, set()).add(str(item.id))
    column = layout.column_index("progress")
    out = []
    for number, text in items:
        rows = [r for r in read.rows if str(r.values.get("row_key") or "").split("-")[0] in ids.get(number, set())]
        for r in rows or [None]:
            where = {} if r is None else {"sheet": read.ledger_sheet, "row": r.number, "field": "progress",
                                          "column": layout.BY_KEY["progress"].header,
                                          "cell": xl_rowcol_to_cell(r.number - 1, column)}
            out.append(codes.REVIEW_SENT_BACK.finding(item=f"第 {number} 项，", by=by, comment=text, **where))
    return out


def sendback_workbook(ws: Workspace, submission_id: int, out: Path) -> Path:
    """Write the 退回意见 workbook of a sent-back submission to ``out``."""
    from ledger.collect.reader import read_workbook
    from ledger.collect.safety import detect_format

    sub, it, r = s.submissions, s.intake, s.reviews
    with ws.engine.connect() as conn:
        row = conn.execute(sa.select(sub.c.template_id, sub.c.period, it.c.stored_path, r.c.comment, r.c.by_name,
                                     r.c["items"], s.units.c.name)
                           .join(it, it.c.id == sub.c.intake_id).join(r, r.c.submission_id == sub.c.id)
                           .join(s.units, s.units.c.id == sub.c.unit_id)
                           .where(sub.c.id == submission_id, r.c.decision == "sent_back")).first()
    if row is None or not row.stored_path:
        raise FileNotFoundError(submission_id)
    path = ws.root / row.stored_path
    read = read_workbook(path, detect_format(path))
    record = ex._template(ws.db_url, row.template_id, row.period)
    plan = ex._plan(ws.db_url, record["plan_version"])
    expected = ex._expected(record, row.name, ws.db_url)
    items = [(str(i.get("number")), str(i.get("comment"))) for i in (row.items or []) if isinstance(i, dict)]
    findings = comment_findings(read, plan, row.comment, items, row.by_name)
    spec = ex._feedback_spec(read, record, plan, expected, findings, ws.settings)
    with atomic_output(out) as tmp:
        write_template(spec, tmp, front=problem_sheet)
    return out
