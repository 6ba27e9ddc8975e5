"""What the spider hands the store: one snapshot item per crawled target of a unit.

A declared type rather than a free dict, so that a misspelt field is an error where it is made,
and the pipeline (pipelines/store_snapshot.py) and the spider agree on one list of fields. Scrapy
takes dataclass items as they are (itemadapter).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any


@dataclass
class SnapshotItem:
    """One target — the portal home, the unit's 信息公开 entry, or `column:<id>` — as crawled tonight."""

    portal: str
    unit: str
    target: str  # 'home', 'entry' or 'column:<id>'
    url: str | None  # what was requested (None: the column was not found on the entry page)
    status: str  # ok, missing, unreachable, antibot, js, truncated … (fetch_outcome.Outcome)
    column_id: str | None = None
    final_url: str | None = None  # after redirects
    http_status: int | None = None
    error: str | None = None
    page_kind: str | None = None  # extract.model.PageKind
    body: bytes | None = None  # the page as fetched: stored once by its sha256, the evidence
    content_type: str | None = None
    fetched_at: str = ""  # ISO, naive UTC
    entries: list[dict[str, Any]] = field(default_factory=list)  # the column's list entries
    pages_crawled: int = 0
    placeholder: str | None = None  # 暂无信息 … when the column says it is empty
    link_text: str | None = None  # the entry page's link text that led to the column
    details: dict[str, Any] = field(default_factory=dict)  # notes, validators, checked links …
    articles: list[dict[str, Any]] = field(default_factory=list)  # article pages read for this column
    page_sha256: str | None = None  # a 304 reuses the previous snapshot's stored page

    def __repr__(self) -> str:
        """A line for logs: Scrapy prints the item on every drop or pipeline error, and the page
        body (up to megabytes) or a thousand entries must not go into the crawl log."""
        size = len(self.body) if self.body else 0
        return (
            f"SnapshotItem({self.portal}/{self.unit} {self.target} {self.status} {self.url!r:.200}"
            f" http={self.http_status} body={size}B entries={len(self.entries)} articles={len(self.articles)})"
        )

    def update(self, **values: Any) -> None:
        """Set several fields at once; a name that is not a field is an error."""
        known = {f.name for f in fields(self)}
        for name, value in values.items():
            if name not in known:
                raise TypeError(f"SnapshotItem has no field {name!r}")
            setattr(self, name, value)
