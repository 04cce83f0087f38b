"""Each channel against a real receiver: e-mail through aiosmtpd (STARTTLS and a login, or implicit
TLS), the robots and the gateway through a local HTTP server checking each vendor's body format and
钉钉's and 飞书's signatures; a refusing channel's error is one Chinese line naming it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ssl
import time
from datetime import date

import pytest

from ledger.contacts import Contact
from ledger.remind.channels import ChannelError, channel_for
from ledger.remind.messages import Message
from ledger.remind.run import remind
from ledger.settings import ChannelSettings
from ledger.store.contacts import set_unit_contacts
from tests.remind.conftest import PERIOD, Mailbox, Receiver, configure, free_port

OVERDUE = date(2024, 8, 9)


def message(recipients=("13800138000",)) -> Message:
    return Message("2024-07:overdue:2:abc", 2, "县科技局", PERIOD, "overdue", "x", list(recipients),
                   "【催报】2024年7月工作台账已逾期未报", "县科技局：\n请尽快报送。\n报送链接：https://dc.example/u/t",
                   "https://dc.example/u/t", "2024-08-05")


def test_email_reaches_each_unit_over_starttls_with_a_login(issued, smtp_server):
    configure(issued, f'[[channels]]\nkind = "smtp"\nname = "邮件"\nhost = "127.0.0.1"\nport = {smtp_server.port}\n'
                      'tls = "starttls"\nuser = "ducha"\npassword_env = "LEDGER_TEST_SMTP"\nfrom = "ducha@example.gov.cn"\n')
    set_unit_contacts(issued.engine, "县科技局", [Contact("张三", "", "zs@kj.example.gov.cn"),
                                                 Contact("李四", "", "ls@kj.example.gov.cn")])
    set_unit_contacts(issued.engine, "县财政局", [Contact("王五", "", "ww@cz.example.gov.cn")])
    result = remind(issued, PERIOD, kinds=["overdue"], today=OVERDUE)
    assert sorted(m[1] for m in smtp_server.messages) == [["ww@cz.example.gov.cn"],
                                                          ["zs@kj.example.gov.cn", "ls@kj.example.gov.cn"]]
    mail = next(m[2] for m in smtp_server.messages if "县科技局" in m[2].get_content())
    assert mail["Subject"] == "【催报】2024年7月工作台账已逾期未报" and mail["From"] == "ducha@example.gov.cn"
    assert "/u/" in mail.get_content() and "2024年8月5日" in mail.get_content()
    key = next(m for m in result.messages if m.unit == "县科技局").dedupe_key      # a resent mail is known as the same
    assert mail["Message-ID"] == f"<ledger.{hashlib.sha256(key.encode()).hexdigest()[:32]}@example.gov.cn>"
    # the two units without an e-mail address: the office is told, nothing is pretended
    assert sum("没有可用的发送渠道" in n for n in result.notes) == 2


def test_wrong_credentials_are_one_line_naming_the_channel(smtp_server, monkeypatch):
    monkeypatch.setenv("LEDGER_TEST_SMTP", "wrong")
    channel = channel_for(ChannelSettings(kind="smtp", name="县邮件", host="127.0.0.1", port=smtp_server.port,
                                          user="ducha", password_env="LEDGER_TEST_SMTP", from_="d@example.gov.cn"))
    with pytest.raises(ChannelError) as err:
        channel.send(message(["a@example.gov.cn"]))
    assert err.value.text.startswith("渠道“县邮件”（邮件）发送失败：用户名或密码不正确") and "\n" not in err.value.text
    assert err.value.down and smtp_server.messages == []


def test_an_untrusted_certificate_is_refused(smtp_server, monkeypatch):
    monkeypatch.delenv("SSL_CERT_FILE")
    monkeypatch.setenv("SSL_CERT_DIR", "/nonexistent")
    channel = channel_for(ChannelSettings(kind="smtp", host="127.0.0.1", port=smtp_server.port, user="ducha",
                                          password_env="LEDGER_TEST_SMTP", from_="d@example.gov.cn"))
    with pytest.raises(ChannelError, match="服务器证书无法验证"):
        channel.send(message(["a@example.gov.cn"]))


def test_implicit_tls_and_a_plain_relay(certificate, monkeypatch):
    from aiosmtpd.controller import Controller

    cert, key = certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    for tls in ("ssl", "none"):
        box, port = Mailbox(), free_port()
        controller = Controller(box, hostname="127.0.0.1", port=port, ssl_context=context if tls == "ssl" else None)
        controller.start()
        try:
            channel_for(ChannelSettings(kind="smtp", host="127.0.0.1", port=port, tls=tls,
                                        from_="d@example.gov.cn")).send(message(["a@example.gov.cn"]))
        finally:
            controller.stop()
        assert [m[1] for m in box.messages] == [["a@example.gov.cn"]], tls


def test_dingtalk_markdown_mentions_the_phones_and_is_signed(receiver):
    secret = "SEC0123456789abcdef"
    robot = receiver()
    channel_for(ChannelSettings(kind="dingtalk", url=robot.url, secret=secret)).send(message())
    (got,) = robot.received
    timestamp, sign = got.query["timestamp"][0], got.query["sign"][0]
    expected = base64.b64encode(hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest())
    assert sign == expected.decode() and abs(int(timestamp) / 1000 - time.time()) < 60
    assert got.query["access_token"] == ["t0ken"]                      # the robot's own token kept
    assert got.body["msgtype"] == "markdown" and got.body["markdown"]["title"].startswith("【催报】")
    assert "@13800138000" in got.body["markdown"]["text"] and "报送链接：https://dc.example/u/t" in got.body["markdown"]["text"]
    assert got.body["at"] == {"atMobiles": ["13800138000"], "isAtAll": False}


def test_a_dingtalk_signature_refused_is_reported(receiver):
    robot = receiver(lambda r: (200, {"errcode": 310000, "errmsg": "sign not match"}))
    with pytest.raises(ChannelError) as err:
        channel_for(ChannelSettings(kind="dingtalk", name="钉钉群", url=robot.url, secret="x")).send(message())
    assert err.value.text == "渠道“钉钉群”（钉钉）发送失败：机器人返回错误 310000：sign not match" and err.value.down


def test_wecom_text_mentions_by_mobile_and_markdown_without(receiver):
    robot = receiver()
    channel = channel_for(ChannelSettings(kind="wecom", url=robot.url))
    channel.send(message())
    channel.send(message(()))
    mention, plain = (r.body for r in robot.received)
    assert mention == {"msgtype": "text", "text": {"content": "【催报】2024年7月工作台账已逾期未报\n" + message().body,
                                                     "mentioned_mobile_list": ["13800138000"]}}
    assert plain["msgtype"] == "markdown" and plain["markdown"]["content"].startswith("**【催报】")


def test_feishu_post_is_signed_as_its_api_says(receiver):
    robot = receiver(lambda r: (200, {"code": 0, "msg": "success"}))
    channel_for(ChannelSettings(kind="feishu", url=robot.url, secret="fs-secret")).send(message())
    body = robot.received[0].body
    expected = base64.b64encode(hmac.new(f"{body['timestamp']}\nfs-secret".encode(), b"", hashlib.sha256).digest())
    assert body["sign"] == expected.decode()
    post = body["content"]["post"]["zh_cn"]
    assert body["msg_type"] == "post" and post["title"].startswith("【催报】")
    assert [{"tag": "a", "text": "打开报送页面", "href": "https://dc.example/u/t"}] in post["content"]


@pytest.mark.slow
def test_a_silent_server_times_out_and_is_retried(issued, receiver):
    def hang(received):
        time.sleep(1.5)
        return 200, {}
    robot = receiver(hang)
    configure(issued, f'[[channels]]\nkind = "webhook"\nname = "网关"\nurl = "{robot.url}"\ntimeout = 0.3\n',
              max_attempts=2)
    result = remind(issued, PERIOD, kinds=["overdue"], unit="县科技局", today=OVERDUE)
    assert result.sent == [] and [f["unit"] for f in result.failed] == ["县科技局"]
    assert result.failed[0]["error"].startswith("渠道“网关”（网关）发送失败：") and "超时" in result.failed[0]["error"]


def test_a_refused_connection_names_the_channel(issued):
    port = free_port()                 # nothing listens there
    configure(issued, f'[[channels]]\nkind = "webhook"\nname = "网关"\nurl = "http://127.0.0.1:{port}/x"\n',
              max_attempts=1)
    result = remind(issued, PERIOD, kinds=["overdue"], today=OVERDUE)
    assert result.channel_errors["网关"].startswith("渠道“网关”（网关）发送失败：")
    assert "拒绝连接" in result.channel_errors["网关"]
    assert len(result.failed) + len(result.retrying) == 4 and result.sent == []


@pytest.mark.slow
def test_the_office_digest_lists_the_run_and_carries_the_report(issued, smtp_server, receiver):
    from ledger.report import make_report

    robot = receiver()
    made = make_report(issued, PERIOD)
    configure(issued, f'[[channels]]\nkind = "wecom"\nurl = "{robot.url}"\n'
                      f'[[channels]]\nkind = "smtp"\nhost = "127.0.0.1"\nport = {smtp_server.port}\nuser = "ducha"\n'
                      'password_env = "LEDGER_TEST_SMTP"\nfrom = "ducha@example.gov.cn"\nto = ["ducha@example.gov.cn"]\n')
    result = remind(issued, PERIOD, kinds=["overdue"], today=OVERDUE)
    assert len(robot.received) == 4 and len(result.digests) == 1
    ((sender, to, mail),) = smtp_server.messages          # no unit has an e-mail address: only the digest
    assert to == ["ducha@example.gov.cn"] and mail["Subject"] == "【催报汇总】2024年7月：发送 4 条，未发出 0 条"
    text = mail.get_body(("plain",)).get_content()
    assert "已发送：县科技局 逾期未报（wecom：群消息）" in text
    names = [a.get_filename() for a in mail.iter_attachments()]
    assert made.path.name in names
    attached = next(a for a in mail.iter_attachments() if a.get_filename() == made.path.name)
    assert attached.get_content() == made.path.read_bytes()


def _untrusting(monkeypatch) -> None:
    """The system trusts nothing the tests made: only a channel's ca_file can."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.setenv("SSL_CERT_DIR", "/nonexistent")


def test_email_to_a_server_of_the_government_networks_own_ca_goes_with_ca_file(issued, smtp_server, certificate,
                                                                                monkeypatch):
    _untrusting(monkeypatch)
    cert, _ = certificate
    (issued.root / "certs").mkdir()
    (issued.root / "certs" / "政务网根证书.pem").write_bytes(cert.read_bytes())
    configure(issued, f'[[channels]]\nkind = "smtp"\nhost = "127.0.0.1"\nport = {smtp_server.port}\n'
                      'user = "ducha"\npassword_env = "LEDGER_TEST_SMTP"\nfrom = "ducha@example.gov.cn"\n'
                      'ca_file = "certs/政务网根证书.pem"\n')           # from the workspace folder
    assert issued.settings.channels[0].ca_file == str(issued.root / "certs" / "政务网根证书.pem")
    channel_for(issued.settings.channels[0]).send(message(["a@example.gov.cn"]))
    assert [m[1] for m in smtp_server.messages] == [["a@example.gov.cn"]]


def test_a_robot_behind_https_of_the_networks_own_ca_is_reached_with_ca_file(receiver, certificate, monkeypatch):
    _untrusting(monkeypatch)
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    robot = Receiver(tls=context).start()
    try:
        with pytest.raises(ChannelError, match="建立加密连接失败"):         # without it: not trusted
            channel_for(ChannelSettings(kind="wecom", url=robot.url)).send(message())
        channel_for(ChannelSettings(kind="wecom", url=robot.url, ca_file=str(cert))).send(message())
    finally:
        robot.stop()
    assert len(robot.received) == 1 and robot.received[0].body["msgtype"] == "text"


def test_a_ca_file_that_went_missing_is_one_line_naming_the_channel(tmp_path):
    channel = channel_for(ChannelSettings(kind="webhook", name="短信网关", url="https://sms.example.gov.cn/notify",
                                          ca_file=str(tmp_path / "gone.pem")))
    with pytest.raises(ChannelError) as err:
        channel.send(message())
    assert err.value.text.startswith("渠道“短信网关”") and "ca_file" in err.value.text and "\n" not in err.value.text
