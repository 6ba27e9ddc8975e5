"""A page whose processing raised becomes an error snapshot of its target, never a silent gap.

Without this, an exception in a callback (a parser bug met on one portal's odd page) leaves no
snapshot for that target: the unit's entry, or its column, simply is not there, and the night's
reports would show the unit clean or the column missing. With it, the target is stored as an
'error' snapshot (the unit or column is 未能检查 with the reason), the exception is logged with its
traceback in the crawl log, and the crawl is recorded 'partial' (zwgk/cycle/stages.py).
"""

from __future__ import annotations

import logging

from zwgk.crawler.items import SnapshotItem
from zwgk.crawler.spiders.fetching import now_iso

log = logging.getLogger(__name__)


def target_of(meta: dict) -> str | None:
    """The snapshot target a request was made for ('home', 'entry', 'column:<id>')."""
    if meta.get("target"):
        return meta["target"]
    return f"column:{meta['column']}" if meta.get("column") else None


class SnapshotOnException:
    """Spider middleware: process_spider_exception → one 'error' SnapshotItem for the request's target."""

    def __init__(self, stats=None):
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler.stats)

    def process_spider_exception(self, response, exception, spider=None):
        meta = response.meta
        portal, unit, target = meta.get("portal"), meta.get("unit"), target_of(meta)
        if portal is None or unit is None or target is None:
            return None  # not a page of a unit: Scrapy logs and counts it as usual
        log.error(
            "processing %s (%s/%s %s) failed", response.url, portal.id, unit.id, target, exc_info=exception
        )
        if self.stats:
            self.stats.inc_value("zwgk/callback_failed")
        return [
            SnapshotItem(
                portal=portal.id,
                unit=unit.id,
                target=target,
                column_id=target.split(":", 1)[1] if target.startswith("column:") else None,
                url=meta.get("page_url") or response.request.url,
                final_url=response.url,
                status="error",
                http_status=response.status,
                error=f"页面处理出错（{type(exception).__name__}），未能检查；详见抓取日志",
                fetched_at=now_iso(),
            )
        ]
