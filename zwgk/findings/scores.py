"""Scores for any as-of date, recomputed from stored history (月考核 needs last month's, not today's).

What a score on date D reads:
- findings open on D: first seen on or before D and, replaying their FindingEvent history up to
  D, not rectified by then (open or overdue on D) — later runs never change D's score;
- reviews on or before D: a finding reviewed as a false positive (误报) by D does not count (it is
  still listed, under `dismissed`); a review undone by D counts again;
- the latest finished crawl on or before D: which units and columns exist, their newest dates
  (early warnings, the home-page line);
- the crawl runs of the veto window before D: how often a page could not be reached.

Pure functions do the judging (zwgk/rules/scoring.py, zwgk/rules/veto.py); this module only reads.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.orm import Session, selectinload

from zwgk.beijing import iso as beijing_iso
from zwgk.config.catalog import Catalog
from zwgk.config.workdays import calendar_coverage
from zwgk.findings.checked import is_checked, unchecked_reason
from zwgk.findings.history import OPEN, FindingState, state_as_of
from zwgk.findings.observations import latest_crawl_run, unit_observations
from zwgk.rules.model import UnitObs
from zwgk.rules.scoring import Scoring, column_score, load_scoring, scoring_sha, unit_score
from zwgk.rules.veto import Availability, VetoReport, judge
from zwgk.store.schema import Finding, FindingEvent, Probe, Run, ScoreSnapshot, Snapshot, Unit


def could_be_open(as_of: date) -> ColumnElement[bool]:
    """SQL filter: the findings that may have been open on `as_of` — first seen by then and either
    open now, or rectified after it, or changed after it (any event later than `as_of`).

    A finding rectified on or before `as_of` with no later event was rectified on `as_of` too, so
    it is never loaded: the cost of a score grows with new data, not with total history (as the
    report context windows its queries, zwgk/reports/context.py).
    """
    later = select(FindingEvent.finding_id).where(FindingEvent.on > as_of)
    return and_(
        Finding.first_seen <= as_of,
        or_(Finding.status.in_(OPEN), Finding.rectified_on > as_of, Finding.id.in_(later)),
    )


def findings_at(session: Session, as_of: date) -> list[FindingState]:
    """Every finding open on `as_of` (open or overdue), with its review state on that date."""
    rows = (
        session.execute(select(Finding).where(could_be_open(as_of)).options(selectinload(Finding.events)))
        .scalars()
        .all()
    )
    out = [s for f in rows if (s := state_as_of(f, as_of)) is not None and s.is_open]
    out.sort(
        key=lambda x: (
            x.finding.portal_id,
            x.finding.unit_id,
            x.finding.rule,
            x.finding.column_id or "",
            x.finding.url or "",
            x.finding.id,
        )
    )
    return out


def _availability(
    session: Session, as_of: date, window: int, probe_window: int = 7
) -> dict[tuple[str, str, str], Availability]:
    """(portal, unit, 'home'|'entry') → checks and failures of the page.

    A page with availability probes in the `probe_window` Beijing days ending on `as_of` is judged
    as the national check judges it: over those days, every probe and every nightly fetch of the
    page one visit. Otherwise the nightly fetches of the crawls of (as_of − window, as_of] are the
    visits (a longer window: one visit a day)."""
    out: dict[tuple[str, str, str], Availability] = {}
    start = as_of - timedelta(days=probe_window - 1)
    since = datetime.combine(start, datetime.min.time()) - timedelta(hours=8)  # Beijing midnight, as UTC
    until = datetime.combine(as_of + timedelta(days=1), datetime.min.time()) - timedelta(hours=8)
    probes = session.execute(
        select(Probe.portal_id, Probe.unit_id, Probe.target, Probe.ok, Probe.at, Probe.error)
        .where(Probe.at >= since, Probe.at < until)
        .order_by(Probe.at)
    ).all()
    for portal, unit, target, ok, at, error in probes:
        a = out.setdefault((portal, unit, target), Availability(0, 0, probe_window, source="probes"))
        a.checks += 1
        if not ok:
            a.failures += 1
            a.failed.append({"at": beijing_iso(at.replace(tzinfo=UTC)), "error": error})
    for portal, unit, target, status, run_as_of in _nightly_fetches(session, as_of, window):
        known = out.get((portal, unit, target))
        if known is not None and known.source == "probes" and run_as_of < start:
            continue  # outside the probes' week
        a = known or out.setdefault((portal, unit, target), Availability(0, 0, window))
        a.checks += 1
        a.failures += status == "unreachable"
    return out


def _nightly_fetches(session: Session, as_of: date, window: int) -> list:
    """(portal, unit, target, status, as_of) of the home and entry fetches of the window's crawls."""
    runs = {
        r.id: r.as_of
        for r in session.execute(
            select(Run).where(
                Run.stage == "crawl",
                Run.as_of <= as_of,
                Run.as_of > as_of - timedelta(days=window),
                Run.status.in_(("ok", "partial")),
            )
        ).scalars()
    }
    if not runs:
        return []
    rows = session.execute(
        select(Snapshot.portal_id, Snapshot.unit_id, Snapshot.target, Snapshot.status, Snapshot.run_id).where(
            Snapshot.run_id.in_(runs), Snapshot.target.in_(("home", "entry"))
        )
    ).all()
    return [(p, u, t, status, runs[run]) for p, u, t, status, run in rows]


def _home_newest(session: Session, run_id: int) -> dict[str, tuple[date | None, str]]:
    """portal → (newest date seen on its home, basis). The home snapshot's own newest date when
    the crawler extracted one; otherwise the newest dated entry of any column read on the portal
    (a home page showing nothing newer than its columns is the usual case)."""
    out: dict[str, tuple[date | None, str]] = {}
    rows = session.execute(
        select(Snapshot.portal_id, Snapshot.target, Snapshot.status, Snapshot.newest).where(
            Snapshot.run_id == run_id
        )
    ).all()
    for portal, target, _status, newest in rows:
        if target == "home" and newest is not None:
            out[portal] = (newest, "home")
    for portal, target, status, newest in rows:
        if portal in out and out[portal][1] == "home":
            continue
        if target.startswith("column:") and status in ("ok", "truncated") and newest is not None:
            prev = out.get(portal, (None, "columns"))[0]
            out[portal] = (max(newest, prev) if prev else newest, "columns")
    return out


@dataclass
class _Context:
    run: Run
    units: list[UnitObs]
    names: dict[tuple[str, str], str]
    findings: list[FindingState]
    availability: dict[tuple[str, str, str], Availability]
    home: dict[str, tuple[date | None, str]]


def _context(session: Session, as_of: date, scoring: Scoring) -> _Context | None:
    run = latest_crawl_run(session, as_of)
    if run is None:
        return None
    spec = scoring.veto.get("unreachable") or {}
    window, probe_window = int(spec.get("window_days", 30)), int(spec.get("probe_window_days", 7))
    names = {(u.portal_id, u.unit_id): u.name for u in session.execute(select(Unit)).scalars()}
    return _Context(
        run,
        unit_observations(session, run.id),
        names,
        findings_at(session, as_of),
        _availability(session, as_of, window, probe_window),
        _home_newest(session, run.id),
    )


def _unit_veto(
    ctx: _Context, obs: UnitObs, counted: list[FindingState], as_of: date, catalog: Catalog, scoring: Scoring
) -> VetoReport:
    government = obs.profile == "government"
    target = "home" if government and (obs.portal, obs.unit, "home") in ctx.availability else "entry"
    home_newest = ctx.home.get(obs.portal, (None, ""))[0] if government else None
    return judge(
        obs.portal,
        obs.unit,
        counted,
        [obs],
        as_of,
        catalog,
        scoring.veto,
        home_newest=home_newest,
        availability=ctx.availability.get((obs.portal, obs.unit, target)),
        home=government,
    )


def unit_scores(
    session: Session, as_of: date, catalog: Catalog, scoring: Scoring | None = None, recompute: bool = False
) -> list[dict]:
    """Each unit of the latest crawl by `as_of`: score 0–100, grade, veto lines, warnings, deductions.

    A closed month's end frozen by `freeze_month_scores` returns the frozen rows (what the published
    assessment said, whatever scoring file is in use now) unless `recompute`.
    """
    if not recompute:
        frozen = frozen_scores(session, as_of)
        if frozen is not None:
            return frozen
    scoring = scoring or load_scoring()
    sha = scoring_sha(scoring)
    ctx = _context(session, as_of, scoring)
    if ctx is None:
        return []
    coverage = calendar_coverage(as_of.year, catalog.calendar)
    out: list[dict] = []
    for obs in ctx.units:
        mine = [f for f in ctx.findings if (f.finding.portal_id, f.finding.unit_id) == (obs.portal, obs.unit)]
        counted = [f for f in mine if f.counted]
        checked = is_checked(obs.entry_status)
        if checked:
            report = _unit_veto(ctx, obs, counted, as_of, catalog, scoring)
            score = unit_score(counted, scoring, veto=report.veto)
            verdict = {
                "score": score["score"],
                "grade": score["grade"],
                "veto": report.veto,
                "veto_lines": [r.as_dict() for r in report.hits],
                "warnings": [r.as_dict() for r in report.warnings],
                "deductions": score["deductions"],
            }
        else:
            # Not seen tonight: not assessed — no score, no grade, in no 不合格 count. The 站点无法访问
            # line is still judged over the period's checks (the standard's rate, once there are
            # enough of them) and reported with the unit, as the reason it could not be assessed.
            report = _unit_veto(ctx, obs, counted, as_of, catalog, scoring)
            lines = [r for r in report.lines if r.line == "unreachable"]
            verdict = {
                "score": None,
                "grade": None,
                "veto": False,
                "veto_lines": [r.as_dict() for r in lines if r.level == "veto"],
                "warnings": [r.as_dict() for r in lines if r.level == "warning"],
                "deductions": [],
            }
        out.append(
            {
                "portal": obs.portal,
                "unit": obs.unit,
                "name": ctx.names.get((obs.portal, obs.unit)),
                "profile": obs.profile,
                "as_of": as_of.isoformat(),
                "crawl_run_id": ctx.run.id,
                **verdict,
                "checked": checked,
                "unchecked_reason": None if checked else unchecked_reason(obs.entry_status),
                "open_findings": len(counted),
                "overdue_findings": sum(f.status == "overdue" for f in counted),
                "dismissed_findings": len(mine) - len(counted),
                "calendar": coverage,
                "scoring_sha": sha,
                "scoring_version": scoring.version,
                "frozen_at": None,
            }
        )
    return out


def frozen_scores(session: Session, as_of: date) -> list[dict] | None:
    """The unit scores frozen for `as_of` (a closed month's end), or None when none were."""
    rows = (
        session.execute(select(ScoreSnapshot).where(ScoreSnapshot.as_of == as_of).order_by(ScoreSnapshot.id))
        .scalars()
        .all()
    )
    if not rows:
        return None
    return [
        {
            **r.data,
            "score": r.score,
            "grade": r.grade,
            "veto": r.veto,
            "scoring_sha": r.scoring_sha,
            "scoring_version": r.scoring_version,
            "frozen_at": beijing_iso(r.computed_at),
        }
        for r in rows
    ]


def freeze_month_scores(
    session: Session, month_end: date, catalog: Catalog, scoring: Scoring | None = None
) -> list[dict]:
    """Freeze the unit scores of a closed month's end (月考核) into `score_snapshots`, with the
    scoring file's sha256 and version, so that a published month keeps its numbers when scoring.yml
    later changes. Idempotent: a month already frozen is returned as it was, never recomputed."""
    existing = frozen_scores(session, month_end)
    if existing is not None:
        return existing
    scoring = scoring or load_scoring()
    rows = unit_scores(session, month_end, catalog, scoring, recompute=True)
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    for row in rows:
        data = json.loads(json.dumps(row, ensure_ascii=False, default=str))
        session.add(
            ScoreSnapshot(
                as_of=month_end,
                portal_id=row["portal"],
                unit_id=row["unit"],
                score=None if row["score"] is None else float(row["score"]),
                grade=row["grade"],
                veto=bool(row["veto"]),
                scoring_sha=row["scoring_sha"],
                scoring_version=row["scoring_version"],
                computed_at=now,
                data=data,
            )
        )
    session.flush()
    return frozen_scores(session, month_end) or []


def column_scores(
    session: Session, as_of: date, catalog: Catalog, scoring: Scoring | None = None
) -> list[dict]:
    """Each required column of each unit: score 0–100, the rules that cost points, and the findings
    (message, url, evidence, status, review) behind them — what a department reads per column."""
    scoring = scoring or load_scoring()
    ctx = _context(session, as_of, scoring)
    if ctx is None:
        return []
    by_col: dict[tuple[str, str, str], list[FindingState]] = {}
    for f in ctx.findings:
        if f.finding.column_id:
            by_col.setdefault((f.finding.portal_id, f.finding.unit_id, f.finding.column_id), []).append(f)
    out: list[dict] = []
    for obs in ctx.units:
        for col in catalog.required_columns(obs.profile):
            items = by_col.get((obs.portal, obs.unit, col.id), [])
            counted = [f for f in items if f.counted]
            rules = sorted({f.rule for f in counted})
            seen = obs.columns.get(col.id)
            checked = is_checked(obs.entry_status) and seen is not None and seen.known
            out.append(
                {
                    "portal": obs.portal,
                    "unit": obs.unit,
                    "column": col.id,
                    "name": col.name,
                    "url": seen.url if seen else None,
                    "status": seen.status if seen else None,
                    "as_of": as_of.isoformat(),
                    "score": column_score(rules, scoring) if checked else None,
                    "checked": checked,
                    "costs": [{"rule": r, "points": min(scoring.points(r), scoring.start)} for r in rules],
                    "findings": [f.as_dict() for f in counted],
                    "dismissed": [f.as_dict() for f in items if not f.counted],
                }
            )
    return out


def portal_vetoes(
    session: Session, as_of: date, catalog: Catalog, scoring: Scoring | None = None
) -> list[dict]:
    """Veto lines and early warnings of each portal as a whole (all its units' columns together)."""
    scoring = scoring or load_scoring()
    ctx = _context(session, as_of, scoring)
    if ctx is None:
        return []
    out = []
    for portal in sorted({u.portal for u in ctx.units}):
        units = [u for u in ctx.units if u.portal == portal]
        counted = [f for f in ctx.findings if f.finding.portal_id == portal and f.counted]
        gov = next((u for u in units if u.profile == "government"), None)
        avail = ctx.availability.get((portal, gov.unit, "home")) if gov else None
        report = judge(
            portal,
            None,
            counted,
            units,
            as_of,
            catalog,
            scoring.veto,
            home_newest=ctx.home.get(portal, (None, ""))[0],
            availability=avail,
        )
        out.append(
            {
                **report.as_dict(),
                "as_of": as_of.isoformat(),
                "home_basis": ctx.home.get(portal, (None, None))[1],
            }
        )
    return out
