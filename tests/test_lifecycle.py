"""Findings lifecycle: opened, still open, rectified (销号) only by a successful crawl, overdue."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from zwgk.rules.catalog import load_catalog
from zwgk.rules.engine import check_units
from zwgk.rules.model import CheckContext, ColumnObs, EntryObs, UnitObs
from zwgk.store.db import Store
from zwgk.store.lifecycle import reconcile
from zwgk.store.schema import Finding

CATALOG = load_catalog()


def _unit(entry_status="ok", gzdt_newest=date(2026, 1, 1), unit="jyj") -> UnitObs:
    u = UnitObs("p1", unit, "township", "http://127.0.0.1/xxgk/", entry_status)
    if entry_status == "ok":
        u.columns["gzdt"] = ColumnObs("gzdt", "ok", url="http://127.0.0.1/gzdt/",
                                      entries=[EntryObs("区里召开会议", "http://127.0.0.1/gzdt/1.html", gzdt_newest)])
    else:
        u.entry_error = "HTTP 503"
    return u


def _check(store, units, day, run_id):
    drafts = check_units(units, CheckContext(day, CATALOG))
    with store.session() as s:
        return reconcile(s, drafts, units, day, run_id, CATALOG).counts()


def _findings(store):
    with store.session() as s:
        return {(f.rule, f.unit_id, f.column_id): f for f in s.execute(select(Finding).options(selectinload(Finding.events))).scalars()}


def test_open_fix_close_and_failed_fetch_keeps_open(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/l.db")
    day1, day2, day3 = date(2026, 11, 2), date(2026, 11, 9), date(2026, 11, 30)
    c1 = _check(store, [_unit(), _unit(unit="ws")], day1, 1)
    assert c1["opened"] == 2
    f = _findings(store)[("column.stale", "jyj", "gzdt")]
    assert f.status == "open" and f.first_seen == day1 and f.deadline == date(2026, 11, 9)  # major: 5 working days

    # Day 2: jyj fixed its column; ws's entry page fails -> its stale finding must stay open.
    c2 = _check(store, [_unit(gzdt_newest=date(2026, 11, 8)), _unit(entry_status="unreachable", unit="ws")], day2, 2)
    assert c2["rectified"] == 1 and c2["kept_unseen"] == 1
    found = _findings(store)
    fixed, kept = found[("column.stale", "jyj", "gzdt")], found[("column.stale", "ws", "gzdt")]
    assert fixed.status == "rectified" and fixed.rectified_on == day2
    assert [e.event for e in fixed.events] == ["opened", "rectified"]
    assert kept.status == "open"  # still open; its deadline (11-09, the 5th working day) is today
    assert kept.rectified_on is None and kept.last_seen == day1
    assert found[("site.unreachable", "ws", None)].status == "open"

    # Day 3: jyj stale again -> the same finding reopens (history kept), not a duplicate.
    _check(store, [_unit(gzdt_newest=date(2026, 11, 8)), _unit(unit="ws")], day3, 3)
    found = _findings(store)
    again = found[("column.stale", "jyj", "gzdt")]
    assert again.id == fixed.id and again.status == "open"
    assert [e.event for e in again.events] == ["opened", "rectified", "reopened"]
    assert found[("site.unreachable", "ws", None)].status == "rectified"
    late = found[("column.stale", "ws", "gzdt")]
    assert late.status == "overdue" and late.evidence["escalated"] is True  # deadline 11-09 passed
    assert late.evidence["escalated_severity"] == "veto" and late.evidence["escalated_on"] == "2026-11-30"
    assert [e.event for e in late.events][-1] == "overdue"


def test_unit_missing_from_crawl_closes_nothing(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/l.db")
    _check(store, [_unit()], date(2026, 11, 2), 1)
    counts = _check(store, [], date(2026, 11, 3), 2)
    assert counts["rectified"] == 0 and counts["kept_unseen"] == 1
