"""Reading a column's article pages: metadata and text of the newest entries of disclosure
columns, and the publish dates of undated entries (for staleness and 三同步 pairing).

An article is read once: on later nights it is carried as read (its links on their rolling
re-check) unless its list entry changed (title or date), it carries an open finding, or its column
is on its full pass (crawler/rolling.py) — then it is asked again, conditionally where the portal
sent validators."""

from __future__ import annotations

import asyncio

from zwgk.config.registry import Portal, Unit
from zwgk.crawler import links as linkcheck
from zwgk.crawler.extract.template import Template
from zwgk.crawler.fetch_outcome import from_failure, from_page
from zwgk.crawler.middlewares.ssrf import BlockedAddress
from zwgk.crawler.previous import conditional_headers, validators_of
from zwgk.crawler.spiders.fetching import now_iso

MAX_ARTICLE_TEXT = 20_000


class ArticleReading:
    """What the portal spider reads beyond a list page: the articles behind its entries."""

    async def _read_articles(
        self,
        rows: list[dict],
        portal: Portal,
        unit: Unit,
        cid: str,
        notes: list[str],
        template: Template | None = None,
        budget: int = 10,
        disclosure: bool = True,
        reread: bool = True,
    ) -> list[dict]:
        """The newest `budget` entries' pages of a column: metadata, text, links."""
        newest = sorted((r for r in rows if r["url"]), key=lambda r: r["date"] or "", reverse=True)
        picked = newest[:budget]
        articles = await asyncio.gather(
            *(
                self._article(r["url"], r["title"], portal, template, carry=self._carry(r, reread))
                for r in picked
            )
        )
        ok = sum(1 for a in articles if a["status"] in ("ok", "file"))
        notes.append(
            f"读取最新 {len(picked)} 篇正文（{ok} 篇成功）以核对"
            + ("公开要素、错别字和链接" if disclosure else "错别字和链接")
        )
        for row in rows:
            for art in articles:
                if art["url"] == row["url"] and art.get("publish_date") and not row["date"]:
                    row["date"], row["date_source"] = art["publish_date"], "article"
        return list(articles)

    def _carry(self, row: dict, reread: bool) -> bool:
        """Whether the article behind a list row is carried from the night it was read: read well
        before, the same title and list date since, no open finding on it, no full pass tonight."""
        if reread or self.full:
            return False
        prev = self.prev.articles.get(row["url"])
        if prev is None or prev["status"] not in ("ok", "file"):
            return False
        if linkcheck.clean_url(row["url"]) in self.prev.finding_urls:
            return False
        listed = row["date"] if row.get("date_source") == "list" else None
        return self.prev.entries.get(row["url"]) == (row["title"], listed)

    async def _carry_articles(
        self, articles: list[dict], portal: Portal, template: Template | None = None
    ) -> list[dict]:
        """A reused column's articles: as read before, except those carrying an open finding, which
        are read again (conditionally) so that a correction is seen the next night."""

        async def one(art: dict) -> dict:
            if art.get("url") and linkcheck.clean_url(art["url"]) in self.prev.finding_urls:
                return await self._article(art["url"], art.get("title"), portal, template)
            return await self._carried_article(art, portal)

        return list(await asyncio.gather(*(one(dict(a)) for a in articles)))

    async def _carried_article(self, prev: dict, portal: Portal) -> dict:
        """An article as it was read before (its stored page stays the evidence), links refreshed."""
        return {
            **prev,
            "body": None,
            "fetched_at": now_iso(),
            "links": await self._fresh_links(list(prev.get("links") or []), portal),
        }

    async def _article(
        self,
        url: str,
        title: str | None,
        portal: Portal,
        template: Template | None = None,
        check_links: bool = True,
        carry: bool = False,
    ) -> dict:
        """Fetch (conditionally, when the previous crawl read it) and extract one article page, or
        with `carry` the previous crawl's reading of it without a request.

        `check_links=False` for a page read only for its date: its links are not checked, so they
        neither cost requests nor eat into the run's link budget for results nobody keeps."""
        prev = self.prev.articles.get(url)
        if carry and prev is not None:
            self.crawler.stats.inc_value("zwgk/article_carried")
            return await self._carried_article(prev, portal)
        headers = conditional_headers(prev) if prev and prev["status"] in ("ok", "file") else {}
        base = {"url": url, "title": title, "fetched_at": now_iso(), "links": [], "metadata": {}}
        try:
            resp = await self._fetch(url, portal, headers=headers)
        except Exception as exc:
            outcome = from_failure(exc)
            self._fetched[url] = linkcheck.result(
                url, "blocked" if isinstance(exc, BlockedAddress) else "broken", None, outcome.error
            )
            return {**base, "status": outcome.status, "error": outcome.error}
        if resp.status == 304 and prev:
            self.crawler.stats.inc_value("zwgk/article_not_modified")
            return await self._carried_article(prev, portal)
        self._remember_fetch(url, resp)
        if 200 <= resp.status < 300 and self._is_attachment_response(resp):
            return await self._file_entry(url, title, resp, portal, {**base, **validators_of(resp)})
        art = self._extract(
            resp, article=True, template=template
        )  # metadata and publish date whatever the page kind
        outcome = from_page(resp.status, art)
        out = {
            **base,
            "final_url": resp.url,
            "status": outcome.status,
            "http_status": resp.status,
            "error": outcome.error,
            "body": resp.body if outcome.status == "ok" else None,
            "content_type": resp.headers.get("Content-Type", b"").decode("latin-1"),
        }
        if outcome.status != "ok":
            return out
        v = validators_of(resp)
        out.update(
            title=art.title or title,
            metadata=art.metadata,
            publish_date=art.publish_date.isoformat() if art.publish_date else None,
            text=((art.title or title or "") + "\n" + (art.body_text or ""))[:MAX_ARTICLE_TEXT],
            etag=v.get("etag"),
            last_modified=v.get("last_modified"),
        )
        out["links"] = await self._check_page_links(art, portal) if check_links else []
        if check_links:
            out["privacy"], out["attachments"] = await self._attachments_of(
                url, out["title"], out["links"], portal
            )
        return out

    async def _dates_from_articles(
        self,
        rows: list[dict],
        portal: Portal,
        notes: list[str],
        articles: list[dict],
        template: Template | None = None,
        reread: bool = True,
    ) -> None:
        """A list without dates: read the publish date on the first few articles' pages."""
        read = {a["url"]: a for a in articles}
        for row in rows[: self.max_article_fetches]:
            if not row["url"]:
                continue
            art = read.get(row["url"])
            if art is None:
                carry = self._carry(row, reread)
                art = await self._article(row["url"], row["title"], portal, template, carry=carry)
                articles.append(art)
            if art.get("publish_date"):
                row["date"] = art["publish_date"]
                row["date_source"] = "article"
        found = sum(1 for r in rows if r["date"])
        notes.append(
            f"列表未显示日期，读取了 {min(len(rows), self.max_article_fetches)} 篇正文，{found} 篇有发布日期"
        )

    async def _dates_for_pairing(
        self,
        rows: list[dict],
        portal: Portal,
        notes: list[str],
        articles: list[dict],
        template: Template | None = None,
        reread: bool = True,
    ) -> None:
        """Policy and interpretation entries still undated: read their pages' publish dates.

        三同步 pairs each policy with its interpretation by date, so an undated interpretation
        below the newest few would leave a late one unseen. These pages are read for their date
        only (they do not join the articles whose metadata and text are checked).
        """
        read = {a["url"]: a for a in articles}
        todo = [r for r in rows if r["url"] and not r["date"] and r["url"] not in read]
        todo = todo[: self.max_article_fetches_paired]
        if not todo:
            return
        got = await asyncio.gather(
            *(
                self._article(
                    r["url"], r["title"], portal, template, check_links=False, carry=self._carry(r, reread)
                )
                for r in todo
            )
        )
        found = 0
        for row, art in zip(todo, got, strict=True):
            if art.get("publish_date"):
                row["date"], row["date_source"] = art["publish_date"], "article"
                found += 1
        notes.append(f"另读取 {len(todo)} 篇未显示日期条目的正文以核对解读时限，{found} 篇有发布日期")
