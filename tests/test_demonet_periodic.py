"""The demo network's doc.overdue / interp.missing defects and controls (no crawler needed)."""

from __future__ import annotations

from datetime import date

import pytest

from zwgk_demonet import Variant, build_network
from zwgk_demonet.periodic import POLICY, WORKING_DAYS, nth_workday

AS_OF = date(2026, 11, 23)


@pytest.fixture(scope="module")
def net():
    return build_network(AS_OF)


def _rows(net, rule):
    return {(r["portal"], r["unit"], r["column"]) for r in net.ground_truth() if r["rule"] == rule}


def test_doc_overdue_defects_and_controls(net):
    overdue = _rows(net, "doc.overdue")
    assert len(overdue) >= 8 and {c for _, _, c in overdue} == {"xxgknb", "zdjc"}
    assert len({p for p, _, _ in overdue}) == 3
    late = alias = 0
    for p in net.portals:
        if not p.reachable or getattr(p, "challenge", False):
            continue
        for u in p.units:
            col = u.columns.get("xxgknb")
            if not col or u.entry_status != 200 or (p.id, u.id, "xxgknb") in overdue:
                continue
            due = date(2026, 3 if u.profile == "government" else 1, 31)
            report = [e for e in col.entries if "2025年" in e.title]
            assert report, (p.id, u.id)
            late += report[0].date > due
            alias += report[0].title == "2025年度政府信息公开年报"
    assert late >= 2 and alias >= 3


def test_interp_boundary_controls(net):
    flagged = _rows(net, "interp.missing")
    assert len(flagged) >= 3
    day5 = day6 = 0
    for p in net.portals:
        if not p.reachable or getattr(p, "challenge", False):
            continue
        for u in p.units:
            if u.entry_status != 200 or "zcjd" not in u.columns or "zcwj" not in u.columns:
                continue
            for e in u.columns["zcwj"].entries:
                m = POLICY.match(e.title)
                if not m:
                    continue
                dates = [i.date for i in u.columns["zcjd"].entries if f"《{m['doc']}》" in i.title]
                if nth_workday(e.date, WORKING_DAYS) in dates:
                    day5 += 1
                    assert (p.id, u.id, "zcwj") not in flagged or len(dates) == 1
                if nth_workday(e.date, WORKING_DAYS + 1) in dates and min(dates) > nth_workday(
                    e.date, WORKING_DAYS
                ):
                    day6 += 1
                    assert (p.id, u.id, "zcwj") in flagged
    assert day5 >= 1 and day6 >= 1  # a control and a defect at the 5/6 working-day boundary


def test_fix_repairs_doc_and_interp(net):
    flagged = sorted(_rows(net, "doc.overdue") | _rows(net, "interp.missing"))
    fixed = build_network(AS_OF, variant=Variant(fix=flagged))
    assert not set(flagged) & (_rows(fixed, "doc.overdue") | _rows(fixed, "interp.missing"))
