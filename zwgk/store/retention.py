"""Retention: the database stops growing with every night's pages and link checks.

A page body is kept for two reasons only: it is evidence a department can check an open finding
against, or it belongs to one of the last nights (the next crawl's 304 reuses the previous
night's body; yesterday's dispatch may be re-rendered). Everything else is cleared: the snapshot
and article rows stay (scores and findings are recomputed from them, never from bodies); only their
link to the body is set to NULL, and a body no row refers to any more is deleted.

Which crawl a finding's evidence comes from is the crawl its last check read (`Run.crawl_run_id`);
which targets of that crawl are the rule's knowledge, so for every unit with an open finding the
whole unit's pages of that crawl are kept — a little more than needed, never less.

The other bulk of a night is its link checks: every page stores the result of each of its links
(the site's navigation repeated on every article), most of them answering. For the same old
nights those lists are thinned to the links that were checked and did not answer (broken,
unverified); answering links and links left unchecked (over a cap, off-site) are dropped: the
night's findings are already drawn, and what a link check found wrong stays on record.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Text, cast, delete, func, or_, select, update

from zwgk.store.db import Store
from zwgk.store.schema import Article, Finding, Page, Run, Snapshot

MIN_KEEP_NIGHTS = 2  # the crawl in progress and the one whose bodies it may reuse on a 304


@dataclass
class PruneResult:
    kept_runs: list[int]  # crawl runs whose every body is kept (the last nights)
    evidence_runs: list[int]  # older crawls kept for the units of open findings
    cleared_rows: int  # snapshot and article rows whose body link was cleared
    pages_deleted: int
    bytes_deleted: int  # stored (compressed) bytes
    pages_left: int
    bytes_left: int
    thinned_rows: int = 0  # snapshot and article rows whose answering links were dropped
    links_dropped: int = 0


def prune_pages(store: Store, keep_nights: int, dry_run: bool = False) -> PruneResult:
    """Clear the page bodies no longer kept (see the module docstring); `dry_run` counts only."""
    if keep_nights < MIN_KEEP_NIGHTS:
        raise ValueError(f"keep_nights must be at least {MIN_KEEP_NIGHTS}")
    with store.session() as s:
        crawls = list(s.execute(select(Run.id).where(Run.stage == "crawl").order_by(Run.id.desc())).scalars())
        kept = crawls[:keep_nights]
        oldest_kept = min(kept) if kept else 0
        # (crawl run, portal, unit) whose pages are evidence of an open finding
        evidence = {
            tuple(row)
            for row in s.execute(
                select(Run.crawl_run_id, Finding.portal_id, Finding.unit_id)
                .join(Run, Run.id == Finding.last_run_id)
                .where(Finding.status.in_(("open", "overdue")), Run.crawl_run_id.is_not(None))
            )
            if row[0] < oldest_kept
        }
        # every row holding a body: (kind, id, sha, whether it is kept)
        rows = [
            ("snapshot", sid, sha, run >= oldest_kept or (run, portal, unit) in evidence)
            for sid, sha, run, portal, unit in s.execute(
                select(
                    Snapshot.id, Snapshot.page_sha256, Snapshot.run_id, Snapshot.portal_id, Snapshot.unit_id
                ).where(Snapshot.page_sha256.is_not(None))
            )
        ]
        rows += [
            ("article", aid, sha, run >= oldest_kept or (run, portal, unit) in evidence)
            for aid, sha, run, portal, unit in s.execute(
                select(Article.id, Article.page_sha256, Snapshot.run_id, Snapshot.portal_id, Snapshot.unit_id)
                .join(Snapshot, Snapshot.id == Article.snapshot_id)
                .where(Article.page_sha256.is_not(None))
            )
        ]
        live = {sha for _, _, sha, keep in rows if keep}
        pages = s.execute(select(Page.sha256, func.length(Page.body))).all()
        doomed = [(sha, size or 0) for sha, size in pages if sha not in live]
        cleared = [(kind, rid) for kind, rid, _, keep in rows if not keep]
        if not dry_run:
            for table in (Snapshot, Article):
                kind = "snapshot" if table is Snapshot else "article"
                ids = [rid for k, rid in cleared if k == kind]
                for chunk in _chunks(ids):
                    s.execute(update(table).where(table.id.in_(chunk)).values(page_sha256=None))
            for chunk in _chunks([sha for sha, _ in doomed]):
                s.execute(delete(Page).where(Page.sha256.in_(chunk)))
        thinned, dropped = _thin_links(s, oldest_kept, evidence, dry_run)
        deleted_bytes = sum(size for _, size in doomed)
        return PruneResult(
            thinned_rows=thinned,
            links_dropped=dropped,
            kept_runs=sorted(kept),
            evidence_runs=sorted({run for run, _, _ in evidence}),
            cleared_rows=len(cleared),
            pages_deleted=len(doomed),
            bytes_deleted=deleted_bytes,
            pages_left=len(pages) - len(doomed),
            bytes_left=sum(size or 0 for _, size in pages) - deleted_bytes,
        )


DROPPED = ("ok", "skipped")  # link statuses not kept on old nights
# how such a link reads in the stored JSON (json.dumps defaults): rows without one are not loaded
MARKS = tuple(f'%"status": "{status}"%' for status in DROPPED)


def _thin_links(session, oldest_kept: int, evidence: set, dry_run: bool) -> tuple[int, int]:
    """Drop the answering links from the link lists of nights older than `oldest_kept` (outside the
    evidence units); returns (rows changed, links dropped)."""
    rows = dropped = 0
    old_snaps = select(Snapshot.id, Snapshot.run_id, Snapshot.portal_id, Snapshot.unit_id).where(
        Snapshot.run_id < oldest_kept
    )
    keep = {sid for sid, run, portal, unit in session.execute(old_snaps) if (run, portal, unit) in evidence}
    snaps = select(Snapshot.id, Snapshot.details).where(
        Snapshot.run_id < oldest_kept, or_(*(cast(Snapshot.details, Text).like(m) for m in MARKS))
    )
    for sid, details in session.execute(snaps).all():
        links = (details or {}).get("links")
        left = None if sid in keep else _failing_only(links)
        if left is None:
            continue
        rows, dropped = rows + 1, dropped + len(links) - len(left)
        if not dry_run:
            session.execute(
                update(Snapshot).where(Snapshot.id == sid).values(details={**details, "links": left})
            )
    arts = (
        select(Article.id, Article.snapshot_id, Article.links)
        .join(Snapshot, Snapshot.id == Article.snapshot_id)
        .where(Snapshot.run_id < oldest_kept, or_(*(cast(Article.links, Text).like(m) for m in MARKS)))
    )
    for aid, sid, links in session.execute(arts).all():
        left = None if sid in keep else _failing_only(links)
        if left is None:
            continue
        rows, dropped = rows + 1, dropped + len(links) - len(left)
        if not dry_run:
            session.execute(update(Article).where(Article.id == aid).values(links=left))
    return rows, dropped


def _failing_only(links) -> list | None:
    """The links checked and found failing, or None when there is nothing to drop."""
    if not isinstance(links, list):
        return None
    left = [link for link in links if not (isinstance(link, dict) and link.get("status") in DROPPED)]
    return left if len(left) < len(links) else None


def _chunks(items: list, size: int = 500):
    for at in range(0, len(items), size):
        yield items[at : at + size]
