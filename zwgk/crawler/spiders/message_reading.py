"""Reading a 政务咨询 column's messages (extract/messages.py) for 互动回应差.

The list pages are read for messages first (a table with 留言时间/回复时间/状态, or rows labelling
their own dates); a message the list leaves open — no reply date and no state — is read on its own
page, newest first, up to `ZWGK_MAX_MESSAGE_PAGES` within the catalog's look-back window. What is
stored (`details.messages`) is what was seen: asked, replied, state and the words it was read from;
the rule (interact.unanswered) judges, the crawl never does.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from scrapy.http import Response

from zwgk.config.registry import Portal
from zwgk.crawler import links as linkcheck
from zwgk.crawler.extract import decode_body
from zwgk.crawler.extract.budget import OverBudget, cap, deadline
from zwgk.crawler.extract.dom import el_text, parse_html
from zwgk.crawler.extract.messages import Message, message_from_page, messages_from_list

MAX_KEPT = 300  # messages stored per column (newest first)


class MessageReading:
    """The portal spider's part that reads consultation messages."""

    def _keep_for_messages(self, kept: list[Response], cid: str, response: Response) -> None:
        """Keep a list page of the message column (only that one: list pages can be megabytes)."""
        if cid == self.catalog.interaction.column:
            kept.append(response)

    async def _messages_into(
        self, details: dict, kept: list[Response], entries: list, portal: Portal, notes: list[str]
    ) -> None:
        if kept:
            details["messages"] = await self._read_messages(kept, entries, portal, notes)

    def _messages_on(self, response: Response) -> tuple[list[Message], str, object]:
        """(messages a list page shows, the page's text, its tree) within the page's time budget."""
        ctype = response.headers.get("Content-Type", b"").decode("latin-1") or None
        try:
            with deadline(self.extract_seconds):
                html, _ = decode_body(cap(response.body)[0], response.url, ctype)
                parsed = parse_html(html, response.url)
                return messages_from_list(parsed.doc, parsed.base_url), el_text(parsed.doc), parsed.doc
        except OverBudget:
            return [], "", None

    async def _read_messages(
        self, responses: list[Response], entries: list, portal: Portal, notes: list[str]
    ) -> list[dict]:
        found: dict[str, Message] = {}
        loose: list[Message] = []
        for resp in responses:
            for msg in self._messages_on(resp)[0]:
                if msg.url:
                    found.setdefault(linkcheck.clean_url(msg.url), msg)
                else:
                    loose.append(msg)
        if not found and not loose:
            # the list shows titles only: every message is read on its page
            for e in entries:
                if e.url:
                    found.setdefault(
                        linkcheck.clean_url(e.url), Message(title=e.title, url=e.url, asked=e.date)
                    )
        since = self.as_of - timedelta(days=self.catalog.interaction.lookback_days)
        todo = sorted(
            (
                m
                for m in found.values()
                if m.state == "unknown" and m.url and (m.asked is None or m.asked >= since)
            ),
            key=lambda m: m.asked.isoformat() if m.asked else "",
            reverse=True,
        )[: self.max_message_pages]
        pages = await asyncio.gather(*(self._message_page(m, portal) for m in todo))
        read = sum(1 for p in pages if p)
        messages = list(found.values()) + loose
        messages.sort(key=lambda m: m.asked.isoformat() if m.asked else "", reverse=True)
        states = {s: sum(1 for m in messages if m.state == s) for s in ("answered", "unanswered", "unknown")}
        notes.append(
            f"读取留言 {len(messages)} 条（已回复 {states['answered']}、未回复 {states['unanswered']}、"
            f"无法判断 {states['unknown']}），另读取留言页面 {read}/{len(todo)} 个"
        )
        return [
            {
                "title": m.title[:200],
                "url": m.url,
                "asked": m.asked.isoformat() if m.asked else None,
                "replied": m.replied.isoformat() if m.replied else None,
                "state": m.state,
                "shown": m.shown,
            }
            for m in messages[:MAX_KEPT]
        ]

    async def _message_page(self, msg: Message, portal: Portal) -> bool:
        """Complete `msg` from its own page; False when the page could not be read."""
        try:
            resp = await self._fetch(msg.url, portal)
        except Exception:
            return False
        if not (200 <= resp.status < 300):
            return False
        self._remember_fetch(msg.url, resp)
        _, text, doc = self._messages_on(resp)
        got = message_from_page(text, msg.title, msg.url, doc)
        if got is None:
            return True
        msg.asked = got.asked or msg.asked
        msg.replied = got.replied
        msg.state, msg.shown = got.state, got.shown
        return True
