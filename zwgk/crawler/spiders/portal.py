"""The one generic portal spider, driven by the registry (design.md 'crawler/').

For every portal: its home; for every unit: the 信息公开 entry page, the columns its catalog
profile requires (explicit registry URLs first, else discovered by name/alias on the entry
page), each column's list pages up to a page limit, and — when a list shows no dates — a few
article pages to read their publish dates. It writes one snapshot per page target and knows
nothing of rules.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Request, Response

from zwgk.config.registry import Portal, Unit, load_registry
from zwgk.crawler.extract import decode_body, discover_columns, extract_page
from zwgk.crawler.extract.model import PageExtract, PageKind
from zwgk.crawler.fetch_outcome import Outcome, from_failure, from_response
from zwgk.rules.catalog import load_catalog


def _now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


class PortalSpider(scrapy.Spider):
    """Crawl every registered portal's units and their disclosure columns."""

    name = "portal"

    def __init__(self, registry: str, as_of: str, catalog: str | None = None, only: str | None = None,
                 *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.catalog = load_catalog(catalog)
        self.registry = load_registry(registry, set(self.catalog.profiles), self.catalog.column_ids())
        self.as_of = date.fromisoformat(as_of)
        self.only = set(only.split(",")) if only else None  # restrict to some portal ids
        self.names = self.catalog.discovery_names()

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.max_pages = crawler.settings.getint("ZWGK_MAX_LIST_PAGES", 10)
        spider.max_article_fetches = crawler.settings.getint("ZWGK_MAX_ARTICLE_DATE_FETCHES", 3)
        return spider

    # -- start -------------------------------------------------------------------------------
    async def start(self):
        for portal in self.registry.portals:
            if self.only and portal.id not in self.only:
                continue
            owner = next((u for u in portal.units if u.profile == "government"), portal.units[0])
            yield self._request(portal, portal.home, self.parse_home, self.home_failed, unit=owner)
            for unit in portal.units:
                yield self._request(portal, unit.entry, self.parse_entry, self.entry_failed, unit=unit)

    def _request(self, portal: Portal, url: str, callback, errback, **meta) -> Request:
        meta.update(portal=portal, handle_httpstatus_all=True)
        if not portal.obey_robots:
            meta["dont_obey_robotstxt"] = True
        return Request(url, callback=callback, errback=errback, meta=meta, dont_filter=True)

    # -- items -------------------------------------------------------------------------------
    def _snapshot(self, portal: Portal, unit: Unit, target: str, url: str | None, outcome: Outcome,
                  response: Response | None = None, page: PageExtract | None = None, **extra) -> dict:
        item = {
            "portal": portal.id, "unit": unit.id, "target": target,
            "column_id": target.split(":", 1)[1] if target.startswith("column:") else None,
            "url": url, "final_url": response.url if response is not None else None,
            "status": outcome.status, "http_status": outcome.http_status, "error": outcome.error,
            "page_kind": str(page.kind) if page else None,
            "body": response.body if response is not None else None,
            "content_type": response.headers.get("Content-Type", b"").decode("latin-1") if response else None,
            "fetched_at": _now(), "entries": [], "pages_crawled": 0, "placeholder": None,
            "link_text": None, "details": {},
        }
        item.update(extra)
        return item

    def _extract(self, response: Response) -> PageExtract:
        ctype = response.headers.get("Content-Type", b"").decode("latin-1") or None
        return extract_page(response.body, response.url, content_type=ctype, status=response.status,
                            ref=self.as_of)

    # -- home --------------------------------------------------------------------------------
    def parse_home(self, response: Response):
        portal, unit = response.meta["portal"], response.meta["unit"]
        page = self._extract(response)
        outcome = from_response(response.status, str(page.kind), page.challenge)
        yield self._snapshot(portal, unit, "home", portal.home, outcome, response, page)

    def home_failed(self, failure):
        meta = failure.request.meta
        yield self._snapshot(meta["portal"], meta["unit"], "home", meta["portal"].home, from_failure(failure.value))

    # -- unit entry ----------------------------------------------------------------------------
    def entry_failed(self, failure):
        meta = failure.request.meta
        yield self._snapshot(meta["portal"], meta["unit"], "entry", meta["unit"].entry, from_failure(failure.value))

    def parse_entry(self, response: Response):
        portal: Portal = response.meta["portal"]
        unit: Unit = response.meta["unit"]
        page = self._extract(response)
        outcome = from_response(response.status, str(page.kind), page.challenge)
        if outcome.status == "ok" and page.kind == PageKind.JS_SHELL:
            outcome = Outcome("js-shell", response.status, "信息公开页面由脚本渲染，未能读取栏目链接")
        wanted = [c.id for c in self.catalog.required_columns(unit.profile)]
        wanted += [c for c in unit.columns if c not in wanted]
        found = {}
        if outcome.status == "ok":
            ctype = response.headers.get("Content-Type", b"").decode("latin-1") or None
            html, _ = decode_body(response.body, response.url, ctype)
            discovered = discover_columns(html, response.url, {c: self.names[c] for c in wanted})
            for cid in wanted:
                if cid in unit.columns:
                    found[cid] = (unit.columns[cid], "（登记表指定）")
                elif cid in discovered and self._may_follow(portal, response.url, discovered[cid].url):
                    found[cid] = (discovered[cid].url, discovered[cid].text)
        yield self._snapshot(portal, unit, "entry", unit.entry, outcome, response, page,
                             details={"columns_found": {k: v[0] for k, v in found.items()}})
        if outcome.status != "ok":
            return
        for cid in wanted:
            if cid not in found:
                yield self._snapshot(portal, unit, f"column:{cid}", None, Outcome("missing"),
                                     details={"searched": self.names[cid], "entry_page": response.url})
                continue
            url, text = found[cid]
            yield Request(url, callback=self.parse_column, errback=self.column_failed, dont_filter=True,
                          meta={"portal": portal, "unit": unit, "column": cid, "link_text": text,
                                "handle_httpstatus_all": True,
                                **({"dont_obey_robotstxt": True} if not portal.obey_robots else {})})

    def _may_follow(self, portal: Portal, page_url: str, url: str) -> bool:
        """Columns are followed on the portal's own hosts only (its registry hosts and subdomains)."""
        host = (urlsplit(url).hostname or "").lower()
        if not host or urlsplit(url).scheme not in ("http", "https"):
            return False
        own = {(urlsplit(page_url).hostname or "").lower(), (urlsplit(portal.home).hostname or "").lower()}
        own |= self.registry.hosts()
        if host in own:
            return True
        home = (urlsplit(portal.home).hostname or "").lower().removeprefix("www.")
        return bool(home) and "." in home and not home.replace(".", "").isdigit() and host.endswith("." + home)

    # -- columns -------------------------------------------------------------------------------
    def column_failed(self, failure):
        meta = failure.request.meta
        yield self._snapshot(meta["portal"], meta["unit"], f"column:{meta['column']}", failure.request.url,
                             from_failure(failure.value), link_text=meta.get("link_text"))

    async def _fetch(self, url: str, portal: Portal) -> Response:
        meta = {"handle_httpstatus_all": True}
        if not portal.obey_robots:
            meta["dont_obey_robotstxt"] = True
        return await self.crawler.engine.download_async(Request(url, meta=meta, dont_filter=True))

    async def parse_column(self, response: Response):
        portal: Portal = response.meta["portal"]
        unit: Unit = response.meta["unit"]
        cid: str = response.meta["column"]
        target = f"column:{cid}"
        page = self._extract(response)
        outcome = from_response(response.status, str(page.kind), page.challenge)
        if outcome.status != "ok":
            if outcome.status == "unreachable" and response.status in (404, 410):
                outcome = Outcome("error", response.status, f"栏目链接返回 HTTP {response.status}")
            yield self._snapshot(portal, unit, target, response.request.url, outcome, response, page,
                                 link_text=response.meta["link_text"])
            return
        notes = list(page.notes)
        entries = list(page.entries)
        status = "ok"
        # A script-rendered list: follow its data endpoint, or report the shell (never blank).
        if page.kind == PageKind.JS_SHELL and not entries:
            status = "js-shell"
            for endpoint in page.data_endpoints[:2]:
                try:
                    data_resp = await self._fetch(endpoint, portal)
                except Exception as exc:  # a failed endpoint leaves the column a js-shell
                    notes.append(f"数据接口 {endpoint} 请求失败：{exc}")
                    continue
                data = self._extract(data_resp)
                if 200 <= data_resp.status < 300 and data.entries:
                    entries, status = list(data.entries), "ok"
                    notes.append(f"列表数据取自 {endpoint}")
                    break
        pages_crawled = 1
        next_pages = list(page.next_pages)
        declared = page.page_count
        while status == "ok" and next_pages and pages_crawled < self.max_pages:
            url = next_pages.pop(0)
            try:
                resp = await self._fetch(url, portal)
            except Exception as exc:
                status = "truncated"
                notes.append(f"第 {pages_crawled + 1} 页请求失败：{from_failure(exc).error}")
                break
            if not (200 <= resp.status < 300):
                status = "truncated"
                notes.append(f"第 {pages_crawled + 1} 页返回 HTTP {resp.status}")
                break
            more = self._extract(resp)
            pages_crawled += 1
            seen = {e.url for e in entries}
            fresh = [e for e in more.entries if e.url not in seen]
            if not fresh:
                break  # a pagination trap or a repeated page: stop, nothing new
            entries.extend(fresh)
            if not next_pages and more.next_pages:
                next_pages = [u for u in more.next_pages if u != response.url]
        if status == "ok" and next_pages and pages_crawled >= self.max_pages:
            status = "truncated"
            notes.append(f"仅抓取前 {self.max_pages} 页（共 {declared or '多'} 页）")
        rows = [{"title": e.title, "url": e.url, "date": e.date.isoformat() if e.date else None,
                 "date_source": "list" if e.date else None} for e in entries]
        if rows and not any(r["date"] for r in rows):
            await self._dates_from_articles(rows, portal, notes)
        yield self._snapshot(portal, unit, target, response.request.url, Outcome(status, response.status),
                             response, page, entries=rows, pages_crawled=pages_crawled,
                             placeholder=page.placeholder, link_text=response.meta["link_text"],
                             details={"notes": notes, "page_count": declared})

    async def _dates_from_articles(self, rows: list[dict], portal: Portal, notes: list[str]) -> None:
        """A list without dates: read the publish date on the first few articles' pages."""
        for row in rows[: self.max_article_fetches]:
            if not row["url"]:
                continue
            try:
                resp = await self._fetch(row["url"], portal)
            except Exception:
                continue
            if not (200 <= resp.status < 300):
                continue
            art = self._extract(resp)
            if art.publish_date:
                row["date"] = art.publish_date.isoformat()
                row["date_source"] = "article"
        found = sum(1 for r in rows if r["date"])
        notes.append(f"列表未显示日期，读取了 {min(len(rows), self.max_article_fetches)} 篇正文，{found} 篇有发布日期")
