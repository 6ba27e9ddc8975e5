"""The one generic portal spider, driven by the registry (docs/design.md 'crawler/').

For every portal: its home; for every unit: the 信息公开 entry page, the columns its catalog
profile requires (explicit registry URLs first, else discovered by name/alias on the entry
page), each column's list pages up to a page limit (or its data endpoint, for script-rendered
lists), the newest articles' pages of disclosure columns (metadata, text) and of undated lists
(their publish dates), and every link on the list and article pages it reads (错链断链). It
writes one snapshot per page target and knows nothing of rules.

Incremental (crawler/rolling.py, docs/performance.md): requests carry the previous crawl's
validators (If-None-Match / If-Modified-Since); a 304, or a first list page whose entries are the
previous night's, re-emits the previous snapshot with its entries, articles and link results, so an
unchanged column costs one request with or without validators. Each column is read in full on its
night of the full-pass cycle; links and articles follow their own schedule (spiders/linkcheck.py,
spiders/articles.py). `ZWGK_FULL` (`zwgk crawl --full`) ignores the previous crawl.
"""

from __future__ import annotations

import asyncio
import os
from datetime import date, timedelta
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Request, Response

from zwgk.config.catalog import load_catalog
from zwgk.config.registry import Portal, Unit, load_registry
from zwgk.crawler import links as linkcheck
from zwgk.crawler import render, rolling
from zwgk.crawler.extract import decode_body, discover_columns, extract_article, extract_page
from zwgk.crawler.extract.budget import OverBudget, cap, deadline
from zwgk.crawler.extract.columns import tree_unrecognized
from zwgk.crawler.extract.dom import parse_html
from zwgk.crawler.extract.identity import site_identity
from zwgk.crawler.extract.model import PageExtract, PageKind
from zwgk.crawler.extract.template import Template, signatures
from zwgk.crawler.fetch_outcome import Outcome, from_failure, from_page
from zwgk.crawler.items import SnapshotItem
from zwgk.crawler.previous import PreviousCrawl, conditional_headers, load_previous, validators_of
from zwgk.crawler.spiders.articles import ArticleReading
from zwgk.crawler.spiders.attachment_reading import AttachmentReading
from zwgk.crawler.spiders.channels import ChannelFinding
from zwgk.crawler.spiders.fetching import Fetching, now_iso
from zwgk.crawler.spiders.linkcheck import LinkChecking
from zwgk.crawler.spiders.message_reading import MessageReading
from zwgk.crawler.tls import inspect_certificate


def render_js_note(rendering: bool = False, failure: str | None = None) -> str:
    """What a `render_js: true` column whose list stayed a script shell gets, truthfully: why browser
    rendering did not help (not available here — saying whether scrapy-playwright and Chromium are
    present —, or it ran and failed or found no entries)."""
    if not rendering:
        _, found = render.available()
        return f"登记表要求脚本渲染（render_js），但本次抓取未启用浏览器渲染（{found}），按脚本渲染页处理：已尝试数据接口"
    if failure:
        return f"登记表要求脚本渲染（render_js），浏览器渲染失败：{failure}"
    return "登记表要求脚本渲染（render_js），浏览器渲染后仍未读到列表条目"


FUTURE_TOLERANCE = timedelta(days=1)  # a list dated tomorrow in another time zone is not forged


def future_dates_set_aside(rows: list[dict], as_of: date, notes: list[str]) -> list[dict]:
    """Entries dated after the crawl (beyond a day) keep their date only as evidence: one entry
    dated 2099-12-31 must not keep a column fresh for years. Their `date` is cleared and
    `date_source` says 'future:YYYYMMDD' (it fits the stored 16 characters); the column's notes
    say how many there were."""
    limit = as_of + FUTURE_TOLERANCE
    future = []
    for row in rows:
        if row["date"] and date.fromisoformat(row["date"]) > limit:
            future.append(row["date"])
            row["date_source"] = "future:" + row["date"].replace("-", "")
            row["date"] = None
    if future:
        notes.append(f"{len(future)} 条信息的日期晚于监测日期（如 {max(future)}），未用于判断更新情况")
    return rows


class PortalSpider(
    Fetching, ArticleReading, AttachmentReading, ChannelFinding, MessageReading, LinkChecking, scrapy.Spider
):
    """Crawl every registered portal's units and their disclosure columns."""

    name = "portal"

    def __init__(
        self,
        registry: str,
        as_of: str,
        catalog: str | None = None,
        only: str | None = None,
        seed: bool = True,
        *args,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.seed = seed  # False for a distributed worker that only serves the shared queue
        self.catalog = load_catalog(catalog)
        self.registry = load_registry(registry, set(self.catalog.profiles), self.catalog.column_ids())
        self.as_of = date.fromisoformat(as_of)
        self.only = set(only.split(",")) if only else None  # restrict to some portal ids
        self.only_units: set[str] | None = None  # "portal/unit" pairs (from_crawler: ZWGK_ONLY_UNITS)
        self.names = self.catalog.discovery_names()
        self.hosts = self.registry.hosts()
        # Registry pages (homes, unit entries) are judged by site.unreachable, not as links.
        self.registry_pages = {linkcheck.clean_url(p.home) for p in self.registry.portals} | {
            linkcheck.clean_url(u.entry) for p in self.registry.portals for u in p.units
        }
        self.prev = PreviousCrawl()
        self._link_tasks: dict[str, asyncio.Task] = {}  # url -> link check in flight
        self._link_done: dict[str, dict] = {}  # url -> its result, once checked this run
        self._fetched: dict[str, dict] = {}  # url -> link-check-like result of a crawl fetch
        self._portal_links: dict[str, int] = {}  # portal id -> links requested this run
        self._host_timeouts: dict[str, int] = {}  # host -> link checks that timed out this run
        self._host_slots: dict[str, asyncio.Semaphore] = {}  # host -> link checks in flight

        self._home_sigs: dict[str, asyncio.Future] = {}  # portal id -> the home's block signatures
        self._home_channels: dict[str, asyncio.Future] = {}  # portal id -> channels found from the home
        self.home_finds = {c.id for c in self.catalog.columns if c.find_on == "home"}

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        s = crawler.settings
        spider.max_pages = s.getint("ZWGK_MAX_LIST_PAGES", 10)
        spider.max_article_fetches = s.getint("ZWGK_MAX_ARTICLE_DATE_FETCHES", 3)
        spider.max_article_fetches_paired = s.getint("ZWGK_MAX_ARTICLE_DATE_FETCHES_PAIRED", 40)
        spider.max_articles = s.getint("ZWGK_MAX_ARTICLES", 10)
        spider.max_articles_other = s.getint("ZWGK_MAX_ARTICLES_OTHER", 3)
        spider.check_links = s.getbool("ZWGK_CHECK_LINKS", True)
        spider.check_offsite = s.getbool("ZWGK_CHECK_OFFSITE_LINKS", False)
        spider.max_links_page = s.getint("ZWGK_MAX_LINKS_PER_PAGE", 100)
        spider.max_links_run = s.getint("ZWGK_MAX_LINKS_PER_RUN", 0)
        spider.max_links_portal = s.getint("ZWGK_MAX_LINKS_PER_PORTAL", 3000)
        spider.run_portals = s.getint("ZWGK_RUN_PORTALS", 0)
        spider.link_host_timeouts = s.getint("ZWGK_LINK_HOST_TIMEOUTS", 5)
        spider.link_host_parallel = s.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 4)

        spider.link_timeout = s.getfloat("ZWGK_LINK_TIMEOUT", 10)
        spider.link_maxsize = s.getint("ZWGK_LINK_MAXSIZE", 2 * 1024 * 1024)
        spider.full = s.getbool("ZWGK_FULL", False)
        # A recheck (zwgk/web/recheck.py) reads one unit: "portal/unit" pairs. The portal's home is
        # still read (its layout tells the unit's page where its blocks are).
        spider.only_units = set(s.getlist("ZWGK_ONLY_UNITS")) or None
        spider.template_wait = s.getfloat("DOWNLOAD_TIMEOUT", 15) * 2 + 5
        spider.link_recheck_days = s.getint("ZWGK_LINK_RECHECK_DAYS", 7)
        spider.full_pass_days = s.getint("ZWGK_FULL_PASS_DAYS", 7)
        spider.extract_seconds = s.getfloat("ZWGK_EXTRACT_SECONDS", 20)
        spider.max_entries = s.getint("ZWGK_MAX_ENTRIES_PER_COLUMN", 1000)
        spider.check_tls = s.getbool("ZWGK_CHECK_TLS", True)
        # an intranet CA: the setting, or $ZWGK_TLS_CAFILE in the environment the crawl inherits
        spider.tls_cafile = s.get("ZWGK_TLS_CAFILE") or os.environ.get("ZWGK_TLS_CAFILE") or None
        spider.links_requested = 0
        spider._attachment_settings(s)
        spider.max_message_pages = s.getint("ZWGK_MAX_MESSAGE_PAGES", 20)
        # Browser rendering (zwgk.crawler.render): configured by zwgk.crawler.run only when usable.
        spider.render_js = s.getbool("ZWGK_RENDER_JS", False)
        spider.render_guard = s.get("PLAYWRIGHT_ABORT_REQUEST") if spider.render_js else None
        spider.render_context = s.getdict("ZWGK_RENDER_CONTEXT")
        if not spider.full:
            spider.prev = load_previous(
                s.get("ZWGK_DB"), s.getint("ZWGK_RUN_ID"), s.getlist("ZWGK_RECHECK_RULES"), spider.only
            )
        return spider

    # -- start -------------------------------------------------------------------------------
    async def start(self):
        if not self.seed:
            return  # a distributed worker: requests come from the shared queue (crawler/distributed.py)
        for portal in self.registry.portals:
            if self.only and portal.id not in self.only:
                continue
            owner = next((u for u in portal.units if u.profile == "government"), portal.units[0])
            yield self._request(
                portal,
                portal.home,
                self.parse_home,
                self.home_failed,
                unit=owner,
                target="home",
                prev=self._prev_ok(portal, owner, "home", portal.home),
            )
            for unit in portal.units:
                if self.only_units and f"{portal.id}/{unit.id}" not in self.only_units:
                    continue
                yield self._request(
                    portal,
                    unit.entry,
                    self.parse_entry,
                    self.entry_failed,
                    unit=unit,
                    target="entry",
                    prev=self._prev_ok(portal, unit, "entry", unit.entry),
                )
        hook = getattr(self, "seeded_hook", None)
        if hook is not None:
            hook()  # every start request is in the shared queue: waiting workers may close when idle

    def _prev_ok(self, portal: Portal, unit: Unit, target: str, url: str | None) -> dict | None:
        """The previous crawl's snapshot of this target, when it is reusable after a 304."""
        snap = self._prev_seen(portal, unit, target, url)
        return snap if snap and (snap["details"] or {}).get("validators") else None

    def _prev_seen(self, portal: Portal, unit: Unit, target: str, url: str | None) -> dict | None:
        """The previous crawl's snapshot of this target when it was read well at the same address."""
        snap = self.prev.snapshot(portal.id, unit.id, target)
        if snap and snap["status"] in ("ok", "truncated") and snap["url"] == url:
            return snap
        return None

    # -- items -------------------------------------------------------------------------------
    def _snapshot(
        self,
        portal: Portal,
        unit: Unit,
        target: str,
        url: str | None,
        outcome: Outcome,
        response: Response | None = None,
        page: PageExtract | None = None,
        **extra,
    ) -> SnapshotItem:
        item = SnapshotItem(
            portal=portal.id,
            unit=unit.id,
            target=target,
            column_id=target.split(":", 1)[1] if target.startswith("column:") else None,
            url=url,
            final_url=response.url if response is not None else None,
            status=outcome.status,
            http_status=outcome.http_status,
            error=outcome.error,
            page_kind=str(page.kind) if page else None,
            body=response.body if response is not None else None,
            content_type=response.headers.get("Content-Type", b"").decode("latin-1") if response else None,
            fetched_at=now_iso(),
        )
        item.update(**extra)
        return item

    async def _reuse(
        self, portal: Portal, unit: Unit, target: str, prev: dict, response: Response, **extra
    ) -> SnapshotItem:
        """The previous snapshot again, after a 304 Not Modified (its page stays the evidence)."""
        details = dict(prev["details"] or {})
        details["not_modified"] = True
        details["reused_from_run"] = self.prev.run_id
        self.crawler.stats.inc_value("zwgk/not_modified")
        item = self._snapshot(
            portal,
            unit,
            target,
            prev["url"],
            Outcome(prev["status"], prev["http_status"], prev["error"]),
            None,
            None,
            entries=[dict(e) for e in prev["entries"]],
            pages_crawled=prev["pages_crawled"],
            placeholder=prev["placeholder"],
            link_text=prev["link_text"],
            details=details,
            articles=[dict(a, body=None) for a in prev["articles"]],
            page_sha256=prev["page_sha256"],
        )
        item.final_url, item.page_kind = prev["final_url"], prev["page_kind"]
        item.update(**extra)
        if item.details.get("links"):
            item.details["links"] = await self._fresh_links(list(item.details["links"]), portal)
        item.articles = await self._carry_articles(prev["articles"], portal)
        return item

    async def _same_list(
        self, portal: Portal, unit: Unit, target: str, prev: dict, response: Response, page: PageExtract
    ) -> SnapshotItem:
        """The first list page answered (200, no validators or new ones) with the same entries as on
        the previous night: its later pages and articles are carried as they were read, as after a
        304; this page is the evidence and its own links are checked as any page's (carried while
        their rolling re-check is not due, new ones on first sight)."""
        self.crawler.stats.inc_value("zwgk/same_list")
        details = dict(prev["details"] or {})
        details.update(same_list=True, reused_from_run=self.prev.run_id)
        details["validators"] = validators_of(response)
        own = await self._check_page_links(page, portal)
        first = {link["page"] for link in own} | {page.url, response.url}
        later = [link for link in details.get("links") or [] if link.get("page") not in first]
        details["links"] = own + await self._fresh_links(later, portal)
        item = self._snapshot(
            portal,
            unit,
            target,
            prev["url"],
            Outcome(prev["status"], response.status, prev["error"]),  # e.g. why it was truncated
            response,
            page,
            entries=[dict(e) for e in prev["entries"]],
            pages_crawled=prev["pages_crawled"],
            placeholder=page.placeholder,
            link_text=response.meta["link_text"],
            details=details,
            articles=await self._carry_articles(prev["articles"], portal, response.meta.get("template")),
        )
        return item

    def _extract(
        self, response: Response, article: bool = False, template: Template | None = None
    ) -> PageExtract:
        """The page as extracted within its time budget (extract/budget.py); a page over budget is a
        PageExtract with `problem` set and nothing read, which from_page makes a crawl problem."""
        ctype = response.headers.get("Content-Type", b"").decode("latin-1") or None
        extract = extract_article if article else extract_page
        try:
            with deadline(self.extract_seconds):
                return extract(
                    response.body,
                    response.url,
                    content_type=ctype,
                    status=response.status,
                    ref=self.as_of,
                    template=template,
                )
        except OverBudget as exc:
            self.crawler.stats.inc_value("zwgk/extract_over_budget")
            self.logger.warning("extraction over budget (%s s): %s", exc.seconds, response.url)
            return PageExtract(url=response.url, kind=PageKind.OTHER, problem=str(exc), notes=[str(exc)])

    # -- templates (extract/template.py) ---------------------------------------------------------
    def _home_template(self, portal: Portal) -> asyncio.Future:
        """The portal home's block signatures, resolved once the home was parsed (or failed)."""
        fut = self._home_sigs.get(portal.id)
        if fut is None:
            fut = self._home_sigs[portal.id] = asyncio.get_event_loop().create_future()
        return fut

    def _set_home_template(self, portal: Portal, sigs: list[str]) -> None:
        fut = self._home_template(portal)
        if not fut.done():
            fut.set_result(list(sigs))

    async def _wait_home_template(self, portal: Portal) -> list[str]:
        """Entry pages are compared with the home page; a home that never answers (or one fetched by
        another distributed worker) is waited for at most the download timeout."""
        try:
            return await asyncio.wait_for(asyncio.shield(self._home_template(portal)), self.template_wait)
        except TimeoutError:
            return []

    def _page_signatures(self, response: Response) -> list[str]:
        """The page's block signatures (extract/template.py); none for a page over budget."""
        return self._page_facts(response)[0]

    def _page_facts(self, response: Response) -> tuple[list[str], dict | None]:
        """One parse of a home or entry page: its block signatures (extract/template.py) and the
        identity marks it shows (extract/identity.py); nothing for a page over budget."""
        ctype = response.headers.get("Content-Type", b"").decode("latin-1") or None
        try:
            with deadline(self.extract_seconds):
                html, _ = decode_body(cap(response.body)[0], response.url, ctype)
                parsed = parse_html(html, response.url)
                identity = site_identity(parsed.doc, parsed.scripts, parsed.script_srcs)
                return signatures(parsed.doc, parsed.base_url), identity
        except OverBudget:
            return [], None

    def _discover(self, response: Response, wanted: list[str], home_sigs: list[str]) -> dict:
        """The catalog columns linked from an entry page, within the page's time budget (none if over:
        the entry is then unrecognized, its columns unknown rather than missing)."""
        ctype = response.headers.get("Content-Type", b"").decode("latin-1") or None
        try:
            with deadline(self.extract_seconds):
                html, _ = decode_body(cap(response.body)[0], response.url, ctype)
                return discover_columns(
                    html,
                    response.url,
                    {c: self.names[c] for c in wanted},
                    template=Template.of(shared=home_sigs),
                )
        except OverBudget:
            return {}

    def _column_template(self, portal: Portal, entry_sigs: list[str], found: dict) -> Template:
        own = [portal.home, *(u.entry for u in portal.units), *(v[0] for v in found.values())]
        return Template.of(shared=entry_sigs, own_urls=own)

    # -- home --------------------------------------------------------------------------------
    async def parse_home(self, response: Response):
        portal, unit = response.meta["portal"], response.meta["unit"]
        prev = response.meta.get("prev")
        if response.status == 304 and prev:
            self._set_home_template(portal, (prev.get("details") or {}).get("template") or [])
            item = await self._reuse(portal, unit, "home", prev, response)
            channels = (prev.get("details") or {}).get("channels")
            if channels is None or any(c.id not in channels for c in self._home_columns(portal)):
                # not found (or never looked for) behind an unchanged home: look again, its hub
                # page may have changed
                channels = await self._channels_again(portal)
            self._set_channels(portal, channels)
            if item is not None and channels is not None:
                item.details = {**(item.details or {}), "channels": channels}
            await self._add_tls(item, portal)
            yield item
            return
        page = self._extract(response)
        self._remember_fetch(portal.home, response)
        outcome = from_page(response.status, page)
        details = {"validators": validators_of(response)}
        if outcome.status == "ok":
            details["template"], identity = self._page_facts(response)
            if identity is not None:
                details["identity"] = identity
        self._set_home_template(portal, details.get("template") or [])
        if outcome.status == "ok":
            details["channels"] = await self._find_channels(portal, response)
            self._set_channels(portal, details["channels"])
            details["links"] = await self._check_page_links(page, portal)
        else:
            self._set_channels(portal, None)
        item = self._snapshot(portal, unit, "home", portal.home, outcome, response, page, details=details)
        await self._add_tls(item, portal)
        yield item

    async def _add_tls(self, item, portal: Portal) -> None:
        """The home's certificate as a browser judges it (crawler/tls.py), every night: a certificate
        expires whether or not the page changed. Off with ZWGK_CHECK_TLS = False."""
        if not self.check_tls or not portal.home.startswith("https:") or item is None:
            return
        loop = asyncio.get_running_loop()
        facts = await loop.run_in_executor(None, inspect_certificate, portal.home, self.tls_cafile)
        if facts is not None:
            item.details = {**(item.details or {}), "tls": facts}

    def home_failed(self, failure):
        meta = failure.request.meta
        self._set_home_template(meta["portal"], [])
        self._set_channels(meta["portal"], None)
        yield self._snapshot(
            meta["portal"], meta["unit"], "home", meta["portal"].home, from_failure(failure.value)
        )

    # -- unit entry ----------------------------------------------------------------------------
    def entry_failed(self, failure):
        meta = failure.request.meta
        yield self._snapshot(
            meta["portal"], meta["unit"], "entry", meta["unit"].entry, from_failure(failure.value)
        )

    async def parse_entry(self, response: Response):
        portal: Portal = response.meta["portal"]
        unit: Unit = response.meta["unit"]
        prev = response.meta.get("prev")
        wanted = [c.id for c in self.catalog.required_columns(unit.profile)]
        wanted += [c for c in unit.columns if c not in wanted]
        # portal-wide channels (政务咨询) come from the home (spiders/channels.py), not this page
        on_home = [c for c in wanted if c in self.home_finds and c not in unit.columns]
        wanted = [c for c in wanted if c not in on_home]
        found: dict[str, tuple[str, str]] = {}
        if response.status == 304 and prev:
            item = await self._reuse(portal, unit, "entry", prev, response)
            texts = prev["details"].get("columns_link_text") or {}
            found = {
                cid: (url, texts.get(cid, ""))
                for cid, url in (prev["details"].get("columns_found") or {}).items()
            }
            entry_sigs = prev["details"].get("template") or []
            outcome_ok = True
        else:
            entry_sigs = []
            page = self._extract(response)
            self._remember_fetch(unit.entry, response)
            outcome = from_page(response.status, page)
            if outcome.status == "ok" and page.kind == PageKind.JS_SHELL:
                outcome = Outcome("js-shell", response.status, "信息公开页面由脚本渲染，未能读取栏目链接")
            details: dict = {"validators": validators_of(response)}
            if outcome.status == "ok":
                entry_sigs = self._page_signatures(response)
                details["template"] = entry_sigs
                home_sigs = [] if response.url == portal.home else await self._wait_home_template(portal)
                discovered = self._discover(response, wanted, home_sigs)
                for cid in wanted:
                    if cid in unit.columns:
                        found[cid] = (unit.columns[cid], "（登记表指定）")
                    elif cid in discovered and self._may_follow(portal, response.url, discovered[cid].url):
                        found[cid] = (linkcheck.clean_url(discovered[cid].url), discovered[cid].text)
                details["links"] = await self._check_page_links(page, portal)
                blind = tree_unrecognized(
                    [c for c in wanted if c not in unit.columns],
                    set(found),
                    self.catalog.discovery.min_found_share,
                )
                if blind:
                    outcome = Outcome("unrecognized", response.status, blind)
            details["columns_found"] = {k: v[0] for k, v in found.items()}
            details["columns_link_text"] = {k: v[1] for k, v in found.items()}
            item = self._snapshot(portal, unit, "entry", unit.entry, outcome, response, page, details=details)
            outcome_ok = outcome.status == "ok"
        yield item
        if not outcome_ok:
            return
        template = self._column_template(portal, entry_sigs, found)
        for cid in on_home:
            how, url, text = self._channel_outcome(portal, cid, await self._wait_channels(portal))
            if how == "found":
                yield self._column_request(portal, unit, cid, url, text, template)
            elif how == "missing":
                yield self._snapshot(
                    portal,
                    unit,
                    f"column:{cid}",
                    None,
                    Outcome("missing"),
                    details={
                        "searched": self.names[cid],
                        "entry_page": portal.home,
                        "where": "门户首页及互动交流页面",
                    },
                )
            else:
                yield self._snapshot(portal, unit, f"column:{cid}", None, Outcome("unrecognized", None, text))
        for cid in wanted:
            if cid not in found:
                yield self._snapshot(
                    portal,
                    unit,
                    f"column:{cid}",
                    None,
                    Outcome("missing"),
                    details={"searched": self.names[cid], "entry_page": unit.entry},
                )
                continue
            url, text = found[cid]
            yield self._column_request(portal, unit, cid, url, text, template)

    def _column_request(
        self, portal: Portal, unit: Unit, cid: str, url: str, text: str, template: Template | None = None
    ) -> Request:
        prev = self._prev_seen(portal, unit, f"column:{cid}", url)
        full = self.full or rolling.full_pass(
            url, self.as_of, self.full_pass_days, ((prev or {}).get("details") or {}).get("full_read_on")
        )
        meta = self._meta(
            portal,
            unit=unit,
            column=cid,
            link_text=text,
            prev=prev,
            page_url=url,
            template=template,
            full_pass=full,
        )
        endpoint = (prev or {}).get("details", {}).get("data_endpoint")
        if prev and endpoint and not full:
            # A script-rendered list: its data is the content; ask the endpoint directly (on its full
            # pass the page is read again, and the endpoint found from it, with the page's links).
            meta["via_data"] = True
            headers = conditional_headers(prev["details"].get("data_validators"))
            return self._data_request(endpoint, meta, headers, self.parse_column, self.column_failed)
        # The night of its full pass a column is asked unconditionally: a 304 on its first page says
        # nothing of the pages below it.
        headers = {} if full else conditional_headers((prev or {}).get("details", {}).get("validators"))
        return Request(
            url,
            callback=self.parse_column,
            errback=self.column_failed,
            meta=meta,
            headers=headers,
            dont_filter=True,
        )

    async def _from_data(
        self, portal: Portal, unit: Unit, cid: str, page_url: str, response: Response, prev: dict, notes: list
    ) -> tuple[list, Response | None]:
        """A list asked for at its data endpoint: (its items, None) when the endpoint answered with
        new data, else ([], the column page read again) — or ([failure snapshot], None)."""
        data = self._extract(response)
        if 200 <= response.status < 300 and data.kind == PageKind.DATA:
            notes.append(f"列表数据取自 {response.request.url}（数据接口有更新）")
            items = [
                item
                async for item in self._finish_column(
                    portal,
                    unit,
                    cid,
                    page_url,
                    response,
                    None,
                    list(data.entries),
                    "ok",
                    1,
                    notes,
                    {
                        "data_endpoint": prev["details"]["data_endpoint"],
                        "data_validators": validators_of(response),
                    },
                )
            ]
            return items, None
        # The endpoint moved or failed: read the page again.
        meta = response.meta
        try:
            return [], await self._fetch(
                page_url,
                portal,
                unit=unit,
                column=cid,
                link_text=meta.get("link_text"),
                template=meta.get("template"),
                page_url=page_url,
            )
        except Exception as exc:
            target = f"column:{cid}"
            failed = self._snapshot(
                portal, unit, target, page_url, from_failure(exc), link_text=response.meta["link_text"]
            )
            return [failed], None

    async def _unchanged_column(
        self, portal: Portal, unit: Unit, target: str, prev: dict, response: Response, page_url: str
    ) -> tuple[SnapshotItem | None, Response]:
        """After a 304: the previous snapshot again, or (None, the page) when the list's data was
        unchanged but the page around it (and the links it carries) changed. The page is asked
        (one conditional request) only on the night its carried link results are due for a
        re-check: a link is only re-checked, and so only reported, while the page still has it."""
        links = (prev.get("details") or {}).get("links") or []
        if response.meta.get("via_data") and not all(self._link_fresh(link) for link in links):
            shell = await self._changed_shell(page_url, prev, portal, response.meta)
            if shell is not None:
                return None, shell
        item = await self._reuse(portal, unit, target, prev, response, link_text=response.meta["link_text"])
        return item, response

    async def _changed_shell(self, url: str, prev: dict, portal: Portal, meta: dict) -> Response | None:
        """The column page again when it changed since the previous crawl (a conditional GET with its
        stored validators), else None: it answered 304, or could not be fetched (the unchanged data
        then stands, as a failed fetch never changes what was seen)."""
        validators = (prev.get("details") or {}).get("validators")
        try:
            resp = await self._fetch(
                url,
                portal,
                headers=conditional_headers(validators),
                unit=meta.get("unit"),
                column=meta.get("column"),
                link_text=meta.get("link_text"),
                template=meta.get("template"),
                page_url=url,
            )
        except Exception:
            return None
        if resp.status == 304:
            return None
        self.crawler.stats.inc_value("zwgk/data_shell_changed")
        return resp

    def _left_portal(self, portal: Portal, response: Response) -> Outcome | None:
        """Why a column page that ended on `final_url` is not this portal's, or None when it is: the
        hosts of this portal's own registry URLs (home, unit entries, explicit columns) and the
        subdomains of its home — not the other portals of the registry."""
        final_url = response.url
        host = (urlsplit(final_url).hostname or "").lower()
        own = {(urlsplit(u).hostname or "").lower() for u in [portal.home, *(x.entry for x in portal.units)]}
        own |= {(urlsplit(c).hostname or "").lower() for x in portal.units for c in x.columns.values()}
        home = (urlsplit(portal.home).hostname or "").lower().removeprefix("www.")
        if host in own or (
            home and "." in home and not home.replace(".", "").isdigit() and host.endswith("." + home)
        ):
            return None
        return Outcome(
            "error", response.status, f"栏目页面跳转到其他网站（{host or final_url[:100]}），未按其内容检查"
        )

    def _may_follow(self, portal: Portal, page_url: str, url: str) -> bool:
        """Columns are followed on the portal's own hosts only (its registry hosts and subdomains)."""
        host = (urlsplit(url).hostname or "").lower()
        if not host or urlsplit(url).scheme not in ("http", "https"):
            return False
        own = {(urlsplit(page_url).hostname or "").lower(), (urlsplit(portal.home).hostname or "").lower()}
        own |= self.hosts
        if host in own:
            return True
        home = (urlsplit(portal.home).hostname or "").lower().removeprefix("www.")
        return (
            bool(home) and "." in home and not home.replace(".", "").isdigit() and host.endswith("." + home)
        )

    # -- columns -------------------------------------------------------------------------------
    def column_failed(self, failure):
        meta = failure.request.meta
        url = meta.get("page_url") or failure.request.url
        yield self._snapshot(
            meta["portal"],
            meta["unit"],
            f"column:{meta['column']}",
            url,
            from_failure(failure.value),
            link_text=meta.get("link_text"),
        )

    async def parse_column(self, response: Response):
        portal: Portal = response.meta["portal"]
        unit: Unit = response.meta["unit"]
        cid: str = response.meta["column"]
        prev = response.meta.get("prev")
        page_url: str = response.meta.get("page_url") or response.request.url
        target = f"column:{cid}"
        if response.status == 304 and prev:
            reused, response = await self._unchanged_column(portal, unit, target, prev, response, page_url)
            if reused is not None:
                yield reused
                return
        notes: list[str] = []
        details: dict = {}
        if response.meta.get("via_data"):
            items, response = await self._from_data(portal, unit, cid, page_url, response, prev, notes)
            if response is None:
                for item in items:
                    yield item
                return
        template = response.meta.get("template")
        page = self._extract(response, template=template)
        # Redirected to another site (another registered portal's, or any other): its entries say
        # nothing about this column. Flagged with where it went, never scored on them.
        outcome = self._left_portal(portal, response) or from_page(response.status, page)
        self._remember_fetch(page_url, response)
        if outcome.status != "ok":
            if outcome.status == "unreachable" and response.status in (404, 410):
                outcome = Outcome("error", response.status, f"栏目链接返回 HTTP {response.status}")
            yield self._snapshot(
                portal, unit, target, page_url, outcome, response, page, link_text=response.meta["link_text"]
            )
            return
        details["validators"] = validators_of(response)
        notes += list(page.notes)
        entries = list(page.entries)
        status = "ok"
        details["first_page"] = rolling.list_fingerprint(entries, page.placeholder, bool(page.next_pages))
        if self._list_unchanged(cid, prev, response, details["first_page"], page):
            yield await self._same_list(portal, unit, target, prev, response, page)
            return
        # A script-rendered list: follow its data endpoint, or report the shell (never blank).
        if page.kind == PageKind.JS_SHELL and not entries:
            entries, status = await self._list_from_endpoints(page, portal, notes, details)
            if status == "antibot":
                yield self._snapshot(
                    portal,
                    unit,
                    target,
                    page_url,
                    Outcome("antibot", 412, "数据接口返回反爬虫验证页"),
                    response,
                    page,
                    link_text=response.meta["link_text"],
                    details={"notes": notes},
                )
                return
            if status == "js-shell" and portal.render_js:
                rendered, failure = (
                    await self._render(page_url, portal, response.meta["link_text"])
                    if self.render_js
                    else (None, None)
                )
                if rendered is not None and rendered[1].entries:
                    # The list as the browser built it; the rendered DOM is the stored evidence. No
                    # validators are kept: the HTML shell can stay unchanged (304) while the list it
                    # loads changes, so a rendered column is rendered again every run.
                    response, page = rendered
                    entries, status = list(page.entries), "ok"
                    details.pop("validators", None)
                    details["rendered"] = True
                    notes.append(f"{render.RENDERED_NOTE}（{len(entries)} 条）")
                else:
                    notes.append(render_js_note(self.render_js, failure))
        pages = [page]
        # a message column's list pages are read again for their rows (spiders/message_reading.py)
        list_responses: list[Response] = []
        self._keep_for_messages(list_responses, cid, response)
        pages_crawled = 1
        next_pages = [linkcheck.clean_url(u) for u in page.next_pages if not linkcheck.looks_like_calendar(u)]
        declared = page.page_count
        while (
            status == "ok"
            and next_pages
            and pages_crawled < self.max_pages
            and len(entries) < self.max_entries
        ):
            url = next_pages.pop(0)
            try:
                resp = await self._fetch(url, portal)
            except Exception as exc:
                status = "truncated"
                notes.append(f"第 {pages_crawled + 1} 页请求失败：{from_failure(exc).error}")
                break
            self._remember_fetch(url, resp)
            if not (200 <= resp.status < 300):
                status = "truncated"
                notes.append(f"第 {pages_crawled + 1} 页返回 HTTP {resp.status}")
                break
            more = self._extract(resp, template=template)
            if more.problem:
                status = "truncated"
                notes.append(f"第 {pages_crawled + 1} 页未能读取：{more.problem}")
                break
            pages_crawled += 1
            seen = {e.url for e in entries}
            fresh = [e for e in more.entries if e.url not in seen]
            if not fresh:
                notes.append(f"第 {pages_crawled} 页没有新条目，停止翻页（防止分页陷阱）")
                break  # a pagination trap or a repeated page: stop, nothing new
            pages.append(more)
            self._keep_for_messages(list_responses, cid, resp)
            entries.extend(fresh)
            if not next_pages and more.next_pages:
                next_pages = [
                    linkcheck.clean_url(u)
                    for u in more.next_pages
                    if u != response.url and not linkcheck.looks_like_calendar(u)
                ]
        if status == "ok" and next_pages and pages_crawled >= self.max_pages:
            status = "truncated"
            notes.append(f"仅抓取前 {self.max_pages} 页（共 {declared or '多'} 页）")
        links = []
        for p in pages:  # every list page read (each URL is checked once per run: repeated furniture is free)
            links += await self._check_page_links(p, portal)
        details["links"] = links
        await self._messages_into(details, list_responses, entries, portal, notes)
        async for item in self._finish_column(
            portal, unit, cid, page_url, response, page, entries, status, pages_crawled, notes, details
        ):
            yield item

    async def _list_from_endpoints(
        self, page: PageExtract, portal: Portal, notes: list[str], details: dict
    ) -> tuple[list, str]:
        """A script shell's list from its data endpoints: (entries, "ok"), or ([], "js-shell" or
        "antibot"); notes say what each endpoint answered."""
        for endpoint in page.data_endpoints[:3]:
            try:
                data_resp = await self._fetch_data(endpoint, portal)
            except Exception as exc:  # a failed endpoint leaves the column a js-shell
                notes.append(f"数据接口 {endpoint} 请求失败：{from_failure(exc).error}")
                continue
            data = self._extract(data_resp)
            if data.kind == PageKind.CHALLENGE or data_resp.status == 412:
                notes.append(f"数据接口 {endpoint} 返回反爬虫验证")
                return [], "antibot"
            if 200 <= data_resp.status < 300 and data.kind == PageKind.DATA:
                details["data_endpoint"] = endpoint
                details["data_validators"] = validators_of(data_resp)
                notes.append(f"列表数据取自 {endpoint}（{len(data.entries)} 条）")
                return list(data.entries), "ok"
        return [], "js-shell"

    def _list_unchanged(
        self, cid: str, prev: dict | None, response: Response, fingerprint: str, page: PageExtract
    ) -> bool:
        """Whether a first list page read tonight says what it said on the previous night, and the
        column is not due for its full pass. Message columns are always read (a reply changes a row,
        not the list), and so are lists drawn from a data endpoint (their page is not the list)."""
        if prev is None or response.meta.get("full_pass", True) or cid == self.catalog.interaction.column:
            return False
        if page.kind == PageKind.JS_SHELL or not page.entries:
            return False
        details = prev.get("details") or {}
        return details.get("first_page") == fingerprint and not details.get("data_endpoint")

    def _kept_entries(self, entries: list, details: dict, notes: list[str]) -> list:
        """At most `max_entries` of a column's entries are kept (a list of a million rows costs
        memory and storage and says nothing more): the first ones in list order — lists run newest
        first — with the newest-dated entry always among them; the total is recorded."""
        if len(entries) <= self.max_entries:
            return entries
        kept = entries[: self.max_entries]
        dated = [e for e in entries if e.date]
        newest = max(dated, key=lambda e: e.date) if dated else None
        if newest is not None and newest not in kept:
            kept[-1] = newest
        details["entries_total"] = len(entries)
        notes.append(f"列表共读到 {len(entries)} 条，保留前 {self.max_entries} 条用于检查")
        return kept

    async def _finish_column(
        self,
        portal: Portal,
        unit: Unit,
        cid: str,
        page_url: str,
        response: Response,
        page: PageExtract | None,
        entries: list,
        status: str,
        pages_crawled: int,
        notes: list[str],
        details: dict,
    ):
        entries = self._kept_entries(entries, details, notes)
        rows = [
            {
                "title": e.title,
                "url": linkcheck.clean_url(e.url),
                "date": e.date.isoformat() if e.date else None,
                "date_source": "list" if e.date else None,
            }
            for e in entries
        ]
        articles: list[dict] = []
        template = response.meta.get("template")
        # the night of a column's full pass its articles are read again too; otherwise only those
        # whose list entry changed (or that carry an open finding)
        reread = response.meta.get("full_pass", True)
        prev = response.meta.get("prev") or {}
        details["full_read_on"] = (
            self.as_of.isoformat() if reread else (prev.get("details") or {}).get("full_read_on")
        )
        disclosure = cid in self.catalog.column_ids() and self.catalog.column(cid).requires_metadata
        # Disclosure columns: the newest N articles (metadata, text, links); every other column its
        # newest few, so that serious typos and dead attachments are found wherever they are read.
        budget = self.max_articles if disclosure else self.max_articles_other
        if budget and rows:
            articles = await self._read_articles(
                rows, portal, unit, cid, notes, template, budget, disclosure, reread
            )
        if rows and not any(r["date"] for r in rows):
            await self._dates_from_articles(rows, portal, notes, articles, template, reread)
        if cid in (self.catalog.interpretation.policy_column, self.catalog.interpretation.interp_column):
            await self._dates_for_pairing(rows, portal, notes, articles, template, reread)
        future_dates_set_aside(rows, self.as_of, notes)  # after every date is known (list or article)
        read_files = [r for a in articles for r in a.pop("attachments", None) or []]
        if read_files:
            details["attachments"] = read_files[:50]
            failed = [r for r in read_files if r["status"] not in ("ok", "partial")]
            notes.append(
                f"读取附件 {len(read_files)} 个以核对个人信息"
                + (f"，{len(failed)} 个未能读取（{failed[0]['note']}）" if failed else "")
            )
        details.update({"notes": notes, "page_count": page.page_count if page else None})
        yield self._snapshot(
            portal,
            unit,
            f"column:{cid}",
            page_url,
            Outcome(status, response.status),
            response,
            page,
            entries=rows,
            pages_crawled=pages_crawled,
            placeholder=page.placeholder if page else None,
            link_text=response.meta["link_text"],
            details=details,
            articles=articles,
        )
