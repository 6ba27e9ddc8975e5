"""`zwgk demo` (what `make demo` runs): several nights of the whole cycle on one running demo network,
a per-rule table for the last night, and reports that show the cycle — 销号 in time and late, 逾期,
a two-point monthly trend, and 周通报 numbered 第1、2、3期 for three weeks. The last notice, printed
to PDF by Debian's chromium, is an issuable A4 document.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
import unicodedata
from datetime import date
from pathlib import Path

import lxml.html
import pytest

from tests.test_reports_browser import ARGS, CHROMIUM, Page, _unavailable

pytestmark = pytest.mark.slow
AS_OF = date(2026, 12, 7)  # a Monday: nights 11-16, 11-23, 11-30 and 12-07
NIGHTS = [date(2026, 11, 16), date(2026, 11, 23), date(2026, 11, 30), AS_OF]


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo") / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "zwgk.cli", "demo", "--out", str(out), "--as-of", AS_OF.isoformat()],
        capture_output=True,
        text=True,
        timeout=1200,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out, proc


def _doc(path: Path):
    return lxml.html.parse(str(path)).getroot()


def _t(el) -> str:
    return re.sub(r"\s+", " ", el.text_content()).strip()


def test_demo_prints_rule_table_and_ends_with_daily_report(demo):
    _, proc = demo
    lines = [ln for ln in proc.stdout.splitlines() if ln.strip()]
    rows = {
        m.group(1): (float(m.group(2)), float(m.group(3)))
        for m in (re.match(r"^(\S+\.\S+)\s.*\s(\d\.\d\d)\s+(\d\.\d\d)$", ln) for ln in lines)
        if m
    }
    for rule in (
        "site.unreachable",
        "column.missing",
        "column.blank",
        "column.placeholder",
        "column.undated",
        "column.stale",
        "link.broken",
    ):
        assert rule in rows, proc.stdout
        assert min(rows[rule]) >= 0.98, (rule, rows[rule])
    assert lines[-1].startswith("日调度报告: ")
    # how to open the workspace, with the demo accounts (tests/test_web_demo.py signs in with them)
    assert "zwgk demo --serve" in lines[-2] and "演示账号" in lines[-2] and "密码均为" in lines[-2], lines[-2]
    daily = Path(lines[-1].split(": ", 1)[1])
    assert daily.is_file() and daily.name == f"daily-{AS_OF}.html"
    # one line per night, in order, each saying what changed
    nights = re.findall(r"第 (\d) 晚 (\S+)：新发现 (\d+) 条，销号 (\d+) 条", proc.stderr)
    assert [(int(n), d) for n, d, _, _ in nights] == [(i, d.isoformat()) for i, d in enumerate(NIGHTS, 1)]
    assert int(nights[0][2]) > 50 and sum(int(r) for *_, r in nights) >= 5


def test_reports_show_rectified_overdue_and_a_trend(demo):
    out, _ = demo
    # the weekly of the last night (week 11-30..12-06): fixes of 11-30 counted, overdue findings named
    weekly = _doc(out / f"weekly-{AS_OF}.html")
    assert int(_t(weekly.get_element_by_id("total-rectified"))) >= 3
    assert int(_t(weekly.get_element_by_id("total-overdue"))) > 0
    assert weekly.xpath("//li[@class='named-unit']")
    # the daily: overdue findings with their days past the deadline
    daily = _t(_doc(out / f"daily-{AS_OF}.html"))
    assert "逾期" in daily and "销号" in daily
    # a unit page keeps a fixed finding in its history as 已销号 (按期 or 逾期)
    pages = [_t(_doc(p)) for p in (out / "units").glob("*.html")]
    assert any("已销号" in p for p in pages)
    # the 月考核 of December: November's and December's average, two points of one line
    monthly = _doc(out / f"monthly-{AS_OF:%Y-%m}.html")
    trend = monthly.xpath("//figure[figcaption='各月平均得分']")[0]
    assert not trend.xpath(".//p[contains(@class,'chart-wait')]")
    first_line = trend.xpath(".//*[local-name()='polyline']")[0]
    assert len(first_line.get("points").split()) == 2


def test_weekly_issue_numbers_are_sequential(demo):
    out, _ = demo
    numbers = []
    for night in NIGHTS:
        doc = _doc(out / f"weekly-{night}.html")
        numbers.append(_t(doc.get_element_by_id("issue-no")).split()[0])
    # 11-16's notice reports the week before the first night: not issued; then 第1、2、3期
    assert "不编期号" in numbers[0]
    assert numbers[1:] == ["2026年第1期", "2026年第2期", "2026年第3期"]
    # 往期报告 on the index: the notices by 期号 and period, newest first
    index = _doc(out / "index.html")
    listed = [_t(a) for a in index.xpath("//ul[@data-kind='周通报']//a")]
    assert listed[:3] == [
        "2026年第3期（11月30日—12月6日）",
        "2026年第2期（11月23日—11月29日）",
        "2026年第1期（11月16日—11月22日）",
    ]


def _pdf_pages(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    # chromium's CJK glyphs come back as Kangxi radicals (⽹ for 网): NFKC folds them
    return [
        unicodedata.normalize("NFKC", "".join((pg.extract_text() or "").split()))
        for pg in PdfReader(io.BytesIO(pdf)).pages
    ]


def _page_of(pages: list[str], text: str) -> int:
    text = unicodedata.normalize("NFKC", "".join(text.split()))
    hits = [i for i, p in enumerate(pages) if text in p]
    assert hits, text
    return hits[0]


@pytest.mark.browser
def test_weekly_notice_prints_as_an_issuable_a4_document(demo):
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is absent (run `make test`, which installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    out, _ = demo
    path = out / f"weekly-{AS_OF}.html"
    doc = _doc(path)
    named = doc.xpath("//li[@class='named-unit']")
    assert named
    for li in named:  # every named unit with a concrete 整改期限 on or after the notice's date
        deadline = date.fromisoformat(li.get("data-deadline"))
        assert deadline >= AS_OF and f"整改期限：{deadline.year}年{deadline.month}月{deadline.day}日" in _t(
            li
        )
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = Page(browser, path)
            page.check_clean()  # nothing loaded from outside (every non-file:// request is refused)
            pdf = page.page.pdf(prefer_css_page_size=True)
            page.check_clean()
            page.close()
        finally:
            browser.close()
    pages = _pdf_pages(pdf)
    annex = _page_of(pages, "附件1：单位排名")
    assert 1 <= annex <= 4, f"{annex} A4 pages before the 附件"
    assert pages[annex].startswith("附件1:单位排名")  # the 附件 start on a page of their own
    # the 点名 box on one page: the first problem number of its first unit and the last of its last
    # unit (ASCII, printed as such; they come first there, before any 典型问题) are on its page
    box = _page_of(pages, "予以点名通报")
    first = named[0].xpath(".//li/@data-number")[0]
    last = named[-1].xpath(".//li/@data-number")[-1]
    assert _page_of(pages, first) == box and _page_of(pages, last) == box, (first, last, box)
    assert all(p.strip() for p in pages), "an empty page"


# What a person must never meet on a page or in a report spreadsheet: a rule id, a config key, a
# regex, a Python/JSON literal or an English status word (the JSON beside the reports keeps those).
def _machine_text_patterns() -> list[re.Pattern]:
    from zwgk.rules.registry import RULES

    ids = "|".join(re.escape(cls.id) for cls in RULES)
    return [
        re.compile(rf"(?<![\w./-])({ids})(?![\w-])"),
        re.compile(r"\b(True|False|None|true|false|null)\b"),
        re.compile(r"\b(open|overdue|rectified|veto|major|minor|warning|unknown|unreachable|antibot)\b"),
        re.compile(r"\b[a-z]+_[a-z_]+\b"),  # a config key (reply_months, xxgknb_government …)
        re.compile(r"\\[dDsSwW]|\(\?[:!=]|\.\{\d|\[\^"),  # a regex
    ]


def _visible_text(path: Path) -> str:
    doc = lxml.html.parse(str(path)).getroot()
    for el in doc.xpath("//script|//style"):
        el.drop_tree()
    return " ".join([doc.text_content(), *doc.xpath("//@title|//@alt|//@placeholder|//@aria-label")])


def test_people_pages_and_spreadsheets_speak_chinese(demo):
    from docx import Document
    from openpyxl import load_workbook

    out, _ = demo
    patterns = _machine_text_patterns()
    seen: list[tuple[str, str]] = []

    def scan(where: str, text: str) -> None:
        text = re.sub(r"https?://\S+", " ", text)  # addresses are what they are
        for pat in patterns:
            seen.extend((where, m.group(0)) for m in pat.finditer(text))

    pages = [*out.glob("*.html"), *(out / "units").glob("*.html")]
    for page in pages:
        scan(page.name, _visible_text(page))
    books = list(out.glob("*.xlsx"))
    for book in books:
        wb = load_workbook(book, read_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                for value in row:
                    assert not isinstance(value, bool), (book.name, ws.title, value)
                    if isinstance(value, str):
                        scan(f"{book.name}:{ws.title}", value)
    csvs = list((out / "data").glob("*.csv"))
    for table in csvs:
        scan(table.name, table.read_text("utf-8-sig"))
    docs = list(out.glob("*.docx"))
    for path in docs:
        d = Document(str(path))
        scan(path.name, "\n".join(p.text for p in d.paragraphs))
        scan(path.name, "\n".join(c.text for t in d.tables for r in t.rows for c in r.cells))
    assert len(pages) > 30 and len(books) >= 10 and len(csvs) >= 20 and len(docs) >= 4
    assert seen == [], seen[:20]
    # spreadsheets carry real dates and clickable addresses, and can be filtered
    wb = load_workbook(out / f"daily-{AS_OF}.xlsx")
    ws = wb.worksheets[0]
    assert ws.auto_filter.ref
    values = [c for row in ws.iter_rows(min_row=2) for c in row]
    assert any(c.is_date for c in values)
    assert any(c.hyperlink is not None and c.hyperlink.target.startswith("http://127.0.0.1") for c in values)


def _evidence_cases(out: Path) -> dict[str, tuple[Path, list[str]]]:
    """Per rule of the last night's open findings: one evidence page and the texts its rule saw —
    the first whose page marks them (a list read from a data endpoint stores only the page's shell),
    else the first."""
    import json

    from zwgk.rules.registry import all_rules

    rules = {r.id: r for r in all_rules()}
    findings = json.loads((out / "findings.json").read_text("utf-8"))
    cases: dict[str, tuple[Path, list[str]]] = {}
    for f in findings:
        if f["status"] not in ("open", "overdue"):
            continue
        page = out / "evidence" / f"{f['number']}.html"
        assert page.is_file(), f["number"]
        needles = [n for n in rules[f["rule"]].highlights(f["evidence"]) if n]
        if f["rule"] not in cases or (
            needles
            and not _doc(cases[f["rule"]][0]).xpath("//*[@id='hit-1']")
            and _doc(page).xpath("//*[@id='hit-1']")
        ):
            cases[f["rule"]] = (page, needles)
    return cases


def _compact(text: str) -> str:
    return "".join(text.split())


def test_evidence_page_of_each_rule_shows_what_it_saw(demo):
    """For every rule with a finding on the last night: its evidence page marks what the rule saw —
    read back from the page — or, for a rule that found something absent, says what it looked for;
    站点无法访问 lists every attempt."""
    from zwgk.rules.registry import all_rules

    out, _ = demo
    titles = {r.id: r.title for r in all_rules()}
    cases = _evidence_cases(out)
    assert len(cases) >= 14, sorted(cases)
    for rule, (page, needles) in cases.items():
        doc = _doc(page)
        assert _t(doc.get_element_by_id("ev-rule")).startswith(titles[rule]), page.name
        if rule == "site.unreachable":
            assert doc.xpath("//table[@id='attempts']/tbody/tr"), page.name
            continue
        hit = doc.xpath("//*[@id='hit-1']")
        if needles and hit:
            shown = _compact(hit[0].text_content())
            assert any(_compact(n)[:12] in shown for n in needles), (rule, shown, needles)
        else:
            assert doc.xpath("//*[@id='looked-for']//li"), (rule, page.name, needles)
    marked = [r for r, (p, n) in cases.items() if _doc(p).xpath("//*[@id='hit-1']")]
    # what a rule saw is marked for every rule that saw something on a stored page
    for rule in (
        "column.stale",
        "text.typo",
        "link.broken",
        "meta.incomplete",
        "interp.missing",
        "date.future",
    ):
        assert rule in marked, (rule, marked)


@pytest.mark.browser
def test_evidence_pages_load_nothing_from_outside(demo):
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is absent (run `make test`, which installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    out, _ = demo
    cases = _evidence_cases(out)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            for rule, (path, needles) in cases.items():
                page = Page(browser, path)
                try:
                    page.check_clean()  # 0 requests beyond the file itself, no script, no console error
                    shown = page.page.evaluate("document.getElementById('hit-1')?.innerText ?? ''")
                    if shown:
                        assert any(_compact(n)[:12] in _compact(shown) for n in needles), (rule, shown)
                        assert page.page.locator("#hit-1").is_visible()
                finally:
                    page.close()
        finally:
            browser.close()
