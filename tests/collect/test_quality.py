"""Content checks (ledger.collect.quality): copied, near-copied and boilerplate entries are flagged,
honest ones are not; each check's severity comes from [quality]."""

from __future__ import annotations

from pathlib import Path

import pytest

from ledger.collect.intake import collect_inbox
from ledger.collect.quality import Row, check_rows, reweigh, similarity
from ledger.findings import ERROR, WARNING, Finding
from ledger.settings import QualitySettings, Settings, load_settings
from ledger.errors import SettingsError
from ledger.template.generate import generate_templates
from tests.conftest import GOOD, age, fill_all, report_metric

LAST, NOW = "2024-06", "2024-07"


def row(progress, status="序时推进", percent=60, problems=None, last_progress=None, last_percent=None, item=1,
        last_status="序时推进"):
    last = (None if last_progress is None and last_percent is None else
            {"progress": last_progress, "percent": last_percent, "status": last_status})
    return Row(4, {"item_id": item, "role": "lead", "progress": progress, "status": status, "percent": percent,
                   "problems": problems}, last)


def codes(rows, settings=None, **kw) -> list[str]:
    found = check_rows(rows if isinstance(rows, list) else [rows], settings or Settings(), LAST,
                       lambda n, key: f"J{n}", this_period=NOW, **kw)
    return [f.code for f in found]


# (this month, last month): texts pasted again, or pasted with the month or a word changed
COPIED = [
    ("完成项目可研报告编制，正在办理用地预审手续。", "完成项目可研报告编制，正在办理用地预审手续。"),
    ("2024年7月，召开专题调度会2次，协调解决问题3个。", "2024年6月，召开专题调度会2次，协调解决问题3个。"),
    ("7月份召开专题调度会2次，协调解决用地问题3个", "6月份召开专题调度会2次，协调解决用地问题3个。"),
    ("已完成项目可研报告编制，目前正在办理用地预审手续。", "已完成项目可研报告编制，正在办理用地预审手续。"),
    ("本月组织企业座谈会1次，走访重点企业12家，收集诉求8条。", "上月组织企业座谈会1次，走访重点企业12家，收集诉求8条"),
]

BOILERPLATE = ["按计划推进", "正在推进中。", "无", "推进中", "目前各项工作正在推进中。", "本月工作按计划推进，正常。",
               "同上", "有序推进", "积极推进，持续推进。"]

# Honest entries as county units write them, each with last month's honest entry for the same task.
HONEST = [
    ("完成招标文件编制，已挂网公示。", "完成项目初步设计批复。"),
    ("累计完成投资3800万元，主体工程完成70%。", "累计完成投资3200万元，主体工程完成60%。"),
    ("已完成主体结构第8层施工，正在进行第9层钢筋绑扎。", "已完成主体结构第5层施工，正在进行第6层钢筋绑扎。"),
    ("组织现场督导3次，整改问题5处。", "组织现场督导2次，整改问题4处。"),
    ("完成设备采购2批，安装调试6台。", "完成设备采购1批，安装调试3台。"),
    ("开展入户走访120户，收集意见建议15条。", "召开专题调度会1次。"),
    ("印发实施方案，明确责任分工12项。", "起草实施方案初稿，征求相关部门意见。"),
    ("新引进高校毕业生326人，累计完成全年目标的65%。", "新引进高校毕业生210人，累计完成全年目标的48%。"),
    ("完成土地征收补偿协议签订，签约率95%。", "完成土地征收补偿协议签订，签约率80%。"),
    ("已通过市级验收。", "完成项目竣工资料整理，申请市级验收。"),
    ("完成3个村污水管网铺设，共计4.2公里。", "完成2个村污水管网铺设，共计2.8公里。"),
    ("举办招聘会2场，达成就业意向430人。", "举办招聘会1场，达成就业意向210人。"),
    ("完成全县42家规上企业走访，梳理问题17个，已解决11个。", "走访规上企业20家。"),
    ("项目已开工，完成场地平整。", "完成施工图审查。"),
    ("完成年度培训计划，累计培训1200人次。", "累计培训860人次。"),
    ("完成平台注册，上线事项56项。", "完成平台需求调研。"),
    ("办理不动产登记业务1523件，按时办结率100%。", "办理不动产登记业务1310件，按时办结率99.6%。"),
    ("完成河道清淤8公里，拆除违建3处。", "完成河道清淤5公里。"),
    ("申报市级科技计划项目3项，获批1项。", "组织企业申报市级科技计划项目。"),
    ("完成可研批复，正在开展初步设计。", "完成可研编制并报审。"),
    ("新建5G基站36个，累计建成218个。", "新建5G基站28个，累计建成182个。"),
    ("完成示范点建设2个。", "完成示范点选址。"),
    ("出台扶持政策1项，兑现奖补资金260万元。", "起草扶持政策，征求意见。"),
    ("已建成投用，服务群众3200人次。", "完成设备安装调试。"),
    ("组织应急演练1次，排查隐患23处，整改19处。", "组织应急演练1次，排查隐患15处，整改11处。"),
    ("项目完成立项审批，进入施工招标。", "编制项目建议书。"),
    ("完成人员摸底，建立台账。", "制定工作方案。"),
    ("已交付使用。", "完成竣工验收。"),
    ("培育市级专精特新企业4家。", "组织企业申报专精特新。"),
    ("农村户厕改造完成1100户。", "农村户厕改造完成800户。"),
]


@pytest.mark.parametrize("now, before", COPIED)
def test_copied_and_near_copied_text_is_flagged(now, before):
    assert codes(row(now, last_progress=before)) == ["progress-copied"]


@pytest.mark.parametrize("text", BOILERPLATE)
def test_boilerplate_and_too_short_text_is_flagged_once(text):
    # a stock phrase pasted again is one flag (thin), not two
    assert codes(row(text, last_progress=text)) == ["progress-thin"]


def test_honest_entries_are_not_flagged():
    rows = [row(now, last_progress=before, item=n) for n, (now, before) in enumerate(HONEST)]
    flagged = [r.values["progress"] for r in rows if codes(r)]
    report_metric(f"quality: {len(flagged)} of {len(HONEST)} hand-labelled honest entries flagged; "
                  f"{len(COPIED)}/{len(COPIED)} copied and {len(BOILERPLATE)}/{len(BOILERPLATE)} boilerplate flagged")
    assert flagged == []


def test_a_task_done_in_both_months_may_say_the_same_again():
    text = "已于5月通过竣工验收并投入使用。"
    assert codes(row(text, status="已完成", percent=100, last_progress=text, last_status="已完成")) == []
    assert codes(row(text, status="已完成", percent=100, last_progress=text, last_status="序时推进")) == ["progress-copied"]


def test_not_started_with_its_reason_in_problems_is_not_thin():
    assert codes(row("尚未启动", status="未启动", percent=0, problems="等待省级资金下达。")) == []
    assert codes(row("尚未启动", status="未启动", percent=0)) == ["progress-thin"]


def test_figures_changed_is_not_a_copy_though_the_words_are_alike():
    now, before = "累计完成投资3800万元，主体工程完成70%。", "累计完成投资3200万元，主体工程完成60%。"
    assert similarity(now, before) >= 0.9
    assert codes(row(now, last_progress=before)) == []


def test_similarity_threshold_is_the_setting():
    now, before = "已完成项目可研报告编制，正在办理用地预审手续，预计下月取得批复。", "已完成项目可研报告编制，正在办理用地预审手续。"
    alike = similarity(now, before)
    assert 0.8 < alike < 0.9
    assert codes(row(now, last_progress=before)) == []
    assert codes(row(now, last_progress=before), Settings(quality=QualitySettings(similarity=0.8))) == ["progress-copied"]


PAIRS = [("累计完成投资3800万元，主体工程完成70%。", "累计完成投资3200万元，主体工程完成60%。"),
         ("已完成项目可研报告编制，正在办理用地预审手续，预计下月取得批复。", "已完成项目可研报告编制，正在办理用地预审手续。"),
         ("召开专题调度会，协调解决征地问题。", "完成环评批复，新开工项目三个。"),
         ("本月无进展。", "按计划推进，本月召开推进会一次，协调解决资金缺口问题，项目进度符合预期。"),
         ("道路硬化工程已完工", "道路硬化工程已完工并通过验收")]


@pytest.mark.parametrize("now, before", PAIRS)
@pytest.mark.parametrize("at_least", [0.3, 0.5, 0.8, 0.9, 1.0])
def test_a_bounded_similarity_decides_as_the_exact_one(now, before, at_least):
    exact, bounded = similarity(now, before), similarity(now, before, at_least)
    assert (bounded >= at_least) == (exact >= at_least)
    if exact >= at_least:
        assert bounded == exact


@pytest.mark.parametrize("percent, last, problems, flagged", [
    (50, 60, None, True),           # fell, no reason
    (50, 60, "施工受汛期影响暂停。", False),
    (60, 60, None, False),          # the boundary: equal is not lower
    (59, 60, "", True),
])
def test_percent_lower_than_last_month_needs_a_problem(percent, last, problems, flagged):
    r = row("完成设备采购2批，安装调试6台。", percent=percent, problems=problems, last_percent=last)
    assert ("percent-fell" in codes(r)) is flagged


def test_percent_fall_across_a_year_is_not_compared():
    r = row("完成设备采购2批，安装调试6台。", percent=10, last_percent=90)
    found = check_rows([r], Settings(), "2023-12", lambda n, k: "L4", this_period="2024-01")
    assert found == []


@pytest.mark.parametrize("text, flagged", [
    ("项目已全部完成。", True),
    ("按要求完成了相关工作，圆满收官。", True),
    ("已通过竣工验收并投入使用。", False),
    ("完成改造1100户。", False),
])
def test_done_needs_an_effect(text, flagged):
    assert ("done-no-effect" in codes(row(text, status="已完成", percent=100))) is flagged


def test_done_with_evidence_attached_is_not_flagged():
    r = row("项目已全部完成。", status="已完成", percent=100, item=7)
    assert codes(r, has_evidence=lambda item_id: item_id == 7) == []
    assert codes(r, has_evidence=lambda item_id: item_id == 8) == ["done-no-effect"]


def test_severity_is_the_setting_and_off_silences():
    r = row("按计划推进", last_progress="按计划推进")
    as_error = check_rows([r], Settings(quality=QualitySettings(thin="error")), LAST, lambda n, k: "J4", this_period=NOW)
    assert [(f.code, f.severity) for f in as_error] == [("progress-thin", ERROR)]
    assert check_rows([r], Settings(quality=QualitySettings(thin="off")), LAST, lambda n, k: "J4", this_period=NOW) == []
    finding = as_error[0]
    assert finding.cell == "J4" and finding.column == "本月进展情况" and "按计划推进" in finding.message
    assert finding.fix and finding.message.endswith(finding.fix)


def test_behind_schedule_takes_its_severity_from_quality_pace():
    made = [Finding("behind-schedule", WARNING, "L4“完成进度(%)”：…"), Finding("status-unknown", ERROR, "…")]
    assert [f.severity for f in reweigh(made, QualitySettings(pace="error"))] == [ERROR, ERROR]
    assert [f.code for f in reweigh(made, QualitySettings(pace="off"))] == ["status-unknown"]


def test_quality_settings_are_checked(tmp_path):
    path = tmp_path / "ledger.toml"
    for text, word in [('[quality]\ncopied = "loud"\n', "quality.copied"), ("[quality]\nsimilarity = 1.5\n", "quality.similarity"),
                       ("[quality]\nstock_phrase = []\n", "quality.stock_phrase"), ('[quality]\nstock_phrases = [" "]\n', "quality.stock_phrases")]:
        path.write_text(text, encoding="utf-8")
        with pytest.raises(SettingsError, match=word.replace(".", r"\.")):
            load_settings(path)
    path.write_text('[quality]\nthin = "error"\nmin_length = 8\n', encoding="utf-8")
    assert load_settings(path).quality.thin == "error"


# --- through collect: two months of one unit ----------------------------------------------------

def _month(ws, tmp_path: Path, period: str, **values):
    generate_templates(ws, period)
    source = ws.templates_dir / period / f"{period}_县科技局.xlsx"
    target = ws.inbox_dir / f"科技局{period}.xlsx"
    fill_all(source, target, **values)
    age(target)
    return collect_inbox(ws)


def _findings(result) -> list[str]:
    return [f.code for outcome in result.files for f in outcome.findings]


@pytest.mark.slow
def test_a_copied_month_is_accepted_with_a_warning_and_an_honest_one_is_clean(planned, tmp_path):
    first = _month(planned, tmp_path, "2024-06", progress="完成平台申报材料报送，组织专家评审1次。", percent=50)
    assert first.totals["accepted"] == 1 and _findings(first) == []
    copied = _month(planned, tmp_path, "2024-07", progress="完成平台申报材料报送，组织专家评审1次。", percent=60)
    assert copied.totals["accepted"] == 1
    assert set(_findings(copied)) == {"progress-copied"}
    honest = _month(planned, tmp_path, "2024-08", progress="2项平台通过市级评审，进入公示。", percent=70)
    assert honest.totals["accepted"] == 1 and _findings(honest) == []


@pytest.mark.slow
def test_a_check_set_to_error_returns_the_file(planned, tmp_path):
    planned.set_setting("quality.thin", "error")
    result = _month(planned, tmp_path, "2024-07", progress="正在推进中。")
    assert result.totals["rejected"] == 1 and set(_findings(result)) == {"progress-thin"}


@pytest.mark.slow
def test_on_the_demo_only_the_copying_and_the_boilerplate_units_are_flagged(tmp_path):
    import sqlalchemy as sa

    from ledger.collect.quality import CHECKS
    from ledger.demo import COPIES, THIN, run_demo
    from ledger.store import schema as s
    from ledger.workspace import find_workspace

    result = run_demo(tmp_path / "demo", echo=lambda line: None, use_libreoffice=False)
    ws = find_workspace(result.root)
    with ws.engine.connect() as conn:
        units = [r.name for r in conn.execute(sa.select(s.units.c.name).order_by(s.units.c.id))]
        accepted = conn.execute(sa.select(s.intake.c.period, s.units.c.name, s.intake.c.findings)
                                .join(s.units, s.units.c.id == s.intake.c.unit_id)
                                .where(s.intake.c.outcome == "accepted")).all()
        rows = conn.execute(sa.select(sa.func.count()).select_from(s.submission_rows)).scalar()
    story = "\n".join(result.story)
    bad = {u for u in units if f"{u}：照搬上月" in story or f"{u}：进展情况只写了" in story}
    assert len(bad) == len(COPIES) + len(THIN)
    flagged = {(p, u) for p, u, found in accepted for f in found if f["code"] in CHECKS and f["code"] != "behind-schedule"}
    assert {u for _, u in flagged} == bad
    report_metric(f"quality on the demo: {len(flagged)} flagged submissions, all of units that copied or wrote "
                  f"boilerplate; none of the honest ones among {rows} stored rows")


@pytest.mark.slow
def test_a_returned_file_lists_the_content_checks_as_hints_in_its_feedback(planned, tmp_path):
    import openpyxl

    from ledger.collect.feedback import PROBLEM_SHEET

    _month(planned, tmp_path, "2024-06", progress="完成平台申报材料报送，组织专家评审1次。", percent=50)
    result = _month(planned, tmp_path, "2024-07", progress="完成平台申报材料报送，组织专家评审1次。", status="进行中")
    (outcome,) = result.files
    assert outcome.outcome == "rejected"
    sheet = openpyxl.load_workbook(planned.root / outcome.feedback)[PROBLEM_SHEET]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=4)]
    hints = [r for r in rows if r[-1] == "提示"]
    assert hints and all("疑似照搬上期内容" in r[4] for r in hints)
    assert any(r[-1] == "错误" for r in rows)
