"""The office's named accounts and their sessions: who may act on the web pages, and who did.

Office users (``office``) act; leaders (``leader``) read. A password is kept as a scrypt hash
(stdlib ``hashlib.scrypt``), never in ``ledger.toml``. A signed-in browser holds a random token;
the database keeps its sha256 (``office_sessions``), so logging out, changing a password or
disabling a user ends sessions at once, in every server process, without a restart. Until the
first user exists, the shared ``[serve] office_password`` signs in as the office (its sessions end
when that password changes).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from ledger.errors import LedgerError
from ledger.store import events
from ledger.store import schema as s

OFFICE, LEADER = "office", "leader"
ROLES = {OFFICE: "督查室", LEADER: "领导"}
SHARED_NAME = "督查室"            # who the shared password signs in as
SESSION_SECONDS = 12 * 3600
MIN_PASSWORD = 8
MAX_PASSWORD = 200
MAX_NAME = 40
_SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}


class AccountError(LedgerError):
    """A user command that cannot be done (unknown user, a taken name, a weak password)."""


@dataclass(frozen=True)
class User:
    id: int | None        # None: the shared password
    name: str
    role: str
    created_at: datetime | None = None
    disabled_at: datetime | None = None

    @property
    def can_act(self) -> bool:
        return self.role == OFFICE

    @property
    def role_label(self) -> str:
        return ROLES[self.role]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "role": self.role, "active": self.disabled_at is None,
                "created_at": self.created_at.isoformat() if self.created_at else None,
                "disabled_at": self.disabled_at.isoformat() if self.disabled_at else None}


SHARED = User(None, SHARED_NAME, OFFICE)


def actor() -> str:
    """Who acts from the command line, as records name it: the system's user name."""
    import getpass

    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "?"
    return f"{name}（命令行）"


# --- Password hashes -----------------------------------------------------------------------------
def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, dklen=32, **_SCRYPT)
    return f"scrypt${_SCRYPT['n']}${_SCRYPT['r']}${_SCRYPT['p']}${salt.hex()}${digest.hex()}"


def password_matches(password: str, stored: str) -> bool:
    try:
        kind, n, r, p, salt, digest = stored.split("$")
        if kind != "scrypt":
            return False
        given = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                               dklen=len(digest) // 2)
    except (ValueError, MemoryError):
        return False
    return hmac.compare_digest(given.hex(), digest)


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码太短：至少 {MIN_PASSWORD} 个字符")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"密码太长：最多 {MAX_PASSWORD} 个字符")
    return password


# --- Users --------------------------------------------------------------------------------------
def _user(row) -> User:
    return User(row.id, row.name, row.role, row.created_at, row.disabled_at)


def has_users(engine: Engine | Connection) -> bool:
    query = sa.select(sa.literal(1)).select_from(s.users).limit(1)
    if isinstance(engine, Connection):
        return engine.execute(query).first() is not None
    with engine.connect() as conn:
        return conn.execute(query).first() is not None


def list_users(engine: Engine) -> list[User]:
    with engine.connect() as conn:
        return [_user(r) for r in conn.execute(sa.select(s.users).order_by(s.users.c.id))]


def _find(conn: Connection, name: str) -> Any:
    row = conn.execute(sa.select(s.users).where(s.users.c.name == name.strip())).first()
    if row is None:
        raise AccountError(f"没有名为“{name}”的账号：用 ledger users list 查看")
    return row


def add_user(engine: Engine, name: str, role: str, password: str, by: str = "") -> User:
    name = name.strip()
    if not name or len(name) > MAX_NAME or any(ord(c) < 32 for c in name):
        raise AccountError(f"姓名不能为空，最多 {MAX_NAME} 个字符")
    if role not in ROLES:
        raise AccountError("角色应为 office（督查室，可操作）或 leader（领导，只读）")
    hashed = hash_password(check_password(password))
    now = s._now()
    with engine.begin() as conn:
        if conn.execute(sa.select(s.users.c.id).where(s.users.c.name == name)).first():
            raise AccountError(f"已有名为“{name}”的账号")
        first = not has_users(conn)
        conn.execute(s.users.insert().values(name=name, role=role, password_hash=hashed, created_at=now,
                                             password_changed_at=now))
        if first:       # the shared password stops: its sessions end with it
            _end(conn, s.office_sessions.c.user_id.is_(None), "accounts")
        events.record(conn, "users", "user-add", f"添加{ROLES[role]}账号：{name}", {"user": name, "role": role, "by": by})
        return _user(_find(conn, name))


def set_password(engine: Engine, name: str, password: str, by: str = "") -> int:
    """Change a user's password; every session of the user ends now. Returns the sessions ended."""
    hashed = hash_password(check_password(password))
    with engine.begin() as conn:
        row = _find(conn, name)
        conn.execute(s.users.update().where(s.users.c.id == row.id)
                     .values(password_hash=hashed, password_changed_at=s._now()))
        ended = _end(conn, s.office_sessions.c.user_id == row.id, "password")
        events.record(conn, "users", "user-password", f"修改账号密码：{row.name}（结束登录 {ended} 处）",
                      {"user": row.name, "by": by, "sessions_ended": ended})
    return ended


def disable_user(engine: Engine, name: str, by: str = "") -> int:
    with engine.begin() as conn:
        row = _find(conn, name)
        if row.disabled_at is not None:
            raise AccountError(f"账号“{row.name}”已停用")
        conn.execute(s.users.update().where(s.users.c.id == row.id).values(disabled_at=s._now()))
        ended = _end(conn, s.office_sessions.c.user_id == row.id, "disabled")
        events.record(conn, "users", "user-disable", f"停用账号：{row.name}", {"user": row.name, "by": by})
    return ended


def authenticate(engine: Engine, name: str, password: str) -> User | None:
    """The active user with that name and password, else None (the same time either way)."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(s.users).where(s.users.c.name == name.strip())).first()
    stored = row.password_hash if row is not None else _DUMMY
    ok = password_matches(password, stored)
    return _user(row) if ok and row is not None and row.disabled_at is None else None


_DUMMY = hash_password("-" * MIN_PASSWORD)


# --- Sessions -----------------------------------------------------------------------------------
def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def shared_tag(key: bytes, password: str) -> str:
    """A keyed digest of the shared password: its sessions hold it, so a changed password ends them."""
    return hmac.new(key, f"office-password:{password}".encode("utf-8"), hashlib.sha256).hexdigest()


def start_session(engine: Engine, user: User, tag: str | None = None, seconds: int = SESSION_SECONDS) -> str:
    """A new session of ``user`` (``tag``: the shared password's, when signed in with it); its cookie value."""
    token = secrets.token_urlsafe(32)
    now = s._now()
    o = s.office_sessions
    with engine.begin() as conn:
        conn.execute(o.delete().where(o.c.expires_at < now - timedelta(days=30)))     # long over: forget them
        conn.execute(s.office_sessions.insert().values(
            token_sha256=_digest(token), user_id=user.id, password_tag=tag if user.id is None else None,
            created_at=now, expires_at=now + timedelta(seconds=seconds)))
    return token


def session_user(engine: Engine, token: str | None, tag: str | None = None) -> User | None:
    """The user a session cookie signs in, or None when it is unknown, ended, expired, or of the
    shared password while users exist or after it changed (``tag``: the current one's)."""
    if not token or len(token) > 200:
        return None
    o, u = s.office_sessions, s.users
    with engine.connect() as conn:
        row = conn.execute(sa.select(o.c.user_id, o.c.password_tag, o.c.expires_at, o.c.ended_at)
                           .where(o.c.token_sha256 == _digest(token))).first()
        if row is None or row.ended_at is not None or _utc(row.expires_at) <= s._now():
            return None
        if row.user_id is None:
            ok = tag is not None and row.password_tag is not None and hmac.compare_digest(row.password_tag, tag)
            return SHARED if ok and not has_users(conn) else None
        user = conn.execute(sa.select(u).where(u.c.id == row.user_id)).first()
    return _user(user) if user is not None and user.disabled_at is None else None


def end_session(engine: Engine, token: str | None) -> bool:
    if not token or len(token) > 200:
        return False
    with engine.begin() as conn:
        return _end(conn, s.office_sessions.c.token_sha256 == _digest(token), "logout") > 0


def _end(conn: Connection, where, why: str) -> int:
    o = s.office_sessions
    return conn.execute(o.update().where(where, o.c.ended_at.is_(None)).values(ended_at=s._now(), ended_why=why)).rowcount


def _utc(t: datetime) -> datetime:
    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t
