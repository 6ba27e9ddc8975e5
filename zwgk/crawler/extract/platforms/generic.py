"""What many CMSs share, whichever built the portal: the fallbacks after every named platform.

Detail URLs with a date folder (`/2023/10/19/`, `/2023-10-19/`), a long numeric name or an id query
(`?id=`, `docid=` …), attachments; `YYYYMM`/`tYYYYMM` dates in URLs; the body containers seen on
many platforms (`#zoom`, `.main-txt`, 开普云 `#UCAP-CONTENT`, `#dochtmlcon` …); and `.json` data
endpoints named in a page's scripts (Hubei `zcwj.json`, NFRA DocInfo, jpaas lists).
"""

from __future__ import annotations

import re

from ..dom import abs_url
from .model import Platform

_JSON_URL = re.compile(r"[\"']((?:https?:)?[^\"'\s<>()]+?\.json(?:\?[^\"'\s<>]*)?)[\"']")


def endpoints(page_url: str, raw: str, code: str) -> list[str]:
    """`.json` URLs the page's scripts (or its ng-init / data-url / src attributes) load."""
    found: list[str] = []
    attrs = " ".join(re.findall(r"\b(?:ng-init|data-url|src)=\"[^\"]*\"", raw))
    for match in _JSON_URL.finditer(code + "\n" + attrs):
        candidate = match.group(1)
        if "relation" in candidate.lower() or candidate.endswith(("manifest.json", "package.json")):
            continue
        url = abs_url(page_url, candidate)
        if url and url not in found:
            found.append(url)
    return found


PLATFORM = Platform(
    name="generic",
    detail_urls=(
        r"/\d{4}/\d{1,2}/\d{1,2}/",
        r"/\d{4}-\d{2}-\d{2}/",
        r"/\d{5,}\.s?html?$",
        r"[?&](id|docid|articleid|newsid|infoid|contentid)=\d+(&|$)",
        r"\.(pdf|docx?|xlsx?|wps|ofd)$",
    ),
    url_dates=(r"(?:/|\bt)((?:19|20)\d{2})[-/]?(\d{1,2})(?=[/_-]|\d{2}[_/])",),
    body_selectors=(
        "//*[@id='zoom' or @id='Zoom' or @id='fontzoom']",
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' main-txt ')]",
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' article_content ')]",
        "//*[@id='UCAP-CONTENT' or @id='dochtmlcon' or @id='wenzhang-content' or @id='PrintArea']",
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' article-body ')]",
        "//*[contains(concat(' ', normalize-space(@class), ' '), ' pages_content ')]",
    ),
    endpoints=endpoints,
)
