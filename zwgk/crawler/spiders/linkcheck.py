"""Link checking (错链断链) inside the crawl: every link on the list and article pages read, each URL
checked at most once per run (HEAD, then GET). A link checked on an earlier night is carried until its
rolling re-check is due (crawler/rolling.py); a link with an open finding is checked every night, a
new link on first sight. Budgets are per portal, the run's budget shared equally among its portals;
a link a budget cut is reported as cut and tried again the next night."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from zwgk.config.registry import Portal
from zwgk.crawler import links as linkcheck
from zwgk.crawler import rolling
from zwgk.crawler.extract.model import Link, PageExtract
from zwgk.crawler.fetch_outcome import from_failure
from zwgk.crawler.middlewares.ssrf import BlockedAddress, UnresolvedHost, host_verdict, refused_reason

# Link tarpits: from ZWGK_LINK_HOST_TIMEOUTS timed-out checks on a host, its other links wait a night.
TARPIT = "该网站多个链接超时无响应，其余链接本次未检查"
BUDGET_CUT = "超过本网站当晚的链接检查额度，本次未检查（之后的夜间轮换检查）"


class LinkChecking:
    """How the portal spider checks links: once per URL per run, within the run's link budget."""

    def _link_fresh(self, link: dict) -> bool:
        """A carried link result stands until its rolling re-check is due (ZWGK_LINK_RECHECK_DAYS)."""
        return not rolling.link_due(link, self.as_of, self.link_recheck_days)

    def _carried_link(self, url: str, owed: bool) -> dict | None:
        """The previous crawl's result for `url` when it may stand tonight, else None (check it)."""
        if self.full or owed or url in self.registry_pages or url in self._fetched:
            return None
        key = linkcheck.clean_url(url)
        if key in self.prev.broken:
            return None
        held = self.prev.links.get(key)
        if held is None or not self._link_fresh(held):
            return None
        self.crawler.stats.inc_value("zwgk/links/carried")
        return dict(held)

    def _portal_link_budget(self) -> int:
        """Link checks one portal may request tonight: its own cap, and an equal share of the run's."""
        budget = getattr(self, "_link_budget", None)
        if budget is None:
            # a night shared among processes (stages.portal_shards) says how many portals it has
            portals = getattr(self, "run_portals", 0) or (
                len([p for p in self.registry.portals if not self.only or p.id in self.only]) or 1
            )
            share = self.max_links_run // portals if self.max_links_run else self.max_links_portal
            budget = self._link_budget = max(1, min(self.max_links_portal, share))
        return budget

    async def _fresh_links(self, links: list[dict], portal: Portal) -> list[dict]:
        """Link results carried from a page not read again tonight (a 304, an unchanged list, a
        carried article), with those due checked again: their rolling re-check has come, or they
        carry an open finding (checked every night, so that a repair is seen the next day)."""
        if not self.check_links:
            return links
        due = [link for link in links if self._link_owed(link)]
        if not due:
            return links
        self.crawler.stats.inc_value("zwgk/links/rechecked_stale", len(due))
        results = await asyncio.gather(*(self._link_result(link["url"], portal) for link in due))
        redone = {link["url"]: r for link, r in zip(due, results, strict=True)}
        out = []
        for link in links:
            r = redone.get(link["url"])
            out.append(link if r is None else {**link, **r})
        return out

    def _link_owed(self, link: dict) -> bool:
        """Whether a carried link result must be checked again tonight."""
        return not self._link_fresh(link) or linkcheck.clean_url(link.get("url") or "") in self.prev.broken

    def _remember_fetch(self, url: str, response: Response) -> None:
        """A page the crawl fetched anyway answers its own link check (each URL once per run)."""
        status = linkcheck.classify_status(response.status)
        self._fetched.setdefault(
            linkcheck.clean_url(url),
            linkcheck.result(url, status, response.status, None, response.meta.get("redirect_urls"), "GET"),
        )

    async def _check_page_links(self, page: PageExtract, portal: Portal) -> list[dict]:
        """Check the page's links (capped) and return one result per link, with page and anchor text."""
        if not self.check_links:
            return []
        picked: list[Link] = []
        seen: set[str] = set()
        for link in page.links:
            url = linkcheck.clean_url(link.url)
            if url in seen or urlsplit(url).scheme not in ("http", "https"):
                continue
            seen.add(url)
            picked.append(Link(url, link.text, link.attachment))
        # Over the per-page cap only the links with an open 错链 finding are still checked: a unit
        # cannot close one by putting a hundred good links before it.
        over = picked[self.max_links_page :]
        owed = [link for link in over if linkcheck.clean_url(link.url) in self.prev.broken]
        skipped_cap = [link for link in over if link not in owed]
        picked = picked[: self.max_links_page] + owed
        results = await asyncio.gather(
            *(self._link_result(link.url, portal, link in owed) for link in picked)
        )
        out = [
            {**r, "url": link.url, "text": link.text[:200], "page": page.url, "attachment": link.attachment}
            for link, r in zip(picked, results, strict=True)
        ]
        if skipped_cap:
            self.crawler.stats.inc_value("zwgk/links/skipped_page_cap", len(skipped_cap))
        return out

    async def _link_result(self, url: str, portal: Portal, owed: bool = False) -> dict:
        """The result of checking `url` in this crawl, stamped `checked_on` (the crawl's as-of date),
        or the previous crawl's result while it stands (stamped the night it was checked).
        `owed`: the link has an open finding and is checked even past the portal's link budget."""
        carried = self._carried_link(url, owed)
        if carried is not None:
            return carried
        return {**await self._link_result_once(url, portal, owed), "checked_on": self.as_of.isoformat()}

    async def _link_result_once(self, url: str, portal: Portal, owed: bool = False) -> dict:
        if url in self.registry_pages:
            return await self._check_link(url, portal)
        if url in self._fetched:
            return self._fetched[url]
        done = self._link_done.get(url)
        if done is not None:
            return done
        task = self._link_tasks.get(url)
        if task is None:
            task = asyncio.ensure_future(
                self._check_link(url, portal, owed or linkcheck.clean_url(url) in self.prev.broken)
            )
            self._link_tasks[url] = task
        result = await task
        # a finished check is kept as its result only (a done task holds its coroutine's frame)
        self._link_done[url] = result
        self._link_tasks.pop(url, None)
        return result

    async def _check_link(self, url: str, portal: Portal, owed: bool = False) -> dict:
        stats = self.crawler.stats
        if url in self.registry_pages:
            return linkcheck.result(
                url, "skipped", error="登记表中的首页或信息公开页面（由站点可访问性检查判断）"
            )
        host = linkcheck.host_of(url)
        if linkcheck.is_numeric_host(host) or self.check_offsite or linkcheck.is_onsite(url, self.hosts):
            verdict, reason = host_verdict(host, self.hosts)  # an address literal needs no DNS lookup
            if verdict == "unresolved":  # refused without a request: the link does not work
                stats.inc_value("zwgk/links/broken")
                return linkcheck.result(url, "broken", error="域名解析失败（未发出请求）")
            if verdict == "blocked":
                stats.inc_value("zwgk/links/blocked")
                return linkcheck.result(url, "blocked", error=f"安全策略拒绝访问：{reason}")
        if not self.check_offsite and not linkcheck.is_onsite(url, self.hosts):
            stats.inc_value("zwgk/links/skipped_offsite")
            return linkcheck.result(url, "skipped", error="站外链接（未启用站外链接检查）")
        spent = self._portal_links.get(portal.id, 0)
        if spent >= self._portal_link_budget() and not owed:  # fair shares: no portal waits for another
            stats.inc_value("zwgk/links/skipped_portal_cap")
            stats.inc_value(f"zwgk/links/cut/{portal.id}")
            return {**linkcheck.result(url, "skipped", error=BUDGET_CUT), "cut": True}
        self._portal_links[portal.id] = spent + 1
        self.links_requested += 1
        slot = self._host_slots.setdefault(host, asyncio.Semaphore(max(1, self.link_host_parallel)))
        async with slot:
            # Taken here, not in a downloader middleware: a request passes the middlewares before it
            # waits in the downloader's queue, so every link of a tarpit would already be on its way.
            if self._host_timeouts.get(host, 0) >= self.link_host_timeouts:
                stats.inc_value("zwgk/links/skipped_tarpit")
                return {**linkcheck.result(url, "unverified", error=TARPIT), "cut": True}
            return await self._request_link(url, portal, host)

    async def _request_link(self, url: str, portal: Portal, host: str) -> dict:
        """HEAD, then GET when HEAD did not answer well; a timeout counts against the host (tarpits)."""
        stats = self.crawler.stats
        stats.inc_value("zwgk/links/checked")
        first: dict | None = None
        for method in ("HEAD", "GET"):
            meta = self._meta(
                portal,
                download_timeout=self.link_timeout,
                download_maxsize=self.link_maxsize,
                link_check=True,
            )
            if method == "HEAD":
                meta["dont_retry"] = True
            try:
                resp = await self.crawler.engine.download_async(
                    Request(url, method=method, meta=meta, dont_filter=True)
                )
            except UnresolvedHost:  # a redirect to a name that does not resolve
                first = first or linkcheck.result(
                    url, "broken", None, "域名解析失败（跳转目标）", method=method
                )
                continue
            except BlockedAddress as exc:
                stats.inc_value("zwgk/links/blocked")
                return linkcheck.result(
                    url, "blocked", error=f"安全策略拒绝访问（含跳转目标）：{exc}", method=method
                )
            except IgnoreRequest as exc:
                return linkcheck.result(url, "skipped", error=f"未检查：{exc}"[:200], method=method)
            except Exception as exc:
                refused = refused_reason(host)
                if refused and type(exc).__name__ == "CannotResolveHostError":  # the resolver refused it
                    stats.inc_value("zwgk/links/blocked")
                    return linkcheck.result(
                        url, "blocked", error=f"安全策略拒绝访问：{refused}", method=method
                    )
                outcome = from_failure(exc)
                if "Timeout" in type(exc).__name__ or isinstance(exc, TimeoutError):
                    self._host_timeouts[host] = self._host_timeouts.get(host, 0) + 1
                    if self._host_timeouts[host] >= self.link_host_timeouts:
                        timed_out = linkcheck.result(url, "unverified", None, outcome.error, method=method)
                        return {**timed_out, "cut": True}
                if outcome.error and "下载大小" in outcome.error:
                    return linkcheck.result(url, "ok", None, outcome.error, method=method)
                first = first or linkcheck.result(url, "broken", None, outcome.error, method=method)
                continue
            status = linkcheck.classify_status(resp.status)
            got = linkcheck.result(url, status, resp.status, None, resp.meta.get("redirect_urls"), method)
            if 300 <= resp.status < 400:  # a redirect not followed: to file:, ftp:, gopher: … or nowhere
                target = resp.headers.get("Location", b"").decode("latin-1")[:200]
                scheme = urlsplit(target).scheme or "无"
                got = linkcheck.result(
                    url,
                    "broken",
                    resp.status,
                    f"跳转到非网页地址（{scheme}）" if target else "跳转缺少目标地址",
                    resp.meta.get("redirect_urls"),
                    method,
                )
            if status == "ok":
                return got
            first = got if method == "GET" else (first or got)
        if first and first["status"] == "broken":
            stats.inc_value("zwgk/links/broken")
        return first or linkcheck.result(url, "unverified")
