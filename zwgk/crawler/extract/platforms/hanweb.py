"""Hanweb 大汉 jcms (docs/portal-patterns.md §1, §4, §6).

Columns `/col/col<id>/index.html`, articles `/art/YYYY/M/D/art_<colid>_<docid>.html`. The list is
not in the page: the page's script POSTs `/module/web/jpage/dataproxy.jsp` (paging in the query,
the rest as form fields), which answers XML whose every `<record>` CDATA holds one rendered `<li>`.
Bodies may sit between `<!--<$[信息内容]>begin-->` and `…end-->` comment markers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import lxml.html

from ..model import ListEntry
from .model import Platform

_RECORD_START = re.compile(r"<record>\s*<!\[CDATA\[", re.I)
_PAGING = ("startrecord", "endrecord", "perpage")


def _first(pattern: str, text: str) -> str | None:
    match = re.search(pattern, text, re.I)
    return match.group(1) if match else None


def endpoints(page_url: str, raw: str, code: str) -> list[str]:
    """The dataproxy.jsp request a jpage list makes, built from the ids its script declares."""
    haystack = code + "\n" + raw
    if "dataproxy" not in haystack.lower():
        return []
    columnid = _first(r"columnid\s*[=:]\s*[\"']?(\d+)", haystack) or _first(r"/col/col(\d+)/", page_url)
    if not columnid:
        return []
    unitid = _first(r"unitid\s*[=:]\s*[\"']?(\d+)", haystack)
    webid = _first(r"webid\s*[=:]\s*[\"']?(\d+)", haystack)
    perpage = _first(r"perpage\s*[=:]\s*[\"']?(\d+)", haystack) or "15"
    query = {
        "startrecord": 1,
        "endrecord": 3 * int(perpage),
        "perpage": perpage,
        "col": 1,
        "appid": 1,
        "webid": webid or "",
        "path": "/",
        "columnid": columnid,
        "sourceContentType": 1,
        "unitid": unitid or "",
        "permissiontype": 0,
    }
    return [urljoin(page_url, "/module/web/jpage/dataproxy.jsp?" + urlencode(query))]


def form_post(endpoint: str) -> tuple[str, dict[str, str]] | None:
    """dataproxy.jsp takes its paging in the query and everything else as form fields."""
    parts = urlsplit(endpoint)
    if not parts.path.endswith("dataproxy.jsp"):
        return None
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    paging = {k: params.pop(k) for k in _PAGING if k in params}
    url = urlunsplit(
        (parts.scheme, parts.netloc, parts.path, "&".join(f"{k}={v}" for k, v in paging.items()), "")
    )
    return url, params


def _records(text: str):
    """The CDATA of each <record>, in one pass: a record that never closes ends the scan (a regex with
    a lazy body would rescan the rest of the document from every unclosed record)."""
    pos = 0
    while True:
        start = _RECORD_START.search(text, pos)
        if start is None:
            return
        end = text.find("]]>", start.end())
        if end < 0:
            return
        yield text[start.end() : end]
        pos = end + 3


def _is_datastore(text: str) -> bool:
    head = text.lstrip("\ufeff \r\n\t")[:300].lower()
    return head.startswith("<datastore") or (head.startswith("<?xml") and "<recordset" in text[:5000].lower())


def data_document(
    text: str, url: str, ref: date | None, item_entry: Callable
) -> tuple[list[ListEntry], int | None, str] | None:
    """A dataproxy XML answer: each <record> CDATA holds one rendered <li>, read as a list item."""
    if not _is_datastore(text):
        return None
    entries = []
    for fragment in _records(text):
        try:
            root = lxml.html.fragment_fromstring(fragment, create_parent="div")
        except Exception:
            continue
        entry = item_entry(root, url, ref)
        if entry is not None:
            entries.append(entry)
    match = re.search(r"<totalrecord>\s*(\d+)\s*</totalrecord>", text, re.I)
    total = int(match.group(1)) if match else None
    note = f"Hanweb dataproxy XML: {len(entries)} records"
    if total is not None:
        note += f" of {total} in the column"
    return entries, total, note


PLATFORM = Platform(
    name="Hanweb",
    detail_urls=(r"/art/\d{4}/\d{1,2}/\d{1,2}/",),
    url_dates=(r"/art/((?:19|20)\d{2})/(\d{1,2})/",),
    comment_bodies=(r"<!--\s*<\$\[信息内容\]>\s*begin\s*-->(.*?)<!--\s*<\$\[信息内容\]>\s*end\s*-->",),
    endpoints=endpoints,
    form_post=form_post,
    data_document=data_document,
)
