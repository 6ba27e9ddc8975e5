"""What is said: each unit its open findings, the supervisor the summary — cut to fit a chat
robot's size limit, with the report link kept.

Plain text, sent in the supervising office's name: what was crawled (titles inside finding
messages, crawl notes) is quoted without markup or addresses (zwgk/inert.py), and a finding's
address is given only where it lies on the unit's own site.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from urllib.parse import quote, urlsplit

from zwgk.inert import fragment, plain

from .config import NotifyConfig, Recipient


@dataclass(frozen=True)
class Message:
    audience: str  # unit | supervisor | operator
    key: str  # 'portal/unit', 'supervisor', 'operator'
    title: str
    body: str  # plain text
    # A list message keeps its parts, so that a platform with a size limit can drop items from the end
    # (body == "\n".join([*head, *items, *tail]); each item may span several lines).
    head: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    tail: tuple[str, ...] = ()
    more: str = "……另有 {n} 项未列出（消息长度受限），请查看完整报告。"


def listing(
    audience: str,
    key: str,
    title: str,
    head: list[str],
    items: list[str],
    tail: list[str],
    more: str | None = None,
) -> Message:
    body = "\n".join([*head, *items, *tail])
    extra = {"more": more} if more else {}
    return Message(audience, key, title, body, tuple(head), tuple(items), tuple(tail), **extra)


# -- platform size limits ----------------------------------------------------------------------------
# The chat robots reject (not cut) a message over their limit, so a long list would never arrive.
# 企业微信 group robot: `text` content at most 2048 bytes of UTF-8, `markdown` 4096 — Apprise's
# wecombot posts msgtype `text` with the title on the first line, so 2048 applies. 钉钉 group robot:
# the request at most 20000 bytes — Apprise's dingtalk posts markdown {title, text: "# title\nbody"}
# as ASCII-escaped JSON (a CJK character costs 6 bytes), measured here the same way.
WECOM_TEXT_BYTES = 2048
DINGTALK_REQUEST_BYTES = 20000
_DINGTALK_ENVELOPE = 200  # msgtype, at, and the rest of the request around title and text


def _wecom_size(title: str, body: str) -> int:
    return len((f"{title}\r\n{body}" if title else body).encode("utf-8"))


def _dingtalk_size(title: str, body: str) -> int:
    return len(json.dumps({"title": title, "text": f"# {title}\n{body}"})) + _DINGTALK_ENVELOPE


PLATFORM_LIMITS: dict[str, tuple[int, Callable[[str, str], int]]] = {  # URL scheme -> (limit, size)
    "wecombot": (WECOM_TEXT_BYTES, _wecom_size),
    "dingtalk": (DINGTALK_REQUEST_BYTES, _dingtalk_size),
}
_CUT = "\n……（消息过长，已截断，请查看完整报告）"


def fit_message(message: Message, limit: int, size: Callable[[str, str], int]) -> Message:
    """The message cut to `limit` as `size` counts it: whole list items dropped from the end (with a note
    of how many, the head and the tail — crawl note, report link — kept); a hard cut as the last resort."""
    if size(message.title, message.body) <= limit:
        return message
    for keep in range(len(message.items) - 1, -1, -1):
        note = message.more.format(n=len(message.items) - keep)
        body = "\n".join([*message.head, *message.items[:keep], note, *message.tail])
        if size(message.title, body) <= limit:
            return replace(message, body=body)
    lo, hi = 0, len(message.body)  # the longest prefix that fits with the cut mark
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if size(message.title, message.body[:mid] + _CUT) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return replace(message, body=message.body[:lo] + _CUT)


def for_platform(recipient: Recipient, message: Message) -> Message:
    """The message as the recipient's platform accepts it (unchanged for e-mail and plain webhooks)."""
    scheme = recipient.url.split("://", 1)[0].lower()
    if scheme in PLATFORM_LIMITS:
        limit, size = PLATFORM_LIMITS[scheme]
        return fit_message(message, limit, size)
    return message


# -- what is said ----------------------------------------------------------------------------------
def report_link(config: NotifyConfig, as_of: date) -> str | None:
    if not config.report_url:
        return None
    return config.report_url.rstrip("/") + f"/daily-{as_of.isoformat()}.html"


def own_address(url: str | None, entry_url: str | None) -> bool:
    """Whether a finding's address may be sent: http(s), on the host of the unit's own entry page.

    Other addresses (a broken link's target on any site, a crawled redirect) are named in the
    report, which the message links to, never put in a message a unit will click."""
    if not url or not entry_url:
        return False
    try:
        got, own = urlsplit(url), urlsplit(entry_url)
    except ValueError:
        return False
    return (
        got.scheme in ("http", "https")
        and bool(got.hostname)
        and got.hostname == own.hostname
        and plain(url) == url
    )


def workspace_link(
    config: NotifyConfig, portal_id: str | None = None, unit_id: str | None = None
) -> str | None:
    """The unit's page in the workspace (sign-in first), or the supervisor's queue."""
    if not config.workspace_url:
        return None
    base = config.workspace_url.rstrip("/")
    if portal_id is None:
        return f"{base}/supervisor"
    return f"{base}/units/{quote(portal_id, safe='')}/{quote(unit_id or '', safe='')}"


def unit_message(
    portal_name: str, unit, as_of: date, link: str | None, workspace: str | None = None
) -> Message:
    """One unit's open findings (a reports.views.UnitBlock), worst first, with deadlines and URLs."""
    rows = unit.rows
    title = f"【日调度】{unit.name} {as_of.isoformat()} 待整改问题 {len(rows)} 项"
    head = [f"{plain(portal_name)} · {plain(unit.name)} — {as_of.isoformat()} 日调度", ""]
    items: list[str] = []
    if rows:
        head.append(f"待整改问题 {len(rows)} 项（新增 {unit.new_count} 项，逾期 {unit.overdue_count} 项）：")
        head.append("")
        for i, r in enumerate(rows, 1):
            where = f" · {r.column_name}" if r.column_id else ""
            late = f"，已逾期 {r.overdue_days} 天" if r.overdue_days > 0 else ""
            new = "【新】" if r.is_new else ""
            item = [
                f"{i}. {new}【{r.severity_label}】{r.number} {r.rule_title}{where}：{fragment(r.message, 300)}",
                f"   整改期限 {r.deadline.isoformat()}{late}；首次发现 {r.first_seen.isoformat()}",
            ]
            if own_address(r.url, unit.entry_url):
                item.append(f"   {plain(r.url)}")
            items.append("\n".join(item))
    elif not unit.checked:  # not seen tonight: never "nothing to fix"
        head.append(f"本次未能检查本单位网站（{fragment(unit.crawl_note, 200)}），暂无检查结果。")
    else:
        head.append("本单位目前没有待整改问题。")
    tail = ["", f"本次抓取：{fragment(unit.crawl_note, 200)}"]
    if link:
        tail.append(f"完整报告：{link}")
    if workspace and rows:
        tail.append(f"整改反馈、申请复查（登录工作台）：{workspace}")
    return listing("unit", f"{unit.portal_id}/{unit.unit_id}", title, head, items, tail)


def supervisor_message(
    view, coverage: dict | None, as_of: date, link: str | None, workspace: str | None = None
) -> Message:
    """The supervisor's summary: coverage of the night's crawl, totals, the units with most to fix."""
    t = view.totals
    title = f"【日调度】{as_of.isoformat()} 汇总：待整改 {t['open']} 项，新增 {t['new']} 项，逾期 {t['overdue']} 项"
    lines = [f"政务公开日调度汇总 · {as_of.isoformat()}", ""]
    if coverage is None:
        lines.append("昨夜没有完成的抓取，以下为最近一次检查的结果。")
    else:
        lines.append(
            f"昨夜抓取（#{coverage['run_id']}，{coverage['status']}）覆盖 {coverage['units_reached']}/"
            f"{coverage['units_total']} 个单位、{coverage['portals_reached']}/{coverage['portals_total']} 个网站。"
        )
    lines.append(
        f"待整改 {t['open']} 项（新增 {t['new']}，仍未整改 {t['still_open']}，逾期 {t['overdue']}），"
        f"本期销号 {t['rectified']} 项。"
    )
    ranked = sorted(
        ((p, u) for p in view.portals for u in p.units if u.rows),
        key=lambda pu: (-len(pu[1].rows), pu[1].worst_rank, pu[1].portal_id, pu[1].unit_id),
    )
    items: list[str] = []
    tail: list[str] = []
    if ranked:
        lines += ["", "问题最多的单位："]
        for i, (p, u) in enumerate(ranked[:15], 1):
            items.append(
                f"{i}. {p.name} · {u.name}：{len(u.rows)} 项（逾期 {u.overdue_count} 项，最重 {u.worst_label}）"
            )
        if len(ranked) > 15:
            tail.append(f"……另有 {len(ranked) - 15} 个单位有待整改问题，见完整报告。")
    if coverage and coverage.get("units_missed"):
        missed = coverage["units_missed"]
        tail += [
            "",
            f"未覆盖的单位（{len(missed)}）：{'、'.join(missed[:30])}{' …' if len(missed) > 30 else ''}",
        ]
    if link:
        tail += ["", f"完整报告：{link}"]
    if workspace:
        tail.append(f"待审核的整改反馈与误报申请（登录工作台）：{workspace}")
    return listing(
        "supervisor",
        "supervisor",
        title,
        lines,
        items,
        tail,
        more="……另有 {n} 个单位未列出（消息长度受限），请查看完整报告。",
    )
