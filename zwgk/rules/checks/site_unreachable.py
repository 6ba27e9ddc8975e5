"""site.unreachable — 站点无法访问."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from zwgk.config.catalog import Catalog
from zwgk.rules.base import Rule
from zwgk.rules.docs_text import percent
from zwgk.rules.model import CheckContext, FindingDraft, Scope, Severity, UnitObs
from zwgk.rules.scoring import Scoring


class SiteUnreachable(Rule):
    """A portal home or a unit's 信息公开 entry page gave no usable answer.

    ## What it checks
    The fetch of the unit's entry page (and, for the portal's government unit, the portal home)
    failed: no answer within the timeout, refused or reset, DNS/TLS failure, a 4xx other than an
    anti-bot challenge, a 5xx, or a redirect loop.

    ## Why
    国办秘函〔2019〕19号 单项否决「站点无法访问」: a home page failing ≥15 s in ≥5% of checks is a veto.
    Each failed nightly check is recorded so the rate can be computed; the columns behind a failed
    page are unknown, not missing, so no column finding is made for them.
    """

    id = "site.unreachable"
    title = "站点无法访问"
    summary = "网站首页或单位信息公开页面无法正常打开：规定时间内无响应、连接被拒绝或重置、域名或证书错误、返回 4xx（反爬虫拦截除外）或 5xx、重定向循环。"
    severity = Severity.MAJOR
    scope = Scope.SITE
    source = "国办秘函〔2019〕19号 单项否决·站点无法访问"

    def check(self, unit: UnitObs, ctx: CheckContext) -> Iterable[FindingDraft]:
        if unit.home_url and unit.home_status == "unreachable":
            yield self.draft(
                unit,
                None,
                unit.home_url,
                f"门户网站首页无法访问：{unit.home_error or '无响应'}",
                page="home",
                http_status=unit.home_http_status,
                error=unit.home_error,
            )
        if unit.entry_status == "unreachable":
            yield self.draft(
                unit,
                None,
                unit.entry_url,
                f"信息公开页面无法访问：{unit.entry_error or '无响应'}",
                page="entry",
                http_status=unit.entry_http_status,
                error=unit.entry_error,
            )

    def thresholds(self, catalog: Catalog, scoring: Scoring) -> dict[str, Any]:
        spec = scoring.veto.get("unreachable") or {}
        return {
            "否决线（无法访问比例）": percent(spec.get("rate")),
            "预警线": percent(spec.get("warn_rate")),
            "统计窗口（天）": spec.get("window_days"),
        }

    def attempted_page(self, evidence: Mapping[str, Any]) -> str | None:
        return "home" if evidence.get("page") == "home" else "entry"

    def evidence_pages(self, column_id: str | None, evidence: dict[str, Any]) -> list[str]:
        return ["home"] if evidence.get("page") == "home" else ["entry"]
