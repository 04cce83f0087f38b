"""``[[channels]]`` and ``[remind]`` in ledger.toml: read typed, a wrong key or value refused naming it."""

from __future__ import annotations

import pytest

from ledger.errors import SettingsError
from ledger.settings import load_settings


def load(tmp_path, text: str):
    path = tmp_path / "ledger.toml"
    path.write_text(text, encoding="utf-8")
    return load_settings(path)


def test_channels_are_read(tmp_path):
    settings = load(tmp_path, '''
[remind]
due_soon_days = 3
[[channels]]
kind = "smtp"
host = "smtp.example.gov.cn"
tls = "ssl"
user = "ducha@example.gov.cn"
password_env = "LEDGER_SMTP_PASSWORD"
from = "ducha@example.gov.cn"
[[channels]]
kind = "dingtalk"
url = "https://oapi.dingtalk.com/robot/send?access_token=x"
secret = "SECabc"
kinds = ["overdue"]
units = ["县科技局"]
''')
    smtp, ding = settings.channels
    assert (smtp.from_, smtp.smtp_port(), smtp.label) == ("ducha@example.gov.cn", 465, "smtp")
    assert (ding.kinds, ding.units, ding.secret) == (["overdue"], ["县科技局"], "SECabc")
    assert settings.remind.due_soon_days == 3


@pytest.mark.parametrize("text, expected", [
    ('[[channels]]\nkind = "sms"\nurl = "https://x"', "第 1 个 [[channels]]的 kind “sms”无效"),
    ('[[channels]]\nkind = "webhook"\nurl = "ftp://x"', "url “ftp://x” 无效"),
    ('[[channels]]\nkind = "webhook"\nurl = "https://x"\nsender = "a"', "未知的设置项“channels.sender”"),
    ('[[channels]]\nkind = "smtp"\nhost = "h"\nfrom = "a@b.cn"\ntls = "tls"', "tls “tls” 无效"),
    ('[[channels]]\nkind = "smtp"\nhost = "8.8.8.8"\nfrom = "a@b.cn"\ntls = "none"', "8.8.8.8 是公网地址"),
    ('[[channels]]\nkind = "smtp"\nhost = "h"\nfrom = "a@b.cn"\nport = 70000', "port 的值 70000 无效"),
    ('[[channels]]\nkind = "smtp"\nhost = "h"\nfrom = "a@b.cn"\nuser = "u"', "password_env 不能为空"),
    ('[[channels]]\nkind = "smtp"\nhost = "h"\nfrom = "a@b.cn"\nuser = "u"\npassword_env = "hunter2!"',
     "password_env “hunter2!” 应为环境变量的名称"),
    ('[[channels]]\nkind = "smtp"\nhost = ""\nfrom = "a@b.cn"', "host 不能为空"),
    ('[[channels]]\nkind = "smtp"\nhost = "h"', "from “” 无效"),
    ('[[channels]]\nkind = "wecom"\nurl = "https://x"\nsecret = "s"', "secret 只用于 dingtalk"),
    ('[[channels]]\nkind = "wecom"\nurl = "https://x"\nkinds = ["late"]', "kinds 中的“late”无效"),
    ('[[channels]]\nkind = "wecom"\nurl = "https://x"\n[[channels]]\nkind = "wecom"\nurl = "https://y"',
     "与前面的渠道同名（“wecom”）"),
    ('[[channels]]\nkind = "webhook"\nurl = "https://x"\ntimeout = 0', "timeout 的值 0 无效"),
    ('[remind]\nmax_attempts = 0', "remind.max_attempts 的值 0 无效"),
    ('[remind]\nbackoff = 3', "未知的设置项“remind.backoff”"),
    ('[[channels]]\nkind = "smtp"\nhost = "h"\nfrom = "a@b.cn"\nto = ["ducha"]', "to 中的邮箱“ducha”无效"),
    ('[[channels]]\nkind = "webhook"\nurl = "https://x"\nto = ["a@b.cn"]', "to 只用于 smtp"),
    ('[[channels]]\nkind = "smtp"\nhost = "h"\nfrom = "a@b.cn"\nca_file = "certs/ca.pem"', "ca_file “"),
    ('[[channels]]\nkind = "wecom"\nurl = "http://x"\nca_file = "ca.pem"', "ca_file 只用于 smtp（邮件）渠道和 https:// 网址"),
    ('[remind]\nstale_seconds = 15\n[[channels]]\nkind = "webhook"\nurl = "https://x"',
     "remind.stale_seconds（15 秒）应大于第 1 个 [[channels]]的 timeout 的两倍"),
])
def test_a_wrong_channel_is_refused_naming_the_key(tmp_path, text, expected):
    with pytest.raises(SettingsError) as err:
        load(tmp_path, text)
    assert expected in str(err.value) and "ledger.toml" in str(err.value)


def test_a_ca_file_is_found_beside_ledger_toml_and_must_be_a_certificate(tmp_path):
    (tmp_path / "ca.pem").write_text("这不是证书", encoding="utf-8")
    text = '[[channels]]\nkind = "webhook"\nurl = "https://sms.example.gov.cn/notify"\nca_file = "ca.pem"'
    with pytest.raises(SettingsError, match="不是可用的 PEM 格式证书"):
        load(tmp_path, text)
    with pytest.raises(SettingsError, match="不存在或不是文件"):
        load(tmp_path, text.replace("ca.pem", "missing.pem"))
