"""Browser rendering of a script-built column list (registry `render_js: true`), end to end.

A loopback site serves a column page whose list exists only as an inline JavaScript array written
into the DOM (no data endpoint; `loadPageData` is the script-rendering marker the extractor knows). The same page's script also tries to reach 10.255.255.1 and a
canary listener on 127.0.0.2 (not a registry host) by fetch, image, iframe, WebSocket and popup:
every such request must be aborted (the canary receives nothing). The render_js portal's column is
read from the rendered DOM (ok, with its entries and dates); a render_js: false twin stays js-shell.

Needs scrapy-playwright and Debian's chromium (/usr/bin/chromium, never a downloaded browser):
skipped locally without them, a failure under CI=true.
"""

from __future__ import annotations

import importlib.util
import os
from datetime import date

import pytest
import yaml
from sqlalchemy import select

from tests.conftest import skip_or_fail
from tests.loopback import CANARY_HOST, Canary, StaticSite, few_columns_catalog
from zwgk.config.catalog import load_catalog
from zwgk.config.registry import load_registry
from zwgk.crawler import render
from zwgk.cycle import stages
from zwgk.store.db import Store
from zwgk.store.schema import Snapshot

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.timeout(90)]
AS_OF = date(2026, 11, 23)
ITEMS = [
    ("关于2026年冬季供暖工作的通知", "/js/gzdt/a0.html", "2026-11-20"),
    ("区政府召开第12次常务会议", "/js/gzdt/a1.html", "2026-11-18"),
    ("全区安全生产工作会议召开", "/js/gzdt/a2.html", "2026-11-15"),
    ("政务服务中心窗口调整公告", "/js/gzdt/a3.html", "2026-11-12"),
    ("2026年第三季度财政收支情况", "/js/gzdt/a4.html", "2026-11-09"),
]


def _column_page(canary_port: int) -> str:
    canary = f"http://{CANARY_HOST}:{canary_port}"
    rows = ",".join(f'["{t}","{u}","{d}"]' for t, u, d in ITEMS)
    script = f"""
function loadPageData() {{
  var items = [{rows}];
  var html = '';
  for (var i = 0; i < items.length; i++) {{
    html += '<li><a href="' + items[i][1] + '" title="' + items[i][0] + '">' + items[i][0] + '</a><span>'
          + items[i][2] + '</span></li>';
  }}
  document.getElementById('list').innerHTML = html;
}}
loadPageData();
try {{ fetch('http://10.255.255.1/x').catch(function () {{}}); }} catch (e) {{}}
try {{ fetch('{canary}/fetch').catch(function () {{}}); }} catch (e) {{}}
try {{ var x = new XMLHttpRequest(); x.open('GET', '{canary}/xhr'); x.send(); }} catch (e) {{}}
try {{ new WebSocket('ws://{CANARY_HOST}:{canary_port}/ws'); }} catch (e) {{}}
try {{ window.open('{canary}/popup'); }} catch (e) {{}}
var img = new Image(); img.src = '{canary}/img.png';
var f = document.createElement('iframe'); f.src = '{canary}/frame'; document.body.appendChild(f);
"""
    return (
        "<html><head><meta charset='utf-8'><title>工作动态</title></head><body>"
        '<div class="nav"><a href="/">首页</a> <a href="/js/xxgk/">政务公开</a></div>'
        f'<div class="main"><h2>工作动态</h2><ul class="list" id="list"></ul></div>'
        f"<script>{script}</script></body></html>"
    )


def _pages(canary_port: int) -> dict[str, tuple[int, dict, str]]:
    html = {"Content-Type": "text/html; charset=utf-8"}
    pages = {"/robots.txt": (200, {"Content-Type": "text/plain"}, "User-agent: *\nDisallow:\n")}
    for site in ("js", "plain"):  # same pages under two prefixes: the render_js portal and its twin
        pages[f"/{site}/"] = (
            200,
            html,
            "<html><head><meta charset='utf-8'><title>首页</title></head><body>"
            f'<a href="/{site}/xxgk/">政务公开</a><p>首页内容</p></body></html>',
        )
        pages[f"/{site}/xxgk/"] = (
            200,
            html,
            "<html><head><meta charset='utf-8'><title>信息公开</title></head><body>"
            f'<div class="xxgk-catalog"><ul><li><a href="/{site}/gzdt/">工作动态</a>'
            "</li></ul></div></body></html>",
        )
        pages[f"/{site}/gzdt/"] = (200, html, _column_page(canary_port).replace("/js/", f"/{site}/"))
        for _, url, d in ITEMS:
            pages[url.replace("/js/", f"/{site}/")] = (
                200,
                html,
                f"<html><head><meta charset='utf-8'><meta name='PubDate' content='{d}'></head>"
                "<body><h1>文章</h1><div class='TRS_Editor'><p>正文。</p></div></body></html>",
            )
    return pages


def test_render_js_column_is_read_from_the_rendered_dom(tmp_path):
    usable, found = render.available()
    if not usable:
        skip_or_fail(
            f"browser rendering unavailable: {found}; pip install -e '.[render]' and apt install chromium"
        )
    assert importlib.util.find_spec("scrapy_playwright") is not None and os.access(render.CHROMIUM, os.X_OK)
    canary = Canary()
    site = StaticSite(_pages(canary.port))
    base = site.base
    try:
        with site:
            sites = tmp_path / "sites.yml"
            portals = [
                {
                    "id": site,
                    "name": f"测试门户{site}",
                    "home": f"{base}/{site}/",
                    "render_js": site == "js",
                    "units": [
                        {
                            "id": "gov",
                            "name": "测试区人民政府",
                            "profile": "government",
                            "entry": f"{base}/{site}/xxgk/",
                            "columns": {"gzdt": f"{base}/{site}/gzdt/"},
                        }
                    ],
                }
                for site in ("js", "plain")
            ]
            sites.write_text(yaml.safe_dump({"portals": portals}, allow_unicode=True), encoding="utf-8")
            catalog = load_catalog()
            registry = load_registry(sites, set(catalog.profiles), catalog.column_ids())
            store = Store(f"sqlite:///{tmp_path}/render.db")
            crawl_id = stages.crawl(
                store,
                sites,
                registry,
                AS_OF,
                few_columns_catalog(tmp_path),
                settings={"ZWGK_CHECK_LINKS": "False"},
            )
    finally:
        canary.close()
    assert canary.connections == [], f"the canary was contacted: {canary.connections}"
    with store.session() as session:
        snaps = (
            session.execute(
                select(Snapshot).where(Snapshot.run_id == crawl_id, Snapshot.target == "column:gzdt")
            )
            .scalars()
            .all()
        )
        by_portal = {s.portal_id: s for s in snaps}
        rendered, plain = by_portal["js"], by_portal["plain"]
        got = [
            (e.title, e.url, e.date.isoformat() if e.date else None, e.date_source) for e in rendered.entries
        ]
        assert rendered.status == "ok", (rendered.status, rendered.error, rendered.details)
        assert sorted(got) == sorted((t, base + u, d, "list") for t, u, d in ITEMS)
        notes = rendered.details["notes"]
        assert any(render.RENDERED_NOTE in n for n in notes), notes
        assert plain.status == "js-shell", (plain.status, plain.details)
        assert plain.entries == []
        assert not any("render_js" in n for n in plain.details.get("notes", []))
