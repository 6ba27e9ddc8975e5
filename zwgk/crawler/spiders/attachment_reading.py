"""Reading the attachments of the pages a crawl reads, for personal numbers (privacy.exposed).

Subsidy lists, 公示 of recruitment results and penalty decisions are published as attached
spreadsheets, Word files and PDFs far more often than as page text. The spider downloads a few
attachments of each article it reads (bounded in count per page and per run, and in bytes), has
their text read by the limited worker (zwgk/crawler/attachments.py), and records the numbers found
there masked, with the attachment as the finding's address and the article as the page holding it.

An attachment that cannot be read tonight (too large, encrypted, a timeout, a failed download)
is a note for the operator, never a finding; and it never closes one either: the numbers an
earlier night found in it are carried until a reading shows them gone.
"""

from __future__ import annotations

import asyncio

from scrapy.http import Response

from zwgk.config.registry import Portal
from zwgk.crawler.attachments import PROBLEMS, read_attachment
from zwgk.crawler.extract.attachment import AttachmentText, sniff
from zwgk.crawler.extract.privacy import find_exposures, mask_value
from zwgk.crawler.fetch_outcome import from_failure

# Extensions whose text a library here can read (others are still link-checked, never read).
READABLE = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".wps", ".et")


class AttachmentReading:
    """The portal spider's attachment reading: budgets, the worker pool, carried findings."""

    def _attachment_settings(self, s) -> None:
        self.attachments_per_page = s.getint("ZWGK_ATTACHMENTS_PER_PAGE", 3)
        self.attachments_run = s.getint("ZWGK_ATTACHMENTS_PER_RUN", 500)
        self.attachment_maxsize = s.getint("ZWGK_ATTACHMENT_MAXSIZE", 20 * 1024 * 1024)
        self.attachment_seconds = s.getfloat("ZWGK_ATTACHMENT_SECONDS", 20)
        self.attachment_memory_mb = s.getint("ZWGK_ATTACHMENT_MEMORY_MB", 768)
        self.attachments_read = 0
        self._attachment_tasks: dict[str, asyncio.Task] = {}  # url -> its reading, once per run
        # one worker per core at most: a parse is CPU-bound and each may take its memory limit
        self._attachment_slots = asyncio.Semaphore(max(1, s.getint("ZWGK_ATTACHMENT_WORKERS", 2)))

    @staticmethod
    def _readable(url: str) -> bool:
        return url.split("?", 1)[0].split("#", 1)[0].lower().endswith(READABLE)

    async def _attachments_of(self, page_url: str, title: str | None, links: list[dict], portal: Portal):
        """(privacy rows, records) for the readable attachments among a page's checked links."""
        picked = [
            link
            for link in links
            if link.get("attachment") and link.get("status") == "ok" and self._readable(link["url"])
        ][: self.attachments_per_page]
        rows: list[dict] = []
        records: list[dict] = []
        for link in picked:
            task = self._attachment_tasks.get(link["url"])
            if task is None:  # an article read twice (list and date pass) reads its files once
                task = self._attachment_tasks[link["url"]] = asyncio.ensure_future(
                    self._attachment(link["url"], portal)
                )
            got = dict(await task)
            text = got.pop("_text", "")  # read for its numbers, never kept: not in the record
            records.append({"url": link["url"], "page": page_url, "text": link.get("text"), **got})
            if got["status"] in ("ok", "partial"):
                rows += self._exposure_rows(link["url"], page_url, link.get("text") or title, text)
            else:
                rows += self._carried(page_url, link["url"])
        # an attachment not read tonight (budget, link not answering) keeps what was found in it
        for link in links:
            if link.get("attachment") and link not in picked:
                rows += self._carried(page_url, link["url"])
        return rows, records

    def _carried(self, page_url: str, url: str) -> list[dict]:
        prev = self.prev.articles.get(page_url) or {}
        return [r for r in prev.get("privacy") or [] if r.get("attachment") and r.get("url") == url]

    def _exposure_rows(self, url: str, page_url: str, label: str | None, text: str) -> list[dict]:
        return [
            {
                "url": url,
                "page": page_url,
                "title": str(mask_value(label or url))[:80],
                "attachment": True,
                **vars(x),
            }
            for x in find_exposures(text)
        ]

    async def _attachment(self, url: str, portal: Portal, resp: Response | None = None) -> dict:
        """Download (unless given) and read one attachment: {status, kind, pages, note, _text}."""
        stats = self.crawler.stats
        if resp is None:
            if self.attachments_read >= self.attachments_run:
                stats.inc_value("zwgk/attachments/skipped_run_cap")
                return {"status": "skipped", "note": "超过每次运行读取附件的上限"}
            self.attachments_read += 1
            try:
                resp = await self._fetch(
                    url, portal, download_maxsize=self.attachment_maxsize, dont_retry=True
                )
            except Exception as exc:
                error = from_failure(exc).error or type(exc).__name__
                status = "too_large" if "下载大小" in error or "maxsize" in error.lower() else "fetch_failed"
                stats.inc_value(f"zwgk/attachments/{status}")
                return {"status": status, "note": f"{PROBLEMS[status]}（{error}）"[:200]}
            if not (200 <= resp.status < 300):
                stats.inc_value("zwgk/attachments/fetch_failed")
                return {"status": "fetch_failed", "note": f"{PROBLEMS['fetch_failed']}（HTTP {resp.status}）"}
        async with self._attachment_slots:
            got: AttachmentText = await asyncio.to_thread(
                read_attachment, resp.body, url, self.attachment_seconds, self.attachment_memory_mb
            )
        stats.inc_value(f"zwgk/attachments/{got.status}")
        note = PROBLEMS.get(got.status) or "；".join(got.notes)
        if got.status != "ok" and got.notes and got.status in PROBLEMS:
            note += f"（{got.notes[0][:120]}）"
        return {"status": got.status, "kind": got.kind, "pages": got.pages, "note": note, "_text": got.text}

    async def _file_entry(
        self, url: str, title: str | None, resp: Response, portal: Portal, base: dict
    ) -> dict:
        """An entry whose address is the file itself: read like an attachment. Its status `file`
        keeps page rules (要素, 错别字) off it — a PDF carries no 索引号 block — while a
        privacy finding about it can still close when it is read again clean."""
        got = await self._attachment(url, portal, resp)
        text = got.pop("_text", "")
        if got["status"] in ("ok", "partial"):
            rows = [
                {k: v for k, v in r.items() if k != "page"}
                for r in self._exposure_rows(url, url, title, text)
            ]
        else:
            prev = self.prev.articles.get(url) or {}
            rows = [r for r in prev.get("privacy") or [] if r.get("url") == url]
        return {
            **base,
            "final_url": resp.url,
            "status": "file" if got["status"] in ("ok", "partial") else "error",
            "http_status": resp.status,
            "error": None if got["status"] in ("ok", "partial") else got.get("note"),
            "privacy": rows,
            "attachments": [{"url": url, "page": url, "text": title, **got}],
        }

    @staticmethod
    def _is_attachment_response(resp: Response) -> bool:
        """An entry that links a file directly (a 公示 list entry opening an .xls)."""
        ctype = resp.headers.get("Content-Type", b"").decode("latin-1").lower()
        if ctype.startswith(("text/html", "application/xhtml")):
            return False
        return sniff(resp.body) != "unknown"
