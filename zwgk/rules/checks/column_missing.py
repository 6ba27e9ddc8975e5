"""column.missing — 栏目缺失."""

from __future__ import annotations

from typing import Any

from zwgk.rules.base import ColumnRule
from zwgk.rules.model import CheckContext, ColumnObs, FindingDraft, Severity, UnitObs


class ColumnMissing(ColumnRule):
    """A column the unit's catalog profile requires was not found.

    ## What it checks
    The unit's 信息公开 entry page links no column whose name matches the catalog name or one of
    its aliases (outside the site's navigation and footer), or the column's link answers 404/410.

    ## Why
    《政府信息公开条例》第二十条 and 国办公开办函〔2019〕61号 (专栏 with the standard columns):
    every unit of a profile must keep these columns.
    """

    id = "column.missing"
    title = "栏目缺失"
    summary = "单位按其类别应设的栏目在信息公开页面上找不到。"
    severity = Severity.MAJOR
    source = "《政府信息公开条例》第二十条；国办公开办函〔2019〕61号"
    precedence = 0

    def check_column(self, column: ColumnObs, unit: UnitObs, ctx: CheckContext) -> FindingDraft | None:
        name = ctx.catalog.column(column.column_id).name
        if column.status == "missing":
            return self.draft(
                unit,
                column.column_id,
                None,
                f"未找到「{name}」栏目",
                entry_page=unit.entry_url,
                searched=ctx.catalog.column(column.column_id).names,
            )
        if column.status == "error" and column.http_status in (404, 410):
            return self.draft(
                unit,
                column.column_id,
                None,
                f"「{name}」栏目链接失效（HTTP {column.http_status}）",
                entry_page=unit.entry_url,
                link=column.url,
                link_text=column.link_text,
                http_status=column.http_status,
            )
        return None

    def evidence_pages(self, column_id: str | None, evidence: dict[str, Any]) -> list[str]:
        return [*super().evidence_pages(column_id, evidence), "entry"]  # where the column was looked for
