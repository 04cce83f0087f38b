"""The catalogue of finding codes: every code a finding can carry, declared once.

A code (``Code``) says how serious it is, what it is about (the scope: a whole file, a workbook, a
sheet, a row or a cell), what the office reads about it in ``ledger codes`` (``about``), the problem
as a template with ``{placeholders}``, and how to fix it, also a template. Whatever raises a finding
names its code from here (``codes.FILE_EMPTY.finding(value=…)``, or ``told(…)`` and then ``at(…)``
when the place is added by the caller); nothing else spells a code or its wording. The model is
frictionless-py's ``errors/cell.py``: one record per error type, a catalogue read top to bottom.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from ledger.errors import LedgerError
from ledger.findings import ERROR, WARNING, Finding

FILE, WORKBOOK, SHEET, ROW, CELL = "file", "workbook", "sheet", "row", "cell"
SCOPES = {FILE: "文件", WORKBOOK: "工作簿", SHEET: "工作表", ROW: "行", CELL: "单元格"}
SEVERITIES = {ERROR: "错误（不予接收）", WARNING: "提示（照常接收）"}

# What a placeholder stands for, as ``ledger codes`` shows a template: 〈填写内容〉.
PLACEHOLDERS = {
    "typed": "填写内容", "size": "文件大小", "limit": "上限", "reason": "原因", "why": "原因",
    "sheet_name": "工作表", "header": "栏目", "where": "工作表", "number": "行号", "first": "行号",
    "noun": "任务或指标", "name": "名称", "seq": "序号", "original": "原内容", "fix_more": "恢复方法",
    "hint": "栏目的填写要求", "minimum": "下限", "maximum": "上限", "example": "示例", "per": "单位说明",
    "choices": "可选值", "status": "完成状态", "percent": "完成进度", "pace": "序时进度", "gap": "差距",
    "formula": "公式", "achieved": "填写数值", "before": "上期数值", "when": "上期月份", "target": "目标值",
    "as_percent": "百分数", "unit": "单位", "period": "月份", "version": "版本", "current": "当前版本",
    "recorded_unit": "单位", "other": "其他单位", "uploader": "本单位", "received": "收到时间",
    "original_name": "文件名", "feedback": "退回意见", "note": "说明", "month": "月份", "day": "日期",
    "who": "督查室联系人", "same": "相同程度", "item": "任务", "by": "审核人", "comment": "审核意见",
}


class UnknownCode(LedgerError):
    """No finding code of that name."""


@dataclass(frozen=True)
class Told:
    """A code's problem and fix with their placeholders filled, before the place is known."""

    code: "Code"
    problem: str
    fix: str
    severity: str

    @property
    def message(self) -> str:
        return f"{self.problem}{self.code.sep}{self.fix}" if self.fix else self.problem

    def at(self, place: str = "", **where: Any) -> Finding:
        """The finding, its message led by ``place`` (such as ``K4“完成状态”：``) when given."""
        return Finding(self.code.code, self.severity, place + self.message, fix=self.fix, **where)


@dataclass(frozen=True)
class Code:
    """One finding code, as the office reads it in ``ledger codes``."""

    code: str
    severity: str       # ERROR: the file is returned; WARNING: told, but accepted
    scope: str          # FILE, WORKBOOK, SHEET, ROW or CELL
    about: str          # 说明: when this is raised, in the office's words
    problem: str        # template: what is wrong
    fix: str = ""       # template: how to fix it
    sep: str = "："     # between problem and fix in the whole message

    def told(self, severity: str | None = None, **values: Any) -> Told:
        return Told(self, self.problem.format(**values), self.fix.format(**values), severity or self.severity)

    def finding(self, *, severity: str | None = None, sheet: str | None = None, cell: str | None = None,
                column: str | None = None, field: str | None = None, value: Any = None, row: int | None = None,
                **values: Any) -> Finding:
        """The finding of this code: placeholders by name, the place by the Finding's own fields."""
        return self.told(severity, **values).at(sheet=sheet, cell=cell, column=column, field=field, value=value, row=row)

    def shown(self, text: str) -> str:
        """A template as the catalogue shows it: each placeholder by what it stands for."""
        return re.sub(r"\{(\w+)\}", lambda m: f"〈{PLACEHOLDERS.get(m.group(1), m.group(1))}〉", text)

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "severity_label": SEVERITIES[self.severity],
                "scope": self.scope, "scope_label": SCOPES[self.scope], "about": self.about,
                "problem": self.shown(self.problem), "fix": self.shown(self.fix)}


CATALOGUE: dict[str, Code] = {}


def _declare(*args: Any, **kwargs: Any) -> Code:
    code = Code(*args, **kwargs)
    if code.code in CATALOGUE:
        raise ValueError(f"finding code declared twice: {code.code}")
    if code.scope not in SCOPES or code.severity not in SEVERITIES:
        raise ValueError(f"finding code {code.code}: unknown scope or severity")
    CATALOGUE[code.code] = code
    return code


def code(name: str) -> Code:
    """The declaration of a code as stored with a finding."""
    return CATALOGUE[name]


def catalogue(name: str | None = None) -> list[Code]:
    """Every declared code in the catalogue's order, or the one named (``UnknownCode`` when none is)."""
    if name is None:
        return list(CATALOGUE.values())
    found = CATALOGUE.get(name.strip().lower())
    if found is None:
        raise UnknownCode(f"没有问题代码“{name}”：运行 ledger codes 查看全部代码")
    return [found]


_RETEMPLATE = "请用下发的模板重新填写，在 Excel/WPS 中另存为“Excel 工作簿(*.xlsx)”后重新报送。"

# --- the file as a whole: the safety gate (collect/safety.py) --------------------------------------
FILE_EMPTY = _declare("file-empty", ERROR, FILE, "报回的文件是 0 字节的空文件",
                      "文件为空（0 字节），可能是保存或上传时中断", "请重新保存填好的工作簿后报送。")
FILE_TOO_LARGE = _declare("file-too-large", ERROR, FILE, "文件超过 [collect] max_file_mb 设定的大小上限",
                          "文件过大（{size}，上限 {limit}）", "请删除多余的图片、附件和空白行列，另存后重新报送。")
FILE_ENCRYPTED = _declare("file-encrypted", ERROR, FILE, "工作簿设有打开密码，无法读取",
                          "文件已加密", "请取消密码后重新报送（在 Excel/WPS 中取消打开密码后保存）。", "，")
FILE_MACRO = _declare("file-macro", ERROR, FILE, "工作簿含宏（VBA、宏表或脚本），出于安全原因不读取",
                      "文件包含宏（VBA 或宏表），出于安全原因不予接收", "请另存为“Excel 工作簿(*.xlsx)”后重新报送。")
FILE_CORRUPT = _declare("file-corrupt", ERROR, FILE, "文件损坏、被截断，或扩展名是 Excel 而内容不是",
                        "文件已损坏或不是Excel工作簿，无法读取{why}", "请用下发的模板重新填写后报送。")
FILE_ZIP_BOMB = _declare("file-zip-bomb", ERROR, FILE, "工作簿内部压缩数据异常（解压后过大、条目过多等），出于安全原因不读取",
                         "文件内部数据异常（{reason}），出于安全原因不予接收", _RETEMPLATE)
FILE_XML_ENTITY = _declare("file-xml-entity", ERROR, FILE, "工作簿的 XML 含 DOCTYPE/ENTITY 声明，可能被篡改，出于安全原因不读取",
                           "文件含有不允许的 XML 声明（DOCTYPE/ENTITY），可能被篡改或由非标准软件生成，出于安全原因不予接收",
                           _RETEMPLATE)
FILE_UNSUPPORTED = _declare("file-unsupported", ERROR, FILE, "报回的不是 Excel 工作簿（PDF、Word、CSV、压缩包、.xlsb 等）",
                            "不支持的文件格式（只接收 Excel 工作簿，不接收 PDF、CSV、Word 文档、.xlsb 或压缩包）",
                            "请使用下发的 .xlsx 模板填写，或在 Excel/WPS 中另存为“Excel 工作簿(*.xlsx)”后直接报送。")

# --- the file in the inbox: the run's own outcomes (collect/intake.py) -----------------------------
ENTRY_NOT_FILE = _declare("entry-not-file", ERROR, FILE, "inbox/ 中的快捷方式、链接、管道等不是普通文件的条目：不读取，留给督查室处理",
                          "“{name}”{reason}，出于安全原因不读取、不收取",
                          "请督查室核实后将其移出 inbox/；如是报送的工作簿，请把文件本身（而不是链接）放入 inbox/", "，")
FILE_HELD = _declare("file-held", ERROR, FILE, "因系统原因（磁盘已满、程序出错等）未能处理，文件留在 inbox/ 中，不是单位的问题",
                     "{reason}：文件仍留在 inbox/ 中，未入库、未退回",
                     "请督查室查看工作日志（ledger log）后处理，处理好后再次收取即可", "；")
FILE_DUPLICATE = _declare("file-duplicate", WARNING, FILE, "与此前收到的文件内容完全相同，按重复报送处理，不重复入库",
                          "与 {received} 收到的“{original_name}”内容完全相同，按重复报送处理，未重复入库")
FILE_REJECTED_BEFORE = _declare("file-rejected-before", ERROR, FILE, "与此前已被退回的文件内容完全相同，未按退回意见修改",
                                "与 {received} 收到的“{original_name}”内容完全相同，该文件已被退回过，本次未作改动",
                                "请按退回意见 {feedback} 修改后重新报送")
UPLOAD_OTHER_UNIT = _declare("upload-other-unit", ERROR, WORKBOOK, "通过本单位的网页链接上传了其他单位的台账模板",
                             "此工作簿是“{other}”的台账模板，不能通过“{uploader}”的报送链接上传",
                             "请下载本单位（{uploader}）的模板填写后上传；如需代其他单位报送，请联系督查室")

# --- content checks on a valid 台账 (collect/quality.py; severity set in [quality]) -----------------
PROGRESS_THIN = _declare("progress-thin", WARNING, CELL, "进展情况过于简略，或只有“按计划推进”等套话（[quality] thin）",
                         "进展情况过于简略（“{typed}”），没有写明本期具体做了什么", "请写明本期开展的具体工作、完成的数量或节点")
PROGRESS_COPIED = _declare("progress-copied", WARNING, CELL, "进展情况与上期所报相同或基本相同，数字也没有更新（[quality] copied）",
                           "进展情况与{when}所报{same}，疑似照搬上期内容", "请写明本期新的进展；确无新进展的，请说明原因")
PERCENT_FELL = _declare("percent-fell", WARNING, CELL, "完成进度比上期低，却没有填写“存在问题”（[quality] fell）",
                        "完成进度 {percent} 低于{when}所报的 {before}，且未填写“存在问题”",
                        "请核对进度；如确有回落，请在“存在问题”中说明原因")
DONE_NO_EFFECT = _declare("done-no-effect", WARNING, CELL, "选了“已完成”，进展中却没有写明成果或成效（[quality] no_effect）",
                          "完成状态为“已完成”，但进展情况中没有写明完成的成果或成效",
                          "请写明完成的成果（如验收、投用、完成数量），并按要求报送佐证材料")

# --- a file for a month already reported or closed (collect/late.py) ------------------------------
FILE_SAME_VALUES = _declare("file-same-values", WARNING, WORKBOOK, "内容与该单位该月已收到的报送相同（文件另存过，字节不同），按重复报送处理，原报送时间不变",
                            "与 {received} 已收到的{month}报送内容相同，按重复报送处理，未重复入库，原报送时间不变")
PERIOD_LOCKED = _declare("period-locked", ERROR, WORKBOOK, "该月已由督查室锁定（终版），不再接收报送或更正",
                         "{month}的台账已于 {day}锁定（终版），不再接收报送", "如确需补报或修改，请联系{who}解锁后再报送")
REVIEW_SENT_BACK = _declare("review-sent-back", ERROR, WORKBOOK, "督查室审核后退回修改（审核意见，针对整份台账或某项任务）",
                            "{item}督查室审核意见（{by}）：{comment}", "请按督查室意见修改后重新报送")
LATE_CORRECTION_REFUSED = _declare("late-correction-refused", ERROR, WORKBOOK,
                                   "报送截止、汇总之后又报来的更正，按 [collect] late_corrections = \"refuse\" 不予接收",
                                   "{month}的报送截止（{day}）后不再接收更正，本单位该月已报送的内容不变",
                                   "如确需更正，请联系督查室")
LATE_CORRECTION_HELD = _declare("late-correction-held", WARNING, WORKBOOK,
                                "报送截止、汇总之后又报来的更正，待督查室审核（ledger corrections）后才替换原报送",
                                "已收到{month}的更正（报送截止 {day} 之后），待督查室审核；审核通过前，该月仍以原报送为准",
                                "无需重复报送；督查室审核后会告知结果")
LATE_CORRECTION_ACCEPTED = _declare("late-correction-accepted", WARNING, WORKBOOK,
                                    "报送截止、汇总之后又报来的更正，已替换原报送并标注“更正”，按时情况不变",
                                    "已收到{month}的更正（报送截止 {day} 之后），已替换原报送并标注“更正”；该月按时情况不变")

# --- whose workbook it is (collect/examine.py) ----------------------------------------------------
IDENTITY_MISSING = _declare("identity-missing", ERROR, WORKBOOK, "工作簿中找不到模板标识，不是督查室下发的台账模板",
                            "未找到模板标识，文件不是下发的台账模板",
                            "请使用督查室下发的本单位模板填写（可在原模板中修改后报送，文件名可随意）")
TEMPLATE_UNKNOWN = _declare("template-unknown", ERROR, WORKBOOK, "模板标识在本工作区的下发记录中找不到（可能是其他工作区或已作废的模板）",
                            "模板标识不在本工作区的下发记录中（单位“{unit}”，月份 {period}）", "请使用本次下发的模板填写")
IDENTITY_MISMATCH = _declare("identity-mismatch", ERROR, WORKBOOK, "模板标识与下发记录不一致（标识被改动）",
                             "文件的模板标识被改动（记录为“{recorded_unit}” {period}）", "请使用下发的模板重新填写")
PLAN_SUPERSEDED = _declare("plan-superseded", ERROR, WORKBOOK, "模板属于已被新版本取代的计划",
                           "此模板属于第 {version} 版计划，计划已更新为第 {current} 版",
                           "请使用 templates/{period}/ 中新下发的模板重新填写")
UNIT_UNKNOWN = _declare("unit-unknown", ERROR, WORKBOOK, "模板的单位不在当前计划的责任单位中",
                        "单位“{unit}”不在当前计划的责任单位中", "请与督查室联系")

# --- sheets and rows (collect/validate.py) ----------------------------------------------------------
SHEET_MISSING = _declare("sheet-missing", ERROR, SHEET, "找不到“台账”或“指标”工作表，或其表头被改动",
                         "未找到“{sheet_name}”工作表（或其表头被改动）{why}",
                         "请在下发模板的“{sheet_name}”工作表中填报，不要删除该工作表或改动表头", "，")
COLUMN_MISSING = _declare("column-missing", ERROR, SHEET, "工作表缺少模板中的某一列（表头被删除或改名）",
                          "“{sheet_name}”工作表缺少“{header}”列", "请不要删除或改名表头")
ROW_ADDED = _declare("row-added", ERROR, ROW, "工作表中有模板之外的行（新增或复制的行）",
                     "{where}第 {number} 行不是模板中的{noun}行（可能是新增或复制的行）", "请删除该行，只在原有行中填写")
ROW_DUPLICATE = _declare("row-duplicate", ERROR, ROW, "同一任务或指标出现了两行",
                         "{where}第 {number} 行与第 {first} 行是同一{noun}的重复行", "请删除重复行")
ROW_DELETED = _declare("row-deleted", ERROR, ROW, "模板中的任务或指标行被删除",
                       "{noun}“{name}”（序号 {seq}）的行被删除", "请使用下发的模板，不要删除{noun}行")
PLAN_CELL_CHANGED = _declare("plan-cell-changed", ERROR, CELL, "锁定的计划内容（任务、责任单位、时限等）被修改",
                             "是计划内容，不能修改（原为“{original}”）", "请恢复原内容，{fix_more}")

# --- cells of the 台账 and 指标 sheets (kinds.py, collect/validate.py) ---------------------------------
REQUIRED_EMPTY = _declare("required-empty", ERROR, CELL, "必填的单元格为空", "不能为空", "{hint}", "，")
FORMULA_NO_TEXT = _declare("formula-no-text", ERROR, CELL, "必填的单元格里是公式，读不到文字",
                           "单元格中是公式“{formula}”，没有可读取的文字", "请删除公式，直接填写文字内容")
VALUE_INVALID = _declare("value-invalid", ERROR, CELL, "填写内容不符合该栏目的格式", "“{typed}”格式不正确", "{hint}", "，")
PERCENT_INVALID = _declare("percent-invalid", ERROR, CELL, "完成进度不是 0–100 的整数",
                           "“{typed}”不是 0 到 100 之间的整数", "请填写如 60 这样的整数（不带 % 号）", "，")
NUMBER_INVALID = _declare("number-invalid", ERROR, CELL, "数字栏目中填了文字",
                          "“{typed}”不是数字", "请只填写数字（如 {example}{per}），文字说明请写在备注中")
NUMBER_BELOW_MIN = _declare("number-below-min", ERROR, CELL, "数字小于该栏目设定的下限",
                            "{typed} 小于下限 {minimum}", "请核对后重填")
NUMBER_ABOVE_MAX = _declare("number-above-max", ERROR, CELL, "数字超过该栏目设定的上限",
                            "{typed} 超过上限 {maximum}", "请核对后重填")
DATE_INVALID = _declare("date-invalid", ERROR, CELL, "日期栏目中的内容不是有效日期",
                        "“{typed}”不是有效的日期", "请填写如 2024-07-31 的日期")
PHONE_INVALID = _declare("phone-invalid", WARNING, CELL, "联系电话看起来不是电话号码（只提示）",
                         "“{typed}”看起来不是电话号码", "请核对", "，")
CHOICE_INVALID = _declare("choice-invalid", ERROR, CELL, "下拉选择的栏目中填了列表以外的值",
                          "“{typed}”不是可选的值", "请从下拉列表选择：{choices}", "，")
STATUS_UNKNOWN = _declare("status-unknown", ERROR, CELL, "完成状态不是本工作区设定的状态用语（或其同义词）",
                          "“{typed}”不是有效的完成状态", "请从下拉列表选择：{choices}", "，")
YESNO_INVALID = _declare("yesno-invalid", ERROR, CELL, "是否栏目中填了“是”“否”以外的内容",
                         "“{typed}”应为“是”或“否”", "请从下拉列表选择")
VALUE_NORMALISED = _declare("value-normalised", WARNING, CELL, "填写内容按常见写法换算后保存（如“百分之六十”按 60、“√”按“是”）",
                            "{note}", "如不对请改正", "，")
DONE_NOT_100 = _declare("done-not-100", ERROR, CELL, "状态为已完成，但完成进度不是 100",
                        "完成状态为“{status}”，完成进度应为 100（现为 {percent}）", "请改为 100，或改选其他状态")
LAG_NO_PROBLEM = _declare("lag-no-problem", ERROR, CELL, "状态为滞后，但没有在“存在问题”中说明原因",
                          "完成状态为“{status}”，须在“{header}”中说明原因")
REQUIRED_IF_STATUS = _declare("required-if-status", ERROR, CELL, "本工作区自定义的栏目在该完成状态下必填，但为空",
                              "完成状态为“{status}”，须填写“{header}”")
BEHIND_SCHEDULE = _declare("behind-schedule", WARNING, CELL, "状态选了正常推进，但完成进度明显低于序时进度（只提示）",
                           "状态为“{status}”，但完成进度 {percent} 比序时进度 {pace} 低 {gap} 个百分点", "请核对状态或进度", "，")
FORMULA_LIKE = _declare("formula-like", WARNING, CELL, "文字以“=”等符号开头，像公式；按文字保存，不会计算（只提示）",
                        "内容以“=”等符号开头，看起来像公式，将按文字保存")
TARGET_NOT_NUMBER = _declare("target-not-number", ERROR, CELL, "“指标”表的本年累计完成值不是数字",
                             "“{typed}”不是数字", "请只填写数字（如 3200{per}），文字说明请写在“说明”列")
TARGET_NEGATIVE = _declare("target-negative", ERROR, CELL, "“指标”表的本年累计完成值是负数",
                           "不能为负数（现为 {typed}）", "请填写本年累计完成的数值，没有完成的填 0", "，")
TARGET_DECREASED = _declare("target-decreased", WARNING, CELL, "本年累计完成值比上期报送的小（累计值一般不减少；只提示）",
                            "本年累计完成值 {achieved} 小于上期（{when}）已报送的 {before}，累计值一般不会减少",
                            "请核对；如因统计口径调整，请在“说明”中注明")
TARGET_PERCENT_FRACTION = _declare("target-percent-fraction", WARNING, CELL,
                                   "百分数指标填成了小数（单元格设成了百分比格式；只提示）",
                                   "填的是 {achieved}，而目标是 {target}%：若单元格设成了百分比格式，{as_percent}% 会被存成 {achieved}",
                                   "请把单元格改为常规格式后填写数字", "，")
