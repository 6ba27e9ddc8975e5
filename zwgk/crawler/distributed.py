"""Distributed crawling: several crawl processes (on one or many machines) share one run's
request queue in Redis through scrapy-redis, and write to one database (PostgreSQL).

One process seeds the run (home and entry requests of every portal); every process, the seed
included, pops requests from the shared queue, so column pages discovered by one worker are
fetched by whichever worker is free. A worker that starts before the seed has pushed anything
waits for the seed instead of closing on an empty queue. Snapshots stay unique per (run, portal,
unit, target) because each request is popped once and the store enforces the key.
"""

from __future__ import annotations

import hashlib
import time

from scrapy import signals
from scrapy.exceptions import DontCloseSpider


def keys(run_id: int, db: str = "") -> dict[str, str]:
    """Redis keys of one crawl run of one store: run ids are per database, so the store's URL is
    part of the key (two stores sharing a Redis never mix their queues)."""
    store = hashlib.sha256(db.encode("utf-8")).hexdigest()[:12]
    base = f"zwgk:{store}:run:{run_id}"
    return {"requests": f"{base}:requests", "dupefilter": f"{base}:dupefilter", "seeded": f"{base}:seeded"}


def redis_settings(redis_url: str, run_id: int, db: str = "") -> dict:
    """Scrapy settings that put this crawl process on the run's shared scrapy-redis queue."""
    k = keys(run_id, db)
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.FifoQueue",
        "SCHEDULER_QUEUE_KEY": k["requests"],
        "SCHEDULER_DUPEFILTER_KEY": k["dupefilter"],
        # The queue outlives each worker (one closing must not flush the others' work); the
        # coordinator removes the run's keys when every worker has ended.
        "SCHEDULER_PERSIST": True,
        "SCHEDULER_IDLE_BEFORE_CLOSE": 0,  # never block the reactor on an empty queue
        "REDIS_URL": redis_url,
        "ZWGK_REDIS_URL": redis_url,
        "EXTENSIONS": {"zwgk.crawler.distributed.WaitForSeed": 500},
    }


def connect(redis_url: str):
    import redis

    return redis.Redis.from_url(redis_url)


def queue_length(redis_url: str, run_id: int, db: str = "") -> int:
    return int(connect(redis_url).llen(keys(run_id, db)["requests"]))


def is_seeded(redis_url: str, run_id: int, db: str = "") -> bool:
    return bool(connect(redis_url).exists(keys(run_id, db)["seeded"]))


def cleanup(redis_url: str, run_id: int, db: str = "") -> None:
    """Remove a finished run's keys (queue, dupefilter, seed flag)."""
    connect(redis_url).delete(*keys(run_id, db).values())


class WaitForSeed:
    """Scrapy extension: keep a worker open until the seed has pushed the run's start requests.

    The seed process marks the run seeded once its start requests are all in the queue (the
    spider calls `spider.seeded_hook`). Before that, an idle worker waits (bounded by
    ZWGK_SEED_WAIT seconds) rather than closing on a queue that is merely not filled yet.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.redis_url = crawler.settings.get("ZWGK_REDIS_URL")
        self.run_id = crawler.settings.getint("ZWGK_RUN_ID")
        self.db = crawler.settings.get("ZWGK_DB") or ""
        self.max_wait = crawler.settings.getfloat("ZWGK_SEED_WAIT", 60)
        self.started = time.monotonic()
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider):
        spider.seeded_hook = self.mark_seeded

    def mark_seeded(self) -> None:
        connect(self.redis_url).set(keys(self.run_id, self.db)["seeded"], "1", ex=7 * 24 * 3600)

    def spider_idle(self, spider):
        if (
            not is_seeded(self.redis_url, self.run_id, self.db)
            and time.monotonic() - self.started < self.max_wait
        ):
            raise DontCloseSpider
