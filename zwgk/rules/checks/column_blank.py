"""column.blank — 空白栏目."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zwgk.config.catalog import Catalog
from zwgk.rules.base import ColumnRule
from zwgk.rules.model import CheckContext, ColumnObs, FindingDraft, Severity, UnitObs
from zwgk.rules.scoring import Scoring


class ColumnBlank(ColumnRule):
    """A column exists but lists no entries.

    ## What it checks
    The column's list page was fetched and understood (not an anti-bot page, not a script shell)
    and holds no entry: an empty list, or only a notice such as 暂无信息 / 正在建设中.

    ## Why
    2015 普查: 空白栏目 is a column that has provided no information since it was opened;
    国办秘函〔2019〕19号 makes ≥5 blank columns a veto (栏目不更新 c).
    """

    id = "column.blank"
    title = "空白栏目"
    summary = "栏目存在，但列表中没有任何信息（列表为空，或只有“暂无信息”“正在建设中”等提示）。"
    severity = Severity.MAJOR
    source = "国办秘函〔2019〕19号 单项否决·栏目不更新(空白栏目)"
    precedence = 1

    def highlights(self, evidence: Mapping[str, Any]) -> list[str]:
        return [str(evidence.get("placeholder") or "")]

    def check_column(self, column: ColumnObs, unit: UnitObs, ctx: CheckContext) -> FindingDraft | None:
        if column.status not in ("ok", "truncated") or column.entries:
            return None
        name = ctx.catalog.column(column.column_id).name
        shown = f"，页面显示「{column.placeholder}」" if column.placeholder else "，列表为空"
        return self.draft(
            unit,
            column.column_id,
            column.url,
            f"「{name}」栏目无任何信息{shown}",
            placeholder=column.placeholder,
            entries=0,
            pages=column.pages_crawled,
        )

    def thresholds(self, catalog: Catalog, scoring: Scoring) -> dict[str, Any]:
        return {"空白提示语": list(catalog.blank_markers)}
