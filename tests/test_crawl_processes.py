"""Both cores without Redis (issue 16): the night's portals shared among crawl processes on one
machine, writing one run into one SQLite file — and the night says the same as one process.

The demo network on 127.0.0.1, crawled in subprocesses as in production."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from zwgk.config.catalog import load_catalog
from zwgk.config.registry import load_registry
from zwgk.cycle import stages
from zwgk.reports.exports import findings_rows
from zwgk.store.db import Store
from zwgk.store.schema import Run, Snapshot
from zwgk_demonet import build_network

pytestmark = pytest.mark.slow
AS_OF = date(2026, 11, 23)
CATALOG = load_catalog()


def _night(store: Store, sites, registry, processes: int) -> tuple[dict, set, list]:
    run_id = stages.crawl(store, sites, registry, AS_OF, processes=processes)
    stages.check(store, AS_OF, CATALOG)
    with store.session() as session:
        counts = dict(session.get(Run, run_id).counts)
        targets = [
            (s.portal_id, s.unit_id, s.target, s.status)
            for s in session.execute(select(Snapshot).where(Snapshot.run_id == run_id)).scalars()
        ]
        keys = {
            (f["rule"], f["portal"], f["unit"], f["column"], f["url"])
            for f in findings_rows(session, AS_OF)
            if f["status"] in ("open", "overdue")
        }
    return counts, keys, targets


def test_two_processes_share_the_portals_and_find_the_same(tmp_path):
    network = build_network(AS_OF)
    one, two = Store(f"sqlite:///{tmp_path}/one.db"), Store(f"sqlite:///{tmp_path}/two.db")
    with network.serve() as running:
        sites = running.write_registry(tmp_path / "sites.yml")
        registry = load_registry(sites, set(CATALOG.profiles), CATALOG.column_ids())
        single, single_keys, single_targets = _night(one, sites, registry, 1)
        shared, shared_keys, shared_targets = _night(two, sites, registry, 2)
        # the second night of the shared store is balanced by what each portal cost the first
        shards = stages.portal_shards(two, registry, None, 2)
    assert shared["processes"] == 2 and len(shared["worker_requests"]) == 2
    assert all(n > 0 for n in shared["worker_requests"]), shared
    assert sum(shared["worker_requests"]) == shared["requests"]
    assert sorted(shared_targets) == sorted(single_targets)  # every target once, none twice
    assert shared_keys == single_keys
    assert set(shared["requests_by_portal"]) == set(single["requests_by_portal"])
    cost = shared["requests_by_portal"]
    loads = sorted(sum(cost.get(p, 0) for p in shard) for shard in shards)
    assert sorted(p for shard in shards for p in shard) == sorted(p.id for p in registry.portals)
    assert loads[0] >= min(cost.values()), "no process is left with nothing to do"


def test_one_process_when_asked_or_one_portal(tmp_path):
    network = build_network(AS_OF)
    store = Store(f"sqlite:///{tmp_path}/s.db")
    with network.serve() as running:
        sites = running.write_registry(tmp_path / "sites.yml")
        registry = load_registry(sites, set(CATALOG.profiles), CATALOG.column_ids())
    pid = registry.portals[0].id
    assert stages.portal_shards(store, registry, pid, 4) == [[pid]]
    assert len(stages.portal_shards(store, registry, None, 1)) == 1
    shards = stages.portal_shards(store, registry, None, 64)  # never more processes than portals
    assert len(shards) == len(registry.portals) and all(len(s) == 1 for s in shards)
