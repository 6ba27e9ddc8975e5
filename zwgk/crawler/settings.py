"""Scrapy settings for the portal spider: polite defaults for government sites.

Values a deployment may tune come from the command line (`-s NAME=value`) or the registry
(per-portal `obey_robots`), never from code edits.
"""

BOT_NAME = "zwgk"
SPIDER_MODULES = ["zwgk.crawler.spiders"]
NEWSPIDER_MODULE = "zwgk.crawler.spiders"

USER_AGENT = "Mozilla/5.0 (compatible; zwgk-monitor/0.1; gov-portal disclosure compliance monitor)"
ROBOTSTXT_OBEY = True
ROBOTSTXT_PARSER = "scrapy.robotstxt.ProtegoRobotParser"

# Politeness: few parallel requests per host, adaptive delay.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.2
AUTOTHROTTLE_MAX_DELAY = 10
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0

# A site that gives no answer within 15 s is unreachable (国办秘函〔2019〕19号).
DOWNLOAD_TIMEOUT = 15
DNS_TIMEOUT = 10
RETRY_ENABLED = True
RETRY_TIMES = 1
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408]
REDIRECT_MAX_TIMES = 10
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = "WARNING"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"

DOWNLOADER_MIDDLEWARES = {
    # Runs after robots (100) and before every fetch, including redirect and refresh targets.
    "zwgk.crawler.middlewares.ssrf.SsrfGuardMiddleware": 120,
}
ITEM_PIPELINES = {
    "zwgk.crawler.pipelines.store_snapshot.StoreSnapshotPipeline": 300,
}

# Bounds of one column's crawl.
ZWGK_MAX_LIST_PAGES = 10
ZWGK_MAX_ARTICLE_DATE_FETCHES = 3
