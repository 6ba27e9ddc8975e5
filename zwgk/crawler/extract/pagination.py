"""Further pages of a column list (docs/portal-patterns.md §4).

List pages rarely link every page; TRS writes the pager with `createPageHTML(...)` or a variables
script, Gansu with a 6-argument createPageHTML, Hanweb with `pageNum=`. Each platform's pager script
is read by its module in platforms/ from the raw page text (comments included: Gansu hides its
pager call in the commented-out list); then come 下一页/尾页 links and rows of page numbers. The result is the ordered URLs of the pages after this one,
bounded by the declared count and by MAX_PAGES.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from . import platforms
from .dom import abs_url, el_text
from .model import MAX_PAGES, Pagination

_TOTAL_TEXT = re.compile(r"共\s*(\d+)\s*页")
_NEXT_TEXT = re.compile(r"^\s*(下一页|下页|后一页|next|›|>|»)\s*[>›»]*\s*$", re.I)
_LAST_TEXT = re.compile(r"^\s*(尾页|末页|最后一页|last)\s*[>›»]*\s*$", re.I)
_PAGE_QUERY = ("pageNum", "page", "pageNo", "pageno", "pageIndex", "p", "curPage", "currentPage", "pn")
_NUMBERED = re.compile(r"^(.*?[_-])(\d+)(\.[A-Za-z]+)$")


def _bounded(urls: list[str]) -> list[str]:
    return urls[:MAX_PAGES]


def _from_scripts(raw: str, base: str) -> Pagination | None:
    """The first platform pager script the page declares (platforms/: TRS, Gansu …)."""
    for platform in platforms.PLATFORMS:
        if platform.pager is not None:
            found = platform.pager(raw, base)
            if found is not None:
                return found
    return None


def _query_page(url: str) -> tuple[str, int] | None:
    for key, value in parse_qsl(urlsplit(url).query, keep_blank_values=True):
        if key in _PAGE_QUERY and value.isdigit():
            return key, int(value)
    return None


def _with_query(url: str, key: str, value: int) -> str:
    parts = urlsplit(url)
    query = [(k, str(value) if k == key else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query)))


def _series(next_url: str, last_url: str | None, count: int | None) -> list[str]:
    """Expand next..last when both follow one numbering scheme; otherwise just [next]."""
    q_next = _query_page(next_url)
    if q_next:
        key, start = q_next
        end = None
        if last_url and (q_last := _query_page(last_url)) and q_last[0] == key:
            end = q_last[1]
        elif count:
            end = count
        if end and end >= start:
            return [_with_query(next_url, key, n) for n in range(start, min(end, start + MAX_PAGES - 1) + 1)]
        return [next_url]
    m_next = _NUMBERED.match(next_url)
    if m_next and last_url:
        m_last = _NUMBERED.match(last_url)
        if m_last and m_last.group(1) == m_next.group(1) and m_last.group(3) == m_next.group(3):
            start, end = int(m_next.group(2)), int(m_last.group(2))
            if end >= start:
                return [
                    f"{m_next.group(1)}{n}{m_next.group(3)}"
                    for n in range(start, min(end, start + MAX_PAGES - 1) + 1)
                ]
    return [next_url]


def _from_links(doc, base: str, page_url: str) -> Pagination | None:
    next_url = last_url = None
    for a in doc.iter("a"):
        text = el_text(a) or (a.get("title") or "")
        url = abs_url(base, a.get("href"))
        if not url or url == page_url:
            continue
        if next_url is None and _NEXT_TEXT.match(text):
            next_url = url
        elif last_url is None and _LAST_TEXT.match(text):
            last_url = url
    total = _TOTAL_TEXT.search(el_text(doc.find("body")) if doc.find("body") is not None else "")
    count = int(total.group(1)) if total else None
    if next_url is None:
        return Pagination(page_count=count) if count else None
    return Pagination(_bounded(_series(next_url, last_url, count)), count, ["pager links (下一页/尾页)"])


def _from_numbers(doc, base: str, page_url: str) -> Pagination | None:
    """A pager of numbered links only (1 2 3 … with no 下一页): the links of one container whose texts
    are consecutive page numbers after the current one, each to a distinct URL other than this page."""
    best: list[tuple[int, str]] = []
    for box in doc.iter():
        if not isinstance(box.tag, str):
            continue
        numbered: dict[int, str] = {}
        for a in box.findall("a"):
            text = el_text(a)
            url = abs_url(base, a.get("href"))
            if text.isdigit() and url and url != page_url and 1 <= int(text) <= MAX_PAGES:
                numbered.setdefault(int(text), url)
        numbered.pop(1, None)  # page 1 is this page or the column's first page
        if not numbered:
            continue
        run = sorted(numbered.items())
        start = run[0][0]
        if start > 3 or [k for k, _ in run] != list(range(start, start + len(run))):
            continue  # not a pager: numbers with gaps or far from the start
        if len({u for _, u in run}) == len(run) and len(run) > len(best):
            best = run
    if not best:
        return None
    return Pagination([u for _, u in best], None, [f"numbered pager links ({best[0][0]}–{best[-1][0]})"])


def find_pagination(raw: str, doc, base_url: str, page_url: str) -> Pagination:
    """Pagination declared by scripts in `raw` (the full page text), by pager links in `doc`, or by a
    row of numbered page links."""
    found = _from_scripts(raw, base_url)
    if found is None:
        found = _from_links(doc, base_url, page_url)
    if found is None or not found.next_pages:
        numbers = _from_numbers(doc, base_url, page_url)
        if numbers is not None:
            if found is not None and found.page_count:
                numbers.page_count = found.page_count
            found = numbers
    return found or Pagination()
