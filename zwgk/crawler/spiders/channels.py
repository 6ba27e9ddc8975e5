"""Portal-wide channels (catalog columns with `find_on: home`, e.g. 政务咨询): found on the home —
navigation, header and foot included — or behind its 互动交流 hub, then read like any column.

Why apart from column discovery: a unit's column tree is on its 信息公开 page and the portal's
navigation is noise there; a consultation channel is the opposite — it is in the navigation (互动交流
→ 领导信箱) and never in the 信息公开 tree. What the home showed is stored with the home snapshot
(`details.channels`) and handed to the government unit's entry through a future, as the home's
template is.

Three answers, never confused: found (read as a column), not found on a home and hubs that were all
read (栏目缺失 → 无有效咨询渠道), and unknown — the home or a hub could not be read, or the channel is
on another site — which is a crawl problem, never a finding.
"""

from __future__ import annotations

import asyncio

from scrapy.http import Response

from zwgk.config.registry import Portal
from zwgk.crawler import links as linkcheck
from zwgk.crawler.extract import decode_body
from zwgk.crawler.extract.budget import OverBudget, cap, deadline
from zwgk.crawler.extract.columns import find_channel
from zwgk.crawler.extract.model import Link

UNKNOWN = None  # a channel whose presence could not be established tonight
MAX_HUBS = 2


class ChannelFinding:
    """The portal spider's part that finds `find_on: home` columns."""

    def _home_columns(self, portal: Portal) -> list:
        return [
            c
            for c in self.catalog.columns
            if c.find_on == "home" and any(u.profile in c.profiles for u in portal.units)
        ]

    def _channels_future(self, portal: Portal) -> asyncio.Future:
        fut = self._home_channels.get(portal.id)
        if fut is None:
            fut = self._home_channels[portal.id] = asyncio.get_event_loop().create_future()
        return fut

    def _set_channels(self, portal: Portal, channels: dict | None) -> None:
        fut = self._channels_future(portal)
        if not fut.done():
            fut.set_result(channels)

    async def _wait_channels(self, portal: Portal) -> dict | None:
        try:
            return await asyncio.wait_for(asyncio.shield(self._channels_future(portal)), self.template_wait)
        except TimeoutError:
            return None

    def _channel_on(self, response: Response, column) -> tuple[Link | None, list[Link]]:
        ctype = response.headers.get("Content-Type", b"").decode("latin-1") or None
        try:
            with deadline(self.extract_seconds):
                html, _ = decode_body(cap(response.body)[0], response.url, ctype)
                return find_channel(
                    html, response.url, column.names, column.exclude, self.catalog.interaction.hubs
                )
        except OverBudget:
            return None, []

    async def _find_channels(self, portal: Portal, home: Response) -> dict:
        """{column id: [url, link text, where] | None (unknown)}; a column not found is absent."""
        out: dict = {}
        for column in self._home_columns(portal):
            link, hubs = self._channel_on(home, column)
            where = "门户首页"
            blind = False
            if link is None:
                for hub in hubs[:MAX_HUBS]:
                    if not self._may_follow(portal, home.url, hub.url):
                        continue
                    try:
                        resp = await self._fetch(linkcheck.clean_url(hub.url), portal)
                    except Exception:
                        blind = True
                        continue
                    if not (200 <= resp.status < 300):
                        blind = True
                        continue
                    self._remember_fetch(hub.url, resp)
                    link, _ = self._channel_on(resp, column)
                    if link is not None:
                        where = f"「{hub.text}」页面"
                        break
            if link is not None:
                out[column.id] = [linkcheck.clean_url(link.url), link.text, where]
            elif blind:
                out[column.id] = UNKNOWN
        return out

    async def _channels_again(self, portal: Portal) -> dict | None:
        """The channels of a home that answered 304: fetched once more in full (None if it fails)."""
        try:
            resp = await self._fetch(portal.home, portal)
        except Exception:
            return None
        if not (200 <= resp.status < 300):
            return None
        return await self._find_channels(portal, resp)

    def _channel_outcome(self, portal: Portal, cid: str, channels: dict | None):
        """For the entry of a unit that needs the channel: ('found', url, text), ('missing', None, None)
        or ('unknown', None, why)."""
        if channels is None:
            return "unknown", None, "门户首页未能读取，未能查找该渠道"
        if cid not in channels:
            return "missing", None, None
        got = channels[cid]
        if got is UNKNOWN:
            return "unknown", None, "互动交流页面未能读取，未能查找该渠道"
        url, text, _ = got
        if not self._may_follow(portal, portal.home, url):
            host = linkcheck.host_of(url)
            return "unknown", None, f"该渠道位于其他网站（{host}），未读取其中留言"
        return "found", url, text
