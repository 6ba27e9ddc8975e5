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

# Politeness: few parallel requests per host, adaptive delay. robots.txt obeyed unless a portal
# says `obey_robots: false`; downloads capped by DOWNLOAD_MAXSIZE.
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

# The address connected to is checked too (not only the middleware's own lookup): a name that
# resolves to a non-public address at connect time is refused unless the registry allows it.
TWISTED_DNS_RESOLVER = "zwgk.crawler.resolver.GuardedResolver"

DOWNLOADER_MIDDLEWARES = {
    # Runs after robots (100) and before every fetch, including redirect and refresh targets.
    "zwgk.crawler.middlewares.ssrf.SsrfGuardMiddleware": 120,
    # Counted where Scrapy counts (DownloaderStats, 850): every request sent, retries included.
    "zwgk.crawler.middlewares.portal_stats.PortalRequestStats": 851,
}
SPIDER_MIDDLEWARES = {
    # A callback that raised leaves an error snapshot of its target (未能检查), not a gap.
    "zwgk.crawler.middlewares.failsafe.SnapshotOnException": 950,
}
ITEM_PIPELINES = {
    "zwgk.crawler.pipelines.store_snapshot.StoreSnapshotPipeline": 300,
}

# Bounds of one column's crawl.
ZWGK_MAX_LIST_PAGES = 10
ZWGK_MAX_ARTICLE_DATE_FETCHES = 3  # undated lists: articles read for their publish dates
# The policy and interpretation columns (三同步): every undated entry up to this many has its page
# read for its publish date, since the rule pairs entries one by one, not just the newest.
ZWGK_MAX_ARTICLE_DATE_FETCHES_PAIRED = 40
ZWGK_MAX_ARTICLES = 10  # disclosure columns (catalog requires_metadata): newest articles read
ZWGK_MAX_ARTICLES_OTHER = 3  # every other column: newest articles read (typos, dead attachments)

# Link checking (错链断链): every <a href> and attachment on the list and article pages read.
# HEAD, then GET when HEAD fails; redirects followed through the SSRF guard; each URL once per run.
ZWGK_CHECK_LINKS = True
# Off-site = a host not named in the registry (homes, entries, column URLs) nor in allow_hosts.
# Off by default: off-site links are recorded as `skipped`, never requested (no DNS lookup either).
ZWGK_CHECK_OFFSITE_LINKS = False
ZWGK_CHECK_TLS = True  # an https home's certificate checked as a browser would (crawler/tls.py)
ZWGK_TLS_CAFILE = None  # an extra CA bundle (PEM) for portals under an intranet CA (or $ZWGK_TLS_CAFILE)
ZWGK_MAX_ENTRIES_PER_COLUMN = 1000  # entries kept per column (the rest counted: details.entries_total)
ZWGK_EXTRACT_SECONDS = 20  # one page's extraction budget (extract/budget.py); over it: unrecognized
ZWGK_RECHECK_RULES: list[
    str
] = []  # rules about one link: their open findings re-checked past caps (crawl stage sets)
# Link checks (requests) one portal may make per night; a link over it is recorded as cut (skipped,
# counted in the run's links_cut) and tried again the next night.
ZWGK_MAX_LINKS_PER_PORTAL = 3000
ZWGK_LINK_HOST_TIMEOUTS = 5  # link checks timing out on one host before its other links wait a night
ZWGK_MAX_LINKS_PER_PAGE = 100
# A run-wide budget of link checks, shared equally among the night's portals (never first come,
# first served); 0: none, only the per-portal budget.
ZWGK_MAX_LINKS_PER_RUN = 0
ZWGK_RUN_PORTALS = 0  # set by the crawl stage when processes share a night: its number of portals
ZWGK_LINK_TIMEOUT = 10  # seconds per link check request
ZWGK_LINK_MAXSIZE = 2 * 1024 * 1024  # a GET fallback stops reading here (the link works)

# Incremental crawl (crawler/rolling.py): requests carry the previous crawl's ETag / Last-Modified
# where the portal sent them; a 304, or a first list page whose entries are unchanged, reuses the
# previous snapshot (later pages, articles); an article is read once, again only when its list entry
# changed or it carries an open finding. `zwgk crawl --full` sets ZWGK_FULL to re-read everything.
ZWGK_FULL = False
# Each link is checked again at most this many days after its last check, a slice of the links each
# night (links with an open finding every night, new links on first sight).
ZWGK_LINK_RECHECK_DAYS = 7
# Each column is read in full (every list page, its articles) once in this many nights, a slice of
# the columns each night: changes below a first page are found within this many days.
ZWGK_FULL_PASS_DAYS = 7
# Attachments read for personal numbers (privacy.exposed): per article page, per run, bytes, and the
# reading worker's limits (zwgk/crawler/attachments.py: seconds of wall clock, address space).
ZWGK_ATTACHMENTS_PER_PAGE = 3
ZWGK_ATTACHMENTS_PER_RUN = 500
ZWGK_ATTACHMENT_MAXSIZE = 20 * 1024 * 1024
ZWGK_ATTACHMENT_SECONDS = 20
ZWGK_ATTACHMENT_MEMORY_MB = 768
ZWGK_ATTACHMENT_WORKERS = 2
# 政务咨询 messages the list leaves open (no reply date, no state), read on their own pages per night
ZWGK_MAX_MESSAGE_PAGES = 20
