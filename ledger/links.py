"""Each unit's upload link: an unguessable token in a URL, no password to remember.

A token is derived from the workspace's secret (``.ledger-secret``, readable by its owner only),
the unit and the link's generation, so the office can list the links again at any time while the
database keeps only each token's sha256: a copy of the database opens no unit's page. Reissuing a
unit's link moves it to the next generation; the old token stops working at once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa

from ledger.errors import LedgerError, UnitNotFoundError, WorkspaceError, os_reason
from ledger.period import check_period, current_period, label
from ledger.store import events
from ledger.store import links as store
from ledger.store.plans import load_plan
from ledger.template.roster import MANIFEST_NAME
from ledger.workspace import Workspace

SECRET_NAME = ".ledger-secret"
LOCAL_BASE = "http://127.0.0.1:8000"
TOKEN_CHARS = 32          # 192 bits of base64url


@dataclass
class UnitLink:
    unit: str
    url: str
    issued_at: datetime
    new: bool = False           # issued by this call

    def to_dict(self, zone: tzinfo | None = None) -> dict[str, Any]:
        return {"unit": self.unit, "url": self.url, "issued_at": self.issued_at.astimezone(zone).isoformat(),
                "new": self.new}


@dataclass
class LinksResult:
    period: str
    base_url: str
    links: list[UnitLink]
    manifest: Path | None = None
    wrote_manifest: bool = False        # the 分发清单 was (re)written by this call
    notes: list[str] = field(default_factory=list)
    revoked: list[str] = field(default_factory=list)     # units whose link was revoked and not reissued

    def to_dict(self, zone: tzinfo | None = None) -> dict[str, Any]:
        """As JSON, times in ``zone`` (the office's)."""
        return {"period": self.period, "base_url": self.base_url,
                "links": {link.unit: link.url for link in self.links},
                "issued": [link.to_dict(zone) for link in self.links], "revoked": self.revoked, "notes": self.notes}


def secret(ws: Workspace) -> bytes:
    """The workspace's secret, made on first use (only its owner may read it). It is written whole
    under another name and linked into place, so a second process starting at the same moment
    reads either nothing (and makes none) or the whole secret."""
    path = ws.root / SECRET_NAME
    if not path.exists():
        tmp = path.with_name(f"{SECRET_NAME}.{secrets.token_hex(6)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as out:
                out.write(secrets.token_hex(32) + "\n")
                out.flush()
                os.fsync(out.fileno())
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass                 # another process made it first: theirs is the secret
        except OSError as exc:
            raise WorkspaceError(f"无法创建链接密钥文件“{path}”：{os_reason(exc)}") from None
        finally:
            tmp.unlink(missing_ok=True)
    try:
        text = path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkspaceError(f"无法读取链接密钥文件“{path}”：{os_reason(exc) if isinstance(exc, OSError) else '内容已损坏'}") from None
    if len(text) < 32:
        raise WorkspaceError(f"链接密钥文件“{path}”已损坏：删除它后用 ledger links --reissue-all 重新签发全部链接")
    return text.encode("ascii")


def derive(key: bytes, purpose: str) -> str:
    """A URL-safe keyed digest of ``purpose`` (tokens, form keys, cookie signatures)."""
    digest = hmac.new(key, purpose.encode("utf-8"), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def token_for(key: bytes, unit_id: int, generation: int) -> str:
    return derive(key, f"unit-link:{unit_id}:{generation}")[:TOKEN_CHARS]


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def base_url(ws: Workspace, given: str | None = None) -> str:
    return (given or ws.settings.serve.base_url or LOCAL_BASE).strip().rstrip("/")


def link_url(base: str, token: str, period: str | None = None) -> str:
    return f"{base}/u/{token}" + (f"?period={quote(period)}" if period else "")


def unit_links(ws: Workspace, period: str | None = None, base: str | None = None,
               reissue: list[str] | tuple[str, ...] = (), reissue_all: bool = False,
               write_manifest: bool = True, command: str = "links", rewrite_manifest: bool = False,
               by: str = "") -> LinksResult:
    """Every unit's link for a period (the units issued templates for it), issuing those missing.

    ``reissue`` names units whose link is replaced (the old one stops working). When links are
    issued (or ``rewrite_manifest``: templates were just issued), they are written into the
    period's 分发清单.xlsx beside the templates; a listing alone leaves the list as it is.
    Two processes issuing the same unit's link at once (the server, a schedule, the office at the
    command line) meet at the database's unique generation: the one that lost reads the winner's
    link, which is the same link (tokens are derived from the generation), and goes on.
    """
    for attempt in (1, 2, 3):
        try:
            return _unit_links(ws, period, base, reissue, reissue_all, write_manifest, command, rewrite_manifest, by)
        except sa.exc.IntegrityError:
            if attempt == 3:
                raise
    raise AssertionError("three attempts either return or raise")


def _unit_links(ws: Workspace, period: str | None, base: str | None, reissue, reissue_all: bool,
                write_manifest: bool, command: str, rewrite_manifest: bool, by: str) -> LinksResult:
    period = check_period(period) if period else latest_period(ws)
    units = store.units_issued(ws.engine, period)
    if not units:
        raise LedgerError(f"{label(period)}尚未下发模板，没有可发链接的单位：请先运行 ledger templates --period {period}")
    unknown = [u for u in reissue if u not in units]
    if unknown:
        raise UnitNotFoundError(f"单位“{'、'.join(unknown)}”没有{label(period)}的模板，无法重新签发其链接")
    key, base, now = secret(ws), base_url(ws, base), datetime.now(timezone.utc)
    result = LinksResult(period, base, [])
    if base == LOCAL_BASE:
        result.notes.append(f"链接使用的是本机地址 {LOCAL_BASE}，其他电脑打不开：请在 ledger.toml 的 [serve] base_url "
                            "填写各单位能访问的地址（或用 --base-url 指定）后重新运行 ledger links")
    active = store.active_links(ws.engine)
    fresh: list[str] = []
    reissued: list[str] = []             # of them, units whose earlier link was replaced
    with ws.engine.begin() as conn:
        for unit, unit_id in units.items():
            link = active.get(unit_id)
            renew = reissue_all or unit in reissue
            if link is None and not renew and store.last_generation(conn, unit_id):
                link = store.active_link(conn, unit_id)      # issued by another process since we looked
            if link is None and not renew and store.last_generation(conn, unit_id):
                result.revoked.append(unit)      # revoked on purpose: only an explicit reissue brings it back
                continue
            if link and not renew:
                token = token_for(key, unit_id, link["generation"])
                if link["token_sha256"] == token_hash(token):
                    result.links.append(UnitLink(unit, link_url(base, token, period), link["created_at"]))
                    continue
                # issued with another workspace's secret (a shared database): this one cannot show it
                result.notes.append(f"{unit}的链接由另一工作区签发，本工作区无法显示，已重新签发")
            generation = store.last_generation(conn, unit_id) + 1
            token = token_for(key, unit_id, generation)
            store.issue(conn, unit_id, generation, token_hash(token), now)
            fresh.append(unit)
            if renew and generation > 1:
                reissued.append(unit)
            result.links.append(UnitLink(unit, link_url(base, token, period), now, new=True))
        if fresh:
            summary = (f"重新签发{'、'.join(reissued)}的报送链接（旧链接已失效）" if reissued == fresh else
                       f"签发报送链接 {len(fresh)} 个（{label(period)}）" +
                       (f"，其中重新签发 {len(reissued)} 个" if reissued else ""))
            events.record(conn, command, "links", summary, {"period": period, "units": fresh, "reissued": reissued,
                                                            **({"by": by} if by else {})})
    if result.revoked:
        result.notes.append(f"{'、'.join(result.revoked)}的链接已收回，未列出；需要时用 ledger links --reissue 单位 重新签发")
    manifest = ws.templates_dir / period / MANIFEST_NAME
    if write_manifest and (fresh or rewrite_manifest or not manifest.is_file()):
        result.manifest = _manifest(ws, period, {link.unit: link.url for link in result.links})
        result.wrote_manifest = True
    elif manifest.is_file():
        result.manifest = manifest          # as it is: it already lists these links
    return result


def current_links(ws: Workspace, period: str, base: str | None = None) -> dict[str, str] | None:
    """Each unit issued a template for the period with its link in force ("" when it has none this
    workspace can show), changing nothing; None when no template was issued for the period."""
    units = store.units_issued(ws.engine, period)
    if not units:
        return None
    key = secret(ws) if (ws.root / SECRET_NAME).exists() else None
    active, base = store.active_links(ws.engine), base_url(ws, base)
    out = {}
    for unit, unit_id in units.items():
        link = active.get(unit_id)
        token = token_for(key, unit_id, link["generation"]) if key and link else ""
        out[unit] = link_url(base, token, period) if token and link["token_sha256"] == token_hash(token) else ""
    return out


def links_in_use(ws: Workspace) -> bool:
    """Whether the office has issued upload links at all (then new templates get theirs too)."""
    return bool(store.active_links(ws.engine))


def after_templates(ws: Workspace, period: str, command: str) -> LinksResult | None:
    """Once templates of a period are issued: when the office uses links, every unit of the period
    gets its link (new units a new one) and the period's 分发清单 lists them again."""
    return unit_links(ws, period, command=command, rewrite_manifest=True) if links_in_use(ws) else None


def latest_period(ws: Workspace) -> str:
    """The latest period templates were issued for (this month when none were)."""
    issued = store.periods_issued(ws.engine)
    return issued[0] if issued else current_period(ws.settings.office.timezone)


def revoke_link(ws: Workspace, unit: str, command: str = "links", by: str = "") -> bool:
    """Revoke a unit's link; True when one was in force. ``by``: who did it (an office user's name)."""
    with ws.engine.begin() as conn:
        unit_id = _unit_id(conn, ws, unit)
        done = store.revoke(conn, unit_id, datetime.now(timezone.utc)) > 0
        if done:
            events.record(conn, command, "links-revoke", f"收回{unit}的报送链接",
                          {"unit": unit, **({"by": by} if by else {})})
    return done


def _unit_id(conn, ws: Workspace, unit: str) -> int:
    name = ws.settings.units.aliases.get("".join(unit.split()), "".join(unit.split()))
    found = store.unit_named(conn, name)
    if found is None:
        raise UnitNotFoundError(f"没有名为“{unit}”的单位，可用 ledger plan show 查看全部单位")
    return found


@dataclass
class LinkHolder:
    """The unit a presented token opens, and its link."""

    unit: str
    unit_id: int
    link_id: int


def resolve(ws: Workspace, token: str) -> LinkHolder | None:
    """The unit whose link in force carries ``token``; None for a forged, mistyped or revoked token."""
    if not token or len(token) > 64:
        return None
    link = store.link_by_hash(ws.engine, token_hash(token))
    if link is None or link["revoked_at"] is not None:
        return None
    return LinkHolder(link["unit"], link["unit_id"], link["id"])


def _manifest(ws: Workspace, period: str, urls: dict[str, str]) -> Path:
    from ledger.template.roster import write_manifest
    from ledger.template.rows import unit_counts

    folder = ws.templates_dir / period
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise LedgerError(f"无法写入分发清单：{os_reason(exc)}") from None
    counts = unit_counts(load_plan(ws.engine))
    ordered = [u for u in counts if u in urls] + [u for u in urls if u not in counts]
    return write_manifest(folder, {u: counts.get(u, (0, 0)) for u in ordered}, label(period), links=urls)


