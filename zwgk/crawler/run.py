"""Run one crawl in this process: `ZWGK_DB=URL python -m zwgk.crawler.run --registry F --run-id N --as-of D`.

The stages call this as a subprocess because Twisted's reactor cannot be restarted in one process
(scrapy/scrapy#5026), and so that a crashed or killed crawl never takes the scheduler with it.
Crawl statistics are written as JSON for the parent to store in the run record.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from scrapy.crawler import AsyncCrawlerProcess
from scrapy.settings import Settings

from zwgk.config.catalog import load_catalog
from zwgk.config.registry import load_registry
from zwgk.crawler import render
from zwgk.crawler import settings as default_settings
from zwgk.crawler.distributed import redis_settings
from zwgk.crawler.spiders.portal import PortalSpider
from zwgk.store.dburl import ENV_REDIS, ENV_URL


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m zwgk.crawler.run")
    ap.add_argument("--registry", required=True)
    ap.add_argument(
        "--db", help=f"database URL (default ${ENV_URL}, which keeps a password out of the process list)"
    )
    ap.add_argument("--run-id", type=int, required=True)
    ap.add_argument("--as-of", required=True)
    ap.add_argument("--catalog")
    ap.add_argument("--only", help="comma-separated portal ids")
    ap.add_argument("--stats-out")
    ap.add_argument("--log-level", default="WARNING")
    ap.add_argument("-s", "--set", action="append", default=[], help="Scrapy setting NAME=VALUE")
    ap.add_argument("--redis", help="share the run's request queue in this Redis (scrapy-redis workers)")
    ap.add_argument("--redis-from-env", action="store_true", help=f"--redis from ${ENV_REDIS}")
    ap.add_argument(
        "--no-seed",
        action="store_true",
        help="with --redis: only serve the shared queue; another process seeds the run",
    )
    args = ap.parse_args(argv)
    args.db = args.db or os.environ.get(ENV_URL)
    if args.redis_from_env:
        args.redis = os.environ.get(ENV_REDIS) or ap.error(f"--redis-from-env: ${ENV_REDIS} is not set")
    if not args.db:
        ap.error(f"no database: give --db or set ${ENV_URL}")

    catalog = load_catalog(args.catalog)
    registry = load_registry(args.registry, set(catalog.profiles), catalog.column_ids())
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.set("ZWGK_DB", args.db)
    settings.set("ZWGK_RUN_ID", args.run_id)
    settings.set("ZWGK_ALLOWED_HOSTS", sorted(registry.hosts()))
    settings.set("ZWGK_ALLOWED_ENDPOINTS", sorted(registry.endpoints()))
    settings.set("LOG_LEVEL", args.log_level)
    if args.redis:
        for name, value in redis_settings(args.redis, args.run_id, args.db).items():
            settings.set(name, value, priority="cmdline")
    # Browser rendering only when a portal asks for it and scrapy-playwright + chromium are here;
    # otherwise the plain handlers stay (and the spider notes why a render_js column stayed a shell).
    only = set(args.only.split(",")) if args.only else None
    profile = None
    if (
        any(p.render_js and (only is None or p.id in only) for p in registry.portals)
        and render.available()[0]
    ):
        profile = tempfile.TemporaryDirectory(prefix="zwgk-chromium-")
        for name, value in render.settings(registry.hosts(), profile.name).items():
            settings.set(name, value, priority="project")
    for item in args.set:
        name, _, value = item.partition("=")
        settings.set(name, value, priority="cmdline")

    process = AsyncCrawlerProcess(settings, install_root_handler=True)
    crawler = process.create_crawler(PortalSpider)
    process.crawl(
        crawler,
        registry=args.registry,
        as_of=args.as_of,
        catalog=args.catalog,
        only=args.only,
        seed=not args.no_seed,
    )
    try:
        process.start()
    finally:
        if profile is not None:
            profile.cleanup()
    stats = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in crawler.stats.get_stats().items()
    }
    if args.stats_out:
        Path(args.stats_out).write_text(json.dumps(stats, ensure_ascii=False, indent=1), encoding="utf-8")
    # a crawl that reached its time limit ended as planned: the parent records it 'partial'
    return 0 if stats.get("finish_reason") in ("finished", "closespider_timeout") else 1


if __name__ == "__main__":
    sys.exit(main())
