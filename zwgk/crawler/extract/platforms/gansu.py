"""The Gansu provincial CMS (docs/portal-patterns.md §1, §4).

Detail pages `/<site>/c<channel>/<YYYYMM>/<docid>.shtml`; the pager is a 6-argument
`createPageHTML('page_div', pages, current1, 'zwgklist', 'shtml', records)` with a 1-based current
page, often inside the commented-out list, and the page's own function body says which separator
goes before the page number.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from ..model import MAX_PAGES, Pagination
from .model import Platform

_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*[\"']([^\"']*)[\"']\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"']([^\"']+)[\"']\s*,"
    r"\s*[\"']([A-Za-z]+)[\"']\s*(?:,\s*(\d+)\s*)?\)"
)


def _separator(raw: str) -> str:
    """Separator the page's own createPageHTML body puts before the page number ('_' by default)."""
    body = re.search(r"function\s+createPageHTML\s*\(([^)]{0,300})\)\s*\{(.{0,4000})", raw, re.S)
    if body:
        sep = re.search(r"[\"']([_\-])[\"']\s*\+", body.group(2))
        if sep:
            return sep.group(1)
    return "_"


def pager(raw: str, base: str) -> Pagination | None:
    match = _CREATE_PAGE.search(raw)
    if not match:
        return None
    count, current1, name, ext = int(match.group(2)), int(match.group(3)), match.group(4), match.group(5)
    sep = _separator(raw)
    urls = [urljoin(base, f"{name}{sep}{k}.{ext}") for k in range(max(current1, 1) + 1, count + 1)]
    note = f"Gansu createPageHTML: {count} pages, current {current1}"
    if match.group(6):
        note += f", {match.group(6)} records"
    return Pagination(urls[:MAX_PAGES], count, [note])


PLATFORM = Platform(
    name="Gansu",
    detail_urls=(r"/\d{6}/[^/]+\.s?html?$",),  # …/c110634/202311/<docid>.shtml (TRS date folders too)
    pager=pager,
)
