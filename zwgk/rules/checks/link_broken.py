"""link.broken — 错链断链."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from zwgk.rules.base import Rule
from zwgk.rules.evidence import clip, plain
from zwgk.rules.model import CheckContext, FindingDraft, LinkObs, Scope, Severity, UnitObs


class LinkBroken(Rule):
    """A link or attachment on a crawled page of the unit answers 404/410/5xx or cannot connect.

    ## What it checks
    Every `<a href>` and attachment on the unit's crawled pages (the portal home for the
    government unit, the 信息公开 entry page, column list pages and the article pages read) was
    checked by the crawler: HEAD, then GET when HEAD fails, redirects followed. A link whose final
    answer is 404, 410 or 5xx, or that cannot connect (refused, reset, timeout, DNS), is broken.
    One finding per broken target per unit: `url` is the target, `evidence.page` the page holding
    it, `evidence.text` its anchor text, `column` the column whose page holds it (null for the
    home and entry pages). Links refused by the SSRF policy (private/loopback addresses outside the
    registry), off-site links when off-site checking is off, and links over the per-page/per-run
    caps are not requested and never reported as broken.

    ## Why
    国办秘函〔2019〕19号 and 《政府网站发展指引》: 错链断链 is an inspected item of 网站可用性;
    a broken attachment leaves a disclosure without its document.
    """

    id = "link.broken"
    title = "错链断链"
    summary = "单位栏目页面或信息中的链接、附件无法打开（返回 404、410、5xx 或无法连接）。"
    severity = Severity.MINOR
    scope = Scope.LINK
    source = "国办秘函〔2019〕19号 可用性·错链断链；《政府网站发展指引》"

    def highlights(self, evidence: Mapping[str, Any]) -> list[str]:
        return [str(evidence.get("text") or "")]

    def check(self, unit: UnitObs, ctx: CheckContext) -> Iterable[FindingDraft]:
        found: list[tuple[str | None, LinkObs]] = [(None, link) for link in unit.links]
        for column in unit.columns.values():
            found += [(column.column_id, link) for link in column.links]
            for article in column.articles:
                found += [(column.column_id, link) for link in article.links]
        seen: set[str] = set()
        for column_id, link in found:
            if link.status != "broken" or link.url in seen:
                continue
            seen.add(link.url)
            what = f"HTTP {link.http_status}" if link.http_status else (link.error or "无法连接")
            kind = "附件" if link.attachment else "链接"
            text = link.text or link.url
            yield self.draft(
                unit,
                column_id,
                link.url,
                f"页面中的{kind}「{text[:40]}」无法访问（{what}）",
                page=link.page,
                text=link.text,
                http_status=link.http_status,
                error=link.error,
                attachment=link.attachment,
                redirects=link.redirects,
            )

    def evidence_lines(self, ev: dict[str, Any]) -> list[str]:
        lines: list[str] = []
        code, err = ev.pop("http_status", None), ev.pop("error", None)
        kind = "附件" if ev.pop("attachment", False) else "链接"
        what = f"返回HTTP {code}" if code else (f"无法连接（{clip(err, 60)}）" if err else "无法访问")
        lines.append(f"{kind}{what}")
        page = ev.pop("page", None)
        if page:
            lines.append(f"所在页面：{clip(page)}")
        text = ev.pop("text", None)
        if text:
            lines.append(f"链接文字：「{clip(text, 60)}」")
        redirects = ev.pop("redirects", None)
        if redirects:
            lines.append(f"经 {len(redirects)} 次跳转：{plain(redirects)}")
        return lines
