"""The 周通报 and 月考核 as Word documents: opened with python-docx, they hold the same units, numbers,
deadlines and 期号 as the HTML pages, in 公文 layout (A4, GB/T 9704 margins, 仿宋 body, 黑体 headings,
the 附件 after a page break)."""

from __future__ import annotations

import re
from datetime import date

import lxml.html
import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm

from tests.reports_fixtures import build_scenario
from zwgk.config.catalog import load_catalog
from zwgk.reports import render_all
from zwgk.reports.config import load_report_config
from zwgk.store.db import Store

MONDAY = date(2024, 3, 11)  # its notice reports the week 03-04..03-10 of the scenario
APRIL_1 = date(2024, 4, 1)  # its 月考核 assesses the complete month of March


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("docs")
    catalog = load_catalog()
    settings = tmp / "reports.yml"
    settings.write_text(
        "issuer: 济阳区人民政府办公室\nrecipients: 各街道办事处，区政府各部门\ndoc_prefix: 济阳政办\n"
        "contact:\n  name: 王明\n  phone: 0531-84231234\n",
        encoding="utf-8",
    )
    config = load_report_config(settings)
    store = Store(f"sqlite:///{tmp}/d.db")
    build_scenario(store, catalog)
    weekly = render_all(store, MONDAY, tmp / "out", catalog, config, kinds=("weekly",))["weekly"]
    render_all(store, MONDAY, tmp / "preview", catalog, config, kinds=("monthly",))  # March to date
    monthly = render_all(store, APRIL_1, tmp / "out", catalog, config, kinds=("monthly",))["monthly"]
    store.dispose()
    return weekly, monthly


def _t(el) -> str:
    return re.sub(r"\s+", " ", el.text_content()).strip()


def _texts(doc) -> list[str]:
    return [p.text for p in doc.paragraphs]


def _tables(doc) -> list[list[list[str]]]:
    return [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]


def _east_asia(paragraph) -> set[str]:
    return {
        r._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) for r in paragraph.runs if r._r.rPr is not None
    }


def _cn(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def test_weekly_document_holds_what_the_page_shows(rendered):
    html_path, _ = rendered
    page = lxml.html.parse(str(html_path)).getroot()
    docx_path = html_path.with_suffix(".docx")
    assert docx_path.is_file()
    assert page.xpath(f"//a[@href='{docx_path.name}']")  # offered beside the page
    doc = Document(str(docx_path))
    texts = _texts(doc)
    body = "\n".join(texts)
    # masthead, 期号 and 文号, title, 主送
    assert texts[0] == "济阳区人民政府办公室"
    issue = _t(page.get_element_by_id("issue-no")).split()[0]
    assert issue == "2024年第1期" and issue in texts[1] and "济阳政办〔2024〕1号" in texts[1]
    assert "关于2024年3月4日至2024年3月10日政务公开网站监测情况的通报" in texts
    assert "各街道办事处，区政府各部门：" in texts
    # the figures of the page
    for key in ("total-open", "total-new", "total-rectified", "total-overdue"):
        assert _t(page.get_element_by_id(key)) in body
    summary = next(t for t in texts if t.startswith("截至"))
    nums = [int(n) for n in re.findall(r"(\d+)条", summary)]
    assert nums[0] == int(_t(page.get_element_by_id("total-open")))
    # every named unit, with its 整改期限, in one paragraph of the document
    named = page.xpath("//li[@class='named-unit']")
    assert named
    for li in named:
        name = li.xpath(".//strong/a")[0].text_content()
        deadline = date.fromisoformat(li.get("data-deadline"))
        [para] = [t for t in texts if re.match(rf"\d+\. {re.escape(name)}（", t)]
        assert f"整改期限：{_cn(deadline)}" in para
        for number in li.xpath(".//li/@data-number"):
            assert number in para
    # 整改要求 with the 报送 date and the contact
    feedback = _t(page.get_element_by_id("feedback-deadline"))
    assert any(feedback in t and "联系人：王明" in t for t in texts)
    # 附件1: the full ranking, row for row as on the page (name and score)
    ranking = _tables(doc)[0]
    assert ranking[0][:4] == ["名次", "单位", "网站", "得分"]
    rows = page.xpath("//table[@id='ranking-table']/tbody/tr")
    assert [(r[1], r[3]) for r in ranking[1:]] == [(_t(r.xpath("td")[1]), _t(r.xpath("td")[4])) for r in rows]
    # 公文 layout: A4, the standard's margins, 仿宋 body and 黑体 headings, the signature, page breaks
    sec = doc.sections[0]
    assert (round(sec.page_width.mm), round(sec.page_height.mm)) == (210, 297)
    assert abs(sec.top_margin - Mm(37)) < Mm(1) and abs(sec.left_margin - Mm(28)) < Mm(1)
    heading = next(p for p in doc.paragraphs if p.text == "一、总体情况")
    assert _east_asia(heading) == {"黑体"}
    assert _east_asia(next(p for p in doc.paragraphs if p.text.startswith("截至"))) == {"仿宋_GB2312"}
    sign = texts.index("济阳区人民政府办公室", 1)
    assert texts[sign + 1] == _cn(MONDAY)
    assert "附件：1. 单位排名" in texts and texts.index("附件：1. 单位排名") < sign
    assert doc.element.body.xml.count('w:type="page"') >= 2  # each 附件 on a page of its own
    assert "附件1" in texts and "附件2" in texts


def test_monthly_document_holds_what_the_page_shows(rendered):
    _, html_path = rendered
    page = lxml.html.parse(str(html_path)).getroot()
    assert _t(page.get_element_by_id("issue-no")).startswith("2024年第1期")  # March, complete: numbered
    doc = Document(str(html_path.with_suffix(".docx")))
    texts = _texts(doc)
    assert "2024年第1期" in texts[1] and "济阳政办〔2024〕1号" in texts[1]
    assert "关于2024年3月政务公开网站监测考核结果的通报" in texts
    avg = _t(page.get_element_by_id("avg-score"))
    assert any(f"平均得分{avg}分" in t for t in texts)
    [table] = _tables(doc)
    rows = page.xpath("//table[@id='monthly-table']/tbody/tr")
    shown = [(r.xpath("td")[1].xpath("a")[0].text_content(), _t(r.xpath("td")[3])) for r in rows]
    assert [(r[1], r[3]) for r in table[1:]] == shown
    preview = lxml.html.parse(str(html_path.parent.parent / "preview" / "monthly-2024-03.html")).getroot()
    assert "月中预览" in _t(preview.get_element_by_id("issue-no"))  # a month to date takes no number
    assert (
        "未编期号"
        in Document(str(html_path.parent.parent / "preview" / "monthly-2024-03.docx")).paragraphs[1].text
    )
