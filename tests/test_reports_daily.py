"""日调度 daily dispatch: content, order, counts, evidence files, escaping, no external resources."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import lxml.html
import pytest

from tests.reports_fixtures import D6, Builder, build_scenario
from zwgk.config.catalog import load_catalog
from zwgk.encoding import decode_body
from zwgk.reports.daily import render_daily
from zwgk.reports.views import safe_href
from zwgk.store.db import Store


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def report(tmp_path, catalog):
    store = Store(f"sqlite:///{tmp_path}/t.db")
    ids = build_scenario(store, catalog)
    path = render_daily(store, D6, tmp_path / "out", catalog)
    store.dispose()
    return path, lxml.html.parse(str(path)).getroot(), ids


def _text(el) -> str:
    return re.sub(r"\s+", " ", el.text_content()).strip()


def test_header_and_totals(report):
    path, doc, _ = report
    assert path.name == "daily-2024-03-06.html"
    assert _text(doc.find(".//h1")) == "政务公开栏目监测日调度"
    assert "2024年3月6日" in _text(doc.get_element_by_id("date"))
    totals = {
        k: int(_text(doc.get_element_by_id(f"total-{k}")))
        for k in ("new", "still-open", "overdue", "rectified")
    }
    assert totals == {"new": 2, "still-open": 5, "overdue": 1, "rectified": 1}
    summary = _text(doc.get_element_by_id("jurisdiction"))
    assert (
        "网站 1 个" in summary and "信息公开单位 6 个" in summary and "应设栏目 62 个" in summary
    )  # 13 + 3×11 + 2×8 (the government keeps 政务咨询 too)
    coverage = _text(doc.get_element_by_id("crawl-coverage"))
    assert "覆盖 6 个单位中的 4 个" in coverage
    assert "开始 2024-03-06 01:00（北京时间）" in coverage and "结束 2024-03-06 03:00（北京时间）" in coverage
    assert "1 个无法访问" in coverage and "1 个被反爬虫验证拦截" in coverage


def test_units_and_rows_in_order(report):
    _, doc, _ = report
    units = doc.xpath("//div[@class='unit']")
    assert [u.get("data-unit") for u in units] == ["xz2", "fgj", "jyj", "wsj"]
    assert [int(u.get("data-count")) for u in units] == [1, 4, 1, 1]
    fgj = units[1]
    assert "区发展和改革局" in _text(fgj.find(".//h3"))
    rows = fgj.xpath(".//tr[contains(@class,'finding')]")
    # severity, then overdue days, then age
    assert [r.get("data-rule") for r in rows] == [
        "column.stale",
        "column.missing",
        "column.blank",
        "column.undated",
    ]
    cells = [_text(td) for td in rows[0].findall("td")]
    assert re.fullmatch(r"ZW-\d{6}", cells[1]) and cells[1] == rows[0].get("data-number")
    assert cells[2] == "重要" and cells[3] == "栏目不更新" and cells[4] == "工作动态"
    assert "2024-01-10" in cells[6] and "区发改局召开工作会议" in cells[6]
    assert "逾期10天" in cells[9] and "overdue" in rows[0].get("class")
    assert rows[0].xpath(".//td[@class='page']/a/@href") == ["http://www.jiyang.example/xxgk/fgj/gzdt/"]
    assert "新" in _text(rows[2].findall("td")[2])  # blank column first seen today
    assert "页面显示：「暂无信息」" in _text(rows[2])
    assert _text(rows[1].find("td[@class='page']")) == "—"  # column.missing has no url
    veto = units[0].xpath(".//tr[contains(@class,'finding')]")[0]
    assert _text(veto.findall("td")[2]).startswith("否决级") and "严重错别字" in _text(veto)
    jyj = _text(units[2])
    assert "站点无法访问" in jyj and "HTTP 状态码：503" in jyj and "入口页无法访问" in jyj
    assert "反爬虫" in _text(units[3])
    clean = [li.get("data-unit") for li in doc.xpath("//li[@class='clean-unit']")]
    assert sorted(clean) == ["gov", "xz1"]
    assert doc.xpath("//tr[contains(@class,'finding') and @data-rule='column.placeholder']") == []


def test_rectified_and_legend(report):
    _, doc, _ = report
    rect = doc.xpath("//tr[@class='rectified-row']")
    assert len(rect) == 1
    text = _text(rect[0])
    assert (
        "区发展和改革局" in text and "未注明发布时间" in text and "机构职能" in text and "2024-03-06" in text
    )
    legend = _text(doc.xpath("//table[@class='legend']")[0])
    for rid, title in (
        ("site.unreachable", "站点无法访问"),
        ("column.stale", "栏目不更新"),
        ("text.typo", "严重错别字"),
    ):
        assert rid in legend and title in legend


def test_evidence_pages_per_finding(report):
    """Each finding of the dispatch links its evidence page evidence/<number>.html: the stored page
    (decoded as the crawler read it, inert) under a banner with the finding; the unreachable unit's
    page lists the attempts."""
    path, doc, _ids = report
    links = doc.xpath("//a[@class='evidence']/@href")
    assert links and all(re.fullmatch(r"evidence/ZW-\d{6}\.html", h) for h in links)
    files = list((path.parent / "evidence").iterdir())
    assert {f"evidence/{f.name}" for f in files} == set(links)
    rows = doc.xpath("//tr[@data-rule='column.stale' and @data-column='gzdt']")
    [href] = rows[0].xpath(".//a[@class='evidence']/@href")
    number = rows[0].xpath(".//*[@class='number']")[0].text_content().strip()
    assert href == f"evidence/{number}.html"
    page = lxml.html.parse(str(path.parent / href)).getroot()
    archive = page.get_element_by_id("archive").text_content()
    assert "区发改局召开工作会议" in archive  # the GBK page decoded via its content type
    assert page.get_element_by_id("ev-number").text_content() == number
    assert "北京时间" in page.get_element_by_id("ev-fetched").text_content()
    assert not page.xpath("//script[not(ancestor::head)]") and not page.xpath("//@src")
    [href] = doc.xpath("//tr[@data-rule='site.unreachable']//a[@class='evidence']/@href")
    unreachable = lxml.html.parse(str(path.parent / href)).getroot()
    assert unreachable.xpath("//table[@id='attempts']/tbody/tr")  # every attempt, with its time


CELLS = ("veto-cell", "overdue-cell", "due-cell", "next-cell")


def test_urgent_table_answers_who_must_fix_what_by_when(report):
    """The table at the top: one row per unit with open findings, its veto-level, overdue and
    due-today counts and its nearest deadline, equal to its section below, most urgent first."""
    _path, doc, _ = report
    rows = doc.xpath("//table[@id='urgent']/tbody/tr")
    units = doc.xpath("//div[@class='unit']")
    assert len(rows) == len(units) > 1
    keys = []
    for tr in rows:
        portal, unit = tr.get("data-unit").split("/")
        [section] = doc.xpath(f"//div[@class='unit'][@data-portal='{portal}'][@data-unit='{unit}']")
        findings = section.xpath(".//tbody/tr")
        veto = sum(1 for f in findings if f.get("data-severity") == "veto")
        cell = {name: _text(tr.xpath(f"td[contains(@class,'{name}')]")[0]) for name in CELLS}
        assert int(cell["veto-cell"]) == veto
        assert tr.xpath("td/a/@href") == [f"#unit-{portal}-{unit}"]
        keys.append((-veto, -int(cell["overdue-cell"]), -int(cell["due-cell"]), cell["next-cell"]))
    assert keys == sorted(keys)  # most urgent first


def test_no_external_resources(report):
    path, doc, _ = report
    html = path.read_text(encoding="utf-8")
    assert not doc.xpath("//script") and not doc.xpath("//link") and not doc.xpath("//@src")
    assert not re.search(r"@import|url\(", html, re.I)
    finding_links = {
        "http://www.jiyang.example/",
        "http://www.jiyang.example/xxgk/fgj/gzdt/",
        "http://www.jiyang.example/xxgk/fgj/tzgg/",
        "http://www.jiyang.example/xxgk/fgj/zcwj/",
        "http://www.jiyang.example/xxgk/jyj/",
        "http://www.jiyang.example/xxgk/wsj/rsxx/",
        "http://www.jiyang.example/xxgk/xz2/art1.html",
        "http://www.jiyang.example/xxgk/fgj/",
        "http://www.jiyang.example/xxgk/wsj/",
        "http://www.jiyang.example/xxgk/xz2/",
    }
    local = re.compile(r"^(#[A-Za-z0-9_-]+|(evidence/|data/)?[A-Za-z0-9._-]+\.(html|xlsx|json|csv))$")
    for href in doc.xpath("//@href"):
        assert local.match(href) or href in finding_links, href
    assert {"daily-2024-03-06.xlsx", "data/daily-2024-03-06.json"} <= set(
        doc.xpath("//p[@class='exports']/a/@href")
    )


def test_escaping_and_unsafe_links(tmp_path, catalog):
    store = Store(f"sqlite:///{tmp_path}/x.db")
    evil = "<script>alert(1)</script>"
    with store.session() as s:
        b = Builder(s, catalog)
        b.portal("p", f"某市{evil}", "javascript:alert(2)")
        b.unit("p", "u", "某局<img src=x onerror=alert(3)>", "department", "javascript:alert(4)")
        crawl = b.run("crawl", date(2024, 3, 6))
        check = b.run("check", date(2024, 3, 6), crawl)
        b.snapshot(crawl, "p", "u", "entry", url="http://p.example/u/", body=b"<html></html>")
        b.snapshot(
            crawl,
            "p",
            "u",
            "column:gzdt",
            url="javascript:alert(1)",
            body=f"<html>{evil}</html>".encode(),
            entries=[(evil, date(2023, 1, 1))],
        )
        b.finding(
            "column.stale",
            "major",
            "p",
            "u",
            "gzdt",
            "javascript:alert(1)",
            f"「工作动态」{evil}",
            {"newest": "2023-01-01", "newest_title": evil, "titles": [evil]},
            events=[("opened", date(2024, 3, 6))],
            runs={date(2024, 3, 6): check},
        )
        b.finding(
            "column.blank",
            "major",
            "p",
            "u",
            "tzgg",
            " JavaScript:alert(5)",
            "空白",
            {"placeholder": '"><svg onload=alert(6)>'},
            events=[("opened", date(2024, 3, 6))],
        )
    path = render_daily(store, date(2024, 3, 6), tmp_path / "out", catalog)
    store.dispose()
    html = path.read_text(encoding="utf-8")
    assert evil not in html and "<img src=x" not in html and "<svg onload" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    doc = lxml.html.fromstring(html)
    assert not doc.xpath("//script") and not doc.xpath("//img") and not doc.xpath("//*[@onload or @onerror]")
    assert not [h for h in doc.xpath("//@href") if "javascript" in h.lower()]
    assert "javascript:alert(1)" in _text(doc)  # shown as text, not a link
    pages = list((path.parent / "evidence").iterdir())
    assert pages and all(f.suffix == ".html" for f in pages)
    for page in pages:  # the stored pages and crawled text stay inert on the evidence pages too
        ev = lxml.html.parse(str(page)).getroot()
        assert not ev.xpath("//script") and not ev.xpath("//img") and not ev.xpath("//@src")
        assert not ev.xpath("//*[@*[starts-with(name(), 'on')]]")
        assert not [h for h in ev.xpath("//@href") if "javascript" in h.lower()]


def test_safe_href_and_decoding():
    assert safe_href("https://a.example/x?y=1") == "https://a.example/x?y=1"
    assert safe_href("HTTP://a.example/") == "HTTP://a.example/"
    for bad in (
        "javascript:alert(1)",
        " javascript:alert(1)",
        "data:text/html,x",
        "//a.example/",
        "/relative",
        "http:///nohost",
        "http://a.example/\nx",
        "vbscript:x",
        None,
        3,
    ):
        assert safe_href(bad) is None, bad

    # Evidence copies read a page through the crawler's own decoder (one truth on every surface).
    def text(body, ctype):
        return decode_body(body, "", ctype)[0]

    assert text("政务公开".encode("gbk"), "text/html; charset=gb2312") == "政务公开"
    assert text(b'<meta charset="gbk">' + "公开".encode("gbk"), None).endswith("公开")
    assert text("公开".encode(), None) == "公开"
    assert text("公开".encode("gb18030"), "text/html") == "公开"
    assert (
        text("政务公开栏目".encode(), "text/html; charset=gbk") == "政务公开栏目"
    )  # mislabelled: no mojibake


def test_empty_store(tmp_path, catalog):
    store = Store(f"sqlite:///{tmp_path}/e.db")
    path = render_daily(store, date(2024, 3, 6), Path(tmp_path / "out"), catalog)
    store.dispose()
    doc = lxml.html.parse(str(path)).getroot()
    assert "尚无完成的抓取记录" in _text(doc)
    assert doc.get_element_by_id("no-findings") is not None


def test_evidence_summary_lines():
    from zwgk.reports.views import evidence_summary

    lines = evidence_summary(
        {"page": "entry", "http_status": 503, "error": "连接超时"}, "信息公开页面无法访问：连接超时"
    )
    assert lines == ["检查对象：信息公开页面", "HTTP 状态码：503"]
    lines = evidence_summary(
        {
            "newest": "2024-01-10",
            "age_days": 56,
            "limit_days": 14,
            "newest_title": "会议",
            "date_source": "article",
            "extra": [1, 2],
        }
    )
    assert lines == [
        "最新一条：2024-01-10《会议》（日期取自正文页）",
        "距检查日 56 天（时限 14 天）",
        "extra：1、2",
    ]  # never a JSON dump
