"""Browser rendering of script-built column lists (registry `render_js: true`), via scrapy-playwright.

Only requests carrying `meta["playwright"] = True` go through the browser; everything else keeps the
ordinary HTTP handler (and `GuardedResolver`). The browser is Debian's chromium (`/usr/bin/chromium`,
never a downloaded one), headless, with background networking, component updates, sync, QUIC and
the GPU off. The SSRF guard holds inside the browser too:

* every request the page makes (documents, scripts, XHR/fetch, images, frames, popups) is checked by
  `AbortOutsideRegistry`: its host must be a registry host or resolve to public addresses only
  (`zwgk.crawler.middlewares.ssrf.address_allowed`), else it is aborted before a packet is sent;
  schemes other than http(s) are aborted too;
* WebSockets are closed without connecting, service workers are blocked, WebRTC gets no UDP, and the
  profile turns network prediction off (no preconnect to an origin the guard will refuse).

Rendering is switched on by `zwgk.crawler.run` only when the registry has a `render_js` portal and
both scrapy-playwright and chromium are present (`available()`).
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib.util
import json
import os
from pathlib import Path
from urllib.parse import urlsplit

from zwgk.crawler.middlewares.ssrf import address_allowed, normalise_host

CHROMIUM = "/usr/bin/chromium"
LAUNCH_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # belt and braces: no DNS prefetching, no non-proxied UDP (WebRTC), no domain-reliability uploads
    "--dns-prefetch-disable",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
    "--disable-domain-reliability",
]
NAVIGATION_TIMEOUT_MS = 15_000  # as DOWNLOAD_TIMEOUT: a page that does not load in 15 s is not read
SETTLE_MS = 3_000  # after `load`: wait at most this long for the page's own requests to go quiet
CONTEXT = "zwgk-render"
RENDERED_NOTE = "列表由浏览器渲染后读取"


def available() -> tuple[bool, str]:
    """(usable, what is present) — scrapy-playwright importable and chromium executable."""
    have_sp = importlib.util.find_spec("scrapy_playwright") is not None
    have_chromium = os.access(CHROMIUM, os.X_OK)
    found = (
        f"scrapy-playwright {'已安装' if have_sp else '未安装'}，"
        f"Chromium {'存在（' + CHROMIUM + '）' if have_chromium else '未找到（' + CHROMIUM + '）'}"
    )
    return have_sp and have_chromium, found


class AbortOutsideRegistry:
    """PLAYWRIGHT_ABORT_REQUEST: True (abort) for every browser request the SSRF guard would refuse."""

    def __init__(self, allowed_hosts):
        self.allowed_hosts = {normalise_host(h) for h in allowed_hosts}
        self.aborted: list[str] = []  # for the crawl log / tests, capped

    async def __call__(self, request) -> bool:
        return not await self.allowed(request.url)

    async def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about"):
            return True  # in-page content, no network
        host = parts.hostname or ""
        if parts.scheme not in ("http", "https") or not host:
            ok = False
        elif normalise_host(host) in self.allowed_hosts:
            ok = True
        else:  # a lookup may block: off the event loop
            ok, _ = await asyncio.to_thread(address_allowed, host, self.allowed_hosts)
        if not ok and len(self.aborted) < 1000:
            self.aborted.append(url)
        return ok


async def init_page(page, request) -> None:
    """playwright_page_init_callback: close every WebSocket without connecting, and guard popups
    (context-level route: a page opened by window.open is not covered by the page's own route)."""
    await page.route_web_socket("**", lambda ws: ws.close())
    context = page.context
    if getattr(context, "_zwgk_guarded", False):
        return
    guard = request.meta["zwgk_render_guard"]

    async def context_route(route, pw_request):
        if await guard.allowed(pw_request.url):
            await route.continue_()
        else:
            await route.abort()

    await context.route("**", context_route)
    context._zwgk_guarded = True


async def settle(page) -> None:
    """After `load`: give the page's own XHR/fetch up to SETTLE_MS to finish (a list built from a
    data request); a page that keeps polling is read as it is then."""
    with contextlib.suppress(Exception):  # a timeout: read what is there
        await page.wait_for_load_state("networkidle", timeout=SETTLE_MS)


def prepare_profile(path: str | Path) -> str:
    """A fresh chromium profile in `path` with network prediction off: without it chromium preconnects
    (a bare TCP connect, before any route handler sees a request) to the origins of navigations —
    iframes, popups — that the guard then aborts."""
    default = Path(path) / "Default"
    default.mkdir(parents=True, exist_ok=True)
    prefs = {"net": {"network_prediction_options": 2}, "dns_prefetching": {"enabled": False}}
    (default / "Preferences").write_text(json.dumps(prefs), encoding="utf-8")
    return str(path)


def settings(allowed_hosts, profile_dir: str | Path) -> dict:
    """The Scrapy settings that route `meta["playwright"]` requests through chromium. `profile_dir`
    (an empty temporary folder the caller removes afterwards) holds the browser profile."""
    handler = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
    launch = {"executable_path": CHROMIUM, "args": list(LAUNCH_ARGS), "headless": True}
    return {
        "DOWNLOAD_HANDLERS": {"http": handler, "https": handler},
        "PLAYWRIGHT_BROWSER_TYPE": "chromium",
        "PLAYWRIGHT_LAUNCH_OPTIONS": launch,
        "PLAYWRIGHT_ABORT_REQUEST": AbortOutsideRegistry(allowed_hosts),
        "PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT": NAVIGATION_TIMEOUT_MS,
        "PLAYWRIGHT_MAX_CONTEXTS": 1,
        "PLAYWRIGHT_MAX_PAGES_PER_CONTEXT": 2,
        # A persistent context (scrapy-playwright launches it with these options, not the ones
        # above) so that the profile's preferences apply; created on the first rendered request.
        "ZWGK_RENDER_CONTEXT": {
            **launch,
            "user_data_dir": prepare_profile(profile_dir),
            "service_workers": "block",
            "java_script_enabled": True,
        },
        "ZWGK_RENDER_JS": True,
    }


def request_meta(guard: AbortOutsideRegistry | None, context_kwargs: dict) -> dict:
    """Meta of one rendered list-page request."""
    from scrapy_playwright.page import PageMethod

    return {
        "playwright": True,
        "playwright_context": CONTEXT,
        "playwright_context_kwargs": dict(context_kwargs),
        "playwright_page_init_callback": init_page,
        "playwright_page_goto_kwargs": {"wait_until": "load"},
        "playwright_page_methods": [PageMethod(settle)],
        "zwgk_render_guard": guard,
    }
