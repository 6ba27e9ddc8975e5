"""An operator's tool that never guesses and keeps crawled text inert (issue 13).

Read-only commands refuse a database that is missing, uninitialised or behind (exit 2, nothing
created); hostile configuration files end in `FILE:LINE` and exit 2, quickly; crawled text reaches
a terminal, a spreadsheet or an e-mail without markup, escapes or live formulas.
"""

from __future__ import annotations

import csv
import email
import io
import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, update

from tests.reports_fixtures import D6
from tests.test_notify import mailbox, scenario  # noqa: F401 — fixtures
from zwgk.cycle import notify
from zwgk.reports.exports import write_rows
from zwgk.store.migrations import alembic_config, head_revision
from zwgk.store.schema import Finding, Unit


def _zwgk(*args: str, timeout: float = 120, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "zwgk.cli", *args], capture_output=True, text=True, timeout=timeout, **kw
    )


READ_COMMANDS = [
    ["status"],
    ["status", "--json"],
    ["scores", "--as-of", "2026-11-23"],
    ["report", "daily", "--as-of", "2026-11-23"],
    ["report", "weekly", "--as-of", "2026-11-23"],
    ["report", "all", "--as-of", "2026-11-23"],
    ["export", "findings", "--format", "csv"],
    ["export", "columns", "--format", "json"],
]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=lambda c: " ".join(c[:2]))
def test_read_commands_refuse_a_missing_database_and_create_nothing(tmp_path, command):
    before = set(tmp_path.rglob("*"))
    proc = _zwgk(*command, "--db", "missing.db", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "数据库不存在" in proc.stderr and "zwgk db init" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert set(tmp_path.rglob("*")) == before  # no database, no report folder, no -wal file


def test_an_uninitialised_or_outdated_database_is_named_and_upgrade_fixes_it(tmp_path):
    from alembic import command

    foreign = tmp_path / "other.db"
    engine = create_engine(f"sqlite:///{foreign}")
    with engine.begin() as conn:
        conn.exec_driver_sql("create table notes (x int)")
    engine.dispose()
    proc = _zwgk("status", "--db", str(foreign))
    assert proc.returncode == 2 and "尚未初始化" in proc.stderr, proc.stderr

    old = tmp_path / "old.db"
    engine = create_engine(f"sqlite:///{old}")
    with engine.begin() as conn:
        command.upgrade(alembic_config(connection=conn), "0004")
    engine.dispose()
    for cmd in (["status"], ["export", "findings"], ["report", "daily", "--out", str(tmp_path / "r")]):
        proc = _zwgk(*cmd, "--db", str(old))
        assert proc.returncode == 2 and "落后" in proc.stderr and "zwgk db upgrade" in proc.stderr, cmd
    assert not (tmp_path / "r").exists()
    proc = _zwgk("db", "check", "--db", str(old))
    assert proc.returncode == 1 and "0004" in proc.stderr and "落后" in proc.stderr, proc.stderr
    proc = _zwgk("run", "--sites", "nowhere.yml", "--db", str(old), "--no-migrate")
    assert proc.returncode == 2  # the registry is read first: still nothing migrated
    proc = _zwgk("db", "upgrade", "--db", str(old))
    assert proc.returncode == 0 and f"0004 → {head_revision()}" in proc.stdout, proc.stderr
    assert _zwgk("db", "check", "--db", str(old)).returncode == 0
    assert _zwgk("status", "--db", str(old)).returncode == 0


def test_db_init_creates_and_a_newer_database_is_refused(tmp_path):
    db = tmp_path / "new.db"
    proc = _zwgk("db", "init", "--db", str(db))
    assert proc.returncode == 0 and "已建立" in proc.stdout and db.is_file()
    engine = create_engine(f"sqlite:///{db}")
    with engine.begin() as conn:
        conn.exec_driver_sql("update alembic_version set version_num = '0999'")
    engine.dispose()
    proc = _zwgk("status", "--db", str(db))
    assert proc.returncode == 2 and "比本程序新" in proc.stderr, proc.stderr


# -- hostile configuration -------------------------------------------------------------------------
BILLION_LAUGHS = "a: &a ['lol','lol','lol','lol','lol','lol','lol','lol','lol']\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},"
    f"*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n"
    for i in range(9)
)
HOSTILE_YAML = {
    "alias-bomb": (BILLION_LAUGHS, 2),
    "deep-nesting": ("portals: " + "[" * 5000 + "]" * 5000 + "\n", 1),
    "nul-byte": ('portals:\n  - id: a\n    name: "x\x00y"\n', 3),
    "deep-mapping": ("portals:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(200)), None),
}


@pytest.mark.parametrize("name", sorted(HOSTILE_YAML))
@pytest.mark.parametrize("option", ["--sites", "--catalog"])
def test_hostile_yaml_is_file_and_line_exit_2_in_bounded_time(tmp_path, name, option):
    text, line = HOSTILE_YAML[name]
    bad = tmp_path / f"{name}.yml"
    bad.write_text(text, encoding="utf-8")
    args = ["crawl", "--db", str(tmp_path / "z.db")]
    args += ["--sites", str(bad)] if option == "--sites" else ["--sites", str(bad), "--catalog", str(bad)]
    started = time.monotonic()
    proc = _zwgk(*args, timeout=60)
    assert time.monotonic() - started < 30
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    where = f"{bad}:{line}" if line else str(bad)
    assert where in proc.stderr, proc.stderr
    assert not (tmp_path / "z.db").exists()


def test_report_folder_that_cannot_be_written_is_recorded_and_exit_1(tmp_path):
    from tests.reports_fixtures import build_scenario
    from zwgk.config.catalog import load_catalog
    from zwgk.store.db import Store
    from zwgk.store.schema import Run

    db = f"sqlite:///{tmp_path / 'r.db'}"
    store = Store(db)
    build_scenario(store, load_catalog())
    store.dispose()
    blocker = tmp_path / "reports"
    blocker.write_text("a file where the report folder should be", encoding="utf-8")
    proc = _zwgk("report", "all", "--db", db, "--out", str(blocker), "--as-of", D6.isoformat())
    assert proc.returncode == 1, proc.stderr
    assert "报告无法写入" in proc.stderr and "Traceback" not in proc.stderr
    store = Store(db, mode="read")
    with store.session() as session:
        last = session.query(Run).order_by(Run.id.desc()).first()
        assert (last.stage, last.status) == ("report", "failed") and "reports" in last.error
    store.dispose()


# -- crawled text on the terminal ----------------------------------------------------------------------
HOSTILE_TITLES = [
    "通知\x1b[2J\x1b[H清屏",  # clear screen
    "\x1b]52;c;ZWNobyBwd25lZA==\x07剪贴板",  # OSC 52: write the clipboard
    "标题含[/]与[bold red]标记",  # rich markup that used to crash inspect
    "反转\u202e文字",  # right-to-left override
]


def _hostile_list_page() -> bytes:
    items = "".join(
        f'<li><a href="/a/{i}.html">{t}</a><span>2026-11-{10 + i:02d}</span></li>'
        for i, t in enumerate(HOSTILE_TITLES)
    )
    items += "".join(
        f'<li><a href="/a/{i}.html">工作动态第{i}条</a><span>2026-10-{i:02d}</span></li>' for i in range(1, 9)
    )
    return (
        "<html><head><title>通知公告\x1b[31m</title></head><body><div class='list'><ul>"
        f"{items}</ul></div></body></html>"
    ).encode()


def test_inspect_prints_crawled_text_without_escapes_or_markup(tmp_path):
    page = tmp_path / "list.html"
    page.write_bytes(_hostile_list_page())
    proc = _zwgk(
        "inspect",
        "http://127.0.0.1:9/tzgg/",
        "--file",
        str(page),
        "--content-type",
        "text/html; charset=utf-8",
    )
    assert proc.returncode == 0, proc.stderr
    shown = proc.stdout
    assert "清屏" in shown and "剪贴板" in shown  # the entries are listed …
    assert "[/]" in shown and "[bold red]" in shown  # … markup shown as text …
    for bad in ("\x1b", "\x07", "\u202e"):  # … and no escape or control reaches the terminal
        assert bad not in shown and bad not in proc.stderr


@pytest.mark.parametrize("url", ["not-a-url", "file:///etc/passwd", "ftp://127.0.0.1/x", "http://"])
def test_inspect_takes_only_web_addresses(url):
    proc = _zwgk("inspect", url)
    assert proc.returncode == 2, proc.stderr
    assert "不是网页地址" in proc.stderr and "Traceback" not in proc.stderr


# -- spreadsheets ----------------------------------------------------------------------------------------
FORMULAS = ['=HYPERLINK("http://evil.example","点此")', "+1+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1"]


def test_csv_cells_never_become_formulas(tmp_path):
    rows = [{"unit_name": f, "score": -3, "message": "正常文字"} for f in FORMULAS]
    out = tmp_path / "x.csv"
    write_rows(rows, "csv", out)
    read = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
    # behind an apostrophe, as text (a carriage return, a control character, is dropped)
    assert [r["unit_name"] for r in read] == ["'" + f.replace("\r", "") for f in FORMULAS]
    assert {r["score"] for r in read} == {"-3"}  # numbers stay numbers
    assert {r["message"] for r in read} == {"正常文字"}


def test_report_csvs_neutralise_a_hostile_unit_name(tmp_path, scenario):  # noqa: F811
    store, catalog, _ = scenario
    hostile = '=HYPERLINK("http://evil.example","点此")'
    with store.session() as session:
        session.execute(update(Unit).where(Unit.unit_id == "fgj").values(name=hostile))
    from zwgk.reports import render_all

    render_all(store, D6, tmp_path / "out", catalog)
    csvs = list((tmp_path / "out").rglob("*.csv"))
    assert csvs
    seen = 0
    for path in csvs:
        for row in csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")):
            for value in row:
                seen += hostile in value
                assert not value.startswith(("=", "+", "@", "\t", "\r")), (path.name, value)
    assert seen  # the hostile name is in the tables, as text


# -- notifications -------------------------------------------------------------------------------------
def test_an_email_carries_no_crawled_markup_or_foreign_address(scenario, mailbox, tmp_path):  # noqa: F811
    store, catalog, _ = scenario
    hostile = (
        '栏目「<a href="http://evil.example/x">点此领取补贴</a><img src="http://track.example/p.gif">'
        "[立即查看](http://evil.example/md) ![](http://track.example/i.png)」已 56 天未更新"
    )
    with store.session() as session:
        session.execute(
            update(Finding)
            .where(Finding.unit_id == "fgj")
            .values(message=hostile, url="http://evil.example/landing")
        )
    cfg_path = tmp_path / "notify.yml"
    cfg_path.write_text(
        json.dumps({"retry_delay": 0, "units": {"jiyang/fgj": mailbox.url("fgj@example.gov.cn")}}),
        encoding="utf-8",
    )
    notify.dispatch_daily(store, D6, catalog, notify.load_notify_config(cfg_path), sleep=lambda s: None)
    [(_subject, text)] = mailbox.to("fgj@example.gov.cn")
    assert "点此领取补贴" in text and "已 56 天未更新" in text  # the finding is still told …
    for bad in ("<a", "<img", "evil.example", "track.example", "](", "!["):
        assert bad not in text, bad  # … without its markup, links or tracking pixel
    [raw] = mailbox.raw
    parts = [p.get_content_type() for p in email.message_from_bytes(raw).walk() if not p.is_multipart()]
    assert parts == ["text/plain"]


def test_a_unit_address_is_sent_only_on_its_own_site():
    own = notify.messages.own_address
    entry = "http://www.jiyang.example/xxgk/fgj/"
    assert own("http://www.jiyang.example/xxgk/fgj/gzdt/", entry)
    assert not own("http://evil.example/", entry)
    assert not own("javascript:alert(1)", entry)
    assert not own("http://www.jiyang.example/\u202egnp.exe", entry)


def test_plain_text_is_what_apprise_is_told():
    src = Path(notify.send.__file__).read_text(encoding="utf-8")
    assert "NotifyFormat.TEXT" in src and "NotifyFormat.MARKDOWN" not in src
