"""Veto lines (单项否决), early warnings, unit scores and grades; scores from stored history."""

from __future__ import annotations

from datetime import date

from zwgk.config.catalog import load_catalog
from zwgk.findings.lifecycle import reconcile
from zwgk.findings.review import review
from zwgk.findings.scores import column_scores, findings_at, unit_scores
from zwgk.rules.engine import check_units
from zwgk.rules.model import CheckContext, ColumnObs, EntryObs, UnitObs
from zwgk.rules.scoring import load_scoring, unit_score
from zwgk.rules.veto import Availability, judge
from zwgk.store.db import Store
from zwgk.store.schema import Finding, Portal, Run, Snapshot, Unit

CATALOG = load_catalog()
SCORING = load_scoring()
AS_OF = date(2026, 11, 23)


def _f(rule, column, unit="u"):
    return {"rule": rule, "column": column, "unit": unit, "url": f"http://x/{column}/", "message": rule}


def _lines(report):
    return {r.line: r.level for r in report.lines}


def test_five_blank_columns_veto_whatever_the_points():
    blanks = [_f("column.blank", c) for c in ("ghjh", "rsxx", "czyjs", "zcjd", "jgzn")]
    report = judge("p", "u", blanks, [], AS_OF, CATALOG, SCORING.veto, home=False)
    assert report.veto and _lines(report)["blank"] == "veto"
    generous = load_scoring()
    score = unit_score([{"rule": "column.blank", "status": "open"}] * 5, generous, veto=report.veto)
    assert score["score"] == 75.0 and score["grade"] == "不合格"
    # The same points without the veto would be 合格.
    assert unit_score([{"rule": "column.blank", "status": "open"}] * 5, generous)["grade"] == "合格"


def test_blank_line_counts_placeholders_and_warns_at_two():
    report = judge(
        "p",
        "u",
        [_f("column.blank", "ghjh"), _f("column.placeholder", "rsxx")],
        [],
        AS_OF,
        CATALOG,
        SCORING.veto,
        home=False,
    )
    assert not report.veto and _lines(report)["blank"] == "warning"
    four = [_f("column.blank", c) for c in ("ghjh", "rsxx", "czyjs")] + [_f("column.placeholder", "jgzn")]
    assert _lines(judge("p", "u", four, [], AS_OF, CATALOG, SCORING.veto, home=False))["blank"] == "warning"


def test_stale_lines_by_kind():
    dyn_notice = [_f("column.stale", c) for c in ("gzdt", "tzgg", "zcwj", "zcjd")]
    basic = [_f("column.stale", c) for c in ("jgzn", "ghjh", "czyjs", "rsxx", "zdjc")]
    r = judge("p", "u", dyn_notice + basic, [], AS_OF, CATALOG, SCORING.veto, home=False)
    assert _lines(r)["columns_stale"] == "warning"  # 4 of the 动态/通知/政策 kinds (line: 5)
    assert _lines(r)["long_stale"] == "warning"  # 9 (line: 10)
    r = judge(
        "p",
        None,
        [*dyn_notice, _f("column.stale", "gzdt", unit="v"), *basic, _f("column.undated", "tzgg", unit="v")],
        [],
        AS_OF,
        CATALOG,
        SCORING.veto,
        home=False,
    )
    assert _lines(r)["columns_stale"] == "veto" and _lines(r)["long_stale"] == "veto"  # portal: 5 and 11


def test_typo_and_unreachable_and_home():
    r = judge("p", "u", [_f("text.typo", "gzdt")], [], AS_OF, CATALOG, SCORING.veto, home=False)
    assert _lines(r)["typo"] == "veto"
    r = judge(
        "p",
        "u",
        [],
        [],
        AS_OF,
        CATALOG,
        SCORING.veto,
        home_newest=date(2026, 11, 9),
        availability=Availability(30, 1, 30),
    )
    assert _lines(r) | {} == {**_lines(r), "home_stale": "warning", "unreachable": "warning"}  # 14 days, 3.3%
    r = judge(
        "p",
        "u",
        [],
        [],
        AS_OF,
        CATALOG,
        SCORING.veto,
        home_newest=date(2026, 11, 8),
        availability=Availability(30, 2, 30),
    )
    assert _lines(r)["home_stale"] == "veto" and _lines(r)["unreachable"] == "veto"  # 15 days, 6.7%
    # Below the minimum number of checks nothing is judged — neither a veto nor 正常 nor a warning —
    # and the line says so; from the minimum on, the standard's rate applies as written.
    for checks, failures in ((2, 2), (2, 1), (2, 0)):
        r = judge(
            "p", "u", [], [], AS_OF, CATALOG, SCORING.veto, availability=Availability(checks, failures, 30)
        )
        line = next(x for x in r.lines if x.line == "unreachable")
        assert line.level == "unknown" and "检测次数不足" in line.message and "暂不判定" in line.message
        assert not r.veto
    r = judge("p", "u", [], [], AS_OF, CATALOG, SCORING.veto, availability=Availability(3, 3, 30))
    assert _lines(r)["unreachable"] == "veto"


def test_dynamic_column_ten_days_old_warns():
    u = UnitObs("p", "u", "township", "http://x/", "ok")
    u.columns["gzdt"] = ColumnObs(
        "gzdt", "ok", url="http://x/gzdt/", entries=[EntryObs("会议", None, date(2026, 11, 13))]
    )
    r = judge("p", "u", [], [u], AS_OF, CATALOG, SCORING.veto, home=False)
    assert _lines(r)["columns_stale"] == "warning" and r.warnings[0].items[0]["age_days"] == 10
    u.columns["gzdt"].entries[0].date = date(2026, 11, 14)
    assert _lines(judge("p", "u", [], [u], AS_OF, CATALOG, SCORING.veto, home=False))["columns_stale"] == "ok"


def test_unit_score_caps_overdue_and_grades():
    s = unit_score(
        [{"rule": "column.stale", "status": "open"}] * 3 + [{"rule": "column.stale", "status": "overdue"}]
    )
    assert s["deductions"][0] == {
        "rule": "column.stale",
        "count": 4,
        "overdue": 1,
        "points": 4.0,
        "cap": 30.0,
        "deducted": 18.0,
    }
    assert s["score"] == 82.0 and s["grade"] == "良好"
    assert unit_score([{"rule": "column.stale", "status": "open"}] * 20)["score"] == 70.0  # cap 30
    assert unit_score([])["grade"] == "优秀"


def _unit(unit: str, blank: list[str], newest=date(2026, 11, 20)) -> UnitObs:
    u = UnitObs("p", unit, "department", "http://127.0.0.1/xxgk/", "ok")
    for col in CATALOG.required_columns("department"):
        entries = (
            []
            if col.id in blank
            else [
                EntryObs(
                    f"{col.name}：2025年度工作报告及2025年年报", f"http://127.0.0.1/{col.id}/1.html", newest
                )
            ]
        )
        u.columns[col.id] = ColumnObs(col.id, "ok", url=f"http://127.0.0.1/{col.id}/", entries=entries)
    return u


def _night(store, units, day, run_no):
    with store.session() as s:
        run = Run(
            stage="crawl",
            as_of=day,
            started_at=__import__("datetime").datetime(2026, 1, 1),
            status="ok",
            counts={},
        )
        s.add(run)
        if s.get(Portal, "p") is None:
            s.add(Portal(id="p", name="p", home="http://127.0.0.1/"))
        s.flush()
        for u in units:
            if s.query(Unit).filter_by(portal_id=u.portal, unit_id=u.unit).first() is None:
                s.add(
                    Unit(
                        portal_id=u.portal, unit_id=u.unit, name=u.unit, profile=u.profile, entry=u.entry_url
                    )
                )
            s.add(
                Snapshot(
                    run_id=run.id,
                    portal_id=u.portal,
                    unit_id=u.unit,
                    target="entry",
                    url=u.entry_url,
                    status="ok",
                    fetched_at=run.started_at,
                )
            )
            for c in u.columns.values():
                s.add(
                    Snapshot(
                        run_id=run.id,
                        portal_id=u.portal,
                        unit_id=u.unit,
                        target=f"column:{c.column_id}",
                        column_id=c.column_id,
                        url=c.url,
                        status=c.status,
                        fetched_at=run.started_at,
                        newest=c.newest,
                        entries_count=len(c.entries),
                    )
                )
    drafts = check_units(units, CheckContext(day, CATALOG))
    with store.session() as s:
        reconcile(s, drafts, units, day, run_no, CATALOG)


def test_scores_from_history_and_review(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/s.db")
    five = ["ghjh", "rsxx", "czyjs", "zcjd", "jgzn"]
    d1, d2 = date(2026, 11, 23), date(2026, 11, 30)
    _night(store, [_unit("a", five), _unit("b", ["ghjh"])], d1, 1)
    with store.session() as s:
        first = {r["unit"]: r for r in unit_scores(s, d1, CATALOG)}
    assert first["a"]["veto"] and first["a"]["grade"] == "不合格" and first["a"]["score"] == 75.0
    assert first["b"]["grade"] == "优秀" and first["b"]["score"] == 95.0
    # Night 2: unit a fixes two columns; a reviewer dismisses b's finding as a false positive.
    _night(
        store,
        [_unit("a", five[:3], newest=date(2026, 11, 29)), _unit("b", ["ghjh"], newest=date(2026, 11, 29))],
        d2,
        2,
    )
    with store.session() as s:
        fid = next(f.finding.id for f in findings_at(s, d2) if f.unit == "b")
        review(s, str(fid), "false_positive", "张三", "该栏目合并至部门预决算", on=d2)
    with store.session() as s:
        second = {r["unit"]: r for r in unit_scores(s, d2, CATALOG)}
        again = {r["unit"]: r for r in unit_scores(s, d1, CATALOG)}
        cols = {(r["unit"], r["column"]): r for r in column_scores(s, d2, CATALOG)}
    assert not second["a"]["veto"] and second["a"]["score"] == 85.0 and second["a"]["warnings"]
    assert second["b"]["score"] == 100.0 and second["b"]["dismissed_findings"] == 1
    assert again == first  # day 1 is reproduced from history after night 2 and the review
    assert (
        cols[("b", "ghjh")]["score"] == 100 and cols[("b", "ghjh")]["dismissed"][0]["review"]["by"] == "张三"
    )
    a_col = cols[("a", "ghjh")]
    assert a_col["score"] == 0 and a_col["costs"] == [{"rule": "column.blank", "points": 100}]
    assert a_col["findings"][0]["evidence"]["entries"] == 0
    with store.session() as s:
        review(s, str(fid), "undo", "李四", None, on=d2)
    with store.session() as s:
        assert {r["unit"]: r for r in unit_scores(s, d2, CATALOG)}["b"]["score"] == 95.0
        f = s.get(Finding, fid)
        assert [e.event for e in f.events][-2:] == ["reviewed_fp", "review_undone"]


def test_warnings_name_only_what_is_approaching_each_under_its_kinds_line():
    """预警 means approaching: a 动态 column 11 days old (limit 14) under 栏目不更新, a 基本信息 column
    340 days old (limit 365) under the kind-agnostic line, never a 通知 column already 400 days old
    (a finding, past its limit) as 临近."""
    from datetime import timedelta

    from zwgk.rules.veto import judge

    ages = {"gzdt": 11, "jgzn": 340, "tzgg": 400}
    u = UnitObs("p", "u", "department", "http://127.0.0.1/xxgk/", "ok")
    for col in CATALOG.required_columns("department"):
        newest = AS_OF - timedelta(days=ages.get(col.id, 1))
        u.columns[col.id] = ColumnObs(
            col.id,
            "ok",
            url=f"http://127.0.0.1/{col.id}/",
            entries=[
                EntryObs(f"{col.name}：2025年度工作报告及2025年年报", f"http://127.0.0.1/{col.id}/1", newest)
            ],
        )
    drafts = check_units([u], CheckContext(AS_OF, CATALOG))
    assert [(d.rule, d.column) for d in drafts if d.rule == "column.stale"] == [("column.stale", "tzgg")]
    report = judge("p", "u", drafts, [u], AS_OF, CATALOG, SCORING.veto, home=False)
    near = {ln.line: [i["column"] for i in ln.items if i.get("near_limit")] for ln in report.lines}
    assert near["columns_stale"] == ["gzdt"] and near["long_stale"] == ["jgzn"]
    assert all("tzgg" not in cols for cols in near.values())
    assert {ln.line for ln in report.warnings} == {"columns_stale", "long_stale"}
