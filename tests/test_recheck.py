"""复查 on request (zwgk/cycle/recheck.py) on the demo network served on 127.0.0.1.

A column a department repaired is closed by its recheck with the page read again; a column still
broken stays open with what was seen; a unit whose page fails is not seen and nothing changes. The
recheck waits behind the run lock (never beside a nightly crawl) and a unit's requests are capped
per hour. Only the finding's unit is read.
"""

from __future__ import annotations

import threading
import time
from datetime import date
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from zwgk.config.catalog import load_catalog
from zwgk.config.registry import load_registry
from zwgk.cycle import recheck as rc
from zwgk.cycle import stages
from zwgk.cycle.records import utcnow
from zwgk.cycle.runlock import CYCLE, run_lock
from zwgk.store.db import Store
from zwgk.store.schema import Finding, Recheck, Run
from zwgk_demonet import build_network
from zwgk_demonet.spec import Variant

pytestmark = pytest.mark.slow
AS_OF = date(2026, 11, 23)
CATALOG = load_catalog()
COLUMN_RULES = ("column.blank", "column.placeholder", "column.stale", "column.undated")


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    """One portal of the demo network crawled and checked; the network keeps running."""
    tmp = tmp_path_factory.mktemp("recheck")
    network = build_network(AS_OF, anchor=AS_OF)
    store = Store(f"sqlite:///{tmp}/recheck.db")
    with network.serve() as running:
        sites = running.write_registry(tmp / "sites.yml")
        registry = load_registry(sites, set(CATALOG.profiles), CATALOG.column_ids())
        truth = network.ground_truth()
        # a portal with two units each holding a column finding of the truth
        by_portal: dict[str, dict[str, list[dict]]] = {}
        for t in truth:
            if t["rule"] in COLUMN_RULES and t["column"]:
                by_portal.setdefault(t["portal"], {}).setdefault(t["unit"], []).append(t)
        pid = next(p for p, units in sorted(by_portal.items()) if len(units) >= 2)
        stages.crawl(store, sites, registry, AS_OF, only=pid)
        stages.check(store, AS_OF, CATALOG)
        yield store, sites, registry, running, network, pid, by_portal[pid]


def _open(store, pid, unit, column, rule):
    with store.session() as s:
        return s.execute(
            select(Finding).where(
                Finding.portal_id == pid,
                Finding.unit_id == unit,
                Finding.column_id == column,
                Finding.rule == rule,
                Finding.status.in_(("open", "overdue")),
            )
        ).scalar_one()


def _queue(store, finding_id, by="unit", per_hour=rc.PER_HOUR):
    with store.session() as s:
        return rc.request(s, s.get(Finding, finding_id), by, per_hour=per_hour).id


def test_repaired_column_is_closed_and_the_broken_one_stays(night):
    store, sites, registry, running, network, pid, units = night
    (fixed_unit, fixed_rows), (other_unit, other_rows) = sorted(units.items())[:2]
    fixed, other = fixed_rows[0], other_rows[0]
    f_fixed = _open(store, pid, fixed_unit, fixed["column"], fixed["rule"])
    f_other = _open(store, pid, other_unit, other["column"], other["rule"])
    running.switch(
        build_network(AS_OF, anchor=AS_OF, variant=Variant(fix=[(pid, fixed_unit, fixed["column"])]))
    )
    try:
        requests_before = len(running.request_log)
        out = rc.run_one(store, sites, registry, CATALOG, _queue(store, f_fixed.id), as_of=AS_OF)
        assert out.state == "rectified", out.note
        # only the finding's unit (and the portal's home) was read
        entries = {u.entry_path for p in network.portals if p.id == pid for u in p.units}
        paths = {urlsplit(path).path for _, _, path in running.request_log[requests_before:]}
        others = {e for e in entries if e != _entry(network, pid, fixed_unit)}
        assert not paths & others, "a recheck reads only its own unit's pages"
        out2 = rc.run_one(store, sites, registry, CATALOG, _queue(store, f_other.id), as_of=AS_OF)
        assert out2.state == "present" and other_rows[0]["rule"] and "仍发现" in out2.note
    finally:
        running.switch(network)
    with store.session() as s:
        closed, kept = s.get(Finding, f_fixed.id), s.get(Finding, f_other.id)
        assert closed.status == "rectified" and closed.rectified_on == AS_OF
        assert [e.event for e in closed.events][-1] == "rectified"
        assert kept.status in ("open", "overdue") and kept.events[-1].event == "rechecked"
        runs = s.execute(select(Run).where(Run.stage == "recheck")).scalars().all()
        assert len(runs) == 2 and all(r.status in ("ok", "partial") for r in runs)
        # the nightly reports and the next night's crawl still read the night, not the recheck
        from zwgk.findings.observations import latest_crawl_run

        assert latest_crawl_run(s, AS_OF).stage == "crawl"


def _entry(network, pid, unit):
    return next(u.entry_path for p in network.portals if p.id == pid for u in p.units if u.id == unit)


def test_a_unit_that_cannot_be_read_changes_nothing(night):
    store, sites, registry, running, network, pid, units = night
    unit, rows = sorted(units.items())[-1]
    f = _open(store, pid, unit, rows[0]["column"], rows[0]["rule"])
    running.switch(build_network(AS_OF, anchor=AS_OF, variant=Variant(break_units=[(pid, unit)])))
    try:
        out = rc.run_one(store, sites, registry, CATALOG, _queue(store, f.id), as_of=AS_OF)
    finally:
        running.switch(network)
    assert out.state == "unseen"
    with store.session() as s:
        assert s.get(Finding, f.id).status in ("open", "overdue")


def test_recheck_waits_for_the_run_lock_and_units_are_rate_limited(night):
    store, sites, registry, _running, _network, pid, units = night
    unit, rows = sorted(units.items())[-1]
    f = _open(store, pid, unit, rows[-1]["column"], rows[-1]["rule"])
    rid = _queue(store, f.id)
    assert _queue(store, f.id) == rid, "one waiting recheck per finding"
    done: list = []
    with run_lock(store, CYCLE, command="zwgk run (the night)"):
        worker = threading.Thread(
            target=lambda: done.append(
                rc.run_one(store, sites, registry, CATALOG, rid, as_of=AS_OF, poll=0.2)
            )
        )
        worker.start()
        time.sleep(3)
        with store.session() as s:
            assert s.get(Recheck, rid).state == "queued", "no recheck while the night holds the lock"
            assert (
                s.execute(select(Run).where(Run.stage == "recheck", Run.status == "running")).first() is None
            )
        released = utcnow()
    worker.join(timeout=240)
    assert done and done[0].state in ("present", "rectified", "unseen")
    with store.session() as s:
        run = s.get(Run, done[0].run_id)
        assert run.started_at >= released
    # the cap: a unit's requests within an hour
    with store.session() as s:
        already = (
            s.execute(select(Recheck).where(Recheck.portal_id == pid, Recheck.unit_id == unit))
            .scalars()
            .all()
        )
        cap = len(already)
        with pytest.raises(rc.RecheckRefused, match="一小时内"):
            rc.request(s, s.get(Finding, f.id), "unit", per_hour=cap)


def test_a_recheck_left_running_by_a_dead_process_is_released(tmp_path):
    """A server killed mid-recheck leaves its row 'running' (and the finding's one waiting slot
    taken): the next worker marks it failed once the run lock is free, so the unit may ask again."""
    from datetime import datetime

    store = Store(f"sqlite:///{tmp_path}/stale.db")
    with store.session() as s:
        f = Finding(
            fingerprint="x" * 40, rule="column.blank", severity="major", portal_id="p", unit_id="u",
            column_id="gzdt", url=None, message="空白", evidence={}, first_seen=AS_OF, last_seen=AS_OF,
            status="open", deadline=AS_OF,
        )  # fmt: skip
        s.add(f)
        s.flush()
        s.add(Recheck(finding_id=f.id, portal_id="p", unit_id="u", requested_by="u",
                      requested_at=datetime(2026, 12, 7), state="running"))  # fmt: skip
        fid = f.id
    with run_lock(store, CYCLE):  # while a holder lives, a running recheck may be real
        assert rc.sweep_stale(store) == 0
    assert rc.sweep_stale(store) == 1
    with store.session() as s:
        assert s.execute(select(Recheck.state)).scalar_one() == "failed"
        queued = rc.request(s, s.get(Finding, fid), "u", now=datetime(2026, 12, 7, 0, 30))
        assert queued.state == "queued"
