"""doc.overdue — 定期公开事项逾期."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from zwgk.config.catalog import Catalog
from zwgk.rules.base import Rule
from zwgk.rules.checks.column_placeholder import is_placeholder_title
from zwgk.rules.evidence import clip
from zwgk.rules.model import CheckContext, FindingDraft, Scope, Severity, UnitObs
from zwgk.rules.scoring import Scoring


class DocOverdue(Rule):
    """A periodic document (定期公开事项) is absent after its deadline.

    ## What it checks
    For each `periodic` item of the catalog that applies to the unit's profile (last year's
    政府信息公开工作年度报告 by 1月31日 for departments and townships, by 3月31日 for the
    government; this year's 重大行政决策事项目录 by 3月31日), take the latest deadline strictly
    before the as-of date and look in the item's column for an entry whose title matches one of
    the item's patterns with the document's year (e.g. `2025年…年度报告`). Entries that only stand in
    for content (情况说明) do not count. Pagination is followed by the crawler; dates do not matter,
    only the title's year (a report published late but present is not overdue).

    Judged only when the unit's entry page and the column were read successfully (ok or
    truncated) and the column lists entries. A column that is missing, blank or
    placeholder-only already has its `column.*` finding, which says the document is not there;
    doc.overdue does not repeat it (one finding per column problem). An unknown column
    (unreachable, anti-bot, script shell) is never judged.

    ## Why
    《政府信息公开条例》第四十九条: departments publish the previous year's annual report by
    1月31日, the government's own by 3月31日. 《重大行政决策程序暂行条例》第十条: the year's
    decision catalogue is published. Local catalogs add 预决算, 政府工作报告 … as data.
    """

    id = "doc.overdue"
    title = "定期公开事项逾期"
    summary = (
        "定期公开事项（如上一年度政府信息公开工作年度报告、本年度重大行政决策事项目录）过了公开期限仍未公开。"
    )
    severity = Severity.MAJOR
    scope = Scope.COLUMN
    source = "《政府信息公开条例》第四十九条；《重大行政决策程序暂行条例》第十条"

    def highlights(self, evidence: Mapping[str, Any]) -> list[str]:
        return [str(t) for t in evidence.get("newest_titles") or []]  # what the column lists instead

    def check(self, unit: UnitObs, ctx: CheckContext) -> Iterable[FindingDraft]:
        if unit.entry_status != "ok":
            return
        for item in ctx.catalog.periodic_for(unit.profile):
            column = unit.columns.get(item.column)
            if column is None or column.status not in ("ok", "truncated") or not column.entries:
                continue
            real = [e for e in column.entries if not is_placeholder_title(e.title, ctx)]
            if not real:
                continue  # placeholder-only: column.placeholder reports it
            due = item.latest_due(ctx.as_of)
            if due is None:
                continue
            deadline, doc_year = due
            patterns = item.regexes(doc_year)
            if any(p.search(e.title) for e in real for p in patterns):
                continue
            late = (ctx.as_of - deadline).days
            name = ctx.catalog.column(item.column).name
            doc = item.name.replace("上一年度", f"{doc_year}年度").replace("本年度", f"{doc_year}年度")
            newest = sorted((e for e in real if e.date), key=lambda e: e.date or date.min, reverse=True)[:3]
            yield self.draft(
                unit,
                item.column,
                column.url,
                f"「{name}」栏目未见{doc}（应于 {deadline.isoformat()} 前公开，已逾期 {late} 天）",
                periodic=item.id,
                document=doc,
                document_year=doc_year,
                due=deadline.isoformat(),
                days_late=late,
                entries=len(column.entries),
                pages=column.pages_crawled,
                truncated=column.status == "truncated",
                patterns=[p.pattern for p in patterns],
                newest_titles=[e.title for e in newest],
                source=item.source,
            )

    def subject(self, column: str | None, url: str | None, evidence: Mapping[str, Any]) -> tuple[str, ...]:
        # One finding per periodic document (年报, 指南 …), whichever column URL lists it.
        return (column or "", str(evidence.get("periodic") or ""))

    def thresholds(self, catalog: Catalog, scoring: Scoring) -> dict[str, Any]:
        return {
            p.name
            + f"（{'/'.join(catalog.profiles[x].name for x in p.profiles)}）": f"每年 {int(p.due[:2])}月{int(p.due[3:])}日前，"
            f"在「{catalog.column(p.column).name}」栏目公开"
            for p in catalog.periodic
        }

    def evidence_lines(self, ev: dict[str, Any]) -> list[str]:
        lines: list[str] = []
        doc, due, late = ev.pop("document", None), ev.pop("due", None), ev.pop("days_late", None)
        if doc or due:
            text = f"应于{due}前公开{doc or '该文件'}" if due else f"应公开{doc}"
            if late is not None:
                text += f"，逾期{late}天" if late > 0 else "，尚未逾期"
            lines.append(text)
        n, pages, truncated = ev.pop("entries", None), ev.pop("pages", None), ev.pop("truncated", None)
        if n is not None:
            text = f"栏目现有信息 {n} 条"
            if pages:
                text += f"（检查列表页 {pages} 页）"
            lines.append(text)
        if truncated:
            lines.append("栏目列表超出抓取上限，仅检查了部分页面")
        newest = ev.pop("newest_titles", None)
        if newest:
            lines.append("栏目最新信息：" + "".join(f"「{clip(t, 40)}」" for t in list(newest)[:3]))
        source = ev.pop("source", None)
        if source:
            lines.append(f"依据：{clip(source, 80)}")
        return lines
