"""Write each snapshot item to the store, atomically with its entries and stored page."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select

from zwgk.store.db import Store, put_page
from zwgk.store.schema import Entry, Snapshot


class StoreSnapshotPipeline:
    """One transaction per snapshot: a crawl killed mid-way leaves whole snapshots or none.

    A second item for the same (run, portal, unit, target) is dropped, so a retried or repeated
    fetch never duplicates a snapshot.
    """

    def __init__(self, db_url: str, run_id: int, stats=None):
        self.store = Store(db_url)
        self.run_id = run_id
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.settings.get("ZWGK_DB"), crawler.settings.getint("ZWGK_RUN_ID"), crawler.stats)

    def close_spider(self, spider=None):
        self.store.dispose()

    def process_item(self, item, spider=None):
        with self.store.session() as session:
            exists = session.execute(
                select(Snapshot.id).where(
                    Snapshot.run_id == self.run_id, Snapshot.portal_id == item["portal"],
                    Snapshot.unit_id == item["unit"], Snapshot.target == item["target"],
                )
            ).first()
            if exists:
                if self.stats:
                    self.stats.inc_value("zwgk/snapshot_duplicate_dropped")
                return item
            sha = put_page(session, item["body"], item.get("content_type")) if item.get("body") else None
            dated = [e for e in item["entries"] if e.get("date")]
            snap = Snapshot(
                run_id=self.run_id, portal_id=item["portal"], unit_id=item["unit"], target=item["target"],
                column_id=item["column_id"], url=item["url"], final_url=item["final_url"],
                link_text=item.get("link_text"), status=item["status"], http_status=item["http_status"],
                error=item["error"], page_kind=item["page_kind"], entries_count=len(item["entries"]),
                dated_count=len(dated),
                newest=max(date.fromisoformat(e["date"]) for e in dated) if dated else None,
                pages_crawled=item["pages_crawled"], placeholder=item["placeholder"], page_sha256=sha,
                fetched_at=datetime.fromisoformat(item["fetched_at"]), details=item.get("details") or {},
            )
            for pos, e in enumerate(item["entries"]):
                snap.entries.append(Entry(
                    position=pos, title=e["title"][:2000], url=e.get("url"),
                    date=date.fromisoformat(e["date"]) if e.get("date") else None,
                    date_source=e.get("date_source"),
                ))
            session.add(snap)
        if self.stats:
            self.stats.inc_value(f"zwgk/snapshot/{item['status']}")
        return item
