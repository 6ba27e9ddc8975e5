"""column.placeholder — 栏目内容以说明代替."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from zwgk.config.catalog import Catalog
from zwgk.rules.base import ColumnRule
from zwgk.rules.docs_text import readable_pattern
from zwgk.rules.model import CheckContext, ColumnObs, FindingDraft, Severity, UnitObs
from zwgk.rules.scoring import Scoring


def is_placeholder_title(title: str, ctx: CheckContext) -> bool:
    """Does this entry title stand in for content (情况说明, 暂无…的说明)? Patterns are catalog data."""
    return any(p.search(title) for p in ctx.catalog.placeholder_res)


class ColumnPlaceholder(ColumnRule):
    """A column lists entries, but every one stands in for content.

    ## What it checks
    All entries of the column are titled like 情况说明 / 暂无…的说明 (patterns in the catalog).

    ## Why
    A column filled only with explanations of why there is nothing is blank in substance
    (空白栏目, 开天窗); supervisors flag it separately so the unit publishes the information itself.
    """

    id = "column.placeholder"
    title = "栏目内容以说明代替"
    summary = "栏目有信息，但全部是“情况说明”“暂无……的说明”之类的说明，代替了应公开的内容。"
    severity = Severity.MAJOR
    source = "国办秘函〔2019〕19号 栏目不更新(空白栏目)；2015 普查 空白栏目定义"
    precedence = 2

    def highlights(self, evidence: Mapping[str, Any]) -> list[str]:
        return [str(t) for t in evidence.get("titles") or []]

    def check_column(self, column: ColumnObs, unit: UnitObs, ctx: CheckContext) -> FindingDraft | None:
        if column.status not in ("ok", "truncated") or not column.entries:
            return None
        if not all(is_placeholder_title(e.title, ctx) for e in column.entries):
            return None
        name = ctx.catalog.column(column.column_id).name
        titles = [e.title for e in column.entries[:5]]
        return self.draft(
            unit,
            column.column_id,
            column.url,
            f"「{name}」栏目的 {len(column.entries)} 条信息均为说明，未公开实际内容",
            titles=titles,
            entries=len(column.entries),
        )

    def thresholds(self, catalog: Catalog, scoring: Scoring) -> dict[str, Any]:
        return {"说明类标题": [readable_pattern(p) for p in catalog.placeholder_patterns]}
