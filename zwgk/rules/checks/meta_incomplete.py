"""meta.incomplete — 要素不全."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from zwgk.config.catalog import Catalog
from zwgk.rules.base import Rule
from zwgk.rules.evidence import clip, plain
from zwgk.rules.model import CheckContext, FindingDraft, Scope, Severity, UnitObs
from zwgk.rules.scoring import Scoring


class MetaIncomplete(Rule):
    """A disclosure article lacks required 信息公开 metadata (索引号, 发布机构, a date …).

    ## What it checks
    For columns whose catalog entry has `requires_metadata` (default: 政策文件), each article page
    the crawler read (the newest N entries) must carry every field of the catalog's
    `metadata_fields` (default: 索引号; 发布机构 or a synonym such as 发文机关/信息来源; a date:
    发布/成文/公开日期 …). Labels are normalised (索&ensp;引&ensp;号 → 索引号) and commented-out rows
    do not count. An empty value is missing; a value of 无 counts as present. One finding per
    article: `url` is the article. Articles that could not be fetched are not judged.

    ## Why
    《政府信息公开条例》第二十条 and 国办公开办 主动公开基本目录 require policy documents to be
    published with their index number, issuing body and dates (公开要素); inspections deduct for
    要素不全.
    """

    id = "meta.incomplete"
    title = "要素不全"
    summary = "应标注公开要素的信息缺少索引号、发布机构或日期等必备要素。"
    severity = Severity.MINOR
    scope = Scope.ARTICLE
    source = "《政府信息公开条例》第二十条；主动公开基本目录 公开要素"

    def highlights(self, evidence: Mapping[str, Any]) -> list[str]:
        present = evidence.get("present") or {}
        return [str(k) for k in present] if isinstance(present, dict) else []  # the block lacking a row

    def check(self, unit: UnitObs, ctx: CheckContext) -> Iterable[FindingDraft]:
        present_values = set(ctx.catalog.metadata_fields.present_values)
        for column in unit.columns.values():
            required = ctx.catalog.required_metadata(column.column_id)
            if not required or column.status not in ("ok", "truncated"):
                continue
            name = ctx.catalog.column(column.column_id).name
            seen: set[str] = set()
            for article in column.articles:
                if article.status != "ok" or article.url in seen:
                    continue
                seen.add(article.url)
                meta = article.metadata or {}
                missing = [
                    f.name
                    for f in required
                    if not any(
                        (meta.get(label) or "").strip() or meta.get(label) in present_values
                        for label in f.labels
                    )
                ]
                if not missing:
                    continue
                yield self.draft(
                    unit,
                    column.column_id,
                    article.url,
                    f"「{name}」信息「{(article.title or article.url)[:40]}」缺少公开要素：{'、'.join(missing)}",
                    missing=missing,
                    title=article.title,
                    present={k: v for k, v in meta.items() if v},
                    column_url=column.url,
                )

    def thresholds(self, catalog: Catalog, scoring: Scoring) -> dict[str, Any]:
        fields = getattr(getattr(catalog, "metadata_fields", None), "default", None) or []
        return {
            "必备要素": [f.name for f in fields],
            "适用栏目": [c.name for c in catalog.columns if c.requires_metadata],
        }

    def evidence_lines(self, ev: dict[str, Any]) -> list[str]:
        lines: list[str] = []
        missing = ev.pop("missing", None)
        if missing:
            lines.append("缺少要素：" + plain(missing))
        present = ev.pop("present", None)
        if present:
            lines.append("已有要素：" + plain(present))
        title = ev.pop("title", None)
        if title:
            lines.append(f"信息标题：《{clip(title, 60)}》")
        return lines
