"""Human review of findings (人工复核): false positive (误报) or confirmed, reversible, in history.

A review is a FindingEvent — 'reviewed_fp', 'confirmed' or 'review_undone' — whose note is JSON
{"by", "why", "at"}; the review state on a date is the latest review event on or before it. No
column of its own: the event log already keeps who, why and when, and undoing appends an event
rather than deleting one. A finding reviewed as a false positive stays in the findings (and in
the exports, with its `review`), but does not count in scores, veto lines or overdue escalation.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk.beijing import now as beijing_now
from zwgk.config.yamlines import parse_text
from zwgk.errors import BadInput
from zwgk.findings.numbers import parse_finding_number
from zwgk.store.schema import Finding, FindingEvent

REVIEW_EVENTS = {"reviewed_fp": "false_positive", "confirmed": "confirmed", "review_undone": None}
ACTIONS = {
    "false_positive": "reviewed_fp",
    "fp": "reviewed_fp",
    "false-positive": "reviewed_fp",
    "confirm": "confirmed",
    "confirmed": "confirmed",
    "undo": "review_undone",
}
LABELS = {"false_positive": "已复核为误报", "confirmed": "已复核确认"}


def _note(event: FindingEvent) -> dict[str, Any]:
    try:
        data = json.loads(event.note or "{}")
        return data if isinstance(data, dict) else {}
    except ValueError:
        return {"why": event.note}


def review_state(finding: Finding, as_of: date | None = None) -> dict[str, Any] | None:
    """{'state': false_positive|confirmed, 'by', 'why', 'at', 'on'} on `as_of` (None: now), else None."""
    events = sorted(
        (e for e in finding.events if e.event in REVIEW_EVENTS and (as_of is None or e.on <= as_of)),
        key=lambda e: (e.on, e.id or 0),
    )
    if not events:
        return None
    last = events[-1]
    state = REVIEW_EVENTS[last.event]
    if state is None:
        return None
    note = _note(last)
    return {
        "state": state,
        "label": LABELS[state],
        "by": note.get("by"),
        "why": note.get("why"),
        "at": note.get("at"),
        "on": last.on.isoformat(),
    }


def is_dismissed(finding: Finding, as_of: date | None = None) -> bool:
    state = review_state(finding, as_of)
    return bool(state and state["state"] == "false_positive")


def find_finding(session: Session, ref: str) -> Finding:
    """A finding by its number (ZW-000123), numeric id, or fingerprint (a unique prefix of ≥ 8
    characters is enough)."""
    ref = (ref or "").strip()
    number = parse_finding_number(ref)
    if number is not None and not ref.isdigit():
        f = session.get(Finding, number)
        if f is not None:
            return f
        raise BadInput(f"没有编号为 {ref} 的问题")
    if ref.isdigit() and len(ref) < 12:
        f = session.get(Finding, int(ref))
        if f is not None:
            return f
    if len(ref) >= 8:
        rows = (
            session.execute(select(Finding).where(Finding.fingerprint.startswith(ref.lower())))
            .scalars()
            .all()
        )
        if len(rows) == 1:
            return rows[0]
        if len(rows) > 1:
            raise BadInput(f"finding {ref!r} is ambiguous ({len(rows)} fingerprints start with it)")
    raise BadInput(f"no finding with number, id or fingerprint {ref!r}")


@dataclass
class ReviewResult:
    finding_id: int
    fingerprint: str
    event: str
    changed: bool


def review(
    session: Session, ref: str, action: str, by: str, why: str | None, on: date, at: datetime | None = None
) -> ReviewResult:
    """Record one review action: 'false_positive', 'confirmed' or 'undo'. Idempotent per state."""
    event = ACTIONS.get((action or "").strip().lower())
    if event is None:
        raise BadInput(f"unknown review action {action!r} (false_positive, confirmed, undo)")
    if not (by or "").strip():
        raise BadInput("a review needs --by NAME (who reviewed it)")
    if event != "review_undone" and not (why or "").strip():
        raise BadInput("a review needs --why TEXT (the reason)")
    finding = find_finding(session, ref)
    current = review_state(finding)
    if event == "review_undone":
        if current is None:
            raise BadInput(f"finding {finding.id} has no review to undo")
    elif current is not None and current["state"] == REVIEW_EVENTS[event]:
        return ReviewResult(finding.id, finding.fingerprint, event, changed=False)
    note = {
        "by": by.strip(),
        "why": (why or "").strip() or None,
        "at": (at or beijing_now()).isoformat(timespec="seconds"),
    }
    if event == "review_undone":
        note["undid"] = current["state"]  # type: ignore[index]
    finding.events.append(
        FindingEvent(run_id=None, on=on, event=event, note=json.dumps(note, ensure_ascii=False))
    )
    if event == "reviewed_fp" and finding.status == "overdue":
        pass  # status history stays as it was; scores and escalation read the review instead
    session.flush()
    return ReviewResult(finding.id, finding.fingerprint, event, changed=True)


def read_review_file(path: str | Path) -> list[dict[str, str]]:
    """Rows {finding, action, by, why} from YAML (a list, or {reviews: [...]}) or CSV (header row)."""
    src = Path(path)
    try:
        text = src.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise BadInput(f"cannot read review file: {exc.strerror or exc}", path=str(src)) from None
    rows: list[dict[str, Any]]
    if src.suffix.lower() == ".csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        base = 2
    else:
        data = parse_text(text, str(src))[1] or []
        rows = data.get("reviews", []) if isinstance(data, dict) else data
        base = 1
    if not isinstance(rows, list):
        raise BadInput("a review file is a list of {finding, action, by, why}", path=str(src), line=1)
    out: list[dict[str, str]] = []
    for i, row in enumerate(rows):
        if not isinstance(row, dict):
            raise BadInput(f"review {i + 1}: expected a mapping", path=str(src))
        ref = str(row.get("finding") or row.get("fingerprint") or row.get("id") or "").strip()
        action = str(row.get("action") or "").strip()
        if not ref or not action:
            line = i + base if src.suffix.lower() == ".csv" else None
            raise BadInput(f"review {i + 1}: needs 'finding' and 'action'", path=str(src), line=line)
        out.append(
            {
                "finding": ref,
                "action": action,
                "by": str(row.get("by") or "").strip(),
                "why": str(row.get("why") or "").strip(),
            }
        )
    return out
