"""The shape of a platform: data where a pattern is enough, a function where it takes code."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ..model import ListEntry, Pagination

# (raw page text, page URL) → the pages after this one, when the page's script declares them
Pager = Callable[[str, str], Pagination | None]
# (page URL, raw page text, inline script code) → data endpoints a script-built list loads from
Endpoints = Callable[[str, str, str], list[str]]
# endpoint URL → (URL to POST to, form fields) when the platform's script POSTs rather than GETs
FormPost = Callable[[str], tuple[str, dict[str, str]] | None]
# a JSON record's lower-cased keys → a detail URL built from its ids, when it carries no URL
RecordUrl = Callable[[dict[str, object]], str | None]
# (body text, its URL, as-of date, the generic list-item reader) → entries, total, note
DataDocument = Callable[[str, str, date | None, Callable], tuple[list[ListEntry], int | None, str] | None]


@dataclass(frozen=True)
class Platform:
    name: str
    detail_urls: tuple[str, ...] = ()  # regexes of detail-page URLs (searched)
    url_dates: tuple[str, ...] = ()  # regexes capturing (year, month) in a detail URL's path
    body_selectors: tuple[str, ...] = ()  # XPaths of the article body container
    comment_bodies: tuple[str, ...] = ()  # regexes capturing a body between comment markers
    pager: Pager | None = None
    endpoints: Endpoints | None = None
    form_post: FormPost | None = None
    record_url: RecordUrl | None = None
    data_document: DataDocument | None = None
