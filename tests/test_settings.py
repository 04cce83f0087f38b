import pytest

from ledger.errors import SettingsError
from ledger.settings import DEFAULT_STATUSES, load_settings


def write(tmp_path, text):
    path = tmp_path / "ledger.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_when_file_is_missing(tmp_path):
    settings = load_settings(tmp_path / "ledger.toml")
    assert settings.office.deadline_day == 5
    assert settings.templates.statuses == DEFAULT_STATUSES
    assert settings.database.url == "sqlite:///ledger.db"


def test_shipped_file_states_the_defaults(tmp_path):
    from importlib import resources
    from ledger.settings import Settings
    text = resources.files("ledger.data").joinpath("ledger.toml").read_text(encoding="utf-8")
    assert load_settings(write(tmp_path, text)) == Settings()


def test_values_and_aliases_are_read(tmp_path):
    path = write(tmp_path, '[office]\ndeadline_day = 10\n[units.aliases]\n"县人行" = "中国人民银行沂源县支行"\n'
                           '[units.groups]\n"各镇" = ["甲镇", "乙镇"]\n')
    settings = load_settings(path)
    assert settings.office.deadline_day == 10
    assert settings.units.aliases == {"县人行": "中国人民银行沂源县支行"}
    assert settings.units.groups == {"各镇": ["甲镇", "乙镇"]}


@pytest.mark.parametrize("text, expected", [
    ("[office]\ndeadlin_day = 3\n", "未知的设置项“office.deadlin_day”"),
    ("[offic]\nname = 'x'\n", "未知的设置项“offic”"),
    ("[office]\ndeadline_day = '5'\n", "设置项“office.deadline_day”的值 '5' 无效，应为整数"),
    ("[office]\ndeadline_day = 40\n", "office.deadline_day 应为 1 到 28"),
    ("[office]\ntimezone = 'Mars/Base'\n", "office.timezone"),
    ("[templates]\ncarry_progress = 1\n", "应为true 或 false"),
    ("office = [\n", "不是有效的 TOML 文件"),
])
def test_bad_settings_name_the_key_and_the_file(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(SettingsError) as err:
        load_settings(path)
    assert expected in str(err.value)
    assert str(path) in str(err.value)


def test_own_synonyms_add_to_the_common_ones(tmp_path):
    settings = load_settings(write(tmp_path, '[collect.synonyms]\n"推进顺利" = "序时推进"\n'))
    assert settings.collect.synonyms["推进顺利"] == "序时推进"
    assert settings.collect.synonyms["已办结"] == "已完成"


def test_a_synonym_for_an_unknown_status_names_it(tmp_path):
    with pytest.raises(SettingsError, match="不在 templates.statuses 中的状态“完工”"):
        load_settings(write(tmp_path, '[collect.synonyms]\n"干完了" = "完工"\n'))


def test_fewer_statuses_drop_the_common_synonyms_for_the_others(tmp_path):
    settings = load_settings(write(tmp_path, '[templates]\nstatuses = ["已完成", "推进中", "滞后"]\n'))
    assert "超进度" not in settings.collect.synonyms
    assert settings.collect.synonyms["已办结"] == "已完成"
