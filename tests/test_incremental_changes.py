"""Incremental nights without validators (issue 16): what the crawl already knows decides what it
fetches, and still every change is found within its stated delay.

One demo portal served as most dynamic CMS pages are (no ETag, no Last-Modified: every request a
200), crawled night after night in a subprocess as in production. After the first night four
changes are seeded:
- a new entry at the top of a column (found the next night: first pages are read every night);
- an entry removed from the second page of another column (found within the full-pass cycle,
  ZWGK_FULL_PASS_DAYS, 7);
- a link that breaks (an older entry's page now 404): found on the link's slot night once its last
  check is ZWGK_LINK_RECHECK_DAYS (7) old — within 2×7−1 nights of its first check;
- an article edited without its list entry changing (a serious typo added: found within the
  full-pass cycle).
The broken link is then repaired: its finding closes the next night, and no finding is ever closed
on a night its page was not requested.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from zwgk.config.catalog import load_catalog
from zwgk.config.registry import load_registry
from zwgk.cycle import stages
from zwgk.store.db import Store
from zwgk.store.schema import Finding, Run, Snapshot
from zwgk_demonet import build_network
from zwgk_demonet.depth import TYPOS
from zwgk_demonet.spec import Entry

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]
AS_OF = date(2026, 11, 23)
CATALOG = load_catalog()
PORTAL = "qinglan"
CYCLE = 7  # ZWGK_FULL_PASS_DAYS and ZWGK_LINK_RECHECK_DAYS, their defaults


def _pick(spec):
    """Four healthy columns of the portal's units: one for each seeded change."""
    ok = [
        (u, c)
        for u in spec.units
        for c in u.columns.values()
        if c.state == "ok" and c.control is None and c.entries
    ]
    long = [(u, c) for u, c in ok if len(c.entries) >= 3 * c.per_page]
    disclosure = [
        (u, c)
        for u in spec.units
        for c in u.columns.values()
        if c.cid in CATALOG.column_ids() and CATALOG.column(c.cid).requires_metadata and c.control is None
    ]
    grow, shrink, rot = long[0], long[1], long[2]
    edit = next(x for x in disclosure if all(x[1] is not y[1] for y in (grow, shrink, rot)))
    return grow, shrink, rot, edit


def _entry_urls(store: Store, run_id: int, unit: str, cid: str) -> list[str]:
    with store.session() as session:
        snap = session.execute(
            select(Snapshot).where(
                Snapshot.run_id == run_id, Snapshot.unit_id == unit, Snapshot.column_id == cid
            )
        ).scalar_one()
        return [e.url for e in snap.entries]


def _open(store: Store, rule: str, url_part: str) -> bool:
    with store.session() as session:
        return bool(
            session.execute(
                select(func.count())
                .select_from(Finding)
                .where(
                    Finding.rule == rule,
                    Finding.status.in_(("open", "overdue")),
                    Finding.url.contains(url_part),
                )
            ).scalar_one()
        )


def test_every_seeded_change_is_found_within_its_delay_without_validators(tmp_path):
    network = build_network(AS_OF)
    spec = network.portal(PORTAL)
    site = network.sites[PORTAL]
    store = Store(f"sqlite:///{tmp_path}/nights.db")
    (gu, grow), (su, shrink), (_, rot), (_, edit) = _pick(spec)
    found: dict[str, int] = {}
    requests: dict[int, int] = {}
    with network.serve(validators=False) as running:
        sites = running.write_registry(tmp_path / "sites.yml")
        registry = load_registry(sites, set(CATALOG.profiles), CATALOG.column_ids())

        def night(k: int) -> tuple[int, list[tuple]]:
            start = len(running.request_log)
            run_id = stages.crawl(store, sites, registry, AS_OF + timedelta(days=k), only=PORTAL)
            stages.check(store, AS_OF + timedelta(days=k), CATALOG)
            with store.session() as session:
                requests[k] = session.get(Run, run_id).counts["requests"]
            return run_id, [r for r in running.request_log[start:] if r[0] == PORTAL]

        night(0)
        # -- the seeded changes -------------------------------------------------------------
        new = Entry("关于开展冬季安全生产大检查的通知", AS_OF + timedelta(days=1), 990001)
        grow.entries.insert(0, new)
        site.route_column(grow)
        new_url = site.article_url(grow, new)
        gone = shrink.entries.pop(shrink.per_page + 3)  # on page 2
        site.route_column(shrink)
        gone_url = site.article_url(shrink, gone)
        broken = rot.entries[2 * rot.per_page + 1]  # on page 3: never read as an article
        broken_url = site.article_url(rot, broken)
        del site.routes[broken_url]
        edited = next(
            e
            for e in sorted(edit.entries, key=lambda e: e.date, reverse=True)
            if not getattr(e, "typo", None) and not getattr(e, "meta_missing", None)
        )
        edited.typo = TYPOS[0]
        edited_url = site.article_url(edit, edited)

        closed_unread: list[tuple] = []
        for k in range(1, 2 * CYCLE):
            run_id, log = night(k)
            if any(u.endswith(new_url) for u in _entry_urls(store, run_id, gu.id, grow.cid)):
                found.setdefault("new entry", k)
            if not any(u.endswith(gone_url) for u in _entry_urls(store, run_id, su.id, shrink.cid)):
                found.setdefault("removed entry", k)
            if _open(store, "link.broken", broken_url):
                found.setdefault("broken link", k)
            if _open(store, "text.typo", edited_url):
                found.setdefault("edited article", k)
            closed_unread += _closed_without_request(store, AS_OF + timedelta(days=k), log)
        # -- the repair: the page answers again ---------------------------------------------------
        site.route_column(rot)
        fix_night = 2 * CYCLE
        _, log = night(fix_night)
        closed_unread += _closed_without_request(store, AS_OF + timedelta(days=fix_night), log)
        repaired = not _open(store, "link.broken", broken_url)
        fix_requested = any(r[2].split("?")[0] == broken_url for r in log)

    print(f"found on night: {found}; requests per night: {requests}")
    assert found.get("new entry") == 1, found
    assert found.get("removed entry", 99) <= CYCLE, found
    assert CYCLE <= found.get("broken link", 99) < 2 * CYCLE, found
    assert found.get("edited article", 99) <= CYCLE, found
    assert repaired and fix_requested, "a link with an open finding is checked every night"
    assert closed_unread == []
    # the nights between cost a fraction of the first (links and full passes in slices)
    assert max(requests[k] for k in range(1, CYCLE + 1)) < 0.5 * requests[0], requests


def _closed_without_request(store: Store, night: date, log: list[tuple]) -> list[tuple]:
    """Findings closed on `night` whose page (a link, an article) was not requested that night."""
    asked = {r[2].split("?")[0] for r in log}
    with store.session() as session:
        closed = session.execute(
            select(Finding.rule, Finding.url).where(
                Finding.rectified_on == night, Finding.url.is_not(None), Finding.portal_id == PORTAL
            )
        ).all()
    out = []
    for rule, url in closed:
        path = "/" + url.split("/", 3)[3] if url.count("/") >= 3 else url
        if path.split("?")[0] not in asked:
            out.append((rule, url))
    return out
