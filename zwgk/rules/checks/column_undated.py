"""column.undated — 未注明发布时间."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zwgk.config.catalog import Catalog
from zwgk.rules.base import ColumnRule
from zwgk.rules.checks.date_future import future_date
from zwgk.rules.model import CheckContext, ColumnObs, FindingDraft, Severity, UnitObs
from zwgk.rules.scoring import Scoring


class ColumnUndated(ColumnRule):
    """A column's entries carry no date, neither in the list nor on their pages.

    ## What it checks
    Columns of a kind with an update limit (动态, 通知/政策, 基本信息) whose entries show no date in
    the list, and whose article pages (PubDate meta, metadata block, 发布时间 line) show none either.

    ## Why
    2015 普查: 「未注明信息发布时间的视为不更新」 — without a date nobody can tell whether it is current.
    """

    id = "column.undated"
    title = "未注明发布时间"
    summary = "栏目中的信息在列表和正文中都没有标注发布日期（按普查要求视为不更新）。"
    severity = Severity.MINOR
    source = "国办发〔2015〕15号 全国政府网站普查评分表(未注明发布时间视为不更新)"
    precedence = 3

    def highlights(self, evidence: Mapping[str, Any]) -> list[str]:
        return [str(t) for t in evidence.get("titles") or []]

    def check_column(self, column: ColumnObs, unit: UnitObs, ctx: CheckContext) -> FindingDraft | None:
        if column.status not in ("ok", "truncated") or not column.entries:
            return None
        if ctx.catalog.max_age_days(column.column_id) is None:
            return None
        if any(e.date or future_date(e) for e in column.entries):
            return None  # dated, even if with a date after the crawl (never 'undated')
        name = ctx.catalog.column(column.column_id).name
        return self.draft(
            unit,
            column.column_id,
            column.url,
            f"「{name}」栏目 {len(column.entries)} 条信息均未注明发布时间",
            entries=len(column.entries),
            titles=[e.title for e in column.entries[:5]],
        )

    def thresholds(self, catalog: Catalog, scoring: Scoring) -> dict[str, Any]:
        return {
            "适用栏目类别": [kind.name for kind in catalog.kinds.values() if kind.max_age_days is not None]
        }
