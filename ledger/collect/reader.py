"""Read a returned workbook: its identification (three places), the 台账 rows and the 指标 rows, fast.

Cell values come from python-calamine (xlsx, xls, ods); document properties and defined names
are read from the package XML with defusedxml. Nothing here judges the values.
"""

from __future__ import annotations

import io
import operator
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from defusedxml import ElementTree as SafeET
from python_calamine import CalamineWorkbook

from ledger import layout
from ledger.template.identity import PROPERTY_PREFIX, Identity

HEADER_SCAN_ROWS = 12       # the header row is looked for in the first rows of a sheet
_NS_PROPS = "{http://schemas.openxmlformats.org/officeDocument/2006/custom-properties}"
_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_ODF_META = "{urn:oasis:names:tc:opendocument:xmlns:meta:1.0}"


@dataclass
class LedgerRow:
    number: int                     # 1-based worksheet row
    values: dict[str, Any]          # by layout key, as read


@dataclass
class ReadTable:
    """A sheet found by its header row: where it is, its columns and its non-empty rows."""

    sheet: str
    header_row: int                 # 1-based
    columns: dict[str, int]         # layout key -> 0-based column
    rows: list[LedgerRow]


@dataclass
class ReadWorkbook:
    path: Path
    sheet_names: list[str]
    identities: dict[str, Identity] = field(default_factory=dict)   # by source: property, sheet, name
    ledger_sheet: str | None = None
    columns: dict[str, int] = field(default_factory=dict)           # layout key -> 0-based column
    header_row: int | None = None                                   # 1-based
    rows: list[LedgerRow] = field(default_factory=list)
    targets: ReadTable | None = None                                # the 指标 sheet, when present

    fmt: str | None = None
    _formulas: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)

    def formula_at(self, sheet: str, cell: str) -> str | None:
        """The formula of a cell that holds one without a saved result (read on first question)."""
        if sheet not in self._formulas:
            self._formulas[sheet] = uncached_formulas(self.path, sheet) if self.fmt in ("xlsx", "xlsm") else {}
        return self._formulas[sheet].get(cell)

    @property
    def identity(self) -> Identity | None:
        for source in ("property", "sheet", "name"):
            if source in self.identities:
                return self.identities[source]
        return None


# Package members the identification is read from; the safety gate, which inflates every member
# anyway, hands them over (``safety.inspect(keep=PACKAGE_PARTS)``) so the package is not opened twice.
PACKAGE_PARTS = frozenset({"docProps/custom.xml", "xl/workbook.xml", "meta.xml"})


def read_workbook(path: Path, fmt: str, parts: dict[str, bytes] | None = None,
                  data: bytes | None = None, every_identity: bool = False) -> ReadWorkbook:
    """Read identification and ledger rows; raises on a workbook calamine cannot open.

    ``parts`` are the package members of ``PACKAGE_PARTS`` the file has, already read; without
    them the package is opened here. ``data``: the file's bytes, when the caller has read them.
    The identification is read from its three places in the order ``ReadWorkbook.identity`` trusts
    them, stopping at the first found; ``every_identity`` reads all three (to check a template)."""
    wb = CalamineWorkbook.from_filelike(io.BytesIO(data)) if data is not None else _open(path)
    try:
        result = ReadWorkbook(path, list(wb.sheet_names), fmt=fmt)
        parts = _package_parts(path, fmt, parts)
        _property_identity(fmt, result, parts)
        if (every_identity or not result.identities) and layout.META_SHEET in wb.sheet_names:
            found = _sheet_identity(wb.get_sheet_by_name(layout.META_SHEET).to_python())
            if found:
                result.identities["sheet"] = found
        if every_identity or not result.identities:
            _name_identity(fmt, result, parts)
        _read_ledger(wb, result)
        result.targets = _read_targets(wb, result.ledger_sheet)
    finally:
        wb.close()
    return result


def _open(path: Path) -> CalamineWorkbook:
    """calamine takes a path only as valid text: a name that is not UTF-8 is read through a file object."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        with open(path, "rb") as fh:
            return CalamineWorkbook.from_filelike(fh)
    return CalamineWorkbook.from_path(str(path))


_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def uncached_formulas(path: Path, sheet: str) -> dict[str, str]:
    """Cells of an xlsx sheet holding a formula with no saved result, by reference (``B4`` -> ``=...``).

    calamine reads such a cell as empty: a formula typed where text was expected, saved by a program
    that does not compute (or keep) results. Only asked about when a required cell reads empty.
    """
    with zipfile.ZipFile(path) as zf:
        book = SafeET.fromstring(zf.read("xl/workbook.xml"))
        rel_id = next((el.get(f"{_NS_REL}id") for el in book.iter(f"{_NS_MAIN}sheet") if el.get("name") == sheet), None)
        rels = SafeET.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        target = next((el.get("Target") for el in rels.iter(f"{_NS_PKG_REL}Relationship") if el.get("Id") == rel_id), None)
        if target is None:
            return {}
        member = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
        found = {}
        with zf.open(member) as fh:
            for _, el in SafeET.iterparse(fh):
                if el.tag == f"{_NS_MAIN}c":
                    formula, value = el.find(f"{_NS_MAIN}f"), el.find(f"{_NS_MAIN}v")
                    if formula is not None and formula.text and (value is None or not value.text):
                        found[el.get("r")] = "=" + formula.text
                    el.clear()
        return found


def _sheet_identity(rows: list[list[Any]]) -> Identity | None:
    data = {str(r[0]): r[1] for r in rows if len(r) >= 2 and r[0] not in ("", None)}
    return Identity.from_mapping(data, PROPERTY_PREFIX)


def _package_parts(path: Path, fmt: str, parts: dict[str, bytes] | None) -> dict[str, bytes]:
    """The members of ``PACKAGE_PARTS`` an xlsx or ods package has (as handed over, or read here)."""
    if parts is not None or fmt not in ("xlsx", "ods"):
        return parts or {}
    with zipfile.ZipFile(path) as zf:
        names = set(zf.namelist())
        return {name: zf.read(name) for name in PACKAGE_PARTS & names}


def _property_identity(fmt: str, result: ReadWorkbook, parts: dict[str, bytes]) -> None:
    if fmt not in ("xlsx", "ods"):
        return
    props = _xlsx_properties(parts) if fmt == "xlsx" else _ods_properties(parts)
    found = Identity.from_mapping(props, PROPERTY_PREFIX)
    if found:
        result.identities["property"] = found


def _name_identity(fmt: str, result: ReadWorkbook, parts: dict[str, bytes]) -> None:
    encoded = _xlsx_defined_name(parts) if fmt == "xlsx" else None
    decoded = Identity.decode(encoded, digest="") if encoded else None
    if decoded:
        result.identities["name"] = decoded


def _xlsx_properties(parts: dict[str, bytes]) -> dict[str, str]:
    if "docProps/custom.xml" not in parts:
        return {}
    root = SafeET.fromstring(parts["docProps/custom.xml"])
    out = {}
    for prop in root.iter(f"{_NS_PROPS}property"):
        value = next(iter(prop), None)
        if value is not None and prop.get("name"):
            out[prop.get("name")] = (value.text or "").strip()
    return out


def _ods_properties(parts: dict[str, bytes]) -> dict[str, str]:
    if "meta.xml" not in parts:
        return {}
    root = SafeET.fromstring(parts["meta.xml"])
    return {el.get(f"{_NS_ODF_META}name"): (el.text or "").strip()
            for el in root.iter(f"{_NS_ODF_META}user-defined") if el.get(f"{_NS_ODF_META}name")}


def _xlsx_defined_name(parts: dict[str, bytes]) -> str | None:
    if "xl/workbook.xml" not in parts:
        return None
    root = SafeET.fromstring(parts["xl/workbook.xml"])
    for el in root.iter(f"{_NS_MAIN}definedName"):
        if el.get("name") == layout.DEFINED_NAME:
            return el.text or ""
    return None


def _read_ledger(wb: CalamineWorkbook, result: ReadWorkbook) -> None:
    """Find the 台账 sheet by name, or any sheet holding its header row (a renamed sheet)."""
    table = _find_table(wb, layout.LEDGER_SHEET, layout.COLUMNS, skip=(), extras=True)
    if table is not None:
        result.ledger_sheet, result.header_row = table.sheet, table.header_row
        result.columns, result.rows = table.columns, table.rows


def _read_targets(wb: CalamineWorkbook, ledger_sheet: str | None) -> ReadTable | None:
    """The 指标 sheet by name, or any other sheet holding its header row (a renamed sheet); the
    填报说明 sheet is ours and holds none (most templates have no 指标 sheet: nothing more is read)."""
    return _find_table(wb, layout.TARGET_SHEET, layout.TARGET_COLUMNS, skip=(ledger_sheet, layout.GUIDE_SHEET))


def _find_table(wb: CalamineWorkbook, name: str, columns: tuple[layout.Column, ...],
                skip: tuple[str | None, ...], extras: bool = False) -> ReadTable | None:
    """The table of ``columns``; with ``extras``, other headers of its header row are read too, keyed
    by their text (the office's columns), without making a row of their own count as filled."""
    order = [name] + [n for n in wb.sheet_names if n != name]
    for sheet in order:
        if sheet not in wb.sheet_names or sheet == layout.META_SHEET or sheet in skip:
            continue
        rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        found_header = _find_header(rows, columns)
        if found_header is not None:
            header, texts = found_header
            found = _column_map(texts, columns)
            core = set(found)
            if extras:
                for i, text in enumerate(texts):
                    if text and text not in found and i not in found.values():
                        found[text] = i
            return ReadTable(sheet, header + 1, found, _data_rows(rows, header, found, core))
    return None


def _find_header(rows: list[list[Any]], columns: tuple[layout.Column, ...] = layout.COLUMNS
                 ) -> tuple[int, list[str]] | None:
    """The header row of ``columns``: its index and its cells as header text (``_clean_header``)."""
    needed = max(3, len(columns) // 2)
    usual = layout.HEADER_ROW - 1           # where the template puts it: looked at first
    for i in [usual, *(n for n in range(HEADER_SCAN_ROWS) if n != usual)]:
        if i >= len(rows):
            continue
        texts = [_clean_header(v) for v in rows[i]]
        cells = set(texts)
        if sum(1 for c in columns if c.header in cells) >= needed:
            return i, texts
    return None


def _clean_header(value: Any) -> str:
    return "".join(str(value).split()) if value not in (None, "") else ""


def _column_map(texts: list[str], columns: tuple[layout.Column, ...] = layout.COLUMNS) -> dict[str, int]:
    """Where each of ``columns`` is, by the header row's texts (the first cell of a header wins)."""
    by_header = {c.header: c for c in columns}
    out = {}
    for i, text in enumerate(texts):
        col = by_header.get(text)
        if col and col.key not in out:
            out[col.key] = i
    return out


_EMPTY = frozenset(("", None))       # what calamine reads from a cell nobody filled


def _data_rows(rows: list[list[Any]], header: int, columns: dict[str, int],
               core: set[str] | None = None) -> list[LedgerRow]:
    out: list[LedgerRow] = []
    if not columns:
        return out
    keys = list(columns)
    width = max(columns.values()) + 1
    cells = _picker(list(columns.values()))
    counted = _picker([i for key, i in columns.items() if core is None or key in core])   # what makes a row filled
    empty = _EMPTY.issuperset
    for i in range(header + 1, len(rows)):
        raw = rows[i]
        if len(raw) < width:                   # a short row: its missing cells are empty
            raw = [*raw, *[""] * (width - len(raw))]
        if empty(counted(raw)):
            continue
        out.append(LedgerRow(i + 1, dict(zip(keys, cells(raw)))))
    return out


def _picker(positions: list[int]):
    """The cells at ``positions`` of a row, as a tuple."""
    if len(positions) > 1:
        return operator.itemgetter(*positions)
    return (lambda row: (row[positions[0]],)) if positions else (lambda row: ())
