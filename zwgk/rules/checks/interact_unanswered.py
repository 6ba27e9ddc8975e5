"""interact.unanswered — 留言超期未回复（互动回应差）."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from zwgk.config.catalog import Catalog
from zwgk.rules.base import Rule
from zwgk.rules.model import CheckContext, FindingDraft, Scope, Severity, UnitObs
from zwgk.rules.scoring import Scoring


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later (the last day of a shorter month)."""
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


def _day(value: object) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def overdue(messages: list[dict], as_of: date, months: int, lookback_days: int) -> list[dict]:
    """Messages of the look-back window left without an answer for more than `months` months: still
    unanswered (on positive evidence) past the limit, or answered after it."""
    since = as_of - timedelta(days=lookback_days)
    out = []
    for m in messages:
        asked = _day(m.get("asked"))
        if asked is None or not since <= asked <= as_of:
            continue
        limit = add_months(asked, months)
        replied = _day(m.get("replied"))
        if replied is not None:
            late = replied > limit
            waited = (replied - asked).days
        else:
            late = m.get("state") == "unanswered" and as_of > limit
            waited = (as_of - asked).days
        if late:
            out.append({**m, "waited_days": waited})
    return out


class InteractUnanswered(Rule):
    """A message left in the portal's 政务咨询 channel within the last year went unanswered for more
    than three months.

    ## What it checks
    The crawl reads the messages of the channel (catalog column 政务咨询, found from the portal home
    and its 互动交流 page): each one's 留言 date, its 回复 date or state (已回复, 未回复, 办理中 …), from
    the list or, where the list says nothing, the message's own page. A message left within
    `lookback_days` (365) of the monitoring date counts against the unit when it is still unanswered
    — shown as such, or with an empty 回复内容 — more than `reply_months` (3) calendar months after it
    was left, or was answered later than that. A message whose state the crawl could not read is
    never counted. One finding per channel, listing the messages (title, dates, days waited).

    ## Why
    国办秘函〔2019〕19号 单项否决 互动回应差: within the prior year a 政务咨询类 column has a valid
    message unanswered for more than 3 months (strictly more). 在线访谈, 调查征集, 网上信访 and 纪检举报
    channels are not 政务咨询 (the catalog excludes them by name).
    """

    id = "interact.unanswered"
    title = "留言超期未回复"
    summary = "政务咨询类栏目中统计范围内的留言超过回复时限未回复，或超过回复时限才回复。"
    severity = Severity.VETO
    scope = Scope.COLUMN
    source = "国办秘函〔2019〕19号 单项否决·互动回应差（政务咨询类栏目留言超过3个月未回复）"

    def highlights(self, evidence: Mapping[str, Any]) -> list[str]:
        return [str(m.get("title") or "") for m in evidence.get("messages") or [] if isinstance(m, dict)]

    def can_judge(self, unit: UnitObs) -> bool:
        """Only a night that read the channel's messages with their states may close a finding: a
        list whose format changed (every state unknown) or that shows nothing proves no reply."""
        return any(
            c.status in ("ok", "truncated")
            and any(m.get("state") != "unknown" or m.get("replied") for m in c.messages)
            for c in unit.columns.values()
        )

    def check(self, unit: UnitObs, ctx: CheckContext) -> Iterable[FindingDraft]:
        rules = ctx.catalog.interaction
        column = unit.columns.get(rules.column)
        if column is None or column.status not in ("ok", "truncated") or not column.messages:
            return
        late = overdue(column.messages, ctx.as_of, rules.reply_months, rules.lookback_days)
        if not late:
            return
        late.sort(key=lambda m: -int(m["waited_days"]))
        first = late[0]
        still = sum(1 for m in late if not m.get("replied"))
        yield self.draft(
            unit,
            rules.column,
            column.url,
            f"「{ctx.catalog.column(rules.column).name}」{len(late)} 条留言超过 {rules.reply_months} 个月未回复"
            + (f"（其中 {still} 条至今未回复）" if still else "")
            + f"，如「{str(first.get('title'))[:30]}」（{first.get('asked')} 留言，已等待 {first['waited_days']} 天）",
            messages=[
                {k: m.get(k) for k in ("title", "url", "asked", "replied", "shown", "waited_days")}
                for m in late[:10]
            ],
            count=len(late),
        )

    def thresholds(self, catalog: Catalog, scoring: Scoring) -> dict[str, Any]:
        rules = catalog.interaction
        return {
            "回复时限": f"{rules.reply_months} 个月",
            "统计范围": f"监测日期前 {rules.lookback_days} 天内的留言",
        }

    def evidence_lines(self, ev: dict[str, Any]) -> list[str]:
        ev.pop("count", None)
        return [
            f"「{m.get('title')}」{m.get('asked')} 留言，"
            + (f"{m.get('replied')} 回复" if m.get("replied") else f"未回复（{m.get('shown') or '状态'}）")
            + f"，相隔 {m.get('waited_days')} 天"
            for m in ev.pop("messages", None) or []
        ]
