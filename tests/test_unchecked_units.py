"""未能检查: units the crawl could not see have no score and no grade on any surface, and are left
out of every average, ranking and count. Ten nights of a portal with an unreachable unit, an
anti-bot unit, a clean unit and a unit with five blank columns (空白栏目 veto: 不合格)."""

from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta

import lxml.html
import openpyxl
import pytest
from typer.testing import CliRunner

from zwgk.cli import app
from zwgk.config.catalog import load_catalog
from zwgk.cycle import stages
from zwgk.cycle.notify import unit_message
from zwgk.reports import render_all
from zwgk.reports.views import build_daily
from zwgk.store.db import Store
from zwgk.store.schema import Entry, Portal, Run, Snapshot, Unit

CATALOG = load_catalog()
NIGHTS = [date(2026, 11, 21) + timedelta(days=i) for i in range(10)]
AS_OF = NIGHTS[-1]
ENTRY = {"down": "unreachable", "guard": "antibot", "clean": "ok", "bad": "ok"}
BLANK = {"bad": ["ghjh", "rsxx", "czyjs", "zcjd", "jgzn"]}
runner = CliRunner()


def _nights(store: Store) -> None:
    with store.session() as s:
        s.add(Portal(id="p", name="某县人民政府", home="http://127.0.0.1:8001/"))
        for uid in ENTRY:
            s.add(
                Unit(
                    portal_id="p",
                    unit_id=uid,
                    name=f"县{uid}局",
                    profile="department",
                    entry=f"http://127.0.0.1:8001/{uid}/",
                )
            )
    for day in NIGHTS:
        start = datetime.combine(day, datetime.min.time()) - timedelta(hours=7)  # 01:00 北京时间
        with store.session() as s:
            run = Run(
                stage="crawl",
                as_of=day,
                started_at=start,
                finished_at=start + timedelta(minutes=30),
                status="ok",
                counts={},
            )
            s.add(run)
            s.flush()
            for uid, status in ENTRY.items():
                s.add(
                    Snapshot(
                        run_id=run.id,
                        portal_id="p",
                        unit_id=uid,
                        target="entry",
                        url=f"http://127.0.0.1:8001/{uid}/",
                        status=status,
                        fetched_at=start,
                        http_status=200 if status == "ok" else (503 if status == "unreachable" else 412),
                    )
                )
                if status != "ok":
                    continue
                for col in CATALOG.required_columns("department"):
                    blank = col.id in BLANK.get(uid, [])
                    snap = Snapshot(
                        run_id=run.id,
                        portal_id="p",
                        unit_id=uid,
                        target=f"column:{col.id}",
                        column_id=col.id,
                        url=f"http://127.0.0.1:8001/{uid}/{col.id}/",
                        status="ok",
                        fetched_at=start,
                        entries_count=0 if blank else 1,
                        newest=None if blank else day - timedelta(days=1),
                    )
                    if not blank:
                        snap.entries.append(
                            Entry(
                                position=0,
                                title=f"{col.name}：2025年度工作报告及2025年年报",
                                url=f"http://127.0.0.1:8001/{uid}/{col.id}/1.html",
                                date=day - timedelta(days=1),
                            )
                        )
                    s.add(snap)
        stages.check(store, day, CATALOG)


@pytest.fixture(scope="module")
def night10(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("unchecked")
    db = f"sqlite:///{tmp}/u.db"
    store = Store(db)
    _nights(store)
    paths = render_all(store, AS_OF, tmp / "out", CATALOG)
    yield store, db, tmp, paths
    store.dispose()


def _t(el) -> str:
    return re.sub(r"\s+", " ", el.text_content()).strip()


def test_scores_json_and_text(night10):
    _, db, _, _ = night10
    rows = {
        r["unit"]: r
        for r in json.loads(
            runner.invoke(app, ["scores", "--json", "--db", db, "--as-of", AS_OF.isoformat()]).stdout
        )["units"]
    }
    # anti-bot: a crawl problem, never assessed — no score, no grade, no veto
    guard = rows["guard"]
    assert (guard["score"], guard["grade"], guard["checked"], guard["veto"]) == (None, None, False, False)
    assert guard["unchecked_reason"] == "反爬虫拦截"
    # unreachable in all ten checks of the period (≥ 5%, ≥ 3 checks): the 站点无法访问 line is at its
    # veto level and reported with the unit — which, not seen, is still not assessed (no grade)
    down = rows["down"]
    assert (down["score"], down["grade"], down["checked"], down["veto"]) == (None, None, False, False)
    assert down["unchecked_reason"] == "无法访问" and [v["line"] for v in down["veto_lines"]] == [
        "unreachable"
    ]
    assert rows["clean"]["score"] == 100.0 and rows["bad"]["grade"] == "不合格"
    text = runner.invoke(app, ["scores", "--db", db, "--as-of", AS_OF.isoformat()]).stdout
    assert "未能检查（反爬虫拦截）" in text and "未能检查（无法访问）" in text and "优秀" in text
    columns = json.loads(
        runner.invoke(app, ["scores", "--columns", "--json", "--db", db, "--as-of", AS_OF.isoformat()]).stdout
    )
    assert {c["score"] for c in columns if c["unit"] in ("down", "guard")} == {None}


def test_reports_rank_average_and_count_only_assessed_units(night10):
    _, _, tmp, paths = night10
    weekly = lxml.html.fromstring(paths["weekly"].read_text(encoding="utf-8"))
    ranking = {r.get("data-unit"): r for r in weekly.xpath("//table[@id='ranking-table']/tbody/tr")}
    guard, down = ranking["p/guard"], ranking["p/down"]
    assert guard.get("data-checked") == "false" and _t(guard.xpath("td")[0]) == "—"
    assert _t(guard.xpath("td[contains(@class,'score-cell')]")[0]) == "—"
    assert _t(guard.xpath("td[contains(@class,'grade-cell')]")[0]) == "未能检查"
    assert (
        down.get("data-checked") == "false" and _t(down.xpath("td[contains(@class,'score-cell')]")[0]) == "—"
    )
    assert _t(down.xpath("td[contains(@class,'grade-cell')]")[0]) == "未能检查"
    assert float(_t(weekly.get_element_by_id("avg-score"))) == round((100.0 + _bad_score(night10)) / 2, 1)

    monthly = lxml.html.fromstring(paths["monthly"].read_text(encoding="utf-8"))
    tiles = {el.get("data-grade"): int(_t(el)) for el in monthly.xpath("//span[@data-grade]")}
    assert tiles["不合格"] == 1 and tiles["优秀"] == 1 and tiles["未能检查"] == 2
    data = json.loads(next((tmp / "out" / "data").glob("monthly-*.json")).read_text(encoding="utf-8"))
    scored = data["tables"]["scores"]
    assert sum(1 for r in scored if r["grade"] == "不合格") == tiles["不合格"]
    assert {r["unit"]: r["score"] for r in scored if r["unit"] in ("down", "guard")} == {
        "down": None,
        "guard": None,
    }
    sheet = openpyxl.load_workbook(next((tmp / "out").glob("monthly-*.xlsx")))
    values = [row for ws in sheet.worksheets for row in ws.iter_rows(values_only=True)]
    assert sum(1 for row in values if "不合格" in row) == tiles["不合格"]
    assert not any(
        row for row in values if {"down", "guard"} & set(row) and any(isinstance(v, float) for v in row)
    )
    units = lxml.html.fromstring(
        next((tmp / "out" / "units").glob("p--down.html")).read_text(encoding="utf-8")
    )
    assert (
        _t(units.get_element_by_id("unit-score")) == "—"
        and _t(units.get_element_by_id("unit-grade")) == "未能检查"
    )
    assert (
        "站点无法访问" in _t(units.get_element_by_id("unchecked"))
        and units.get_element_by_id("veto", None) is None
    )
    guard_page = lxml.html.fromstring((tmp / "out" / "units" / "p--guard.html").read_text(encoding="utf-8"))
    assert _t(guard_page.get_element_by_id("unit-grade")) == "未能检查"


def _bad_score(night10) -> float:
    _, db, _, _ = night10
    rows = json.loads(
        runner.invoke(app, ["scores", "--json", "--db", db, "--as-of", AS_OF.isoformat()]).stdout
    )
    return next(r["score"] for r in rows["units"] if r["unit"] == "bad")


def test_daily_and_notifications_never_call_an_unchecked_unit_clean(night10):
    store, _, _, paths = night10
    daily = lxml.html.fromstring(paths["daily"].read_text(encoding="utf-8"))
    assert [li.get("data-unit") for li in daily.xpath("//li[@class='clean-unit']")] == ["clean"]
    # the unreachable unit is listed with its 站点无法访问 finding; the anti-bot one (a crawl problem,
    # never a finding) under 未能检查 — neither among the units with nothing to fix
    assert [li.get("data-unit") for li in daily.xpath("//li[@class='unchecked-unit']")] == ["guard"]
    with store.session() as s:
        view = build_daily(s, AS_OF, CATALOG)
    blocks = {u.unit_id: u for p in view.portals for u in [*p.units, *p.clean, *p.unchecked]}
    assert [r.rule for r in blocks["down"].rows] == ["site.unreachable"]
    guard = unit_message("某县人民政府", blocks["guard"], AS_OF, None).body
    assert "未能检查" in guard and "没有待整改问题" not in guard
    assert "没有待整改问题" in unit_message("某县人民政府", blocks["clean"], AS_OF, None).body
