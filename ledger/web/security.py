"""What keeps the web channel safe: form keys against cross-site requests (an office form's bound to
its session), per-unit and per-address rate limits, a bound on request bodies, and safe upload names."""

from __future__ import annotations

import hmac
import re
import secrets
import threading
import time
import unicodedata
from collections import deque
from pathlib import PurePosixPath

from ledger.collect.names import WORKBOOK_SUFFIXES, fit_name, visible
from ledger.accounts import SESSION_SECONDS
from ledger.links import derive
from ledger.xlsx import safe_name

CSRF_COOKIE = "ledger_form"
SESSION_COOKIE = "ledger_office"
SESSION_SECONDS = SESSION_SECONDS      # ledger.accounts owns sessions; re-exported for the pages
FALLBACK_NAME = "上传的台账"


# --- Form keys (double submit, bound to the server's secret) ------------------------------------
def new_form_cookie() -> str:
    return secrets.token_urlsafe(24)


def form_key(key: bytes, cookie: str) -> str:
    """The hidden field a form must carry: a keyed digest of the browser's form cookie. A page of
    another site can neither read the cookie nor compute the digest."""
    return derive(key, f"form:{cookie}")


def form_ok(key: bytes, cookie: str | None, field: str | None) -> bool:
    if not cookie or not field or len(cookie.partition("|")[0]) > 100 or len(cookie) > 320 or len(field) > 100:
        return False
    return hmac.compare_digest(form_key(key, cookie), field)


# --- The office's session ----------------------------------------------------------------------
# Sessions live in the database (``ledger.accounts``): the cookie is a random token whose sha256 is
# stored, so a logout or a password change ends it server-side, at once.
def password_ok(given: str, password: str) -> bool:
    return bool(password) and hmac.compare_digest(given.encode("utf-8"), password.encode("utf-8"))


def bound_cookie(cookie: str | None, session: str | None) -> str | None:
    """What an office form's key is made from: the browser's form cookie bound to its office session,
    so a key read from one session's page does not work in another (nor after a logout)."""
    if not cookie or not session:
        return cookie
    return f"{cookie}|{session[:200]}"


# --- Rate limits -------------------------------------------------------------------------------
class RateLimiter:
    """At most ``limit`` events per key in any ``window`` seconds (kept in memory)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._seen: dict[str, deque] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> bool:
        """Count an event of ``key``; False (and not counted) when the key has reached its limit."""
        now = time.monotonic() if now is None else now
        with self._lock:
            seen = self._recent(key, now)
            if len(seen) >= self.limit:
                return False
            seen.append(now)
            return True

    def full(self, key: str, now: float | None = None) -> bool:
        """Whether the key has reached its limit (nothing counted)."""
        now = time.monotonic() if now is None else now
        with self._lock:
            return len(self._recent(key, now)) >= self.limit

    def _recent(self, key: str, now: float) -> deque:
        seen = self._seen.setdefault(key, deque())
        while seen and seen[0] <= now - self.window:
            seen.popleft()
        return seen

    def retry_after(self, key: str, now: float | None = None) -> int:
        """Seconds until the key may act again."""
        now = time.monotonic() if now is None else now
        with self._lock:
            seen = self._seen.get(key)
            return max(1, int(seen[0] + self.window - now) + 1) if seen else 1


# --- Upload names ------------------------------------------------------------------------------


def upload_name(raw: str | None) -> str:
    """The uploaded file's own name, made harmless: the last path component only (``..``, folders
    and drive letters of any system dropped), no control characters, nothing Windows forbids, a
    known workbook suffix kept, within file-system limits."""
    text = unicodedata.normalize("NFC", visible(raw or ""))
    base = re.split(r"[\\/:]", text)[-1].strip(" .")
    suffix = PurePosixPath(base).suffix.lower()
    stem = base[: len(base) - len(suffix)] if suffix else base
    stem = safe_name(stem, FALLBACK_NAME).lstrip(".~$ ") or FALLBACK_NAME
    if suffix not in WORKBOOK_SUFFIXES:       # not a workbook: its suffix kept as sent, for collect to say so
        suffix = ("." + safe_name(suffix[1:], "")[:8]).rstrip(".") if stem != FALLBACK_NAME else ""
    return fit_name(stem, suffix, limit=150)
