"""期号: the sequential number of an issued 周通报 or 月考核, kept in the database.

A real notice is numbered in issue order within a year (2026年第1期, 第2期 …): no number is skipped
and re-rendering the same period keeps the number it was first given. The number belongs to the
period (its first day), not to the day it was rendered on, so a Monday's and a Tuesday's rendering
of last week are the same issue.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zwgk.store.schema import ReportIssue


def issue_seq(session: Session, kind: str, start: date, end: date) -> tuple[int, int]:
    """(year, seq) of the `kind` issue covering start..end, numbered now if it has none yet."""
    for _ in range(3):  # another process may number the same period or year at the same time
        row = session.execute(
            select(ReportIssue).where(ReportIssue.kind == kind, ReportIssue.period_start == start)
        ).scalar_one_or_none()
        if row is not None:
            return row.year, row.seq
        year = end.year
        last = session.execute(
            select(func.max(ReportIssue.seq)).where(ReportIssue.kind == kind, ReportIssue.year == year)
        ).scalar()
        try:
            with session.begin_nested():
                session.add(
                    ReportIssue(
                        kind=kind,
                        year=year,
                        seq=(last or 0) + 1,
                        period_start=start,
                        period_end=end,
                        issued_at=datetime.now(UTC).replace(tzinfo=None, microsecond=0),
                    )
                )
        except IntegrityError:
            continue
    raise RuntimeError(f"could not number the {kind} issue of {start}")  # pragma: no cover


def issued(session: Session, kind: str) -> list[ReportIssue]:
    """Every numbered issue of `kind`, newest period first (for 往期报告)."""
    return list(
        session.execute(
            select(ReportIssue).where(ReportIssue.kind == kind).order_by(ReportIssue.period_start.desc())
        ).scalars()
    )
