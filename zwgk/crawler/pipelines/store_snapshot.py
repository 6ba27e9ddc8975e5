"""Write each snapshot item to the store, atomically with its entries and stored page.

Nothing is lost silently: crawled text is cleaned before storing (zwgk.inert.storable — a NUL or a
lone surrogate would make PostgreSQL refuse the whole snapshot), and a snapshot the store still
refuses is replaced by an error snapshot of the same target, so the unit is 未能检查 with the reason
rather than missing; the crawl counts it and is recorded 'partial'.

Personal numbers (extract/privacy.py) are found here, in the text as crawled, and recorded masked
in the snapshot's details (`privacy`); then everything stored — page bodies, titles, article text,
metadata, link texts — is masked, so no full ID, card or mobile number is ever written.
"""

from __future__ import annotations

import logging
from datetime import date, datetime

from sqlalchemy import insert, select

from zwgk.crawler.extract.privacy import find_exposures, mask_bytes, mask_value
from zwgk.crawler.items import SnapshotItem
from zwgk.inert import storable
from zwgk.store.db import Store, put_page
from zwgk.store.schema import Article, Entry, Snapshot

log = logging.getLogger(__name__)
MAX_EXPOSURES = 100  # per snapshot: enough evidence, bounded


def _kept(value: object, limit: int = 10_000) -> object:
    """A crawled value as stored: cleaned (inert.storable) and with personal numbers masked."""
    return mask_value(storable(value, limit))


def exposures(item: SnapshotItem) -> list[dict]:
    """Personal numbers on the snapshot's pages (masked): in list titles, in the articles read, and
    those a reused (304) snapshot or article carried from the night they were read."""
    rows = list((item.details or {}).get("privacy") or [])
    page = item.final_url or item.url
    for e in item.entries:
        rows += [
            {"url": page, "title": str(mask_value(e["title"]))[:80], **vars(x)}
            for x in find_exposures(e.get("title") or "")
        ]
    for a in item.articles or []:
        rows += list(a.get("privacy") or [])
        rows += [
            {"url": a["url"], "title": str(mask_value(a.get("title") or ""))[:80], **vars(x)}
            for x in find_exposures(a.get("text") or "")
        ]
    seen, out = set(), []
    for row in rows:
        key = (row.get("url"), row.get("kind"), row.get("masked"))
        if key not in seen:
            seen.add(key)
            out.append(row)
    return out[:MAX_EXPOSURES]


class StoreSnapshotPipeline:
    """One transaction per snapshot: a crawl killed mid-way leaves whole snapshots or none.

    A second item for the same (run, portal, unit, target) is dropped, so a retried or repeated
    fetch never duplicates a snapshot.
    """

    def __init__(self, db_url: str, run_id: int, stats=None):
        self.store = Store(db_url, mode="write")
        self.run_id = run_id
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("ZWGK_DB"), crawler.settings.getint("ZWGK_RUN_ID"), crawler.stats)

    def close_spider(self, spider=None):
        self.store.dispose()

    def process_item(self, item: SnapshotItem, spider=None):
        try:
            self._store(item)
        except Exception as exc:
            log.exception("snapshot %s/%s %s could not be stored", item.portal, item.unit, item.target)
            if self.stats:
                self.stats.inc_value("zwgk/store_failed")
            failed = SnapshotItem(
                portal=item.portal,
                unit=item.unit,
                target=item.target,
                column_id=item.column_id,
                url=item.url,
                final_url=item.final_url,
                status="error",
                http_status=item.http_status,
                error=f"抓取结果未能保存（{type(exc).__name__}）",
                fetched_at=item.fetched_at,
            )
            try:
                self._store(failed)
            except Exception:
                log.exception(
                    "error snapshot for %s/%s %s not stored either", item.portal, item.unit, item.target
                )
            return failed
        if self.stats:
            self.stats.inc_value(f"zwgk/snapshot/{item.status}")
        return item

    def _store(self, item: SnapshotItem) -> None:
        with self.store.session() as session:
            exists = session.execute(
                select(Snapshot.id).where(
                    Snapshot.run_id == self.run_id,
                    Snapshot.portal_id == item.portal,
                    Snapshot.unit_id == item.unit,
                    Snapshot.target == item.target,
                )
            ).first()
            if exists:
                if self.stats:
                    self.stats.inc_value("zwgk/snapshot_duplicate_dropped")
                return
            # A 304 Not Modified reuses the previous snapshot's stored page (item.page_sha256).
            sha = (
                put_page(session, mask_bytes(item.body), item.content_type) if item.body else item.page_sha256
            )
            details = dict(item.details or {})
            found = exposures(item)
            if found:
                details["privacy"] = found
            else:
                details.pop("privacy", None)
            dated = [e for e in item.entries if e.get("date")]
            snap = Snapshot(
                run_id=self.run_id,
                portal_id=item.portal,
                unit_id=item.unit,
                target=item.target,
                column_id=item.column_id,
                url=item.url,
                final_url=item.final_url,
                link_text=_kept(item.link_text, 500),
                status=item.status,
                http_status=item.http_status,
                error=_kept(item.error, 2000),
                page_kind=item.page_kind,
                entries_count=len(item.entries),
                dated_count=len(dated),
                newest=max(date.fromisoformat(e["date"]) for e in dated) if dated else None,
                pages_crawled=item.pages_crawled,
                placeholder=_kept(item.placeholder, 500),
                page_sha256=sha,
                fetched_at=datetime.fromisoformat(item.fetched_at),
                details=_kept(details),
            )
            session.add(snap)
            session.flush()  # its id, for the rows below
            # Entries and articles in one multi-row insert each (a night writes tens of thousands;
            # the ORM's unit of work per row was a third of a later night's time).
            entries = [
                {
                    "snapshot_id": snap.id,
                    "position": pos,
                    "title": _kept(e["title"], 500),
                    "url": storable(e.get("url"), 4096),
                    "date": date.fromisoformat(e["date"]) if e.get("date") else None,
                    "date_source": e.get("date_source"),
                }
                for pos, e in enumerate(item.entries)
            ]
            if entries:
                session.execute(insert(Entry), entries)
            articles = []
            for pos, a in enumerate(item.articles or []):
                art_sha = (
                    put_page(session, mask_bytes(a["body"]), a.get("content_type"))
                    if a.get("body")
                    else a.get("page_sha256")
                )
                articles.append(
                    {
                        "snapshot_id": snap.id,
                        "position": pos,
                        "url": storable(a["url"], 4096),
                        "final_url": storable(a.get("final_url"), 4096),
                        "title": _kept(a.get("title"), 500) or None,
                        "status": a["status"],
                        "http_status": a.get("http_status"),
                        "error": _kept(a.get("error"), 2000),
                        "publish_date": date.fromisoformat(a["publish_date"])
                        if a.get("publish_date")
                        else None,
                        "meta": _kept(a.get("metadata") or {}, 500),
                        "text": _kept(a.get("text"), 50_000),
                        "links": _kept(a.get("links") or []),
                        "page_sha256": art_sha,
                        "etag": a.get("etag"),
                        "last_modified": a.get("last_modified"),
                        "fetched_at": datetime.fromisoformat(a["fetched_at"])
                        if a.get("fetched_at")
                        else None,
                    }
                )
            if articles:
                session.execute(insert(Article), articles)
