"""The channels reminders leave by, one class per kind: how each formats a message and sends it.

``smtp`` sends an e-mail to the unit's addresses (smtplib, TLS verified by the system's
certificates, or ``SSL_CERT_FILE``, and by the channel's own ``ca_file`` besides, as https is);
``wecom`` / ``dingtalk`` / ``feishu`` post to a group robot in
the vendor's documented format, mentioning the unit's mobile numbers where the vendor allows it
(钉钉 ``at.atMobiles``, 企业微信 ``mentioned_mobile_list``; 飞书 mentions need user ids, so none);
``webhook`` posts the documented JSON body (``webhook_body``) for a county's own SMS gateway or
bridge. A failure raises ``ChannelError``: one Chinese line naming the channel, and whether the
channel itself is down (then its other messages wait) or only this message was refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import smtplib
import socket
import ssl
import time
import urllib.error
import urllib.request
from email.message import EmailMessage
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote_plus

from ledger.remind.messages import Message
from ledger.settings import ChannelSettings

MAX_REPLY = 64 * 1024
KIND_NAMES = {"smtp": "邮件", "wecom": "企业微信", "dingtalk": "钉钉", "feishu": "飞书", "webhook": "网关"}


class ChannelError(Exception):
    """A message did not go: ``text`` is the one line shown; ``down``: the channel refused everything."""

    def __init__(self, text: str, down: bool = True) -> None:
        super().__init__(text)
        self.text, self.down = text, down


class Channel:
    """One configured channel: ``send`` delivers a message or raises ``ChannelError``."""

    kind: ClassVar[str] = ""

    def __init__(self, settings: ChannelSettings) -> None:
        self.settings = settings

    @cached_property
    def tls_context(self) -> ssl.SSLContext:
        """Verification by the system's certificates, and the channel's ``ca_file`` when it names one;
        made once a channel, for all the messages of a run."""
        context = ssl.create_default_context()
        if self.settings.ca_file:
            try:
                context.load_verify_locations(self.settings.ca_file)
            except (OSError, ValueError):       # ssl.SSLError is an OSError
                raise self.fail(f"ca_file “{self.settings.ca_file}” 无法读取或不是 PEM 格式的证书") from None
        return context

    @property
    def label(self) -> str:
        return self.settings.label

    def fail(self, why: str, down: bool = True) -> ChannelError:
        name = KIND_NAMES[self.kind]
        shown = self.label if self.label == self.kind else f"{self.label}"
        return ChannelError(f"渠道“{shown}”（{name}）发送失败：{why}", down)

    def send(self, message: Message) -> None:
        raise NotImplementedError


class SmtpChannel(Channel):
    kind = "smtp"

    def email(self, message: Message) -> EmailMessage:
        mail = EmailMessage()
        mail["Subject"] = message.subject
        mail["From"] = self.settings.from_
        mail["To"] = ", ".join(message.recipients)
        # the same message, resent after a crash, carries the same Message-ID: mail systems may drop the repeat
        digest = hashlib.sha256(message.dedupe_key.encode("utf-8")).hexdigest()[:32]
        mail["Message-ID"] = f"<ledger.{digest}@{self.settings.from_.rpartition('@')[2] or 'localhost'}>"
        mail["X-Ledger-Key"] = message.dedupe_key
        mail.set_content(message.body + "\n")
        for path in message.extra.get("files", []):       # the digest's report and 通报, read now
            with open(path, "rb") as f:
                mail.add_attachment(f.read(), maintype="application", subtype="octet-stream", filename=Path(path).name)
        return mail

    def send(self, message: Message) -> None:
        c = self.settings
        password = os.environ.get(c.password_env, "") if c.password_env else ""
        if c.user and not password:
            raise self.fail(f"环境变量 {c.password_env} 中没有密码")
        context = self.tls_context
        try:
            if c.tls == "ssl":
                server = smtplib.SMTP_SSL(c.host, c.smtp_port(), timeout=c.timeout, context=context)
            else:
                server = smtplib.SMTP(c.host, c.smtp_port(), timeout=c.timeout)
            with server:
                if c.tls == "starttls":
                    server.starttls(context=context)
                if c.user:
                    server.login(c.user, password)
                server.send_message(self.email(message))
        except smtplib.SMTPAuthenticationError as exc:
            raise self.fail(f"用户名或密码不正确（{exc.smtp_code}）") from None
        except smtplib.SMTPRecipientsRefused as exc:
            raise self.fail(f"收件人被拒收：{'、'.join(exc.recipients)}", down=False) from None
        except smtplib.SMTPNotSupportedError:
            raise self.fail("服务器不支持 STARTTLS：请检查 tls 设置") from None
        except smtplib.SMTPResponseException as exc:
            raise self.fail(f"服务器拒绝（{exc.smtp_code} {_short(exc.smtp_error)}）") from None
        except ssl.SSLCertVerificationError as exc:
            raise self.fail(f"服务器证书无法验证（{exc.verify_message}）") from None
        except (smtplib.SMTPException, OSError) as exc:
            raise self.fail(_network(exc, c.host)) from None


class HttpChannel(Channel):
    """A channel that POSTs JSON; ``payload`` makes the body, ``check`` reads the reply."""

    def target(self) -> str:
        return self.settings.url

    def payload(self, message: Message) -> dict[str, Any]:
        raise NotImplementedError

    def headers(self, message: Message) -> dict[str, str]:
        return {}

    def check(self, reply: dict[str, Any]) -> None:
        """Raise when a 200 reply still says the message was refused (the robots answer errcode)."""

    @cached_property
    def opener(self) -> urllib.request.OpenerDirector:
        """``_OPENER``, or one like it that also trusts the channel's ``ca_file``."""
        if not self.settings.ca_file:
            return _OPENER
        return urllib.request.build_opener(_NoRedirect, urllib.request.HTTPSHandler(context=self.tls_context))

    def send(self, message: Message) -> None:
        body = json.dumps(self.payload(message), ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(self.target(), data=body, method="POST", headers={
            "Content-Type": "application/json; charset=utf-8", "User-Agent": "ledger-remind", **self.headers(message)})
        try:
            with self.opener.open(request, timeout=self.settings.timeout) as response:
                raw = response.read(MAX_REPLY)
        except urllib.error.HTTPError as exc:
            down = exc.code >= 500 or exc.code in (401, 403, 404, 429) or 300 <= exc.code < 400
            raise self.fail(f"服务器返回 HTTP {exc.code}", down=down) from None
        except (urllib.error.URLError, OSError) as exc:
            raise self.fail(_network(getattr(exc, "reason", exc), self.settings.url)) from None
        try:
            reply = json.loads(raw) if raw.strip() else {}
        except ValueError:
            reply = {}
        self.check(reply if isinstance(reply, dict) else {})


class WecomChannel(HttpChannel):
    """企业微信群机器人: markdown, or text with ``mentioned_mobile_list`` when there are numbers to mention
    (its markdown cannot mention by mobile)."""

    kind = "wecom"

    def payload(self, message: Message) -> dict[str, Any]:
        text = f"{message.subject}\n{message.body}"
        if message.recipients:
            return {"msgtype": "text", "text": {"content": text, "mentioned_mobile_list": message.recipients}}
        return {"msgtype": "markdown", "markdown": {"content": f"**{message.subject}**\n{message.body}"}}

    def check(self, reply: dict[str, Any]) -> None:
        _errcode(self, reply, down_codes={93000, 40014, 40001})      # invalid / expired webhook key


class DingtalkChannel(HttpChannel):
    """钉钉群机器人: markdown with ``at.atMobiles``; with a secret, signed as its API says
    (``timestamp`` in ms and ``sign`` = base64 HMAC-SHA256 of ``timestamp\\nsecret``, URL-encoded)."""

    kind = "dingtalk"

    def target(self) -> str:
        if not self.settings.secret:
            return self.settings.url
        timestamp, sign = dingtalk_sign(self.settings.secret)
        joiner = "&" if "?" in self.settings.url else "?"
        return f"{self.settings.url}{joiner}timestamp={timestamp}&sign={quote_plus(sign)}"

    def payload(self, message: Message) -> dict[str, Any]:
        mentions = "".join(f" @{m}" for m in message.recipients)
        text = f"#### {message.subject}\n\n" + "\n\n".join(message.body.splitlines()) + mentions
        return {"msgtype": "markdown", "markdown": {"title": message.subject, "text": text},
                "at": {"atMobiles": message.recipients, "isAtAll": False}}

    def check(self, reply: dict[str, Any]) -> None:
        _errcode(self, reply, down_codes={310000, 300001, 300005, 130101})   # sign / token / rate limit


class FeishuChannel(HttpChannel):
    """飞书自定义机器人: a ``post`` (rich text) message; with a secret, ``timestamp`` (s) and ``sign`` =
    base64 of HMAC-SHA256 keyed by ``timestamp\\nsecret`` over an empty message, as its API says."""

    kind = "feishu"

    def payload(self, message: Message) -> dict[str, Any]:
        lines = [[{"tag": "text", "text": line}] for line in message.body.splitlines()]
        if message.link:
            lines.append([{"tag": "a", "text": "打开报送页面", "href": message.link}])
        body: dict[str, Any] = {"msg_type": "post",
                                "content": {"post": {"zh_cn": {"title": message.subject, "content": lines}}}}
        if self.settings.secret:
            timestamp, sign = feishu_sign(self.settings.secret)
            body = {"timestamp": timestamp, "sign": sign, **body}
        return body

    def check(self, reply: dict[str, Any]) -> None:
        code = reply.get("code", reply.get("StatusCode", 0))
        if code not in (0, None):
            down = code in (19021, 19022, 19001, 19024, 9499)    # sign, ip, param, key…
            raise self.fail(f"机器人返回错误 {code}：{_short(str(reply.get('msg') or reply.get('StatusMessage') or ''))}",
                            down=down)


class WebhookChannel(HttpChannel):
    """The county's own gateway: one POST per message of ``webhook_body``, with an ``Idempotency-Key``
    header (the dedupe key) so the gateway can drop a repeat; any 2xx is accepted."""

    kind = "webhook"

    def payload(self, message: Message) -> dict[str, Any]:
        return webhook_body(message)

    def headers(self, message: Message) -> dict[str, str]:
        return {"Idempotency-Key": message.dedupe_key}


def webhook_body(message: Message) -> dict[str, Any]:
    """The JSON a ``webhook`` channel posts (documented in the README; keys never change meaning)."""
    return {"schema_version": 1, "id": message.dedupe_key, "unit": message.unit, "period": message.period,
            "kind": message.kind, "subject": message.subject, "text": message.body, "link": message.link,
            "deadline": message.deadline, "phones": message.recipients}


def dingtalk_sign(secret: str, now_ms: int | None = None) -> tuple[str, str]:
    timestamp = str(now_ms if now_ms is not None else int(time.time() * 1000))
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp}\n{secret}".encode("utf-8"), hashlib.sha256).digest()
    return timestamp, base64.b64encode(digest).decode("ascii")


def feishu_sign(secret: str, now_s: int | None = None) -> tuple[str, str]:
    timestamp = str(now_s if now_s is not None else int(time.time()))
    digest = hmac.new(f"{timestamp}\n{secret}".encode("utf-8"), b"", hashlib.sha256).digest()
    return timestamp, base64.b64encode(digest).decode("ascii")


CHANNELS: dict[str, type[Channel]] = {c.kind: c for c in (SmtpChannel, WecomChannel, DingtalkChannel, FeishuChannel,
                                                           WebhookChannel)}


def channel_for(settings: ChannelSettings) -> Channel:
    return CHANNELS[settings.kind](settings)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A robot that answers with a redirect has moved: say so, do not follow it with our body."""

    def redirect_request(self, *args, **kwargs):
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)     # proxies from the environment (HTTPS_PROXY, NO_PROXY)


def _errcode(channel: Channel, reply: dict[str, Any], down_codes: set[int]) -> None:
    code = reply.get("errcode", 0)
    if code:
        raise channel.fail(f"机器人返回错误 {code}：{_short(str(reply.get('errmsg', '')))}", down=code in down_codes)


def _network(reason: Any, where: str) -> str:
    if isinstance(reason, (socket.timeout, TimeoutError)):
        return f"连接 {where} 超时"
    if isinstance(reason, ConnectionRefusedError):
        return f"{where} 拒绝连接（服务未运行或端口不对）"
    if isinstance(reason, socket.gaierror):
        return f"找不到服务器 {where}（地址写错或网络不通）"
    if isinstance(reason, ssl.SSLError):
        return f"与 {where} 建立加密连接失败（{_short(str(reason))}）"
    if isinstance(reason, smtplib.SMTPServerDisconnected):
        return f"{where} 断开了连接"
    return f"{_short(str(reason)) or type(reason).__name__}"


def _short(text: Any, limit: int = 120) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    one = " ".join(str(text).split())
    return one if len(one) <= limit else one[:limit] + "…"
