"""A unit's contact (联系人, 手机, 邮箱) and the checks that refuse a phone or e-mail that cannot be right.

Pure functions of text: the CLI names the option, the 计划分解表's 单位 sheet names the cell, the
store keeps what passed (``ledger.store.contacts``).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from ledger.errors import LedgerError

MOBILE = re.compile(r"1[3-9]\d{9}")
EMAIL = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                   r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+")
MAX_NAME = 50


class ContactError(LedgerError):
    """A contact's phone or e-mail cannot be right (the message names where it was written)."""


@dataclass(frozen=True)
class Contact:
    name: str = ""
    phone: str = ""        # an 11-digit mainland mobile number, digits only
    email: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def __bool__(self) -> bool:
        return bool(self.name or self.phone or self.email)


def phone_problem(text: str) -> tuple[str, str | None]:
    """(the mobile number as digits, None) or (text, why it cannot be right)."""
    digits = re.sub(r"[\s\-()（）]", "", text.strip())
    digits = digits.removeprefix("+86").removeprefix("0086") if len(digits) > 11 else digits
    if not digits:
        return "", None
    if MOBILE.fullmatch(digits):
        return digits, None
    return text, f"手机号“{text}”无效，应为 11 位手机号码，如 13800138000"


def email_problem(text: str) -> tuple[str, str | None]:
    """(the address, None) or (text, why it cannot be right)."""
    address = text.strip()
    if not address:
        return "", None
    if len(address) <= 254 and EMAIL.fullmatch(address) and len(address.split("@")[0]) <= 64:
        return address, None
    return text, f"邮箱“{text}”无效，应形如 zhangsan@example.gov.cn"


def contact_problems(name: str, phone: str, email: str) -> tuple[Contact, dict[str, str]]:
    """The contact and its problems by field (``name``, ``phone``, ``email``)."""
    problems: dict[str, str] = {}
    name = " ".join(name.split())
    if len(name) > MAX_NAME:
        problems["name"] = f"联系人“{name[:10]}…”太长（不超过 {MAX_NAME} 个字）"
    phone, why = phone_problem(phone)
    if why:
        problems["phone"] = why
    email, why = email_problem(email)
    if why:
        problems["email"] = why
    return Contact(name, phone, email), problems


def make_contact(name: str, phone: str, email: str, where: dict[str, str]) -> Contact:
    """A checked contact; a wrong field raises ``ContactError`` prefixed by ``where[field]``
    (an option such as ``--phone`` or a cell such as ``单位!C5``)."""
    contact, problems = contact_problems(name, phone, email)
    if problems:
        field = next(iter(problems))
        raise ContactError(f"{where.get(field, field)}：{problems[field]}")
    if not contact:
        raise ContactError("联系人、手机、邮箱至少填写一项")
    return contact
