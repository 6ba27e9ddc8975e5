"""Report audit gaps: reviews (误报) in the reports, the rules table, the holiday-calendar banner,
interpretation diversity, early warnings and portal veto lines, plain-Chinese evidence, no data last
week/month, column exports with deductions and evidence, Chinese XLSX headers, 未能检查 units."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import lxml.html
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from tests.reports_fixtures import D6, Builder, build_scenario
from zwgk.cli import app
from zwgk.config.catalog import load_catalog
from zwgk.findings.scores import unit_scores
from zwgk.reports import render_all
from zwgk.rules.registry import all_rules
from zwgk.store.db import Store

J4, J5 = date(2027, 1, 4), date(2027, 1, 5)  # 2027: no holiday calendar yet (counted Monday–Friday)
J11 = date(2027, 1, 11)  # the Monday whose 周通报 reports the week of J4 and J5
NEXT_MONDAY = date(2024, 3, 11)  # the Monday whose 周通报 reports the week of D5 and D6
BANNER = "2027年节假日安排尚未公布，整改期限暂按周一至周五计算"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _doc(path):
    return lxml.html.parse(str(path)).getroot()


def _t(el) -> str:
    return re.sub(r"\s+", " ", el.text_content()).strip()


def _pages(out):
    return [*sorted(out.glob("*.html")), *sorted((out / "units").glob("*.html"))]


# ---------------------------------------------------------------- 1. reviews (误报)


def test_false_positive_leaves_counts_named_list_and_is_listed_under_review(tmp_path, catalog):
    db = f"sqlite:///{tmp_path}/t.db"
    store = Store(db)
    ids = build_scenario(store, catalog)
    before = render_all(store, D6, tmp_path / "before", catalog)
    before["weekly"] = render_all(store, NEXT_MONDAY, tmp_path / "before", catalog, kinds=("weekly",))[
        "weekly"
    ]
    weekly = _doc(before["weekly"])
    assert "jiyang/xz2" in weekly.xpath("//ol[@id='named-list']/li/@data-unit")
    daily = _doc(before["daily"])
    new_before = int(_t(daily.get_element_by_id("total-new")))
    open_before = int(_t(weekly.get_element_by_id("total-open")))
    assert "text.typo" in weekly.xpath("//h3[@class='typical']/@data-rule")

    res = CliRunner().invoke(
        app,
        [
            "review",
            str(ids["typo"]),
            "--false-positive",
            "--by",
            "张三",
            "--why",
            "原文为引文，非错别字",
            "--db",
            db,
            "--as-of",
            D6.isoformat(),
        ],
    )
    assert res.exit_code == 0, res.output
    after = render_all(store, D6, tmp_path / "after", catalog)
    after["weekly"] = render_all(store, NEXT_MONDAY, tmp_path / "after", catalog, kinds=("weekly",))["weekly"]
    store.dispose()

    weekly = _doc(after["weekly"])
    assert "jiyang/xz2" not in weekly.xpath("//ol[@id='named-list']/li/@data-unit")
    assert int(_t(weekly.get_element_by_id("total-open"))) == open_before - 1
    assert "text.typo" not in weekly.xpath("//h3[@class='typical']/@data-rule")
    xz2 = weekly.xpath("//table[@id='ranking-table']/tbody/tr[@data-unit='jiyang/xz2']")[0]
    assert int(_t(xz2.xpath("td[contains(@class,'open-cell')]")[0])) == 0
    assert "不合格" not in _t(xz2)

    daily = _doc(after["daily"])
    assert int(_t(daily.get_element_by_id("total-new"))) == new_before - 1
    assert int(_t(daily.get_element_by_id("total-dismissed"))) == 1
    assert not daily.xpath("//div[@class='unit'][@data-unit='xz2']")  # not in the open list
    row = daily.xpath("//table[@id='dismissed-table']/tbody/tr")
    assert len(row) == 1 and "张三" in _t(row[0]) and "原文为引文" in _t(row[0])

    unit = _doc(tmp_path / "after" / "units" / "jiyang--xz2.html")
    assert _t(unit.get_element_by_id("unit-open")) == "0"
    assert not unit.xpath("//table[@id='open-table']")
    assert _t(unit.get_element_by_id("dismissed")) == "已复核为误报（不计分）"
    rows = unit.xpath("//table[@id='dismissed-table']/tbody/tr")
    assert [r.get("data-rule") for r in rows] == ["text.typo"]
    assert _t(rows[0].xpath("td[@class='review-by']")[0]) == "张三"
    assert "原文为引文，非错别字" in _t(rows[0].xpath("td[@class='review-why']")[0])
    assert D6.isoformat() in _t(rows[0].xpath("td[contains(@class,'review-at')]")[0])


# ---------------------------------------------------------------- the D6 scenario, rendered once


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, catalog):
    tmp = tmp_path_factory.mktemp("audit")
    store = Store(f"sqlite:///{tmp}/t.db")
    build_scenario(store, catalog)
    paths = render_all(store, D6, tmp / "out", catalog)
    # the 周通报 of the week holding D5 and D6 is the next Monday's
    paths["weekly"] = render_all(store, NEXT_MONDAY, tmp / "out", catalog, kinds=("weekly",))["weekly"]
    store.dispose()
    return tmp / "out", paths


def test_rules_table_in_monthly_and_rules_page(rendered):
    out, paths = rendered
    ids = {r.id for r in all_rules()}
    index = _doc(paths["units"])
    href = index.get_element_by_id("rules-link").get("href")
    assert (out / href).is_file()
    for page in (out / href, paths["monthly"]):
        doc = _doc(page)
        table = doc.get_element_by_id("rules-table")
        assert set(table.xpath("tbody/tr/@data-rule")) == ids, page.name
        stale = _t(table.xpath("tbody/tr[@data-rule='column.stale']")[0])
        assert "栏目不更新" in stale and "14" in stale and "个工作日" in stale and "国办秘函" in stale
        veto = doc.get_element_by_id("veto-table")
        lines = set(veto.xpath("tbody/tr/@data-line"))
        assert {"home_stale", "columns_stale", "long_stale", "blank", "typo", "unreachable"} <= lines
        assert "首页不更新" in _t(veto)
        assert "监测规则与否决线" in _t(doc)


def test_xlsx_headers_are_chinese_json_keys_stay_english(rendered):
    out, _ = rendered
    wb = load_workbook(out / "weekly-2024-03-06.xlsx")
    header = [c.value for c in wb["排名"][1]]
    assert header[:3] == ["名次", "网站", "单位"] and "得分" in header and "是否完成检查" in header
    assert not any(re.fullmatch(r"[a-z_]+", str(h)) for h in header)
    data = json.loads((out / "data" / "weekly-2024-03-06.json").read_text("utf-8"))
    assert {"rank", "portal", "unit", "score", "checked"} <= set(data["tables"]["ranking"][0])
    units = load_workbook(out / "units-2024-03-06.xlsx")
    assert [c.value for c in units["栏目"][1]][:3] == ["网站", "单位", "栏目"]


def test_unchecked_units_are_not_rated(rendered):
    out, paths = rendered
    weekly = _doc(paths["weekly"])
    for unit in ("jyj", "wsj"):  # entry unreachable / anti-bot
        row = weekly.xpath(f"//table[@id='ranking-table']/tbody/tr[@data-unit='jiyang/{unit}']")[0]
        assert row.get("data-checked") == "false"
        assert _t(row.xpath("td[contains(@class,'grade-cell')]")[0]) == "未能检查"
        assert _t(row.xpath("td")[0]) == "—"  # unranked
        page = _doc(out / "units" / f"jiyang--{unit}.html")
        assert _t(page.get_element_by_id("unit-grade")) == "未能检查"
        assert "优秀" not in _t(page.get_element_by_id("unit-totals"))
        assert page.get_element_by_id("unchecked") is not None
    monthly = _doc(paths["monthly"])
    row = monthly.xpath("//table[@id='monthly-table']/tbody/tr[@data-unit='jiyang/wsj']")[0]
    assert _t(row.xpath("td[contains(@class,'grade-cell')]")[0]) == "未能检查"
    index = _doc(paths["units"])
    assert index.xpath("//tr[@data-unit='jiyang/wsj']/@data-grade") == ["未能检查"]
    # exports say the unit was not checked, and give it no score and no grade
    units = json.loads((out / "data" / "units-2024-03-06.json").read_text("utf-8"))["tables"]["units"]
    wsj = next(u for u in units if u["unit"] == "wsj")
    assert wsj["checked"] is False and wsj["score"] is None and wsj["grade"] is None
    assert next(u for u in units if u["unit"] == "fgj")["checked"] is True
    ranking = json.loads((out / "data" / "weekly-2024-03-11.json").read_text("utf-8"))["tables"]["ranking"]
    assert {r["unit"]: r["checked"] for r in ranking}["jyj"] is False


def test_no_calendar_banner_for_known_years(rendered):
    out, _ = rendered
    for page in _pages(out):
        doc = _doc(page)
        assert not doc.xpath("//*[@id='calendar-banner']"), page.name
        assert not doc.xpath("//*[@class='provisional']"), page.name


# ---------------------------------------------------------------- January 2027


@pytest.fixture(scope="module")
def jan2027(tmp_path_factory, catalog):
    """A portal checked on 2027-01-04 and -05 only: a government unit (home fresh), a department
    with every evidence-rich rule, a 10-day-old 工作动态 and 2 of 4 解读 in diverse forms, and a
    department behind an anti-bot wall."""
    tmp = tmp_path_factory.mktemp("jan2027")
    store = Store(f"sqlite:///{tmp}/t.db")
    base = "http://www.p27.example/xxgk/"
    with store.session() as s:
        b = Builder(s, catalog)
        b.portal("p27", "某县人民政府", "http://www.p27.example/")
        b.unit("p27", "gov", "某县人民政府办公室", "government", base)
        b.unit("p27", "fgj", "县发展和改革局", "department", f"{base}fgj/")
        b.unit("p27", "sjj", "县审计局", "department", f"{base}sjj/")
        checks = {}
        for d in (J4, J5):
            crawl = b.run("crawl", d)
            checks[d] = b.run("check", d, crawl)
        b.snapshot(crawl, "p27", "gov", "home", url="http://www.p27.example/", body=b"<html>home</html>")
        b.snapshot(crawl, "p27", "gov", "entry", url=base, body=b"<html>gov</html>")
        b.fill_columns(crawl, "p27", "gov", "government", base, date(2027, 1, 4))
        fgj = f"{base}fgj/"
        b.snapshot(crawl, "p27", "fgj", "entry", url=fgj, body=b"<html>fgj</html>")
        b.snapshot(
            crawl,
            "p27",
            "fgj",
            "column:gzdt",
            url=f"{fgj}gzdt/",
            entries=[("召开工作会议", date(2026, 12, 26))],
        )  # 10 days: 预警 (limit 14)
        b.snapshot(
            crawl,
            "p27",
            "fgj",
            "column:zcjd",
            url=f"{fgj}zcjd/",
            entries=[
                ("图解《某县促进就业办法》", date(2026, 12, 1)),
                ("一图读懂《某县养老服务规定》", date(2026, 11, 2)),
                ("关于《某县促进就业办法》的解读", date(2026, 12, 1)),
                ("《某县实施意见》政策解读", date(2026, 10, 9)),
            ],
        )
        b.fill_columns(crawl, "p27", "fgj", "department", fgj, date(2027, 1, 4))
        b.snapshot(crawl, "p27", "sjj", "entry", "antibot", url=f"{base}sjj/", http_status=412)

        note = "2027年节假日安排未公布（未配置），工作日暂按周一至周五计算，期限可能需调整"
        f = b.finding
        art = f"{fgj}zcwj/art1.html"
        f(
            "text.typo",
            "veto",
            "p27",
            "fgj",
            "zcwj",
            art,
            "信息「关于印发某办法的通知」含严重错别字：中华人民共合国（应为中华人民共和国）",
            {
                "hits": [
                    {
                        "wrong": "中华人民共合国",
                        "right": "中华人民共和国",
                        "category": "country",
                        "context": "根据《中华人民共合国政府信息公开条例》",
                    }
                ],
                "title": "关于印发某办法的通知",
                "calendar_note": note,
            },
            events=[("opened", J4), ("seen", J5)],
            runs=checks,
        )
        f(
            "doc.overdue",
            "major",
            "p27",
            "fgj",
            "xxgknb",
            f"{fgj}xxgknb/",
            "「政府信息公开年报」栏目未见2025年度政府信息公开工作年度报告（应于 2026-01-31 前公开，已逾期 339 天）",
            {
                "periodic": "xxgknb_department",
                "document": "2025年度政府信息公开工作年度报告",
                "document_year": 2025,
                "due": "2026-01-31",
                "days_late": 339,
                "entries": 1,
                "pages": 1,
                "truncated": False,
                "patterns": ["2025.*(年度报告|年报)"],
                "newest_titles": ["2024年度政府信息公开工作年度报告"],
                "source": "《政府信息公开条例》第四十九条",
                "calendar_note": note,
            },
            events=[("opened", J4), ("seen", J5)],
            runs=checks,
        )
        f(
            "interp.missing",
            "minor",
            "p27",
            "fgj",
            "zcwj",
            f"{fgj}zcwj/art2.html",
            "《某县招商引资办法》（2026-12-20 发布）未见政策解读",
            {
                "policy_title": "关于印发《某县招商引资办法》的通知",
                "policy_date": "2026-12-20",
                "document": "某县招商引资办法",
                "deadline": "2026-12-25",
                "working_days": 5,
                "policy_column_url": f"{fgj}zcwj/",
                "interp_column_url": f"{fgj}zcjd/",
                "calendar_note": note,
            },
            events=[("opened", J4), ("seen", J5)],
            runs=checks,
        )
        f(
            "link.broken",
            "minor",
            "p27",
            "fgj",
            "tzgg",
            f"{fgj}files/a.pdf",
            "页面中的附件「实施方案.pdf」无法访问（HTTP 404）",
            {
                "page": f"{fgj}tzgg/1.html",
                "text": "实施方案.pdf",
                "http_status": 404,
                "error": None,
                "attachment": True,
                "redirects": [],
            },
            events=[("opened", J4), ("seen", J5)],
            runs=checks,
        )
        f(
            "meta.incomplete",
            "minor",
            "p27",
            "fgj",
            "zcwj",
            f"{fgj}zcwj/art3.html",
            "「政策文件」信息「某通知」缺少公开要素：索引号",
            {
                "missing": ["索引号"],
                "title": "某通知",
                "present": {"发布机构": "县发改局", "发布日期": "2026-12-28"},
                "column_url": f"{fgj}zcwj/",
            },
            events=[("opened", J4), ("seen", J5)],
            runs=checks,
        )
        f(
            "column.stale",
            "major",
            "p27",
            "fgj",
            "tzgg",
            f"{fgj}tzgg/",
            "「通知公告」栏目已 200 天未更新",
            {
                "newest": "2026-06-19",
                "age_days": 200,
                "limit_days": 180,
                "escalated": True,
                "escalated_severity": "veto",
                "escalated_on": "2027-01-05",
                "calendar_note": note,
            },
            events=[("opened", J4), ("seen", J5)],
            runs=checks,
        )
    paths = render_all(store, J5, tmp / "out", catalog)
    # the 周通报 of the week holding J4 and J5 is the next Monday's
    paths["weekly"] = render_all(store, J11, tmp / "out", catalog, kinds=("weekly",))["weekly"]
    store.dispose()
    return tmp / "out", paths


def test_calendar_banner_once_per_page_and_no_calendar_note(jan2027):
    out, paths = jan2027
    for page in _pages(out):
        doc = _doc(page)
        banners = doc.xpath("//*[@id='calendar-banner']")
        assert len(banners) == 1, page.name
        assert BANNER in _t(banners[0])
        html = page.read_text("utf-8")
        assert "calendar_note" not in html and "未配置" not in html, page.name
    daily = _doc(paths["daily"])
    deadlines = daily.xpath(
        "//tr[@class='finding' or contains(@class,'finding ')]/td[contains(@class,'deadline')]"
    )
    assert deadlines and all("暂按周一至周五" in _t(td) for td in deadlines)
    unit = _doc(out / "units" / "p27--fgj.html")
    assert all(
        "暂按周一至周五" in _t(td)
        for td in unit.xpath("//table[@id='open-table']//td[contains(@class,'deadline')]")
    )


def test_evidence_is_plain_chinese(jan2027):
    out, paths = jan2027
    seen = []
    for page in (paths["daily"], out / "units" / "p27--fgj.html"):
        cells = _doc(page).xpath("//ul[contains(@class,'seen')]/li")
        assert cells, page.name
        for li in cells:
            text = _t(li)
            assert "{" not in text and "[" not in text, (page.name, text)
            for key in (
                "hits",
                "days_late",
                "patterns",
                "truncated",
                "calendar_note",
                "escalated",
                "wrong",
                "policy_title",
                "missing",
                "attachment",
                "true",
                "false",
            ):
                assert key not in text, (page.name, text)
            seen.append(text)
    text = "\n".join(seen)
    assert "错别字「中华人民共合国」应为「中华人民共和国」（国名）" in text
    assert "应于2026-01-31前公开2025年度政府信息公开工作年度报告，逾期339天" in text
    assert "《某县招商引资办法》发布于2026-12-20，未见解读（应于2026-12-25前解读）" in text
    assert "附件返回HTTP 404" in text and "链接文字：「实施方案.pdf」" in text
    assert "缺少要素：索引号" in text and "已有要素：发布机构：县发改局" in text
    assert "逾期未整改，等级升级为「否决级」" in text


def test_diversity_share_on_unit_page_and_monthly(jan2027):
    out, paths = jan2027
    unit = _doc(out / "units" / "p27--fgj.html")
    share = _t(unit.get_element_by_id("diversity-share"))
    assert "4 条" in share and "2 条" in share and "50.0%" in share and "≥30%" in share and "达标" in share
    monthly = _doc(paths["monthly"])
    row = monthly.xpath("//table[@id='diversity-table']/tbody/tr[@data-unit='p27/fgj']")[0]
    assert _t(row.xpath("td[contains(@class,'share-cell')]")[0]) == "50.0%"
    gov = monthly.xpath("//table[@id='diversity-table']/tbody/tr[@data-unit='p27/gov']")[0]
    assert "0.0%" in _t(gov) and "未达标" in _t(gov)
    data = json.loads((out / "data" / "monthly-2027-01.json").read_text("utf-8"))
    fgj = next(r for r in data["tables"]["diversity"] if r["unit"] == "fgj")
    assert (fgj["total"], fgj["diverse"], fgj["share"], fgj["meets_target"]) == (4, 2, 0.5, True)


def test_warnings_and_portal_lines_in_weekly_and_unit_page(jan2027, catalog):
    out, paths = jan2027
    weekly = _doc(paths["weekly"])
    # The notice of J11 reports the week ending Sunday J10: its 预警 are the units' warnings on that
    # day. 工作动态 (10 days old on J5, 预警 on the unit page below) is past its 14 days by then, so it
    # is no longer 临近 and not listed.
    store = Store(f"sqlite:///{out.parent}/t.db", mode="read")
    with store.session() as s:
        expected = {
            f"{r['portal']}/{r['unit']}": {
                i["column"] for w in r["warnings"] for i in w["items"] if i.get("near_limit")
            }
            for r in unit_scores(s, J11 - timedelta(days=1), catalog)
        }
    store.dispose()
    shown: dict[str, set] = {}
    for li in weekly.xpath("//ol[@id='warning-list']/li"):
        shown.setdefault(li.get("data-unit"), set()).update(
            li.xpath(".//li[@class='warn-column']/@data-column")
        )
    assert {k: v for k, v in expected.items() if v} == {k: v for k, v in shown.items() if v}
    assert "gzdt" not in shown.get("p27/fgj", set())
    # 预警 is its own section, not 点名
    named = weekly.xpath("//ol[@id='named-list']/li")
    assert named and all("已 10 天未更新" not in _t(li) and "预警" not in _t(li) for li in named)
    lines = weekly.xpath("//table[@id='portal-lines-all']/tbody/tr[@data-portal='p27']")
    body = weekly.xpath("//ul[@id='portal-lines']/li//span/@data-level")  # the body: 否决 and 预警 only
    assert body and set(body) <= {"veto", "warning"}
    assert {r.get("data-line") for r in lines} >= {"home_stale", "columns_stale", "blank", "typo"}
    home = next(r for r in lines if r.get("data-line") == "home_stale")
    assert "首页不更新" in _t(home) and "首页最近更新于" in _t(home)
    unit = _doc(out / "units" / "p27--fgj.html")
    warn = unit.get_element_by_id("warnings")
    assert "「工作动态」已 10 天未更新（14 天即超期）" in _t(warn)


def test_no_last_week_or_last_month_data(jan2027):
    _, paths = jan2027
    weekly = _doc(paths["weekly"])
    compare = weekly.get_element_by_id("compare-table")
    for row in compare.xpath("tbody/tr"):
        cells = row.xpath("td")
        assert _t(cells[2]) == "—（无上周数据）" and _t(cells[3]) == "—（无上周数据）", _t(row)
    assert not re.search("[↑↓]|持平", _t(compare))
    totals = _t(weekly.get_element_by_id("totals"))
    assert "上周 0" not in totals and "无上周数据" in totals and not re.search("[↑↓]", totals)
    monthly = _doc(paths["monthly"])
    totals = _t(monthly.get_element_by_id("totals"))
    assert "上月 0" not in totals and "无上月数据" in totals
    assert not re.search("[↑↓]", _t(monthly.get_element_by_id("monthly-table")))


def test_unchecked_antibot_unit_in_2027(jan2027):
    _, paths = jan2027
    weekly = _doc(paths["weekly"])
    row = weekly.xpath("//table[@id='ranking-table']/tbody/tr[@data-unit='p27/sjj']")[0]
    assert _t(row.xpath("td[contains(@class,'grade-cell')]")[0]) == "未能检查"
    assert "100.0" not in _t(row) and _t(row.xpath("td[contains(@class,'score-cell')]")[0]) == "—"
