"""TRS WCM (拓尔思): the most common government CMS (docs/portal-patterns.md §1, §4, §6).

Detail pages `./YYYYMM/tYYYYMMDD_<id>.html`; the pager is written by script as
`createPageHTML(nPageCount, nCurrIndex, "index", "html")` (0-based index: page k≥2 is
`index_{k-1}.html`) or as `countPage = N` variables; the body sits in `div.TRS_Editor`.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from ..model import MAX_PAGES, Pagination
from .model import Platform

_CREATE_PAGE = re.compile(
    r"createPageHTML\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"']([^\"']+)[\"']\s*,\s*[\"']([A-Za-z]+)[\"']\s*\)"
)
_COUNT_PAGE = re.compile(r"\b(?:countPage|pageCount|totalPage|nPageCount|maxPage)\s*=\s*(\d+)")
_CURRENT_PAGE = re.compile(r"\b(?:currentPage|curPage|nCurrIndex|pageIndex)\s*=\s*(\d+)")
_VAR_NAME = re.compile(r"[\"']([A-Za-z][\w-]*)[\"']\s*\+\s*[\"']_[\"']\s*\+")
_VAR_EXT = re.compile(r"\+\s*[\"']\.[\"']\s*\+\s*[\"'](s?html?)[\"']|\+\s*[\"']\.(s?html?)")


def page_urls(name: str, ext: str, count: int, current0: int, base: str) -> list[str]:
    """Page 1 = name.ext, page k>=2 = name_{k-1}.ext; `current0` is 0-based."""
    last = min(count, MAX_PAGES + current0 + 1)
    return [urljoin(base, f"{name}_{k}.{ext}") for k in range(current0 + 1, last)]


def pager(raw: str, base: str) -> Pagination | None:
    for match in _CREATE_PAGE.finditer(raw):
        count, current0, name, ext = int(match.group(1)), int(match.group(2)), match.group(3), match.group(4)
        return Pagination(
            page_urls(name, ext, count, current0, base),
            count,
            [f"TRS createPageHTML: {count} pages, current index {current0}"],
        )
    declared = _COUNT_PAGE.search(raw)
    # The variables form only counts when the script also builds "index"+"_"+i page names.
    if declared and _VAR_NAME.search(raw):
        current = _CURRENT_PAGE.search(raw[max(0, declared.start() - 2000) : declared.end() + 2000])
        name = _VAR_NAME.search(raw)
        ext = _VAR_EXT.search(raw)
        total = int(declared.group(1))
        current0 = int(current.group(1)) if current else 0
        page_name = name.group(1) if name else "index"
        page_ext = (ext.group(1) or ext.group(2)) if ext else "html"
        return Pagination(
            page_urls(page_name, page_ext, total, current0, base),
            total,
            [f"TRS pager variables: countPage={total}, currentPage={current0}"],
        )
    return None


PLATFORM = Platform(
    name="TRS",
    detail_urls=(r"/t\d{8}_\d+\.\w+$",),
    body_selectors=(
        "//div[contains(concat(' ', normalize-space(@class), ' '), ' TRS_Editor ')]",
        "//div[contains(concat(' ', normalize-space(@class), ' '), ' TRS_UEDITOR ')]",
    ),
    pager=pager,
)
