"""date.future — 发布日期晚于监测日期."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from zwgk.config.catalog import Catalog
from zwgk.rules.base import Rule
from zwgk.rules.model import CheckContext, EntryObs, FindingDraft, Scope, Severity, UnitObs
from zwgk.rules.scoring import Scoring

FUTURE_PREFIX = "future:"  # how the crawl marks an entry dated after it (date_source 'future:YYYYMMDD')


def future_date(entry: EntryObs) -> date | None:
    """The date an entry carried when the crawl set it aside as later than the crawl itself."""
    source = entry.date_source or ""
    if not source.startswith(FUTURE_PREFIX):
        return None
    digits = source[len(FUTURE_PREFIX) :].replace("-", "")
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


class DateFuture(Rule):
    """Entries of a column carry a publication date after the day they were crawled.

    ## What it checks
    The crawl sets aside every list entry dated more than a day after the monitoring date (a day
    allows for time zones and pages prepared the evening before); such a date never counts for
    freshness. Each column read with at least one such entry is one finding, listing the entries
    (title, address, the date shown) as evidence.

    ## Why
    国办秘函〔2019〕19号 单项否决 lists 弄虚作假 such as 伪造发稿日期 among the serious problems; a
    date in the future is its visible sign (or a wrong date that misleads readers about when the
    information was published). The finding asks the unit to correct the date; the supervisor
    judges whether it was forged.
    """

    id = "date.future"
    title = "发布日期晚于监测日期"
    summary = "栏目中信息的发布日期晚于实际抓取日期（涉嫌伪造发稿日期）。"
    severity = Severity.MAJOR
    scope = Scope.COLUMN
    source = "国办秘函〔2019〕19号 单项否决·弄虚作假（伪造发稿日期）"

    def highlights(self, evidence: Mapping[str, Any]) -> list[str]:
        return [str(e.get("title") or "") for e in evidence.get("entries") or [] if isinstance(e, dict)]

    def check(self, unit: UnitObs, ctx: CheckContext) -> Iterable[FindingDraft]:
        for column in unit.columns.values():
            if column.status not in ("ok", "truncated"):
                continue
            later = [(e, d) for e in column.entries if (d := future_date(e)) is not None]
            if not later:
                continue
            name = ctx.catalog.column(column.column_id).name
            first, shown = max(later, key=lambda pair: pair[1])
            yield self.draft(
                unit,
                column.column_id,
                column.url,
                f"「{name}」栏目 {len(later)} 条信息的发布日期晚于监测日期"
                f"（如「{first.title[:30]}」标注 {shown.isoformat()}）",
                entries=[{"title": e.title[:80], "url": e.url, "date": d.isoformat()} for e, d in later[:10]],
                count=len(later),
            )

    def thresholds(self, catalog: Catalog, scoring: Scoring) -> dict[str, Any]:
        return {"允许的误差": "1 天（时区差异、前一晚预发）"}

    def evidence_lines(self, ev: dict[str, Any]) -> list[str]:
        ev.pop("count", None)
        return [f"「{e.get('title')}」标注日期 {e.get('date')}" for e in ev.pop("entries", None) or []]
