"""text.typo — 严重错别字."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from zwgk.config.catalog import Catalog, Typo
from zwgk.rules.base import Rule
from zwgk.rules.evidence import clip, plain
from zwgk.rules.model import CheckContext, FindingDraft, Scope, Severity, UnitObs
from zwgk.rules.scoring import Scoring

TYPOS_FILE = Path(__file__).resolve().parents[1] / "data" / "typos.yml"


@lru_cache(maxsize=1)
def base_typos() -> tuple[Typo, ...]:
    """The curated dictionary shipped with zwgk (rules/data/typos.yml)."""
    doc = yaml.safe_load(TYPOS_FILE.read_text(encoding="utf-8")) or {}
    return tuple(Typo.model_validate(t) for t in doc.get("typos", []))


@lru_cache(maxsize=64)
def _compiled(typos: tuple[tuple[str, str, str, str | None], ...]) -> list[tuple[str, str, re.Pattern[str]]]:
    return [
        (right, category, re.compile(pattern) if pattern else re.compile(re.escape(wrong)))
        for wrong, right, category, pattern in typos
    ]


def find_typos(text: str, extra: tuple[Typo, ...] = ()) -> list[dict]:
    """Every dictionary hit in `text`: [{wrong, right, category, context}], first hit per entry."""
    hits = []
    key = tuple((t.wrong, t.right, t.category, t.pattern) for t in (*base_typos(), *extra))
    for right, category, pattern in _compiled(key):
        match = pattern.search(text)
        if match:
            start, end = max(0, match.start() - 15), min(len(text), match.end() + 15)
            hits.append(
                {"wrong": match.group(0), "right": right, "category": category, "context": text[start:end]}
            )
    return hits


# What each dictionary category is called in the evidence a department reads.
TYPO_CATEGORY = {
    "country": "国名",
    "leader": "领导人姓名职务",
    "org": "机构名称",
    "agency": "机构名称",
    "term": "规范用语",
    "general": "常见错字",
}


class TextTypo(Rule):
    """An article contains a known serious misspelling (国名, 领导人姓名与职务, 机构名称 …).

    ## What it checks
    The title and body text of every article page the crawler read are matched against a curated
    dictionary (`zwgk/rules/data/typos.yml`, extended by a catalog's `typos:`), e.g.
    中华人民共合国 / 中共人民共和国 / 中华人民大和国 for 中华人民共和国, 攻府 for 政府, 领导小姐 for
    领导小组. Only listed forms count (no guessing), so ordinary text gives no hits. One finding
    per article: `url` is the article, the evidence lists each wrong form, its correction and the
    text around it.

    ## Why
    国办秘函〔2019〕19号 单项否决: 严重错别字 (国名, 党和国家领导人姓名职务, 机构名称) veto a
    website; inspections have named portals for exactly these forms (docs/standards.md §6).
    """

    id = "text.typo"
    title = "严重错别字"
    summary = "信息中出现国名、领导人姓名职务、机构名称等方面的严重错别字。"
    severity = Severity.VETO
    scope = Scope.ARTICLE
    source = "国办秘函〔2019〕19号 单项否决·严重错别字"

    def highlights(self, evidence: Mapping[str, Any]) -> list[str]:
        return [str(h.get("wrong") or "") for h in evidence.get("hits") or [] if isinstance(h, dict)]

    def check(self, unit: UnitObs, ctx: CheckContext) -> Iterable[FindingDraft]:
        extra = tuple(ctx.catalog.typos)
        seen: set[str] = set()
        for column in unit.columns.values():
            for article in column.articles:
                if article.status != "ok" or article.url in seen:
                    continue
                seen.add(article.url)
                hits = find_typos(article.text, extra)
                if not hits:
                    continue
                forms = "、".join(f"{h['wrong']}（应为{h['right']}）" for h in hits)
                yield self.draft(
                    unit,
                    column.column_id,
                    article.url,
                    f"信息「{(article.title or article.url)[:40]}」含严重错别字：{forms}",
                    hits=hits,
                    title=article.title,
                )

    def thresholds(self, catalog: Catalog, scoring: Scoring) -> dict[str, Any]:
        return {
            "词典": "内置严重错别字词表，可在本地栏目目录中补充",
            "否决线（个）": (scoring.veto.get("typo") or {}).get("threshold"),
        }

    def evidence_lines(self, ev: dict[str, Any]) -> list[str]:
        lines: list[str] = []
        title = ev.pop("title", None)
        for hit in ev.pop("hits", None) or []:
            if not isinstance(hit, dict):
                lines.append(f"错别字：{plain(hit, 60)}")
                continue
            text = f"错别字「{clip(hit.get('wrong', ''), 30)}」应为「{clip(hit.get('right', ''), 30)}」"
            cat = hit.get("category")
            if cat:
                text += f"（{TYPO_CATEGORY.get(cat, cat)}）"
            lines.append(text)
            if hit.get("context"):
                lines.append(f"原文：…{clip(hit['context'], 80)}…")
        if title:
            lines.append(f"所在信息：《{clip(title, 60)}》")
        return lines
