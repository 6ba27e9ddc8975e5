"""A list read through its data endpoint (Hanweb jpage, TRS dataproxy …): when the data answers 304 the
page around it may still have changed. Its links are re-used only while the page answers 304 too; a
link the page no longer has is never reported broken (it was, before: re-checked a week later from
the stale copy, it answered 404 and accused the unit of a link its live page did not carry).

One demo portal, served on 127.0.0.1; crawls run in a subprocess as in production.
"""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from zwgk.config.catalog import load_catalog
from zwgk.config.registry import load_registry
from zwgk.cycle import stages
from zwgk.reports.exports import findings_rows
from zwgk.store.db import Store
from zwgk.store.schema import Snapshot
from zwgk_demonet import build_network
from zwgk_demonet.styles import Response

pytestmark = pytest.mark.slow
AS_OF = date(2026, 11, 23)
CATALOG = load_catalog()


def test_links_of_a_changed_page_are_not_carried_behind_unchanged_data(tmp_path):
    network = build_network(AS_OF)
    store = Store(f"sqlite:///{tmp_path}/shell.db")
    with network.serve() as running:
        sites = running.write_registry(tmp_path / "sites.yml")
        registry = load_registry(sites, set(CATALOG.profiles), CATALOG.column_ids())
        portals = [p.id for p in network.portals if p.reachable]
        via_data = None
        for pid in portals:  # the portal whose lists come from a data endpoint
            crawl_id = stages.crawl(store, sites, registry, AS_OF, only=pid)
            stages.check(store, AS_OF, CATALOG)
            with store.session() as s:
                for snap in s.execute(select(Snapshot).where(Snapshot.run_id == crawl_id)).scalars():
                    d = snap.details or {}
                    good = [
                        x for x in d.get("links") or [] if x.get("status") == "ok" and not x.get("attachment")
                    ]
                    if d.get("data_endpoint") and d.get("validators") and good:
                        via_data = (pid, snap.unit_id, snap.target, snap.url, good[0]["url"])
                        break
            if via_data:
                break
        assert via_data, "the demo network has a list read through its data endpoint"
        pid, unit, target, page_url, old_link = via_data
        page_path, old_path = urlsplit(page_url).path, urlsplit(old_link).path
        site = network.sites[pid]
        real = site.render

        def edited(path: str, query: str = "") -> Response:
            """The site dropped one link (from every page that had it) and its target is gone."""
            if path == old_path:
                return Response(404, b"gone", {"Content-Type": "text/plain"})
            resp = real(path, query)
            if resp.status == 200 and old_path.encode() in resp.body:
                edits.add(path)
                return Response(resp.status, resp.body.replace(old_path.encode(), b"/"), dict(resp.headers))
            return resp

        edits: set[str] = set()

        site.render = edited  # type: ignore[method-assign]
        week_later = AS_OF + timedelta(days=8)  # the column is due its full pass: its page is read
        crawl2 = stages.crawl(store, sites, registry, week_later, only=pid)
        stages.check(store, week_later, CATALOG)
    with store.session() as s:
        snap = s.execute(
            select(Snapshot).where(
                Snapshot.run_id == crawl2, Snapshot.unit_id == unit, Snapshot.target == target
            )
        ).scalar_one()
        urls = {urlsplit(x["url"]).path for x in (snap.details or {}).get("links") or []}
        assert old_path not in urls  # the page as it is now, not the stale copy
        assert not (snap.details or {}).get("not_modified")
        broken = [
            f
            for f in findings_rows(s, week_later)
            if f["rule"] == "link.broken"
            and urlsplit(f["url"]).path == old_path
            and f["status"] != "rectified"
        ]
    assert broken == []
    assert page_path in edits or page_path.removesuffix("index.html") in edits
