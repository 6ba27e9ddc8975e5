"""Escalation of overdue findings (升级督办): the ladder is catalog data, recorded once as an event."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tests.test_lifecycle import _check, _unit
from zwgk.config.catalog import load_catalog
from zwgk.errors import BadInput
from zwgk.findings.lifecycle import reconcile
from zwgk.store.db import Store
from zwgk.store.schema import Finding

DAY1, DAY2, DAY3, DAY4 = date(2026, 11, 2), date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 2)


def _stale(store) -> Finding:
    with store.session() as s:
        f = s.execute(
            select(Finding)
            .where(Finding.rule == "column.stale", Finding.unit_id == "jyj")
            .options(selectinload(Finding.events))
        ).scalar_one()
        s.expunge(f)
        return f


def _run(store, catalog, days):
    from zwgk.rules.engine import check_units
    from zwgk.rules.model import CheckContext

    for i, day in enumerate(days, 1):
        units = [_unit()]
        drafts = check_units(units, CheckContext(day, catalog))
        with store.session() as s:
            reconcile(s, drafts, units, day, i, catalog)


def test_base_catalog_ladder_and_flat_deadlines_still_accepted(tmp_path):
    base = load_catalog()
    assert base.deadlines == {"veto": 3, "major": 5, "minor": 10, "default": 10}
    assert base.escalate == {"minor": "major", "major": "veto"}
    assert [base.escalated_severity(s) for s in ("minor", "major", "veto", "other")] == [
        "major",
        "veto",
        "veto",
        "other",
    ]
    flat = tmp_path / "flat.yml"
    flat.write_text("deadlines: {major: 3}\n", encoding="utf-8")
    cat = load_catalog(flat)  # the old flat shape: working days only, ladder kept
    assert cat.deadline_days("major") == 3 and cat.deadline_days("minor") == 10
    assert cat.escalate == base.escalate


def test_yaml_override_changes_the_ladder(tmp_path):
    override = tmp_path / "local.yml"
    override.write_text(
        "deadlines:\n  working_days: {major: 2}\n  escalate: {major: major, minor: veto}\n", encoding="utf-8"
    )
    cat = load_catalog(override)
    assert cat.deadline_days("major") == 2 and cat.deadline_days("veto") == 3
    assert cat.escalated_severity("major") == "major" and cat.escalated_severity("minor") == "veto"
    store = Store(f"sqlite:///{tmp_path}/e.db")
    _run(store, cat, [DAY1, DAY2])
    f = _stale(store)
    assert f.severity == "major" and f.status == "overdue"
    assert f.evidence["escalated"] is True and f.evidence["escalated_severity"] == "major"
    assert [e.note for e in f.events if e.event == "escalated"] == ["major→major（逾期升级督办）"]


def test_escalation_event_recorded_once_per_episode(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/e.db")
    _run(store, load_catalog(), [DAY1, DAY2, DAY3, DAY4])  # overdue from DAY2, seen again on DAY3, DAY4
    f = _stale(store)
    assert f.status == "overdue"
    escalated = [e for e in f.events if e.event == "escalated"]
    assert len(escalated) == 1 and escalated[0].on == DAY2 and escalated[0].note.startswith("major→veto")
    assert f.evidence["escalated_severity"] == "veto" and f.evidence["escalated_on"] == DAY2.isoformat()
    # A fixed and later reopened finding that goes overdue again escalates again (a new episode).
    _check(store, [_unit(gzdt_newest=date(2026, 12, 3))], date(2026, 12, 3), 5)
    _check(store, [_unit(gzdt_newest=date(2026, 12, 3))], date(2027, 1, 4), 6)
    _check(store, [_unit(gzdt_newest=date(2026, 12, 3))], date(2027, 2, 1), 7)
    f = _stale(store)
    assert [e.event for e in f.events if e.event in ("rectified", "reopened", "overdue", "escalated")] == [
        "overdue",
        "escalated",
        "rectified",
        "reopened",
        "overdue",
        "escalated",
    ]


def test_bad_ladder_is_bad_input(tmp_path):
    override = tmp_path / "bad.yml"
    override.write_text("deadlines:\n  escalate: [minor, major]\n", encoding="utf-8")
    with pytest.raises(BadInput, match=r"bad\.yml"):
        load_catalog(override)


def test_escalation_is_real_on_every_surface_and_undone_by_rectification(tmp_path):
    """An overdue 重要 finding escalated to 否决级 is 否决级 in the store, the export, the daily's badge
    and the weekly 点名 (veto-level findings), with its own level in its history; fixed, it is 重要 again."""
    from zwgk.reports import render_all
    from zwgk.reports.exports import findings_rows

    catalog = load_catalog()
    store = Store(f"sqlite:///{tmp_path}/e.db")
    _run(store, catalog, [DAY1, DAY2])
    f = _stale(store)
    assert (f.status, f.severity, f.evidence["original_severity"]) == ("overdue", "veto", "major")
    with store.session() as s:
        row = next(r for r in findings_rows(s, DAY2) if r["id"] == f.id)
    assert row["severity"] == "veto"
    paths = render_all(store, DAY2, tmp_path / "out", catalog)
    daily = paths["daily"].read_text(encoding="utf-8")
    assert f'data-number="ZW-{f.id:06d}" data-rule="column.stale" data-severity="veto"' in daily
    assert "等级升级为「否决级」（原为「重要」）" in daily
    weekly = paths["weekly"].read_text(encoding="utf-8")
    named = weekly.split('id="named-list"', 1)[1].split("</ol>", 1)[0]
    assert "否决级问题 1 条" in named and "栏目不更新「工作动态」" in named
    _check(store, [_unit(gzdt_newest=date(2026, 12, 3))], date(2026, 12, 3), 3)
    f = _stale(store)
    assert (f.status, f.severity) == ("rectified", "major") and "original_severity" not in f.evidence
