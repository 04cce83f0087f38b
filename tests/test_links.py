"""Units' upload links: stable, unguessable, kept hashed, reissued and revoked by the office."""

from __future__ import annotations

import json
import os
import stat

import openpyxl
import sqlalchemy as sa
from click.testing import CliRunner

from ledger.cli import cli
from ledger.links import resolve, revoke_link, unit_links
from ledger.store import schema as s
from ledger.template.generate import generate_templates

PERIOD = "2024-07"


def _token(url: str) -> str:
    return url.split("/u/")[1].split("?")[0]


def test_links_are_stable_unguessable_and_open_only_their_unit(planned):
    generate_templates(planned, PERIOD)
    first = unit_links(planned, PERIOD)
    again = unit_links(planned, PERIOD)
    assert {l.unit: l.url for l in first.links} == {l.unit: l.url for l in again.links}
    tokens = {l.unit: _token(l.url) for l in first.links}
    assert len(set(tokens.values())) == len(tokens) and all(len(t) >= 32 for t in tokens.values())
    for unit, token in tokens.items():
        assert resolve(planned, token).unit == unit
    assert resolve(planned, "x" * 32) is None and resolve(planned, "") is None
    assert all(l.url.endswith(f"?period={PERIOD}") for l in first.links)


def test_the_database_keeps_only_hashes_and_the_secret_is_private(planned):
    generate_templates(planned, PERIOD)
    tokens = [_token(l.url) for l in unit_links(planned, PERIOD).links]
    with planned.engine.connect() as conn:
        dump = repr([list(conn.execute(sa.select(t)).all()) for t in s.metadata.sorted_tables])
    assert not any(t in dump for t in tokens)
    mode = stat.S_IMODE(os.stat(planned.root / ".ledger-secret").st_mode)
    assert mode & 0o077 == 0


def test_reissue_replaces_a_link_and_revoke_closes_it_until_reissued(planned):
    generate_templates(planned, PERIOD)
    old = {l.unit: _token(l.url) for l in unit_links(planned, PERIOD).links}
    unit = next(iter(old))
    new = {l.unit: _token(l.url) for l in unit_links(planned, PERIOD, reissue=[unit]).links}
    assert new[unit] != old[unit] and resolve(planned, old[unit]) is None and resolve(planned, new[unit]).unit == unit
    assert all(new[u] == old[u] for u in old if u != unit)
    assert revoke_link(planned, unit) and resolve(planned, new[unit]) is None
    listed = unit_links(planned, PERIOD)
    assert unit in listed.revoked and unit not in {l.unit for l in listed.links}
    back = {l.unit: _token(l.url) for l in unit_links(planned, PERIOD, reissue=[unit]).links}
    assert resolve(planned, back[unit]).unit == unit


def test_links_go_into_the_period_distribution_list(planned):
    generate_templates(planned, PERIOD)
    result = unit_links(planned, PERIOD, base="https://dc.example.gov.cn/ledger/")
    sheet = openpyxl.load_workbook(result.manifest).active
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=3)]
    header = [c.value for c in sheet[2]]
    assert header[-1] == "报送链接"
    urls = {r[1]: r[-1] for r in rows}
    assert urls == {l.unit: l.url for l in result.links}
    assert all(u.startswith("https://dc.example.gov.cn/ledger/u/") for u in urls.values())


def test_the_command_lists_links_as_json_and_explains_a_month_without_templates(planned):
    generate_templates(planned, PERIOD)
    runner = CliRunner()
    out = runner.invoke(cli, ["-w", str(planned.root), "links", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["period"] == PERIOD and data["links"] and all("/u/" in u for u in data["links"].values())
    roster = planned.templates_dir / PERIOD / "分发清单.xlsx"
    written = roster.read_bytes()
    os.utime(roster, ns=(1, 1))
    text = runner.invoke(cli, ["-w", str(planned.root), "links"])      # a listing: the list is left as it is
    assert f"分发清单：templates/{PERIOD}/分发清单.xlsx" in text.output and "已写入" not in text.output
    assert "本机地址" in text.output
    assert roster.stat().st_mtime_ns == 1 and roster.read_bytes() == written
    missing = runner.invoke(cli, ["-w", str(planned.root), "links", "--period", "2030-01"])
    assert missing.exit_code == 1 and "尚未下发模板" in missing.output and "Traceback" not in missing.output


def test_the_command_revokes_a_link(planned):
    generate_templates(planned, PERIOD)
    unit = unit_links(planned, PERIOD).links[0].unit
    out = CliRunner().invoke(cli, ["-w", str(planned.root), "links", "--revoke", unit])
    assert out.exit_code == 0 and f"已收回{unit}的报送链接" in out.output


def test_once_links_are_in_use_new_templates_keep_them_in_the_distribution_list(planned):
    generate_templates(planned, PERIOD)
    runner = CliRunner()
    first = runner.invoke(cli, ["-w", str(planned.root), "templates", "--period", "2024-08"])
    assert "报送链接" not in first.output                      # links not in use: the list stays as it was
    issued = {l.unit: l.url for l in unit_links(planned, PERIOD).links}
    again = runner.invoke(cli, ["-w", str(planned.root), "templates", "--period", "2024-08", "--json"])
    listed = json.loads(again.output)["links"]
    assert set(listed) == set(issued)
    assert all(_token(listed[u]) == _token(issued[u]) for u in issued)       # the same links, for the new month
    sheet = openpyxl.load_workbook(planned.templates_dir / "2024-08" / "分发清单.xlsx").active
    assert sheet.cell(2, sheet.max_column).value == "报送链接"


def test_processes_starting_together_agree_on_one_secret(planned):
    from concurrent.futures import ThreadPoolExecutor

    from ledger.links import secret
    from ledger.workspace import Workspace

    with ThreadPoolExecutor(8) as pool:
        keys = set(pool.map(lambda _: secret(Workspace(planned.root)), range(32)))
    assert len(keys) == 1
    assert [p.name for p in planned.root.iterdir() if p.name.startswith(".ledger-secret")] == [".ledger-secret"]


def test_two_processes_issuing_a_units_link_at_once_agree_on_it(planned, monkeypatch):
    """Another process issues the links between this one's look at the links in force and its own
    issue: this one does not fail, and both hand out the same links."""
    from ledger.store import links as store

    generate_templates(planned, PERIOD)
    real, raced = store.active_links, {}

    def stale(engine):
        found = real(engine)                        # what this process saw ...
        if not raced:
            raced["other"] = None
            raced["other"] = unit_links(planned, PERIOD, write_manifest=False)    # ... before the other issued
        return found
    monkeypatch.setattr(store, "active_links", stale)
    mine = unit_links(planned, PERIOD)
    assert {l.unit: l.url for l in mine.links} == {l.unit: l.url for l in raced["other"].links}
    with planned.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(s.unit_links)).scalar() == len(mine.links)
