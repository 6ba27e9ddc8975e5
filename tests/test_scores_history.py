"""Score reads on a date load only the findings that could be open then (cost grows with new data,
not total history), and a closed month's frozen scores keep their numbers."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import event, func, select
from sqlalchemy.orm import selectinload

from tests.reports_fixtures import Builder
from tests.rules.test_veto_scores import _night, _unit
from zwgk.config.catalog import load_catalog
from zwgk.cycle import stages
from zwgk.findings.history import status_as_of
from zwgk.findings.scores import findings_at, freeze_month_scores, frozen_scores, unit_scores
from zwgk.rules.scoring import load_scoring
from zwgk.store.db import Store
from zwgk.store.schema import Finding, Run, ScoreSnapshot

CATALOG = load_catalog()
D1, D2 = date(2026, 11, 23), date(2026, 11, 30)


class _Loaded:
    """Counts Finding rows materialised from the database (SQLAlchemy instance 'load' events)."""

    def __init__(self):
        self.n = 0

    def __call__(self, target, context):
        self.n += 1

    def __enter__(self):
        event.listen(Finding, "load", self)
        return self

    def __exit__(self, *exc):
        event.remove(Finding, "load", self)


def _brute_force(s, as_of):
    """What findings_at must return: every finding replayed, whatever its history."""
    rows = s.execute(select(Finding).options(selectinload(Finding.events))).scalars().all()
    return sorted(f.id for f in rows if status_as_of(f, as_of) in ("open", "overdue"))


def test_long_rectified_findings_are_not_loaded_and_change_nothing(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/h.db")
    five = ["ghjh", "rsxx", "czyjs", "zcjd", "jgzn"]
    _night(store, [_unit("a", five), _unit("b", ["ghjh"])], D1, 1)
    _night(
        store,
        [_unit("a", five[:3], newest=date(2026, 11, 29)), _unit("b", ["ghjh"], newest=date(2026, 11, 29))],
        D2,
        2,
    )
    with store.session() as s:
        before = {d: unit_scores(s, d, CATALOG) for d in (D1, D2)}
    with store.session() as s, _Loaded() as loaded:
        assert len(findings_at(s, D2)) == 4  # a: three blank columns; b: one
        baseline = loaded.n
    # Years of history: 300 findings of units a and b, each opened and rectified long ago.
    with store.session() as s:
        b = Builder(s, CATALOG)
        start = date(2024, 1, 1)
        for i in range(300):
            on = start + timedelta(days=2 * i)
            b.finding(
                "column.stale",
                "major",
                "p",
                "ab"[i % 2],
                "gzdt",
                f"http://127.0.0.1/old/{i}",
                "旧问题",
                events=[
                    ("opened", on),
                    ("seen", on + timedelta(days=1)),
                    ("rectified", on + timedelta(days=3)),
                ],
            )
        # Controls that must be read: rectified after D1 (open on D1), and rectified before D2 but
        # reopened after it (rectified on D2, open later).
        late = b.finding(
            "column.stale",
            "major",
            "p",
            "a",
            "tzgg",
            "http://127.0.0.1/late",
            "近期问题",
            events=[("opened", date(2026, 11, 20)), ("rectified", date(2026, 11, 25))],
        )
        again = b.finding(
            "column.stale",
            "major",
            "p",
            "b",
            "tzgg",
            "http://127.0.0.1/again",
            "反复问题",
            events=[
                ("opened", date(2026, 11, 1)),
                ("rectified", date(2026, 11, 10)),
                ("reopened", date(2026, 12, 3)),
            ],
        )
        late_id, again_id = late.id, again.id
    with store.session() as s, _Loaded() as loaded:
        at_d2 = findings_at(s, D2)
        assert loaded.n - baseline == 1  # `again` only (events after D2): none of the 300, not `late`
    with store.session() as s, _Loaded() as loaded:
        at_d1 = findings_at(s, D1)
        assert loaded.n <= 5 + 1 + 2  # D1's open findings, `late`, `again` — never the old ones
    with store.session() as s:
        assert sorted(f.finding.id for f in at_d2) == _brute_force(s, D2)
        assert sorted(f.finding.id for f in at_d1) == _brute_force(s, D1)
        assert late_id in {f.finding.id for f in at_d1} and again_id not in {f.finding.id for f in at_d2}
        # Same scores as before, except `late` (open on D1, a stale 通知公告 of unit a) on D1.
        after = {d: unit_scores(s, d, CATALOG) for d in (D1, D2)}
    assert after[D2] == before[D2]
    a1_before = next(u for u in before[D1] if u["unit"] == "a")
    a1_after = next(u for u in after[D1] if u["unit"] == "a")
    assert a1_after["open_findings"] == a1_before["open_findings"] + 1
    assert [u for u in after[D1] if u["unit"] == "b"] == [u for u in before[D1] if u["unit"] == "b"]


def test_closed_month_scores_are_frozen_by_the_check_of_the_first(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/m.db")
    five = ["ghjh", "rsxx", "czyjs", "zcjd", "jgzn"]
    month_end, first = date(2026, 11, 30), date(2026, 12, 1)
    _night(store, [_unit("a", five), _unit("b", ["ghjh"])], D1, 1)
    _night(
        store,
        [_unit("a", five[:3], newest=date(2026, 11, 29)), _unit("b", ["ghjh"], newest=date(2026, 11, 29))],
        month_end,
        2,
    )
    base = load_scoring()
    stages.check(store, month_end, CATALOG)  # not the 1st: nothing frozen
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(ScoreSnapshot)) == 0
        computed = unit_scores(s, month_end, CATALOG)
        assert frozen_scores(s, month_end) is None and all(r["frozen_at"] is None for r in computed)
    stages.check(store, first, CATALOG)  # the 1st: November is closed and frozen
    with store.session() as s:
        run = s.execute(select(Run).where(Run.stage == "check", Run.as_of == first)).scalar_one()
        assert run.status == "ok" and run.counts["frozen_scores"] == 2
        rows = s.execute(select(ScoreSnapshot).order_by(ScoreSnapshot.unit_id)).scalars().all()
        assert [(r.as_of, r.portal_id, r.unit_id) for r in rows] == [
            (month_end, "p", "a"),
            (month_end, "p", "b"),
        ]
        assert all(
            r.scoring_sha == base.sha256 and len(r.scoring_sha) == 64 and r.scoring_version == 1 for r in rows
        )
        assert [(r.score, r.grade, r.veto) for r in rows] == [
            (c["score"], c["grade"], c["veto"]) for c in computed
        ]
        frozen = unit_scores(s, month_end, CATALOG)
    strip = lambda rows: [{k: v for k, v in r.items() if k != "frozen_at"} for r in rows]  # noqa: E731
    assert strip(frozen) == strip(computed) and all(r["frozen_at"] for r in frozen)

    # scoring.yml changes later: the published month keeps its numbers; recompute shows the new ones.
    changed = tmp_path / "scoring.yml"
    changed.write_text(
        "version: 2\ndeductions: {}\nunit:\n  start: 100\n  rules:\n"
        "    column.blank: {points: 10, cap: 50}\n",
        encoding="utf-8",
    )
    harsher = load_scoring(changed)
    assert harsher.version == 2 and harsher.sha256 != base.sha256
    with store.session() as s:
        assert strip(unit_scores(s, month_end, CATALOG, harsher)) == strip(computed)
        again = {r["unit"]: r for r in unit_scores(s, month_end, CATALOG, harsher, recompute=True)}
        was = {r["unit"]: r for r in computed}
        assert again["a"]["score"] < was["a"]["score"] and again["a"]["scoring_sha"] == harsher.sha256
        assert again["a"]["scoring_version"] == 2 and again["a"]["frozen_at"] is None
        # Freezing again (a re-run check of the 1st) never rewrites a frozen month.
        assert strip(freeze_month_scores(s, month_end, CATALOG, harsher)) == strip(computed)
        assert s.scalar(select(func.count()).select_from(ScoreSnapshot)) == 2
        # Other dates are computed as before.
        assert unit_scores(s, D1, CATALOG, harsher)[0]["frozen_at"] is None
