"""What the workspace shows and does, apart from HTTP: a unit's findings, one finding's file, the
supervisor's queue, and the actions — 整改反馈, 申请复查, 误报 claims and the supervisor's decisions.

The HTML pages and the JSON API both call these functions, so a number or a state is the same on
both (and the same as the reports': the rows come from the reports' own row builders and the
findings' history). Authorization is checked by the caller (zwgk/web/app.py) before any of this runs.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from zwgk.beijing import shown
from zwgk.config.catalog import Catalog
from zwgk.cycle import recheck as rechecks
from zwgk.cycle.records import STAGE_LABELS, STATUS_LABELS, utcnow
from zwgk.errors import BadInput
from zwgk.findings.checked import is_checked, unchecked_reason
from zwgk.findings.history import state_as_of
from zwgk.findings.numbers import finding_number, parse_finding_number
from zwgk.findings.observations import latest_crawl_run
from zwgk.findings.review import is_dismissed, review
from zwgk.findings.scores import unit_scores
from zwgk.reports import evidence as evidence_pages
from zwgk.reports.sheets import FINDING_STATUS
from zwgk.reports.views import (
    SnapshotIndex,
    column_name,
    daily_row,
    evidence_summary,
    recheck_run,
    recheck_runs,
    rectified_row,
    severity_label,
)
from zwgk.rules.registry import rule_titles
from zwgk.store.coverage import crawl_coverage, last_crawl
from zwgk.store.schema import Finding, Portal, Recheck, Run, Snapshot, Submission, Unit

KIND_LABEL = {"feedback": "整改反馈", "dispute": "误报复核申请"}
SUBMISSION_STATE = {"pending": "待审核", "accepted": "已采纳", "rejected": "未采纳"}
EVENT_LABEL = {
    "opened": "发现",
    "seen": "夜间复查仍存在",
    "rectified": "销号",
    "reopened": "再次出现",
    "overdue": "逾期",
    "escalated": "升级督办",
    "moved": "地址变更",
    "rechecked": "申请复查仍存在",
    "reviewed_fp": "复核为误报",
    "confirmed": "复核确认属实",
    "review_undone": "撤销复核",
}
RECENT_DAYS = 30  # 销号 shown on a unit's page


def find(session: Session, number: str) -> Finding | None:
    """A finding by its number (ZW-000123) or numeric id; None when there is none."""
    fid = parse_finding_number(number or "")
    return session.get(Finding, fid) if fid is not None else None


@dataclass
class FindingCard:
    number: str
    portal_id: str
    unit_id: str
    unit_name: str
    rule_title: str
    severity: str
    severity_label: str
    column_name: str
    message: str
    seen: list[str]
    url: str | None
    first_seen: str
    deadline: str
    status: str
    status_label: str
    rectified_on: str | None
    dismissed: bool
    review: str | None
    recheck: dict[str, Any] | None = None  # the latest recheck
    pending: list[str] = field(default_factory=list)  # kinds of submissions awaiting the supervisor

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def recheck_dict(rc: Recheck | None) -> dict[str, Any] | None:
    if rc is None:
        return None
    return {
        "id": rc.id,
        "state": rc.state,
        "label": rechecks.STATE_LABEL.get(rc.state, rc.state),
        "note": rc.note or "",
        "requested_by": rc.requested_by,
        "requested_at": shown(rc.requested_at),
        "finished_at": shown(rc.finished_at) if rc.finished_at else None,
        "waiting": rc.state in rechecks.WAITING,
    }


def card(session: Session, f: Finding, catalog: Catalog, as_of: date, titles: dict[str, str]) -> FindingCard:
    state = state_as_of(f, max(as_of, f.last_seen))
    unit = session.execute(
        select(Unit).where(Unit.portal_id == f.portal_id, Unit.unit_id == f.unit_id)
    ).scalar_one_or_none()
    last = session.execute(
        select(Recheck).where(Recheck.finding_id == f.id).order_by(Recheck.id.desc()).limit(1)
    ).scalar_one_or_none()
    pending = session.execute(
        select(Submission.kind).where(Submission.finding_id == f.id, Submission.state == "pending")
    ).scalars()
    status = state.status if state else f.status
    return FindingCard(
        number=finding_number(f.id),
        portal_id=f.portal_id,
        unit_id=f.unit_id,
        unit_name=unit.name if unit else f.unit_id,
        rule_title=titles.get(f.rule, f.rule),
        severity=f.severity,
        severity_label=severity_label(f.severity),
        column_name=column_name(catalog, f.column_id),
        message=f.message,
        seen=evidence_summary(f.evidence, f.message, f.rule),
        url=f.url,
        first_seen=f.first_seen.isoformat(),
        deadline=(state.deadline if state else f.deadline).isoformat(),
        status=status,
        status_label=FINDING_STATUS.get(status, status),
        rectified_on=f.rectified_on.isoformat() if status == "rectified" and f.rectified_on else None,
        dismissed=bool(state and state.dismissed),
        review=state.review.get("label") if state and state.review else None,
        recheck=recheck_dict(last),
        pending=[KIND_LABEL[k] for k in pending],
    )


def unit_findings(
    session: Session, portal_id: str, unit_id: str, catalog: Catalog, as_of: date, recent: bool = True
) -> list[FindingCard]:
    """The unit's open findings (most urgent first), then its 销号 of the last RECENT_DAYS days."""
    titles = rule_titles()
    since = as_of - timedelta(days=RECENT_DAYS)
    rows = session.execute(
        select(Finding).where(Finding.portal_id == portal_id, Finding.unit_id == unit_id)
    ).scalars()
    cards = []
    for f in rows:
        if f.status in ("open", "overdue") or (recent and f.rectified_on and f.rectified_on >= since):
            cards.append(card(session, f, catalog, as_of, titles))
    order = {"overdue": 0, "open": 1, "rectified": 2}
    cards.sort(key=lambda c: (c.dismissed, order.get(c.status, 3), c.deadline, c.number))
    return cards


def unit_summary(
    session: Session, portal_id: str, unit_id: str, catalog: Catalog, as_of: date
) -> dict[str, Any]:
    """Name, last night's entry status (checked or 未能检查 and why) and score of one unit."""
    unit = session.execute(
        select(Unit).where(Unit.portal_id == portal_id, Unit.unit_id == unit_id)
    ).scalar_one_or_none()
    portal = session.get(Portal, portal_id)
    crawl = latest_crawl_run(session, as_of)
    status = None
    if crawl is not None:
        status = session.execute(
            select(Snapshot.status).where(
                Snapshot.run_id == crawl.id,
                Snapshot.portal_id == portal_id,
                Snapshot.unit_id == unit_id,
                Snapshot.target == "entry",
            )
        ).scalar_one_or_none()
    score = next(
        (r for r in unit_scores(session, as_of, catalog) if (r["portal"], r["unit"]) == (portal_id, unit_id)),
        None,
    )
    return {
        "portal_id": portal_id,
        "unit_id": unit_id,
        "name": unit.name if unit else unit_id,
        "portal_name": portal.name if portal else portal_id,
        "entry": unit.entry if unit else None,
        "checked": is_checked(status),
        "unchecked_reason": None if is_checked(status) else unchecked_reason(status),
        "crawl_date": crawl.as_of.isoformat() if crawl else None,
        "score": score.get("score") if score else None,
        "grade": score.get("grade") if score else None,
        # what the score counts: open findings, not those a review found to be 误报
        "open_findings": score.get("open_findings") if score else None,
        "dismissed_findings": score.get("dismissed_findings") if score else None,
    }


def history(f: Finding) -> list[dict[str, str]]:
    out = []
    for e in sorted(f.events, key=lambda e: (e.on, e.id or 0)):
        note = e.note or ""
        if e.event in ("reviewed_fp", "confirmed", "review_undone"):
            try:
                data = json.loads(note)
                note = f"{data.get('by') or ''}：{data.get('why') or ''}".strip("：")
            except ValueError:
                pass
        out.append({"on": e.on.isoformat(), "event": EVENT_LABEL.get(e.event, e.event), "note": note})
    return out


def submission_dict(s: Submission) -> dict[str, Any]:
    return {
        "id": s.id,
        "finding": finding_number(s.finding_id),
        "portal_id": s.portal_id,
        "unit_id": s.unit_id,
        "kind": s.kind,
        "kind_label": KIND_LABEL.get(s.kind, s.kind),
        "text": s.text,
        "file_name": s.file_name,
        "file_size": s.file_size,
        "by": s.by,
        "at": shown(s.at),
        "state": s.state,
        "state_label": SUBMISSION_STATE.get(s.state, s.state),
        "decided_by": s.decided_by,
        "decided_at": shown(s.decided_at) if s.decided_at else None,
        "decision_note": s.decision_note,
    }


def submissions_of(session: Session, finding: Finding) -> list[Submission]:
    return list(
        session.execute(
            select(Submission).where(Submission.finding_id == finding.id).order_by(Submission.id)
        ).scalars()
    )


def rechecks_of(session: Session, finding: Finding) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Recheck).where(Recheck.finding_id == finding.id).order_by(Recheck.id.desc())
    ).scalars()
    return [d for d in (recheck_dict(r) for r in rows) if d]


def submit(
    session: Session,
    finding: Finding,
    kind: str,
    text: str,
    by: str,
    file: tuple[str, str, int, str] | None = None,  # (name, key, size, type)
) -> Submission:
    """A unit's 整改反馈 (kind 'feedback') or 误报 claim ('dispute') about one finding."""
    text = (text or "").strip()
    if kind not in KIND_LABEL:
        raise BadInput("未知的提交类型")
    if not text:
        raise BadInput("请填写整改情况说明" if kind == "feedback" else "请填写误报理由")
    if len(text) > 4000:
        raise BadInput("说明不超过 4000 字")
    if kind == "dispute" and finding.status not in ("open", "overdue"):
        raise BadInput("该问题已销号，无需申请误报复核")
    row = Submission(
        finding_id=finding.id,
        portal_id=finding.portal_id,
        unit_id=finding.unit_id,
        kind=kind,
        text=text,
        by=by,
        at=utcnow(),
        state="pending",
    )
    if file is not None:
        row.file_name, row.file_key, row.file_size, row.file_type = file
    session.add(row)
    session.flush()
    return row


class AlreadyDecided(BadInput):
    """The submission was decided before (another supervisor, a second click)."""


def decide(
    session: Session, sub: Submission, accept: bool, by: str, note: str, on: date, per_hour: int
) -> dict[str, Any]:
    """The supervisor's decision. Accepting a 误报 claim records the review (the finding stops
    counting in scores, veto lines and escalation); accepting 整改反馈 queues a recheck — the 销号
    itself always rests on what the crawler sees."""
    if sub.state != "pending":
        raise AlreadyDecided("该申请已处理")
    note = (note or "").strip()
    if not accept and not note:
        raise BadInput("不予采纳时请说明理由")
    finding = session.get(Finding, sub.finding_id)
    out: dict[str, Any] = {}
    if accept and sub.kind == "dispute":
        review(session, finding_number(finding.id), "false_positive", by, note or sub.text, on)
    if accept and sub.kind == "feedback" and finding.status in ("open", "overdue"):
        out["recheck"] = rechecks.request(session, finding, by, per_hour=per_hour).id
    sub.state = "accepted" if accept else "rejected"
    sub.decided_by, sub.decided_at, sub.decision_note = by, utcnow(), note or None
    return out


def queue(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Submission).where(Submission.state == "pending").order_by(Submission.id)
    ).scalars()
    out = []
    for s in rows:
        d = submission_dict(s)
        unit = session.execute(
            select(Unit).where(Unit.portal_id == s.portal_id, Unit.unit_id == s.unit_id)
        ).scalar_one_or_none()
        d["unit_name"] = unit.name if unit else s.unit_id
        f = session.get(Finding, s.finding_id)
        d["finding_status"] = FINDING_STATUS.get(f.status, f.status) if f else ""
        d["finding_message"] = f.message if f else ""
        out.append(d)
    return out


def decided(session: Session, limit: int = 50) -> list[dict[str, Any]]:
    rows = session.execute(
        select(Submission)
        .where(Submission.state != "pending")
        .order_by(Submission.decided_at.desc())
        .limit(limit)
    ).scalars()
    return [submission_dict(s) for s in rows]


def run_status(session: Session) -> list[dict[str, Any]]:
    """The latest runs of each stage, newest first (crawl, check, report, recheck)."""
    rows = session.execute(select(Run).order_by(Run.id.desc()).limit(12)).scalars()
    return [
        {
            "id": r.id,
            "stage": STAGE_LABELS.get(r.stage, r.stage),
            "as_of": r.as_of.isoformat(),
            "started": shown(r.started_at),
            "finished": shown(r.finished_at) if r.finished_at else "",
            "status": STATUS_LABELS.get(r.status, r.status),
            "error": (r.error or "").splitlines()[0][:200] if r.error else "",
        }
        for r in rows
    ]


def coverage(session: Session) -> dict[str, Any] | None:
    """The last nightly crawl: when, how it ended, and how many units and portals it reached."""
    crawl = last_crawl(session)
    if crawl is None:
        return None
    return {
        "as_of": crawl.as_of.isoformat(),
        "status": STATUS_LABELS.get(crawl.status, crawl.status),
        **crawl_coverage(session, crawl.id),
    }


def units_overview(session: Session, catalog: Catalog, as_of: date) -> list[dict[str, Any]]:
    """Every unit with its open count, last night's status (未能检查 and why) and score."""
    crawl = latest_crawl_run(session, as_of)
    entry: dict[tuple[str, str], str] = {}
    if crawl is not None:
        for portal_id, unit_id, status in session.execute(
            select(Snapshot.portal_id, Snapshot.unit_id, Snapshot.status).where(
                Snapshot.run_id == crawl.id, Snapshot.target == "entry"
            )
        ):
            entry[(portal_id, unit_id)] = status
    scores = {(r["portal"], r["unit"]): r for r in unit_scores(session, as_of, catalog)}
    # counted as the unit page and the score count them: open and not reviewed as 误报
    open_counts: dict[tuple[str, str], int] = {}
    for f in session.execute(
        select(Finding).where(Finding.status.in_(("open", "overdue"))).options(selectinload(Finding.events))
    ).scalars():
        if not is_dismissed(f):
            open_counts[(f.portal_id, f.unit_id)] = open_counts.get((f.portal_id, f.unit_id), 0) + 1
    portals = {p.id: p.name for p in session.execute(select(Portal)).scalars()}
    out = []
    for u in session.execute(select(Unit).order_by(Unit.portal_id, Unit.unit_id)).scalars():
        key = (u.portal_id, u.unit_id)
        status = entry.get(key)
        score = scores.get(key) or {}
        out.append(
            {
                "portal_id": u.portal_id,
                "unit_id": u.unit_id,
                "portal_name": portals.get(u.portal_id, u.portal_id),
                "name": u.name,
                "open": open_counts.get(key, 0),
                "checked": is_checked(status),
                "unchecked_reason": None if is_checked(status) else unchecked_reason(status),
                "score": score.get("score"),
                "grade": score.get("grade"),
            }
        )
    return out


def evidence_html(session: Session, finding: Finding, catalog: Catalog, as_of: date) -> str:
    """The finding's evidence page, built now from the store: before/after for a 销号 (the recheck's
    page when it was closed on request), else the stored page that shows it."""
    titles = rule_titles()
    state = state_as_of(finding, max(as_of, finding.last_seen))
    if state is None:
        raise BadInput("该问题尚无记录")
    crawl = latest_crawl_run(session, as_of)
    index = SnapshotIndex(session, crawl.id if crawl else None)
    portals = {p.id: p for p in session.execute(select(Portal)).scalars()}
    units = {(u.portal_id, u.unit_id): u for u in session.execute(select(Unit)).scalars()}
    if state.status == "rectified" and state.rectified_on:
        after = recheck_run(finding, recheck_runs(session))
        row = rectified_row(state, index, catalog, titles, portals, units, after)
        return evidence_pages.rectified_html(session, row, nav_root="/")
    last = session.execute(
        select(Recheck.run_id)
        .where(Recheck.finding_id == finding.id, Recheck.state == "present")
        .order_by(Recheck.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    runs = [r for r in (last, index.seen_run(finding), index.latest) if r is not None]
    drow = daily_row(state, index, catalog, titles, portals, units, as_of, runs=list(dict.fromkeys(runs)))
    return evidence_pages.finding_html(session, drow, as_of, nav_root="/")
