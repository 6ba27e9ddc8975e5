"""The store's schema, shared by every stage (design.md 'store').

SQLAlchemy 2.0 ORM over SQLite (default, a file) or PostgreSQL (by URL). History is kept from
the first run: snapshots per run, findings with first/last seen and an event log, so trends,
rectification rates and month scores can be recomputed for any as-of date.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    type_annotation_map: ClassVar = {dict[str, Any]: JSON, list[Any]: JSON}


class Run(Base):
    """One execution of a stage (crawl, check, report): when, on which as-of date, and how it ended."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    stage: Mapped[str] = mapped_column(String(16))  # crawl | check | report
    as_of: Mapped[date] = mapped_column(Date)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")  # running|ok|failed
    crawl_run_id: Mapped[int | None] = mapped_column(Integer)  # for check runs: which crawl they read
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)


class Portal(Base):
    __tablename__ = "portals"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # registry id
    name: Mapped[str] = mapped_column(String(200))
    home: Mapped[str] = mapped_column(Text)
    site_code: Mapped[str | None] = mapped_column(String(32))


class Unit(Base):
    __tablename__ = "units"
    __table_args__ = (UniqueConstraint("portal_id", "unit_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    portal_id: Mapped[str] = mapped_column(ForeignKey("portals.id"))
    unit_id: Mapped[str] = mapped_column(String(64))  # registry id within the portal
    name: Mapped[str] = mapped_column(String(200))
    profile: Mapped[str] = mapped_column(String(32))
    entry: Mapped[str] = mapped_column(Text)


class Page(Base):
    """A stored page body, content-addressed (the evidence a unit can check a finding against)."""

    __tablename__ = "pages"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)  # zlib-compressed
    content_type: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)


class Snapshot(Base):
    """What one crawl saw of one page of a unit: its home, its entry page, or one column."""

    __tablename__ = "snapshots"
    __table_args__ = (
        UniqueConstraint("run_id", "portal_id", "unit_id", "target"),
        Index("ix_snapshots_unit", "portal_id", "unit_id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("runs.id"))
    portal_id: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[str] = mapped_column(String(64))
    # 'home', 'entry' or 'column:<catalog id>'
    target: Mapped[str] = mapped_column(String(64))
    column_id: Mapped[str | None] = mapped_column(String(32))
    url: Mapped[str | None] = mapped_column(Text)
    final_url: Mapped[str | None] = mapped_column(Text)
    link_text: Mapped[str | None] = mapped_column(Text)  # anchor text the column was found by
    # ok | missing | unreachable | antibot | js-shell | truncated | error
    status: Mapped[str] = mapped_column(String(16))
    http_status: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    page_kind: Mapped[str | None] = mapped_column(String(16))
    entries_count: Mapped[int] = mapped_column(Integer, default=0)
    dated_count: Mapped[int] = mapped_column(Integer, default=0)
    newest: Mapped[date | None] = mapped_column(Date)
    pages_crawled: Mapped[int] = mapped_column(Integer, default=0)
    placeholder: Mapped[str | None] = mapped_column(Text)
    page_sha256: Mapped[str | None] = mapped_column(ForeignKey("pages.sha256"))
    fetched_at: Mapped[datetime] = mapped_column(DateTime)
    details: Mapped[dict[str, Any]] = mapped_column(default=dict)
    entries: Mapped[list[Entry]] = relationship(
        back_populates="snapshot", order_by="Entry.position", cascade="all, delete-orphan"
    )


class Entry(Base):
    """One list entry seen in a column snapshot."""

    __tablename__ = "entries"
    __table_args__ = (UniqueConstraint("snapshot_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    snapshot_id: Mapped[int] = mapped_column(ForeignKey("snapshots.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    date: Mapped[date | None] = mapped_column(Date)
    date_source: Mapped[str | None] = mapped_column(String(16))  # list | article
    snapshot: Mapped[Snapshot] = relationship(back_populates="entries")


class Finding(Base):
    """A rule violation and its rectification life (open → rectified 销号 / overdue)."""

    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_unit", "portal_id", "unit_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)
    rule: Mapped[str] = mapped_column(String(32))
    severity: Mapped[str] = mapped_column(String(16))
    portal_id: Mapped[str] = mapped_column(String(64))
    unit_id: Mapped[str] = mapped_column(String(64))
    column_id: Mapped[str | None] = mapped_column(String(32))
    url: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)
    evidence: Mapped[dict[str, Any]] = mapped_column(default=dict)
    first_seen: Mapped[date] = mapped_column(Date)
    last_seen: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | rectified | overdue
    deadline: Mapped[date] = mapped_column(Date)
    rectified_on: Mapped[date | None] = mapped_column(Date)
    first_run_id: Mapped[int | None] = mapped_column(Integer)
    last_run_id: Mapped[int | None] = mapped_column(Integer)
    events: Mapped[list[FindingEvent]] = relationship(
        back_populates="finding", order_by="FindingEvent.id", cascade="all, delete-orphan"
    )


class FindingEvent(Base):
    """History of a finding: opened, seen, rectified, reopened, overdue."""

    __tablename__ = "finding_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    finding_id: Mapped[int] = mapped_column(ForeignKey("findings.id", ondelete="CASCADE"))
    run_id: Mapped[int | None] = mapped_column(Integer)
    on: Mapped[date] = mapped_column(Date)
    event: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    finding: Mapped[Finding] = relationship(back_populates="events")
