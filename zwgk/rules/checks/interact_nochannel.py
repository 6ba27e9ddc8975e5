"""interact.nochannel — 无有效咨询渠道（互动回应差）."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from zwgk.rules.base import Rule
from zwgk.rules.model import CheckContext, FindingDraft, Scope, Severity, UnitObs


class InteractNoChannel(Rule):
    """The portal offers no effective online consultation channel.

    ## What it checks
    For a unit whose profile requires the 政务咨询 column (by default the government, owner of the
    portal): the portal home — its navigation, header and foot included — and the hub pages it
    links under 互动交流 (or a synonym) were read, and none links a channel named 政务咨询 or an
    alias (领导信箱, 县长信箱, 在线咨询, 留言板 …). Links named 在线访谈, 调查征集, 网上信访 or 纪检举报 do
    not count. A home or hub page that could not be read, or a channel on another site, is a crawl
    problem (未能检查), never this finding.

    ## Why
    国办秘函〔2019〕19号 单项否决 互动回应差 (a): no effective online consultation channel (网上信访
    and 纪检举报 do not count).
    """

    id = "interact.nochannel"
    title = "无有效咨询渠道"
    summary = "网站没有提供有效的在线咨询渠道（领导信箱、在线咨询、留言板等）。"
    severity = Severity.VETO
    scope = Scope.COLUMN
    source = "国办秘函〔2019〕19号 单项否决·互动回应差（未提供有效的在线咨询渠道）"

    def check(self, unit: UnitObs, ctx: CheckContext) -> Iterable[FindingDraft]:
        cid = ctx.catalog.interaction.column
        column = unit.columns.get(cid)
        if column is None or column.status != "missing":
            return
        col = ctx.catalog.column(cid)
        yield self.draft(
            unit,
            cid,
            None,
            f"门户网站首页及互动交流页面未发现有效的「{col.name}」渠道（领导信箱、在线咨询等）",
            searched=col.names,
            home=unit.home_url,
        )

    def evidence_lines(self, ev: dict[str, Any]) -> list[str]:
        home = ev.pop("home", None)
        return [f"查找页面：{home or '门户首页'}及其互动交流页面"]

    def evidence_pages(self, column_id: str | None, evidence: dict[str, Any]) -> list[str]:
        return ["home"]
