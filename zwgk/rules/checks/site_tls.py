"""site.tls — 网站证书无效或即将过期."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from zwgk.config.catalog import Catalog
from zwgk.rules.base import Rule
from zwgk.rules.model import CheckContext, FindingDraft, Scope, Severity, UnitObs
from zwgk.rules.scoring import Scoring


def _not_after(tls: dict) -> datetime | None:
    try:
        return datetime.fromisoformat(str(tls.get("not_after")))
    except ValueError:
        return None


class SiteTls(Rule):
    """An https portal's certificate is rejected by browsers, or expires within the warning period.

    ## What it checks
    For a portal whose registered home is https, the crawl does one TLS handshake as a browser
    would (system trust store, plus an operator's CA file for an intranet CA) and reads the
    certificate's end date. A finding when the handshake's verification fails (expired, not yet
    valid, self-signed, an untrusted or missing issuer, another domain's certificate) or when the
    certificate ends within the catalog's `site_tls.warn_days` (default 30) of the monitoring date.
    A handshake that could not be completed (no connection) proves nothing about the certificate:
    no finding (the home's fetch decides 站点无法访问).

    ## Why
    《政府网站发展指引》 asks government websites to use HTTPS; a certificate a browser rejects
    shows every visitor a security warning — the site is, for them, not usable (国办秘函〔2019〕19号
    可用性). Warning before the end date lets the office renew in time.
    """

    id = "site.tls"
    title = "网站证书无效或即将过期"
    summary = "网站使用 https 时，证书不被浏览器信任，或即将过期。"
    severity = Severity.MAJOR
    scope = Scope.SITE
    source = "《政府网站发展指引》安全防护（HTTPS）；国办秘函〔2019〕19号 可用性"

    def can_judge(self, unit: UnitObs) -> bool:
        tls = unit.home_tls
        return bool(unit.home_url and tls and tls.get("status") in ("ok", "invalid"))

    def check(self, unit: UnitObs, ctx: CheckContext) -> Iterable[FindingDraft]:
        if not self.can_judge(unit):
            return
        tls = unit.home_tls or {}
        ends = _not_after(tls)
        if tls.get("status") == "invalid":
            message = f"门户网站HTTPS证书无效：{tls.get('error') or '浏览器不信任该证书'}"
        elif ends is not None and (ends.date() - ctx.as_of).days <= ctx.catalog.site_tls.warn_days:
            message = f"门户网站HTTPS证书将于 {ends.date().isoformat()} 到期（剩余 {(ends.date() - ctx.as_of).days} 天）"
        else:
            return
        yield self.draft(
            unit,
            None,
            unit.home_url,
            message,
            page="home",
            not_after=ends.date().isoformat() if ends else None,
            issuer=tls.get("issuer"),
            subject=tls.get("subject"),
        )

    def thresholds(self, catalog: Catalog, scoring: Scoring) -> dict[str, Any]:
        return {"到期预警（天）": catalog.site_tls.warn_days}

    def evidence_lines(self, ev: dict[str, Any]) -> list[str]:
        lines = []
        if ends := ev.pop("not_after", None):
            lines.append(f"证书有效期至：{ends}")
        if issuer := ev.pop("issuer", None):
            lines.append(f"签发者：{issuer}")
        if subject := ev.pop("subject", None):
            lines.append(f"证书主体：{subject}")
        return lines

    def evidence_pages(self, column_id: str | None, evidence: dict[str, Any]) -> list[str]:
        return ["home"]
