"""Requests and fetches inside the spider's callbacks: the meta every request carries, data
endpoints (GET, or POST as a platform's script does), and browser rendering of script-built lists."""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy.http import FormRequest, Request, Response

from zwgk.config.registry import Portal
from zwgk.crawler import render
from zwgk.crawler.extract import platforms
from zwgk.crawler.extract.model import PageExtract
from zwgk.crawler.fetch_outcome import from_failure
from zwgk.crawler.previous import conditional_headers

# Every status reaches the callbacks except redirects (see _meta).
HANDLED_STATUSES = [s for s in range(100, 600) if s not in (301, 302, 303, 307, 308)]


def now_iso() -> str:
    """Now as items carry it: ISO seconds, naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None).isoformat(timespec="seconds")


class Fetching:
    """How the portal spider asks for pages: one place for request meta, data endpoints and rendering."""

    def _meta(self, portal: Portal, **meta) -> dict:
        # Every status reaches the callbacks (a 404 or 503 is an observation) except redirects, which
        # RedirectMiddleware follows through the SSRF guard (`handle_httpstatus_all` would stop it: a
        # moved entry page would look unreachable); a loop ends in max redirections (重定向循环).
        meta.update(portal=portal, handle_httpstatus_list=HANDLED_STATUSES)
        if not portal.obey_robots:
            meta["dont_obey_robotstxt"] = True
        return meta

    def _request(
        self, portal: Portal, url: str, callback, errback, prev: dict | None = None, **meta
    ) -> Request:
        headers = conditional_headers((prev or {}).get("details", {}).get("validators"))
        return Request(
            url,
            callback=callback,
            errback=errback,
            meta=self._meta(portal, prev=prev, **meta),
            headers=headers,
            dont_filter=True,
        )

    async def _fetch(self, url: str, portal: Portal, headers: dict | None = None, **meta) -> Response:
        request = Request(url, meta=self._meta(portal, **meta), headers=headers or {}, dont_filter=True)
        return await self.crawler.engine.download_async(request)

    async def _render(
        self, url: str, portal: Portal, link_text: str | None
    ) -> tuple[tuple[Response, PageExtract] | None, str | None]:
        """The list page as chromium renders it (scrapy-playwright; zwgk.crawler.render), extracted:
        ((response, page), None), or (None, why not)."""
        meta = self._meta(
            portal, link_text=link_text, **render.request_meta(self.render_guard, self.render_context)
        )
        stats = self.crawler.stats
        stats.inc_value("zwgk/render/requests")
        try:
            resp = await self.crawler.engine.download_async(Request(url, meta=meta, dont_filter=True))
        except Exception as exc:
            stats.inc_value("zwgk/render/failed")
            return None, (from_failure(exc).error or type(exc).__name__)[:200]
        if not (200 <= resp.status < 300):
            stats.inc_value("zwgk/render/failed")
            return None, f"HTTP {resp.status}"
        stats.inc_value("zwgk/render/ok")
        return (resp, self._extract(resp)), None

    @staticmethod
    def _data_request(endpoint: str, meta: dict, headers: dict, callback=None, errback=None) -> Request:
        """GET a data endpoint, or POST it as its platform's script does (Hanweb dataproxy.jsp)."""
        for platform in platforms.PLATFORMS:
            post = platform.form_post(endpoint) if platform.form_post is not None else None
            if post is not None:
                url, formdata = post
                return FormRequest(
                    url,
                    formdata=formdata,
                    callback=callback,
                    errback=errback,
                    meta=meta,
                    headers=headers,
                    dont_filter=True,
                )
        return Request(
            endpoint, callback=callback, errback=errback, meta=meta, headers=headers, dont_filter=True
        )

    async def _fetch_data(self, endpoint: str, portal: Portal, headers: dict | None = None) -> Response:
        request = self._data_request(endpoint, self._meta(portal), headers or {})
        return await self.crawler.engine.download_async(request)
