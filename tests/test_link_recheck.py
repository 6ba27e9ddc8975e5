"""Link rot behind unchanged (304) pages: a carried link result is checked again on its slot night
once it is ZWGK_LINK_RECHECK_DAYS (default 7) old — a slice of the links each night, each link once
per cycle — while links with an open 错链 finding are checked every night (crawler/rolling.py).

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
    heads = lambda log: {r[2] for r in log if r[1] == "HEAD"}  # noqa: E731
    dead = lambda paths: {p for p in paths if p.startswith(("/dead/", "/gone/", "/broken/"))}  # noqa: E731
    assert heads(first)
    owed = dead(heads(first))
    assert owed, "the portal has seeded dead links"
    assert heads(next_day) == owed  # the links with an open finding, every night; the rest carried
    slice8 = heads(week_later) - owed
    slice9 = heads(after_recheck) - owed
    assert slice8 and slice9, "8 and 9 days later a slice of the links is checked again"
    assert not slice8 & slice9, "each link once per cycle"
    assert len(slice8) < len(heads(first) - owed) / 2, "a slice, not all at once"
    with store.session() as session:
        broken = [
            f
            for f in findings_rows(session, AS_OF + timedelta(days=9))
            if f["rule"] == "link.broken" and f["portal"] == pid and f["status"] in ("open", "overdue")
        ]
    assert broken
