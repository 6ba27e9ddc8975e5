"""Nothing crawled is lost silently: dirty text is cleaned and stored, a snapshot the store refuses
becomes an error snapshot of its target, a callback that raised leaves one too, and either makes the
crawl 'partial'."""

from __future__ import annotations

from datetime import date

from scrapy.http import HtmlResponse, Request
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from sqlalchemy import select

from zwgk.config.registry import Portal, Unit
from zwgk.crawler.items import SnapshotItem
from zwgk.crawler.middlewares.failsafe import SnapshotOnException
from zwgk.crawler.pipelines import store_snapshot
from zwgk.cycle import stages
from zwgk.cycle.records import start_run
from zwgk.store.db import Store
from zwgk.store.schema import Snapshot

DIRTY = "通知\x00公告\ud800\u202e反转\u2066"


class _Crawler:
    def __init__(self):
        self.settings = Settings()
        self.stats = MemoryStatsCollector(self)


def _pipeline(tmp_path):
    db = f"sqlite:///{tmp_path}/s.db"
    store = Store(db, mode="create")
    run_id = start_run(store, "crawl", date(2026, 11, 23))
    stats = _Crawler().stats
    return store, run_id, stats, store_snapshot.StoreSnapshotPipeline(db, run_id, stats)


def _item(**kw) -> SnapshotItem:
    base = {
        "portal": "p",
        "unit": "u",
        "target": "column:gzdt",
        "column_id": "gzdt",
        "url": "http://127.0.0.1/gzdt/",
        "status": "ok",
        "body": b"<html></html>",
        "fetched_at": "2026-11-23T01:00:00",
    }
    return SnapshotItem(**{**base, **kw})


def test_dirty_text_is_cleaned_and_stored(tmp_path):
    store, _run_id, stats, pipe = _pipeline(tmp_path)
    item = _item(
        entries=[{"title": DIRTY + "标" * 5000, "url": "http://127.0.0.1/a.html", "date": "2026-11-20"}],
        link_text=DIRTY,
        details={"notes": [DIRTY]},
    )
    pipe.process_item(item)
    pipe.close_spider()
    with store.session() as s:
        snap = s.execute(select(Snapshot)).scalar_one()
        title = snap.entries[0].title
        assert snap.status == "ok" and snap.link_text == "通知公告反转"
        assert title.startswith("通知公告反转标") and len(title) == 500
        assert snap.details["notes"] == ["通知公告反转"]
    assert not stats.get_value("zwgk/store_failed")
    store.dispose()


def test_a_snapshot_the_store_refuses_becomes_an_error_snapshot(tmp_path, monkeypatch):
    store, _run_id, stats, pipe = _pipeline(tmp_path)

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(store_snapshot, "put_page", disk_full)
    out = pipe.process_item(_item(entries=[{"title": "通知", "url": "http://127.0.0.1/a.html"}]))
    pipe.close_spider()
    assert out.status == "error"
    with store.session() as s:
        snap = s.execute(select(Snapshot)).scalar_one()
        assert (snap.target, snap.status) == ("column:gzdt", "error") and "未能保存" in snap.error
    assert stats.get_value("zwgk/store_failed") == 1
    assert stages._partial_problems({"zwgk/store_failed": 1})  # the crawl is recorded 'partial'
    store.dispose()


def test_a_callback_that_raised_leaves_an_error_snapshot():
    unit = Unit(id="u", name="县发改局", profile="department", entry="http://127.0.0.1/xxgk/")
    portal = Portal(id="p", name="县政府", home="http://127.0.0.1/", units=[unit])
    request = Request(
        "http://127.0.0.1/gzdt/",
        meta={"portal": portal, "unit": unit, "column": "gzdt", "page_url": "http://127.0.0.1/gzdt/"},
    )
    response = HtmlResponse(request.url, body=b"<html></html>", request=request, status=200)
    crawler = _Crawler()
    items = SnapshotOnException(crawler.stats).process_spider_exception(
        response, RecursionError("deep"), None
    )
    assert [(i.target, i.status) for i in items] == [("column:gzdt", "error")]
    assert "RecursionError" in items[0].error and "未能检查" in items[0].error
    assert crawler.stats.get_value("zwgk/callback_failed") == 1
    assert stages._partial_problems({"zwgk/callback_failed": 1})
    assert stages._partial_problems({"finish_reason": "finished"}) == []


def test_an_item_in_the_crawl_log_is_one_short_line():
    """Scrapy logs an item on every drop or pipeline error: an 11 MB page must not follow it."""
    from zwgk.crawler.items import SnapshotItem

    item = SnapshotItem(
        "p",
        "u",
        "column:gzdt",
        "http://127.0.0.1/" + "a" * 5000,
        "ok",
        body=b"<p>x</p>" * 1_400_000,
        entries=[{"title": "标题" * 200}] * 1000,
    )
    line = repr(item)
    assert len(line) < 400 and "\n" not in line, line[:500]
    assert "body=11200000B" in line and "entries=1000" in line
