"""Pure page extraction for zwgk-monitor: no Scrapy, no network, no clock.

Public API (used by the spider, `zwgk inspect` and the tests):
- decode_body(body, url, content_type) -> (text, encoding)
- parse_date(text, ref) -> date | None
- extract_page(body, url, content_type, status, ref) -> PageExtract
- extract_article(body, url, content_type, status, ref) -> PageExtract (a page fetched as an article)
- discover_columns(page_html, url, columns) -> {catalog_id: Link}
"""

from zwgk.encoding import decode_body

from .columns import discover_columns
from .dates import parse_date
from .model import Link, ListEntry, PageExtract, PageKind
from .page import extract_article, extract_page

__all__ = [
    "Link",
    "ListEntry",
    "PageExtract",
    "PageKind",
    "decode_body",
    "discover_columns",
    "extract_article",
    "extract_page",
    "parse_date",
]
