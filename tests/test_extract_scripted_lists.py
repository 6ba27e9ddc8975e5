"""A list built by an inline script into an empty container is a JS shell, not an empty column."""

from __future__ import annotations

from datetime import date

import pytest

from zwgk.crawler.extract import extract_page
from zwgk.crawler.extract.model import PageKind

URL = "http://127.0.0.1:8080/xxgk/tzgg/index.html"


def _page(body: str):
    html = f"<html><head><title>通知公告</title></head><body><div class='main'><h2>通知公告</h2>{body}</div></body></html>"
    return extract_page(html.encode(), URL, content_type="text/html; charset=utf-8", ref=date(2026, 11, 23))


@pytest.mark.parametrize(
    "script",
    [
        "var d=[{t:'关于开展安全检查的通知',u:'./202611/t20261101_1.html'}];"
        "document.getElementById('list').innerHTML = d.map(function(x){return '<li><a href=\"'+x.u+'\">'+x.t+'</a></li>'}).join('');",
        "$.get('/api/list', function(r){ $('#list').append(r.rows.map(render)); });",
        "fetch('/api/list').then(r=>r.json()).then(d=>{document.getElementById('list').appendChild(build(d));});",
    ],
)
def test_script_filled_empty_list_is_a_js_shell(script):
    page = _page(f"<ul id='list'></ul><script>{script}</script>")
    assert page.kind is PageKind.JS_SHELL, page.notes
    assert page.entries == []
    assert any("#list" in n or "rendered by script" in n for n in page.notes), page.notes


def test_visit_counter_script_does_not_make_an_empty_column_a_shell():
    page = _page(
        "<ul class='list'></ul><p>访问量：<span id='visits'></span></p>"
        "<script>document.getElementById('visits').innerHTML = 1024;</script>"
    )
    assert page.kind is not PageKind.JS_SHELL


def test_paging_script_is_not_content():
    page = _page(
        "<ul class='list'></ul><script>function createPageHTML(n,c,p,e){"
        "document.getElementById('page').innerHTML='';}</script><div id='page'></div>"
    )
    assert page.kind is not PageKind.JS_SHELL


def test_filled_container_with_links_is_a_list_not_a_shell():
    items = "".join(
        f"<li><a href='./202611/t2026110{i}_{i}.html'>通知{i}</a><span>2026-11-0{i}</span></li>"
        for i in range(1, 4)
    )
    page = _page(f"<ul id='list'>{items}</ul><script>$('#list').append('<li>more</li>');</script>")
    assert page.kind is PageKind.LIST and len(page.entries) == 3
