"""The SSRF guard end to end, without a packet leaving this machine.

A canary listener on 127.0.0.2 (not a registry host) must receive no connection while the crawler
reads pages (link checking on) that reach it: a direct link, the numeric forms 0x7f000002 and
2130706434, a 302 from an allowed host, and a meta refresh (as a link, and as a column page that
the crawler GETs, so MetaRefreshMiddleware's request goes through the guard). Those links are
recorded as blocked, never as broken; an off-site link is skipped without a request.
"""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from sqlalchemy import select

from tests.loopback import CANARY_HOST, Canary, StaticSite, few_columns_catalog
from zwgk.config.catalog import load_catalog
from zwgk.config.registry import load_registry
from zwgk.cycle import stages
from zwgk.reports.exports import findings_rows
from zwgk.store.db import Store
from zwgk.store.schema import Run, Snapshot

pytestmark = pytest.mark.slow
AS_OF = date(2026, 11, 23)


def _pages(canary: int) -> dict[str, tuple[int, dict, str]]:
    direct = f"http://{CANARY_HOST}:{canary}/x"
    hexed = f"http://0x7f000002:{canary}/hex"
    decimal = f"http://2130706434:{canary}/dec"
    refresh = f'<meta http-equiv="refresh" content="0;url={direct}">'
    nav = '<div class="nav"><a href="/">首页</a> <a href="/xxgk/">政务公开</a></div>'
    links = (
        f'<ul class="links"><li><a href="{direct}">直接链接</a></li><li><a href="{hexed}">十六进制</a></li>'
        f'<li><a href="{decimal}">十进制</a></li><li><a href="/go">跳转链接</a></li>'
        f'<li><a href="/refresh.html">刷新链接</a></li><li><a href="http://www.example.gov.cn/x">站外链接</a></li>'
        f'<li><a href="/dead.html">失效链接</a></li></ul>'
    )
    entry = (
        f"<html><head><meta charset='utf-8'><title>信息公开</title></head><body>{nav}"
        f'<div class="xxgk-catalog"><ul><li><a href="/xxgk/gzdt/">工作动态</a></li></ul></div>{links}</body></html>'
    )
    items = "".join(
        f'<li><a href="/xxgk/gzdt/a{i}.html" title="工作动态{i}">工作动态{i}</a><span>2026-11-{20 - i:02d}</span></li>'
        for i in range(5)
    )
    listing = (
        f"<html><head><meta charset='utf-8'><title>工作动态</title></head><body>{nav}"
        f'<div class="main"><ul class="list">{items}</ul>{links}</div></body></html>'
    )
    html = {"Content-Type": "text/html; charset=utf-8"}
    pages = {
        "/": (
            200,
            html,
            f"<html><head><meta charset='utf-8'><title>首页</title></head><body>{nav}{links}</body></html>",
        ),
        "/xxgk/": (200, html, entry),
        "/xxgk/gzdt/": (200, html, listing),
        "/go": (302, {"Location": direct}, ""),
        "/refresh.html": (
            200,
            html,
            f"<html><head>{refresh}<title>跳转</title></head><body>正在跳转</body></html>",
        ),
        "/robots.txt": (200, {"Content-Type": "text/plain"}, "User-agent: *\nDisallow:\n"),
    }
    for i in range(5):
        pages[f"/xxgk/gzdt/a{i}.html"] = (
            200,
            html,
            f"<html><head><meta charset='utf-8'><meta name='PubDate' "
            f"content='2026-11-{20 - i:02d}'></head><body><h1>工作动态{i}</h1>"
            f"<div class='TRS_Editor'><p>正文内容。</p>{links}</div></body></html>",
        )
    return pages


@pytest.fixture
def canary():
    c = Canary()
    yield c
    c.close()


def test_canary_on_127_0_0_2_receives_nothing(tmp_path, canary):
    site = StaticSite(_pages(canary.port))
    base = site.base
    with site:
        sites = tmp_path / "sites.yml"
        sites.write_text(
            yaml.safe_dump(
                {
                    "portals": [
                        {
                            "id": "canary",
                            "name": "测试门户",
                            "home": base + "/",
                            "units": [
                                {
                                    "id": "gov",
                                    "name": "测试区人民政府",
                                    "profile": "government",
                                    "entry": base + "/xxgk/",
                                    # the column page itself meta-refreshes to the canary (GET through MetaRefreshMiddleware)
                                    "columns": {"zcwj": base + "/refresh.html"},
                                }
                            ],
                        }
                    ]
                },
                allow_unicode=True,
            ),
            encoding="utf-8",
        )
        catalog = load_catalog()
        registry = load_registry(sites, set(catalog.profiles), catalog.column_ids())
        store = Store(f"sqlite:///{tmp_path}/canary.db")
        crawl_id = stages.crawl(
            store,
            sites,
            registry,
            AS_OF,
            few_columns_catalog(tmp_path),
            settings={"ZWGK_CHECK_LINKS": "True"},
        )
        stages.check(store, AS_OF, catalog)
    assert canary.connections == [], f"the canary was contacted: {canary.connections}"
    with store.session() as session:
        snaps = session.execute(select(Snapshot).where(Snapshot.run_id == crawl_id)).scalars().all()
        by_target = {s.target: s for s in snaps}
        links = [link for s in snaps for link in (s.details or {}).get("links", [])]
        links += [link for s in snaps for a in s.articles for link in a.links]
        counts = session.get(Run, crawl_id).counts
        findings = [f for f in findings_rows(session, AS_OF) if f["rule"] == "link.broken"]
    status = {}
    for link in links:
        status.setdefault(link["url"], set()).add(link["status"])
    for url in (
        f"http://{CANARY_HOST}:{canary.port}/x",
        f"http://0x7f000002:{canary.port}/hex",
        f"http://2130706434:{canary.port}/dec",
        base + "/go",
    ):
        assert status[url] == {"blocked"}, (url, status.get(url))
    assert status[base + "/refresh.html"] == {"ok"}  # HEAD: refresh pages are not followed by link checks
    assert status["http://www.example.gov.cn/x"] == {"skipped"}  # off-site: no request, no DNS lookup
    assert status[base + "/dead.html"] == {"broken"}
    # the meta refresh the crawler did follow (a column page) was refused before connecting
    refreshed = by_target["column:zcwj"]
    assert refreshed.status == "error" and "安全策略" in (refreshed.error or ""), refreshed.error
    # blocked targets are never reported broken; the really dead link is
    assert {f["url"] for f in findings} == {base + "/dead.html"}
    assert all(f["evidence"]["page"] and f["evidence"]["text"] == "失效链接" for f in findings)
    assert counts["requests"] > 0
