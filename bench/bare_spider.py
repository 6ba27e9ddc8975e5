"""The baseline of the province benchmark: a bare Scrapy spider following every link of the same portals.

    python -m scrapy runspider bench/bare_spider.py -a registry=sites.yml -a stats=out.json

It starts where zwgk starts (each portal's home and its units' 信息公开 pages), follows every link on
the registry's hosts (attachments too: zwgk checks them) and does nothing with a page but extract
its links — the least any crawler of these pages must do. Same politeness as zwgk's settings
(concurrency, per-host limit, AutoThrottle, robots.txt), so the two are compared on equal terms.
"""

from __future__ import annotations

import json
from typing import ClassVar
from urllib.parse import urlsplit

import yaml
from scrapy.linkextractors import LinkExtractor
from scrapy.spiders import CrawlSpider, Rule

from zwgk.crawler import settings as zwgk_settings

POLITENESS = {
    name: getattr(zwgk_settings, name)
    for name in (
        "CONCURRENT_REQUESTS",
        "CONCURRENT_REQUESTS_PER_DOMAIN",
        "DOWNLOAD_DELAY",
        "AUTOTHROTTLE_ENABLED",
        "AUTOTHROTTLE_START_DELAY",
        "AUTOTHROTTLE_MAX_DELAY",
        "AUTOTHROTTLE_TARGET_CONCURRENCY",
        "DOWNLOAD_TIMEOUT",
        "RETRY_TIMES",
        "ROBOTSTXT_OBEY",
        "USER_AGENT",
    )
}


class BareSpider(CrawlSpider):
    name = "bare"
    custom_settings: ClassVar[dict] = {**POLITENESS, "LOG_LEVEL": "WARNING", "TELNETCONSOLE_ENABLED": False}
    rules = (Rule(LinkExtractor(deny_extensions=[]), follow=True),)

    def __init__(self, registry: str, stats: str | None = None, *args, **kwargs):
        with open(registry, encoding="utf-8") as fh:
            data = yaml.safe_load(fh)
        self.start_urls = [p["home"] for p in data["portals"]]
        self.start_urls += [u["entry"] for p in data["portals"] for u in p["units"]]
        self.allowed_domains = sorted({urlsplit(u).hostname for u in self.start_urls})
        self.stats_path = stats
        super().__init__(*args, **kwargs)

    def closed(self, reason: str) -> None:
        if self.stats_path:
            stats = {k: v for k, v in self.crawler.stats.get_stats().items() if isinstance(v, int | float)}
            with open(self.stats_path, "w", encoding="utf-8") as fh:
                json.dump(stats, fh)
