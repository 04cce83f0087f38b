"""Units' contacts in the store: read them all, replace or extend one unit's, in one transaction."""

from __future__ import annotations

from typing import Any, Iterable

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ledger.contacts import Contact
from ledger.errors import UnitNotFoundError
from ledger.store import schema as s


def unit_contacts(target: Engine | Connection) -> dict[str, list[Contact]]:
    """Every unit (by name, in the order stored) with its contacts, in their order."""
    u, c = s.units.c, s.unit_contacts.c
    query = (sa.select(u.name, c.name.label("contact"), c.phone, c.email)
             .select_from(s.units.outerjoin(s.unit_contacts, c.unit_id == u.id))
             .order_by(u.id, c.ord))
    out: dict[str, list[Contact]] = {}
    rows = _rows(target, query)
    for row in rows:
        found = out.setdefault(row.name, [])
        if row.contact is not None:
            found.append(Contact(row.contact, row.phone, row.email))
    return out


def contacts_by_id(target: Engine | Connection, unit_ids: Iterable[int]) -> dict[int, list[Contact]]:
    c = s.unit_contacts.c
    ids = list(unit_ids)
    out: dict[int, list[Contact]] = {i: [] for i in ids}
    if not ids:
        return out
    for row in _rows(target, sa.select(c.unit_id, c.name, c.phone, c.email).where(c.unit_id.in_(ids)).order_by(c.unit_id, c.ord)):
        out[row.unit_id].append(Contact(row.name, row.phone, row.email))
    return out


def _rows(target: Engine | Connection, query) -> list[Any]:
    if isinstance(target, Connection):
        return list(target.execute(query))
    with target.connect() as conn:
        return list(conn.execute(query))


def unit_id(conn: Connection, name: str) -> int:
    found = conn.execute(sa.select(s.units.c.id).where(s.units.c.name == name)).scalar()
    if found is None:
        raise UnitNotFoundError(f"没有名为“{name}”的单位：请用 ledger units list 查看单位名称")
    return found


def put_contacts(conn: Connection, unit: str, contacts: list[Contact], replace: bool) -> list[Contact]:
    """Set a unit's contacts: ``replace`` drops the ones it had; otherwise a contact of the same name
    (or, unnamed, the same phone or e-mail) is updated and the others appended. Returns the result."""
    uid = unit_id(conn, unit)
    current = [] if replace else contacts_by_id(conn, [uid])[uid]
    for new in contacts:
        same = next((i for i, old in enumerate(current) if _same(old, new)), None)
        if same is None:
            current.append(new)
        else:
            old = current[same]
            current[same] = Contact(new.name or old.name, new.phone or old.phone, new.email or old.email)
    conn.execute(s.unit_contacts.delete().where(s.unit_contacts.c.unit_id == uid))
    if current:
        conn.execute(s.unit_contacts.insert(), [{"unit_id": uid, "ord": n, "name": c.name, "phone": c.phone,
                                                 "email": c.email} for n, c in enumerate(current)])
    return current


def _same(old: Contact, new: Contact) -> bool:
    if new.name or old.name:
        return new.name == old.name
    return bool((new.phone and new.phone == old.phone) or (new.email and new.email == old.email))


def set_unit_contacts(engine: Engine, unit: str, contacts: list[Contact], clear: bool = False,
                      command: str = "units") -> list[Contact]:
    """Set one unit's contacts (``clear``: drop its earlier ones first) and log it, in one transaction."""
    from ledger.store import events

    with engine.begin() as conn:
        result = put_contacts(conn, unit, contacts, replace=clear)
        events.record(conn, command, "contacts", f"{unit}的联系人：{describe(result) or '已清空'}",
                      {"unit": unit, "contacts": [c.to_dict() for c in result]})
    return result


def load_contacts(engine: Engine, sheet: dict[str, list[Contact]], command: str = "plan load") -> list[str]:
    """Replace the contacts of every unit the 单位 sheet lists; return the units it names that the
    store does not know (their contacts are not kept)."""
    from ledger.store import events

    unknown = []
    with engine.begin() as conn:
        known = {r.name for r in conn.execute(sa.select(s.units.c.name))}
        for unit, contacts in sheet.items():
            if unit not in known:
                unknown.append(unit)
                continue
            put_contacts(conn, unit, contacts, replace=True)
        events.record(conn, command, "contacts", f"导回单位联系人 {len(sheet) - len(unknown)} 个单位",
                      {"units": sorted(set(sheet) - set(unknown)), "unknown": unknown})
    return unknown


def describe(contacts: list[Contact]) -> str:
    """``张三 13800138000 zs@x.cn；李四 …``"""
    return "；".join(" ".join(v for v in (c.name, c.phone, c.email) if v) for c in contacts)
