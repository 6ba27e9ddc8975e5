"""The whole nightly cycle on the demo portal network, scored against its ground truth.

Crawls run in a subprocess (as in production), against servers on 127.0.0.1 only.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.demonet import Variant, build_network, evaluate, format_table
from zwgk import stages
from zwgk.config.registry import load_registry
from zwgk.demo import EVALUATED_RULES
from zwgk.reports.exports import columns_rows, findings_rows
from zwgk.rules.catalog import load_catalog
from zwgk.store.db import Store
from zwgk.store.schema import Run, Snapshot

pytestmark = pytest.mark.slow
AS_OF = date(2026, 11, 23)
CATALOG = load_catalog()


def _cycle(store: Store, network, tmp_path, as_of: date, name: str):
    with network.serve() as running:
        sites = running.write_registry(tmp_path / f"{name}.yml")
        registry = load_registry(sites, set(CATALOG.profiles), CATALOG.column_ids())
        crawl_id = stages.crawl(store, sites, registry, as_of)
        stages.check(store, as_of, CATALOG)
        log = list(running.request_log)
    return crawl_id, log


@pytest.fixture(scope="module")
def first_night(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("e2e")
    store = Store(f"sqlite:///{tmp}/e2e.db")
    network = build_network(AS_OF)
    crawl_id, log = _cycle(store, network, tmp, AS_OF, "night1")
    return store, network, crawl_id, log, tmp


def test_precision_and_recall_per_rule(first_night):
    store, network, _, _, _ = first_night
    with store.session() as session:
        current = [f for f in findings_rows(session, AS_OF) if f["status"] in ("open", "overdue")]
    scores = evaluate(current, network.ground_truth(), EVALUATED_RULES)
    table = format_table(scores)
    print(table)
    for rule in EVALUATED_RULES:
        assert scores[rule]["tp"] >= 3, f"{rule}: too few seeded defects found\n{table}"
        assert scores[rule]["precision"] >= 0.98, f"{rule} precision\n{table}"
        assert scores[rule]["recall"] >= 0.98, f"{rule} recall\n{table}"


def test_unreachable_portal_does_not_stop_the_run(first_night):
    store, network, crawl_id, _, _ = first_night
    with store.session() as session:
        run = session.get(Run, crawl_id)
        assert run.status == "ok"
        statuses = {status for (status,) in session.execute(
            select(Snapshot.status).where(Snapshot.run_id == crawl_id, Snapshot.target == "entry")).all()}
    assert {"ok", "unreachable"} <= statuses
    truth_unreachable = {(t["portal"], t["unit"]) for t in network.ground_truth() if t["rule"] == "site.unreachable"}
    assert truth_unreachable
    with store.session() as session:
        cols = columns_rows(session, AS_OF, CATALOG)
    # Columns behind an unreachable unit are reported unreachable, never missing or blank.
    for row in cols:
        if (row["portal"], row["unit"]) in truth_unreachable:
            assert row["status"] == "unreachable", row


def test_snapshots_are_unique_and_evidence_stored(first_night):
    store, _, crawl_id, _, _ = first_night
    with store.session() as session:
        snaps = session.execute(select(Snapshot).where(Snapshot.run_id == crawl_id)).scalars().all()
        keys = [(s.portal_id, s.unit_id, s.target) for s in snaps]
        assert len(keys) == len(set(keys))
        ok_columns = [s for s in snaps if s.column_id and s.status == "ok"]
        assert ok_columns and all(s.page_sha256 for s in ok_columns)


def test_lifecycle_over_two_nights(first_night):
    store, network, _, _, tmp = first_night
    truth = network.ground_truth()
    column_rows = [t for t in truth if t["column"] and t["rule"].startswith("column.")]
    # Fix one defect in one unit; break the entry page of another unit that has defects.
    fixed = column_rows[0]
    broken = next(t for t in column_rows if (t["portal"], t["unit"]) != (fixed["portal"], fixed["unit"]))
    day2 = AS_OF + timedelta(days=7)
    network2 = build_network(day2, variant=Variant(fix=[(fixed["portal"], fixed["unit"], fixed["column"])],
                                                   break_units=[(broken["portal"], broken["unit"])]))
    _cycle(store, network2, tmp, day2, "night2")
    with store.session() as session:
        rows = findings_rows(session, day2)
    def find(t):
        return [r for r in rows if (r["rule"], r["portal"], r["unit"], r["column"]) ==
                (t["rule"], t["portal"], t["unit"], t["column"])]
    [was_fixed] = find(fixed)
    assert was_fixed["status"] == "rectified", was_fixed
    [kept] = find(broken)
    assert kept["status"] in ("open", "overdue"), kept
    assert kept["first_seen"] == AS_OF.isoformat()
    unreachable = [r for r in rows if r["rule"] == "site.unreachable" and
                   (r["portal"], r["unit"]) == (broken["portal"], broken["unit"]) and r["status"] == "open"]
    assert unreachable and unreachable[0]["first_seen"] == day2.isoformat()
    # Day-1 view is unchanged by history: the fixed finding was open then.
    with store.session() as session:
        [then] = [r for r in findings_rows(session, AS_OF) if (r["rule"], r["unit"], r["column"]) ==
                  (fixed["rule"], fixed["unit"], fixed["column"]) and r["portal"] == fixed["portal"]]
    assert then["status"] == "open"
