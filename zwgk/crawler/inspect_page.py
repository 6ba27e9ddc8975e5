"""`zwgk inspect`: fetch one page (nothing else) and show what the crawler extracts from it.

The answer to 'why is my column stale?': page kind, entries with dates, further pages, metadata.
The URL the user names is allowed even on a private address (they asked for it); any redirect
to another private or loopback host is refused, as in the crawler.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from zwgk.crawler.extract import extract_page
from zwgk.crawler.extract.model import PageExtract, PageKind
from zwgk.crawler.middlewares.ssrf import address_allowed
from zwgk.crawler.settings import DOWNLOAD_TIMEOUT, USER_AGENT


@dataclass
class Fetched:
    url: str
    status: int
    content_type: str | None
    body: bytes
    error: str | None = None


class _GuardedRedirects(urllib.request.HTTPRedirectHandler):
    def __init__(self, allowed: set[str]):
        self.allowed = allowed

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        host = urlsplit(newurl).hostname or ""
        ok, reason = address_allowed(host, self.allowed)
        if not ok:
            raise urllib.error.URLError(f"redirect refused by SSRF guard: {reason}")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def fetch(
    url: str,
    timeout: float = DOWNLOAD_TIMEOUT,
    max_bytes: int = 16 * 1024 * 1024,
    allowed: set[str] | None = None,
) -> Fetched:
    """GET one URL with the crawler's user agent; HTTP errors are returned, not raised. Redirects may
    reach private addresses only on the URL's own host or the `allowed` (registry) hosts."""
    host = (urlsplit(url).hostname or "").lower()
    opener = urllib.request.build_opener(_GuardedRedirects({host, *(allowed or ())}))
    req = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept": "*/*"})
    try:
        with opener.open(req, timeout=timeout) as resp:
            return Fetched(resp.geturl(), resp.status, resp.headers.get("Content-Type"), resp.read(max_bytes))
    except urllib.error.HTTPError as exc:
        return Fetched(
            url, exc.code, exc.headers.get("Content-Type") if exc.headers else None, exc.read() or b""
        )
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Fetched(url, 0, None, b"", error=str(reason))


def column_map(body: bytes, url: str, content_type: str | None) -> dict:
    """On a unit's 信息公开 page: the catalog columns its links name (as `zwgk discover` matches them,
    without the home page to compare with), {column: {name, url, text, how, confidence}}."""
    from zwgk.config.catalog import load_catalog
    from zwgk.crawler.extract.columns import CONFIDENCE, MATCH_HOW, discover_column_map

    catalog = load_catalog()
    names = catalog.discovery_names()
    found = discover_column_map(body, url, {c.id: names[c.id] for c in catalog.columns})
    return {
        cid: {
            "name": catalog.column(cid).name,
            "url": link.url,
            "text": link.text,
            "how": MATCH_HOW[score],
            "confidence": CONFIDENCE[score],
        }
        for cid, (link, score) in found.items()
    }


def inspect_url(url: str, as_of: date, body: bytes | None = None, content_type: str | None = None) -> dict:
    """Fetch (or take the given body) and extract; a JSON-ready dict."""
    if body is None:
        got = fetch(url)
        if got.error:
            return {"url": url, "status": None, "error": got.error, "kind": None}
        page: PageExtract = extract_page(
            got.body, got.url, content_type=got.content_type, status=got.status, ref=as_of
        )
        out = {"url": url, "final_url": got.url, "status": got.status, "content_type": got.content_type}
    else:
        page = extract_page(body, url, content_type=content_type, status=200, ref=as_of)
        out = {"url": url, "final_url": url, "status": None, "content_type": content_type}
    data = page.to_dict()
    data.pop("url", None)
    data["columns"] = (
        column_map(
            body if body is not None else got.body,
            data.get("final_url") or url,
            content_type if body is not None else got.content_type,
        )
        if page.kind in (PageKind.NAV, PageKind.OTHER, PageKind.LIST)
        else {}
    )
    data["body_text"] = (data.get("body_text") or "")[:500]
    data["links"] = data.get("links", [])[:50]
    out.update(data)
    return out
