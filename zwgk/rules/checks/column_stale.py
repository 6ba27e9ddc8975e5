"""column.stale — 栏目不更新."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zwgk.config.catalog import Catalog
from zwgk.rules.base import ColumnRule
from zwgk.rules.model import CheckContext, ColumnObs, FindingDraft, Severity, UnitObs
from zwgk.rules.scoring import Scoring


class ColumnStale(ColumnRule):
    """The newest entry of a column is older than its kind's limit on the as-of date.

    ## What it checks
    Age in days = as-of date − newest entry date. Stale when age > the kind's `max_age_days` in the
    catalog (动态 14, 通知/政策 180, 基本信息 365 by default; static and annual kinds have none).

    ## Why
    国办秘函〔2019〕19号 单项否决·栏目不更新: 动态/要闻 2 weeks, 通知公告/政策文件 6 months;
    2015 普查: 人事/规划计划 and 基本信息 1 year. Local rules are often stricter, hence data.
    """

    id = "column.stale"
    title = "栏目不更新"
    summary = "栏目最新一条信息的发布日期距监测日期超过该类栏目的更新时限。"
    severity = Severity.MAJOR
    source = "国办秘函〔2019〕19号 单项否决·栏目不更新；2015 普查 基本信息类一年"
    precedence = 4

    def highlights(self, evidence: Mapping[str, Any]) -> list[str]:
        return [str(evidence.get("newest_title") or "")]

    def check_column(self, column: ColumnObs, unit: UnitObs, ctx: CheckContext) -> FindingDraft | None:
        if column.status not in ("ok", "truncated"):
            return None
        limit = ctx.catalog.max_age_days(column.column_id)
        newest = column.newest
        if limit is None or newest is None:
            return None
        age = (ctx.as_of - newest).days
        if age <= limit:
            return None
        name = ctx.catalog.column(column.column_id).name
        newest_entry = next(e for e in column.entries if e.date == newest)
        return self.draft(
            unit,
            column.column_id,
            column.url,
            f"「{name}」栏目最近更新于 {newest.isoformat()}，已 {age} 天未更新（限 {limit} 天）",
            newest=newest.isoformat(),
            age_days=age,
            limit_days=limit,
            newest_title=newest_entry.title,
            newest_url=newest_entry.url,
            date_source=newest_entry.date_source,
        )

    def thresholds(self, catalog: Catalog, scoring: Scoring) -> dict[str, Any]:
        return {
            f"{kind.name}（天）": kind.max_age_days
            for kind in catalog.kinds.values()
            if kind.max_age_days is not None
        }
