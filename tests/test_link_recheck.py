"""Link rot behind unchanged (304) pages: reused link results older than ZWGK_LINK_RECHECK_DAYS
(default 7) are checked again; younger ones are reused (the next-day crawl stays cheap).

One demo portal only, served on 127.0.0.1; crawls run in a subprocess as in production.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from zwgk.config.catalog import load_catalog
from zwgk.config.registry import load_registry
from zwgk.cycle import stages
from zwgk.reports.exports import findings_rows
from zwgk.store.db import Store
from zwgk_demonet import build_network

pytestmark = pytest.mark.slow
AS_OF = date(2026, 11, 23)
CATALOG = load_catalog()


def test_stale_link_results_are_rechecked_behind_unchanged_pages(tmp_path):
    network = build_network(AS_OF)
    pid = next(t["portal"] for t in network.ground_truth() if t["rule"] == "link.broken")
    store = Store(f"sqlite:///{tmp_path}/recheck.db")
    with network.serve() as running:
        sites = running.write_registry(tmp_path / "sites.yml")
        registry = load_registry(sites, set(CATALOG.profiles), CATALOG.column_ids())

        def night(as_of: date) -> list[tuple]:
            start = len(running.request_log)
            stages.crawl(store, sites, registry, as_of, only=pid)
            stages.check(store, as_of, CATALOG)
            return [r for r in running.request_log[start:] if r[0] == pid]

        first = night(AS_OF)
        next_day = night(AS_OF + timedelta(days=1))
        week_later = night(AS_OF + timedelta(days=8))
        after_recheck = night(AS_OF + timedelta(days=9))
    heads = lambda log: [r for r in log if r[1] == "HEAD"]  # noqa: E731
    assert heads(first)
    assert not heads(next_day)  # checked yesterday: reused
    rechecked = {r[2] for r in heads(week_later)}
    assert rechecked, "8 days later the links behind unchanged pages are checked again"
    assert any(p.startswith(("/dead/", "/gone/", "/broken/")) for p in rechecked)
    assert not heads(after_recheck)  # the re-check is fresh again for another week
    with store.session() as session:
        broken = [
            f
            for f in findings_rows(session, AS_OF + timedelta(days=9))
            if f["rule"] == "link.broken" and f["portal"] == pid and f["status"] in ("open", "overdue")
        ]
    assert broken
