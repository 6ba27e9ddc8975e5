"""What the rules read and write: plain observations of a unit, and finding drafts.

Rules are pure (docs/design.md): they never touch the network, the clock or the database. The store
turns one crawl's snapshots into these observations; tests build them by hand.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from zwgk.config.catalog import Catalog


class Severity(StrEnum):
    """Follows the 国办秘函〔2019〕19号 structure: 单项否决 level, then deductions."""

    VETO = "veto"  # 单项否决级
    MAJOR = "major"  # 重要
    MINOR = "minor"  # 一般

    @property
    def rank(self) -> int:
        return {"veto": 0, "major": 1, "minor": 2}[self.value]

    @property
    def label(self) -> str:
        return {"veto": "否决级", "major": "重要", "minor": "一般"}[self.value]


class Scope(StrEnum):
    """What a rule's finding is about, and so what a later crawl must have read to close it (销号)."""

    SITE = "site"  # a page's reachability: closed when that page answers again
    COLUMN = "column"  # one column's list (or, without a column, the unit's entry page): closed when read
    ARTICLE = "article"  # one article's own page: closed only when that article was read again
    LINK = "link"  # one link: closed when re-checked and answering, or its page no longer links it


# Fetch outcomes that say nothing about the content (a crawl problem, never a finding about it).
UNKNOWN_STATUSES = frozenset({"unreachable", "antibot", "js-shell", "unrecognized", "error"})


@dataclass
class EntryObs:
    title: str
    url: str | None = None
    date: date | None = None
    date_source: str | None = None  # 'list' or 'article'


@dataclass
class LinkObs:
    """One link (`<a href>` or attachment) on a crawled page, and what checking it gave.

    status: ok | broken (404/410/5xx/no connection) | blocked (refused by the SSRF policy, never
    requested) | skipped (off-site, over a cap, robots.txt) | unverified (an answer that proves
    nothing either way: 401/403/412/429 ...).
    """

    url: str
    text: str
    page: str  # the page holding the link
    status: str
    http_status: int | None = None
    error: str | None = None
    attachment: bool = False
    redirects: list[str] = field(default_factory=list)  # the chain followed, first hop first


@dataclass
class ArticleObs:
    """One article (信息条目正文) of a column as one crawl saw it."""

    url: str
    title: str | None = None
    status: str = (
        "ok"  # ok | file (the entry is a document, read as an attachment) | unreachable | antibot | error
    )
    http_status: int | None = None
    publish_date: date | None = None
    metadata: dict[str, str] = field(default_factory=dict)  # labels normalised (索引号, 发布机构 ...)
    text: str = ""  # title and body text, for text checks
    links: list[LinkObs] = field(default_factory=list)
    page_sha256: str | None = None


@dataclass
class ColumnObs:
    """One catalog column as one crawl saw it."""

    column_id: str
    status: str  # ok | missing | unreachable | antibot | js-shell | truncated | error
    url: str | None = None
    link_text: str | None = None
    http_status: int | None = None
    error: str | None = None
    entries: list[EntryObs] = field(default_factory=list)
    placeholder: str | None = None  # text such as 暂无信息 shown instead of a list
    pages_crawled: int = 0
    snapshot_id: int | None = None
    page_sha256: str | None = None
    articles: list[ArticleObs] = field(default_factory=list)  # the newest entries' pages, when fetched
    links: list[LinkObs] = field(default_factory=list)  # links on the list pages
    # personal numbers found on its pages, masked (crawler extract/privacy.py): {url, title, kind,
    # masked, context}
    privacy: list[dict] = field(default_factory=list)
    # 政务咨询 messages as read (crawler extract/messages.py): {title, url, asked, replied, state,
    # shown}, dates ISO, state answered | unanswered | unknown
    messages: list[dict] = field(default_factory=list)

    @property
    def newest(self) -> date | None:
        dates = [e.date for e in self.entries if e.date]
        return max(dates) if dates else None

    @property
    def known(self) -> bool:
        """Did the crawl see this column's content (or its absence) for sure?"""
        return self.status not in UNKNOWN_STATUSES


@dataclass
class UnitObs:
    """A unit's entry page and columns as one crawl saw them."""

    portal: str
    unit: str
    profile: str
    entry_url: str
    entry_status: str  # ok | unreachable | antibot | js-shell | error
    entry_http_status: int | None = None
    entry_error: str | None = None
    home_url: str | None = None  # set for the portal's government unit
    home_status: str | None = None
    home_http_status: int | None = None
    home_error: str | None = None
    # the identity marks the home shows (crawler extract/identity.py: footer, site_codes, icp,
    # conac …); None when the home was not read
    home_identity: dict | None = None
    site_code: str | None = None  # the registry's 网站标识码 for the portal, when known
    # an https home's certificate as a browser judges it (crawler/tls.py: status, error, not_after)
    home_tls: dict | None = None
    columns: dict[str, ColumnObs] = field(default_factory=dict)
    entry_snapshot_id: int | None = None
    home_snapshot_id: int | None = None
    links: list[LinkObs] = field(default_factory=list)  # links on the entry page (and the home)


@dataclass
class CheckContext:
    as_of: date
    catalog: Catalog


@dataclass
class FindingDraft:
    """A finding before the store gives it a life (first/last seen, status, deadline)."""

    rule: str
    severity: Severity
    portal: str
    unit: str
    column: str | None
    url: str | None
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str, str | None, str | None]:
        """What identifies the same problem across runs (the fingerprint's input)."""
        return (self.rule, self.portal, self.unit, self.column, self.url)
