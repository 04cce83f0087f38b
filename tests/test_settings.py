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
    ("[review]\nrequired = 'yes'\n", "设置项“review.required”的值 'yes' 无效，应为true 或 false"),
    ("[review]\nmax_evidence_mb = 0\n", "review.max_evidence_mb 的值 0 无效"),
    ("[review]\ncolour = 1\n", "未知的设置项“review.colour”"),
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


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "utf-16"])
def test_files_saved_by_windows_notepad_are_read(tmp_path, encoding):
    path = tmp_path / "ledger.toml"
    path.write_bytes('[office]\nname = "测试县督查室"\n[units.aliases]\n"县人行" = "人民银行测试县支行"\n'.encode(encoding))
    settings = load_settings(path)
    assert settings.office.name == "测试县督查室"
    assert settings.units.aliases == {"县人行": "人民银行测试县支行"}


@pytest.mark.parametrize("text, expected", [
    ("[collect]\nmax_file_mb = 0\n", "collect.max_file_mb 的值 0 无效，应为大于 0"),
    ("[collect]\nmax_file_mb = -5\n", "collect.max_file_mb 的值 -5 无效"),
    ("[collect]\nmax_file_mb = nan\n", "collect.max_file_mb 的值 nan 无效"),
    ("[collect]\nmax_file_mb = inf\n", "collect.max_file_mb 的值 inf 无效"),
    ("[collect]\nsettle_seconds = -1\n", "collect.settle_seconds 的值 -1 无效"),
    ("[collect]\nsettle_seconds = 86400\n", "collect.settle_seconds 的值 86400 无效，应为 0 到 3600"),
    ("[collect]\nlag_tolerance = 101\n", "collect.lag_tolerance 的值 101 无效"),
    ("[collect]\nlate_corrections = \"maybe\"\n", "collect.late_corrections “maybe” 无效，应为以下之一：refuse、review、accept"),
    ("[templates]\nstatuses = []\n", "templates.statuses 不能为空"),
    ("[templates]\nstatuses = ['已完成', ' ']\n", "templates.statuses 中有空白的状态"),
    ("[templates]\nstatuses = ['已完成', '滞后', '已完成']\n", "templates.statuses 中的状态“已完成”重复"),
    ("[templates]\nstatuses = ['已完成', '滞后,严重']\n", "不能含英文逗号"),
    ("[templates]\nstatuses = [" + ", ".join(f'"{"长" * 40}{i}"' for i in range(7)) + "]\n", "最多 255 个字符"),
    ('[collect.synonyms]\n"" = "已完成"\n', "collect.synonyms 中有空白的名称"),
    ('[units.aliases]\n"县人行" = ""\n', "units.aliases 中有空白的名称（“县人行”）"),
    ('[units.groups]\n"各镇" = []\n', "units.groups 中的“各镇”应列出至少一个单位名称"),
    ('[database]\nurl = ""\n', "database.url 不能为空"),
    ('[collect.synonyms]\n"滞后" = "已完成"\n', "collect.synonyms 中的“滞后”本身是 templates.statuses 中的状态"),
])
def test_settings_that_would_reject_everything_are_refused(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(SettingsError) as err:
        load_settings(path)
    assert expected in str(err.value)
    assert str(path) in str(err.value)


def test_a_file_in_no_known_encoding_says_how_to_save_it(tmp_path):
    path = tmp_path / "ledger.toml"
    path.write_bytes(b"[office]\nname = \"\xff\xfe\xfd\x81\"\n")
    with pytest.raises(SettingsError, match="无法识别文件编码，请用记事本另存为 UTF-8 编码"):
        load_settings(path)


# --- the status vocabulary ------------------------------------------------------------------

def test_statuses_table_renames_a_status_by_meaning(tmp_path):
    settings = load_settings(write(tmp_path, '[statuses]\n"进度滞后" = "lagging"\n'))
    assert settings.templates.statuses == ["已完成", "超序时", "序时推进", "进度滞后", "严重滞后", "未启动"]
    assert settings.vocabulary.meaning("进度滞后") == "lagging"
    assert settings.collect.synonyms["滞后"] == "进度滞后"       # the old word is still understood
    assert settings.collect.synonyms["欠进度"] == "进度滞后"


def test_todays_statuses_list_still_works_and_gets_meanings(tmp_path):
    settings = load_settings(write(tmp_path, '[templates]\nstatuses = ["已完成", "序时推进", "进度滞后", "正在论证"]\n'))
    assert settings.templates.statuses == ["已完成", "序时推进", "进度滞后", "正在论证"]
    assert settings.vocabulary.lagging("进度滞后")
    assert settings.vocabulary.meaning("正在论证") is None


@pytest.mark.parametrize("text, expected", [
    ('[templates]\nstatuses = ["已完成", "序时推进", "落后"]\n',
     "没有表示“滞后”（lagging）的状态，“滞后须在存在问题中说明原因”和滞后事项统计需要它"),
    ('[templates]\nstatuses = ["办结", "序时推进", "滞后"]\n', "没有表示“已完成”（done）的状态"),
    ('[statuses]\n"拖延" = "late"\n', "statuses 中“拖延”的含义“late”无效，应为以下之一：done、ahead"),
])
def test_a_vocabulary_losing_a_meaning_is_refused_naming_it(tmp_path, text, expected):
    with pytest.raises(SettingsError, match=expected):
        load_settings(write(tmp_path, text))


# --- office columns -------------------------------------------------------------------------

def test_office_columns_become_input_columns_of_their_kind(tmp_path):
    settings = load_settings(write(tmp_path, '[[columns]]\nheader = "资金到位(万元)"\nkind = "number"\nmin = 0\n'
                                             'help = "截至本月累计到位资金"\n\n[[columns]]\nheader = "推进方式"\n'
                                             'kind = "choice"\nchoices = ["自建", "合作"]\nrequired = true\n'))
    funds, way = settings.office_columns
    assert (funds.key, funds.kind, funds.minimum, funds.maximum, funds.help, funds.input) == \
        ("资金到位(万元)", "number", 0.0, None, "截至本月累计到位资金", True)
    assert (way.kind, way.choices, way.required) == ("choice", ("自建", "合作"), True)


@pytest.mark.parametrize("text, expected", [
    ('[[columns]]\nkind = "text"\n', "第 1 个 \\[\\[columns\\]\\] 缺少 header"),
    ('[[columns]]\nheader = "存在问题"\n', "与已有的列重名"),
    ('[[columns]]\nheader = "甲"\n[[columns]]\nheader = "甲"\n', "第 2 个 .*与已有的列重名"),
    ('[[columns]]\nheader = "甲"\nkind = "money"\n', "kind “money”无效，应为以下之一：text、longtext"),
    ('[[columns]]\nheader = "甲"\nkind = "choice"\n', "请用 choices 列出可选的值"),
    ('[[columns]]\nheader = "甲"\nkind = "number"\nmin = 10\nmax = 1\n', "min 大于 max"),
    ('[[columns]]\nheader = "甲"\nmin = "零"\n', "设置项“columns.min”的值 '零' 无效，应为数字"),
    ('[[columns]]\nheader = "甲"\nwide = 3\n', "未知的设置项“columns.wide”"),
    ('[[columns]]\nheader = "甲"\nrequired_if = ["滞后"]\n', "required_if 中“滞后”不是完成状态的含义，应为以下之一：done"),
])
def test_a_wrong_office_column_is_refused_naming_it(tmp_path, text, expected):
    with pytest.raises(SettingsError, match=expected):
        load_settings(write(tmp_path, text))
