"""A CMS migration on the demo network: night 2 serves the same portals in another CMS's templates
and URL scheme (a generated skin: other entry paths, column paths and article URLs), night 3 the
same over https. Column and site findings follow their subject: nothing is closed, nothing opened,
and each move is in the history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from zwgk.config.catalog import load_catalog
from zwgk.config.registry import load_registry
from zwgk.cycle import stages
from zwgk.rules.model import Scope
from zwgk.rules.registry import RULES
from zwgk.store.db import Store
from zwgk.store.schema import Finding, FindingEvent, Run
from zwgk_demonet import build_network

pytestmark = pytest.mark.slow
CATALOG = load_catalog()
DAY1 = date(2026, 11, 23)
DAY2 = DAY1 + timedelta(days=1)
DAY3 = DAY1 + timedelta(days=2)
# site.tls is about the certificate, which night 3's switch to https (self-signed) does change:
# its findings are asserted apart.
SUBJECT_NOT_URL = {cls.id for cls in RULES if cls.scope in (Scope.COLUMN, Scope.SITE)} - {
    "interp.missing",
    "site.tls",
}


def _night(store: Store, tmp, day: date, skin: int | None, tls: bool = False) -> int:
    network = build_network(day, skin=skin)
    with network.serve(tls=tls) as running:
        sites = running.write_registry(tmp / f"sites-{day}.yml")
        registry = load_registry(sites, set(CATALOG.profiles), CATALOG.column_ids())
        stages.crawl(store, sites, registry, day)
        return stages.check(store, day, CATALOG)


def test_a_cms_migration_closes_and_opens_no_column_or_site_finding(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/m.db")
    _night(store, tmp_path, DAY1, None)
    with store.session() as s:
        before = {
            f.id: (f.url, f.status)
            for f in s.execute(select(Finding).where(Finding.rule.in_(SUBJECT_NOT_URL))).scalars()
        }
    assert len(before) >= 40
    _night(store, tmp_path, DAY2, 3)
    check_id = _night(store, tmp_path, DAY3, 3, tls=True)
    with store.session() as s:
        after = {
            f.id: (f.url, f.status)
            for f in s.execute(select(Finding).where(Finding.rule.in_(SUBJECT_NOT_URL))).scalars()
        }
        moved = {
            e.finding_id
            for e in s.execute(select(FindingEvent).where(FindingEvent.event == "moved")).scalars()
            if e.finding_id in before
        }
        counts = {
            k: sum(
                r.counts.get(k, 0)
                for r in s.execute(select(Run).where(Run.stage == "check", Run.as_of > DAY1)).scalars()
            )
            for k in ("reopened", "opened")
        }
        assert s.get(Run, check_id).status == "ok"
    assert set(after) == set(before)  # nothing new opened for a column or a site
    assert {fid for fid, (_, status) in after.items() if status == "rectified"} == set()
    assert counts["reopened"] == 0
    changed = {fid for fid in before if before[fid][0] != after[fid][0] and after[fid][0] is not None}
    assert changed and changed <= moved  # the addresses changed, and the history says so
    assert any(url.startswith("https://") for url, _ in after.values() if url)
    with store.session() as s:
        tls = list(s.execute(select(Finding).where(Finding.rule == "site.tls")).scalars())
    # the switch to a self-signed certificate is itself a finding, on each portal served over https
    assert tls and all(f.first_seen == DAY3 and "自签名" in f.message for f in tls), [f.message for f in tls]
    store.dispose()
