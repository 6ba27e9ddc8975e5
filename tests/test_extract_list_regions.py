"""Main list vs. sidebar: an empty, undated or tiny main list is never replaced by a dated sidebar."""

from __future__ import annotations

from datetime import date

from zwgk.crawler.extract import extract_page

URL = "http://127.0.0.1:8080/col/col1520598/index.html"
SIDE = """<div class="side"><h3>热点专题</h3><ul>
<li><a href="/art/2021/1/1/art_1521737_1.html" title="图说乡村振兴">图说乡村振兴</a><span>2021-01-01</span></li>
<li><a href="/art/2020/1/1/art_1521737_2.html" title="聚焦燃气安全">聚焦燃气安全</a><span>2020-01-01</span></li>
<li><a href="/art/2019/1/1/art_1521737_3.html" title="数字政府">数字政府</a><span>2019-01-01</span></li></ul></div>"""


def _page(main: str):
    html = f"<html><body><div class='content'>{SIDE}<div class='main'>{main}</div></div></body></html>"
    return extract_page(html.encode(), URL, content_type="text/html; charset=utf-8", ref=date(2026, 11, 23))


def test_placeholder_main_with_dated_sidebar_is_blank():
    page = _page("<div class='list'><p class='no-data'>暂无数据</p></div>")
    assert page.entries == [] and page.placeholder == "暂无数据"


def test_empty_main_with_dated_sidebar_is_blank():
    page = _page("<ul class='list'></ul>")
    assert page.entries == []


def test_undated_main_wins_over_dated_sidebar():
    items = "".join(
        f"<li><a href='/art/art_1520598_{i}.html' title='职责{i}'>职责{i}</a></li>" for i in range(4)
    )
    page = _page(f"<ul class='list'>{items}</ul>")
    assert [e.title for e in page.entries] == [f"职责{i}" for i in range(4)]
    assert all(e.date is None for e in page.entries)


def test_single_entry_main_list():
    page = _page(
        "<ul class='list'><li><a href='/art/2026/1/11/art_1520598_9.html' title='政府信息公开指南'>指南</a>"
        "<span>2026-01-11</span></li></ul>"
    )
    assert [(e.title, e.date) for e in page.entries] == [("政府信息公开指南", date(2026, 1, 11))]


def test_sidebar_that_belongs_to_the_column_is_its_list():
    # Some templates put the column's own list in a container classed 'left'.
    items = "".join(
        f"<li><a href='/col/col1520598/2026{i:02d}/t2026{i:02d}01_{i}.html'>通知{i}</a>"
        f"<span>2026-{i:02d}-01</span></li>"
        for i in range(1, 5)
    )
    html = f"<html><body><div class='left'><ul>{items}</ul></div></body></html>"
    page = extract_page(html.encode(), URL, content_type="text/html; charset=utf-8", ref=date(2026, 11, 23))
    assert len(page.entries) == 4


def test_placeholder_is_the_innermost_text_not_the_breadcrumb():
    page = _page("<div class='crumb'>当前位置：首页 &gt; 人事信息</div><div><p>暂无数据</p></div>")
    assert page.placeholder == "暂无数据"
