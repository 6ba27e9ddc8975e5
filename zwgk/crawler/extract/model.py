"""What the crawler extracts from one fetched page.

These plain dataclasses are the contract between the pure extraction functions (no Scrapy, no
network) and their users: the Scrapy spider, `zwgk inspect`, and the tests over real pages.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from enum import StrEnum


class PageKind(StrEnum):
    """What a page is, as an inspector would say it."""

    LIST = "list"  # a column list page with entries (possibly zero, see `placeholder`)
    ARTICLE = "article"  # a detail page (信息条目正文)
    CHALLENGE = "challenge"  # anti-bot interstitial: 瑞数 412, 加速乐, WAF block
    JS_SHELL = "js-shell"  # entries are rendered by script from data we could not reach
    DATA = "data"  # a JSON / XML data endpoint holding list records
    NAV = "nav"  # a navigation page (home, 信息公开 entry) that links columns
    OTHER = "other"


@dataclass
class Link:
    """One `<a href>` (or attachment) on a page; `url` is absolute."""

    url: str
    text: str
    attachment: bool = False


@dataclass
class ListEntry:
    """One entry of a column list: title (prefer @title over truncated text), absolute url, date."""

    title: str
    url: str
    date: date | None = None
    raw_date: str | None = None
    # Extra per-entry fields a list or data endpoint states (索引号, 发布机构, 文号 ...).
    fields: dict[str, str] = field(default_factory=dict)


@dataclass
class PageExtract:
    """Everything extracted from one page."""

    url: str
    kind: PageKind
    encoding: str = "utf-8"
    title: str | None = None
    entries: list[ListEntry] = field(default_factory=list)
    # Further list pages, absolute URLs in page order (page 2, 3, ...), bounded by the declared count.
    next_pages: list[str] = field(default_factory=list)
    page_count: int | None = None  # total list pages declared by the page, when it says
    # Text such as 暂无信息 / 正在建设中 shown where the list should be.
    placeholder: str | None = None
    # 信息公开 metadata, labels normalised (索引号, 发布机构, 发布日期, 成文日期, 文号, 主题分类, 有效性 ...).
    metadata: dict[str, str] = field(default_factory=dict)
    publish_date: date | None = None  # for articles: PubDate meta, metadata block or 发布时间 line
    links: list[Link] = field(default_factory=list)
    # Data endpoints a script-rendered list loads from (JSON, dataproxy.jsp ...), absolute URLs.
    data_endpoints: list[str] = field(default_factory=list)
    challenge: str | None = None  # which anti-bot: 'ruishu', 'jiasule', 'waf'
    body_text: str = ""
    notes: list[str] = field(default_factory=list)  # why a kind was chosen, for `inspect`
    problem: str | None = None  # a crawl problem met while extracting (over budget): nothing was read

    def to_dict(self) -> dict:
        """JSON-ready form (dates as ISO strings)."""
        data = asdict(self)
        data["kind"] = str(self.kind)
        data["publish_date"] = self.publish_date.isoformat() if self.publish_date else None
        for e in data["entries"]:
            e["date"] = e["date"].isoformat() if e["date"] else None
        return data


# A column's list pages beyond the first are bounded here whatever a page declares.
MAX_PAGES = 500


@dataclass
class Pagination:
    """The pages of a column list after this one, in order, and what the page said about them."""

    next_pages: list[str] = field(default_factory=list)
    page_count: int | None = None
    notes: list[str] = field(default_factory=list)
