"""A finding on a date: its status, last sighting, deadline and review, replayed from its history.

The one reading of the event log that scores, exports, reports and notifications share, so
that a number shown on one surface is the number every other surface recomputes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from zwgk.findings.numbers import finding_number
from zwgk.findings.review import review_state
from zwgk.rules.model import Severity
from zwgk.store.schema import Finding

OPEN = ("open", "overdue")


def severity_rank(severity: str) -> int:
    try:
        return Severity(severity).rank
    except ValueError:
        return 9


@dataclass
class FindingState:
    """One finding as it stood on an as-of date (status, last seen and deadline from its history)."""

    finding: Finding
    status: str  # open | rectified | overdue
    last_seen: date
    deadline: date
    rectified_on: date | None
    episode_start: date  # when the current open episode began (first seen, or reopened)
    review: dict[str, Any] | None = None  # human review on the as-of date (zwgk/findings/review.py)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def dismissed(self) -> bool:
        """Reviewed as a false positive (误报) by the as-of date: listed, never counted."""
        return bool(self.review and self.review.get("state") == "false_positive")

    @property
    def counted(self) -> bool:
        """Open and not dismissed: what open counts, named lists, rankings and scores read."""
        return self.is_open and not self.dismissed

    @property
    def number(self) -> str:
        """The finding's number (ZW-000123), as every report, spreadsheet and message shows it."""
        return finding_number(self.finding.id)

    # What scoring reads of a finding (rules/scoring.py takes these or mappings with the same keys).
    @property
    def rule(self) -> str:
        return self.finding.rule

    @property
    def column(self) -> str | None:
        return self.finding.column_id

    @property
    def unit(self) -> str:
        return self.finding.unit_id

    @property
    def url(self) -> str | None:
        return self.finding.url

    @property
    def message(self) -> str:
        return self.finding.message

    def as_dict(self) -> dict[str, Any]:
        """The finding as a score's evidence lists it (zwgk scores --json, frozen month scores)."""
        f = self.finding
        return {
            "id": f.id,
            "fingerprint": f.fingerprint,
            "rule": f.rule,
            "severity": f.severity,
            "column": f.column_id,
            "url": f.url,
            "message": f.message,
            "evidence": dict(f.evidence or {}),
            "status": self.status,
            "first_seen": f.first_seen.isoformat(),
            "review": self.review,
        }


def state_as_of(finding: Finding, as_of: date) -> FindingState | None:
    """The finding's state on `as_of`, or None when it was first seen later.

    On or after the date of its latest event the stored row is the truth. Earlier dates are
    replayed from the event log (opened, seen, overdue, rectified, reopened). A reopened finding
    gets a new deadline; for an earlier episode the deadline is placed at the same distance from
    that episode's start as the current deadline is from the current episode's start.
    """
    if finding.first_seen > as_of:
        return None
    events = sorted(finding.events, key=lambda e: (e.on, e.id or 0))
    starts = [e.on for e in events if e.event in ("opened", "reopened")]
    current_start = starts[-1] if starts else finding.first_seen
    review = review_state(finding, as_of)
    if not events or as_of >= events[-1].on:
        return FindingState(
            finding,
            finding.status,
            finding.last_seen,
            finding.deadline,
            finding.rectified_on if finding.status == "rectified" else None,
            current_start,
            review,
        )
    status, last_seen, rectified_on, start = "open", finding.first_seen, None, finding.first_seen
    for ev in events:
        if ev.on > as_of:
            break
        if ev.event in ("opened", "reopened"):
            status, rectified_on, start = "open", None, ev.on
            last_seen = max(last_seen, ev.on)
        elif ev.event == "seen":
            last_seen = max(last_seen, ev.on)
        elif ev.event == "rectified":
            status, rectified_on = "rectified", ev.on
        elif ev.event == "overdue" and status != "rectified":
            status = "overdue"
    deadline = start + (finding.deadline - current_start)
    return FindingState(
        finding, status, min(last_seen, finding.last_seen), deadline, rectified_on, start, review
    )


def status_as_of(finding: Finding, as_of: date) -> str | None:
    """open | overdue | rectified on `as_of`; None when the finding was first seen later."""
    state = state_as_of(finding, as_of)
    return state.status if state else None


def findings_as_of(session: Session, as_of: date) -> list[FindingState]:
    """Every finding first seen on or before `as_of`, with its state on that date."""
    rows = (
        session.execute(
            select(Finding).where(Finding.first_seen <= as_of).options(selectinload(Finding.events))
        )
        .scalars()
        .all()
    )
    out = [s for f in rows if (s := state_as_of(f, as_of)) is not None]
    out.sort(
        key=lambda s: (
            s.finding.portal_id,
            s.finding.unit_id,
            severity_rank(s.finding.severity),
            s.finding.rule,
            s.finding.column_id or "",
            s.finding.url or "",
            s.finding.id,
        )
    )
    return out
