"""Notifications after the daily dispatch: each unit its list, the supervisor the summary, the operator alerts.

Delivery goes through Apprise (the `notify` extra), so one recipient line may be an e-mail
(`mailtos://user:pass@smtp.example.gov.cn?to=fgj@example.gov.cn`), a 企业微信 group robot
(`wecombot://KEY`), a 钉钉 group robot (`dingtalk://TOKEN/`), or a plain JSON webhook on the
intranet (`json://10.1.2.3:8080/hook`). Recipients come from a notifications YAML (`--notify FILE`):

```yaml
retries: 2            # re-sends after a failed send (bounded), waiting retry_delay, 2×, 4× … seconds
retry_delay: 5
min_coverage: 0.8     # alert the operator when the night's crawl reached fewer units than this share
send_clean: false     # also tell units without open findings that all is well
report_url: http://zwgk.intranet/reports/   # optional: where the HTML reports are published
supervisor: [mailtos://…?to=zwgkb@example.gov.cn]
operator: [json://127.0.0.1:9000/alerts]
units:
  jiyang/fgj: [mailtos://…?to=fgj@example.gov.cn, wecombot://KEY]
```
`${NAME}` in a URL is replaced by the environment variable NAME (keep passwords out of the file).

The chat robots reject an over-long message, so for them a long list is cut to fit (whole items
dropped from the end, with a count and the report link kept): 企业微信 2048 bytes of text, 钉钉
20000 bytes per request (PLATFORM_LIMITS). E-mail and plain webhooks get everything.

A failed send is retried, then recorded — never raised: every dispatch leaves a Run row with
stage `notify` (counts sent/failed/attempts, the failures in `error`), shown by `zwgk status`.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from zwgk.config.yamlines import load_located
from zwgk.cycle.records import finish_run, start_run
from zwgk.errors import BadInput

log = logging.getLogger(__name__)

_TOP_KEYS = {
    "retries",
    "retry_delay",
    "min_coverage",
    "send_clean",
    "report_url",
    "supervisor",
    "operator",
    "units",
}
_ENV = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
MAX_RETRIES = 10
MAX_DELAY = 300.0  # seconds: one wait between two attempts never exceeds this


@dataclass(frozen=True)
class Recipient:
    url: str  # with secrets (never logged or stored)
    label: str  # the privacy-safe form (apprise hides passwords and tokens)


@dataclass(frozen=True)
class NotifyConfig:
    path: Path
    supervisor: list[Recipient] = field(default_factory=list)
    operator: list[Recipient] = field(default_factory=list)
    units: dict[tuple[str, str], list[Recipient]] = field(default_factory=dict)
    retries: int = 2
    retry_delay: float = 5.0
    min_coverage: float = 0.8
    send_clean: bool = False
    report_url: str | None = None


@dataclass(frozen=True)
class Message:
    audience: str  # unit | supervisor | operator
    key: str  # 'portal/unit', 'supervisor', 'operator'
    title: str
    body: str  # markdown
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


def _apprise():
    try:
        import apprise
    except ModuleNotFoundError:
        raise BadInput("notifications need Apprise: pip install 'zwgk-monitor[notify]'") from None
    return apprise


def load_notify_config(path: str | Path, registry=None) -> NotifyConfig:
    """Read and validate a notifications YAML; any problem is BadInput naming the file and line.

    With a registry, every `units` key must name a registered portal/unit.
    """
    apprise = _apprise()
    doc = load_located(path)
    src = str(doc.path)

    def bad(msg: str, *loc) -> BadInput:
        return BadInput(msg, path=src, line=doc.line_of(loc))

    data = doc.data if doc.data is not None else {}
    if not isinstance(data, dict):
        raise bad("the notifications file must be a mapping (supervisor, operator, units …)")
    for key in data:
        if key not in _TOP_KEYS:
            raise bad(f"unknown key {key!r} (known: {', '.join(sorted(_TOP_KEYS))})", key)

    def recipients(value, *loc) -> list[Recipient]:
        if value is None:
            return []
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            raise bad("recipients must be an Apprise URL or a list of them", *loc)
        out = []
        for i, raw in enumerate(items):
            where = (*loc, i) if not isinstance(value, str) else loc
            if not isinstance(raw, str) or "://" not in raw:
                raise bad(
                    f"not an Apprise URL: {raw!r} (e.g. mailtos://…, wecombot://…, dingtalk://…)", *where
                )
            missing = [m for m in _ENV.findall(raw) if m not in os.environ]
            if missing:
                raise bad(f"environment variable {missing[0]} is not set (used in a recipient URL)", *where)
            url = _ENV.sub(lambda m: os.environ[m.group(1)], raw)
            plugin = apprise.Apprise.instantiate(url)
            if plugin is None:
                raise bad(
                    f"Apprise does not understand this URL: {_ENV.sub('${…}', raw.split('?')[0])}", *where
                )
            out.append(Recipient(url, plugin.url(privacy=True).split("?")[0]))
        return out

    units: dict[tuple[str, str], list[Recipient]] = {}
    raw_units = data.get("units") or {}
    if not isinstance(raw_units, dict):
        raise bad("'units' must map 'portal/unit' ids to recipients", "units")
    known = None
    if registry is not None:
        known = {(p.id, u.id) for p in registry.portals for u in p.units}
    for key, value in raw_units.items():
        portal, sep, unit = str(key).partition("/")
        if not sep or not portal or not unit:
            raise bad(f"unit key {key!r} must be 'portal/unit' (registry ids)", "units", key)
        if known is not None and (portal, unit) not in known:
            raise bad(f"no unit {key!r} in the registry", "units", key)
        units[(portal, unit)] = recipients(value, "units", key)

    def number(name: str, default: float, lo: float, hi: float) -> float:
        value = data.get(name, default)
        if isinstance(value, bool) or not isinstance(value, int | float) or not lo <= value <= hi:
            raise bad(f"{name} must be a number from {lo} to {hi}, not {value!r}", name)
        return value

    send_clean = data.get("send_clean", False)
    if not isinstance(send_clean, bool):
        raise bad("send_clean must be true or false", "send_clean")
    report_url = data.get("report_url")
    if report_url is not None and not isinstance(report_url, str):
        raise bad("report_url must be a URL", "report_url")
    return NotifyConfig(
        path=doc.path,
        supervisor=recipients(data.get("supervisor"), "supervisor"),
        operator=recipients(data.get("operator"), "operator"),
        units=units,
        retries=int(number("retries", 2, 0, MAX_RETRIES)),
        retry_delay=number("retry_delay", 5, 0, MAX_DELAY),
        min_coverage=number("min_coverage", 0.8, 0, 1),
        send_clean=send_clean,
        report_url=report_url,
    )


# -- sending ---------------------------------------------------------------------------------------
Sender = Callable[[Recipient, Message], bool]


def apprise_send(recipient: Recipient, message: Message) -> bool:
    """One attempt through Apprise (its own retry off: we retry and record)."""
    apprise = _apprise()
    ap = apprise.Apprise()
    if not ap.add(recipient.url):
        return False
    message = for_platform(recipient, message)
    return bool(ap.notify(title=message.title, body=message.body, body_format=apprise.NotifyFormat.MARKDOWN))


@dataclass
class Delivery:
    audience: str
    key: str
    recipient: str  # label
    ok: bool
    attempts: int
    error: str | None = None


def deliver(
    recipient: Recipient,
    message: Message,
    config: NotifyConfig,
    send: Sender | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """Send with bounded retries; never raises."""
    send = send or apprise_send
    attempts, error = 0, None
    for attempt in range(config.retries + 1):
        attempts += 1
        try:
            if send(recipient, message):
                return Delivery(message.audience, message.key, recipient.label, True, attempts)
            error = "发送失败（接收方未确认）"
        except Exception as exc:  # a plugin bug or a network error must not end the run
            error = f"{type(exc).__name__}: {str(exc)[:200]}"
        if attempt < config.retries:
            sleep(min(config.retry_delay * (2**attempt), MAX_DELAY))
    log.warning(
        "notification to %s (%s) failed after %d attempts: %s", recipient.label, message.key, attempts, error
    )
    return Delivery(message.audience, message.key, recipient.label, False, attempts, error)


def send_messages(
    store,
    as_of: date,
    kind: str,
    pairs: list[tuple[Recipient, Message]],
    config: NotifyConfig,
    send: Sender | None = None,
    sleep: Callable[[float], None] = time.sleep,
    extra: dict | None = None,
) -> int:
    """Deliver every (recipient, message), recording one Run(stage='notify'); returns its id. Never raises
    for a failed send (a broken store still raises: there is nowhere to record)."""
    run_id = start_run(store, "notify", as_of, {"kind": kind})
    results = [deliver(r, m, config, send, sleep) for r, m in pairs]
    failed = [d for d in results if not d.ok]
    counts: dict[str, Any] = {
        "kind": kind,
        "messages": len(results),
        "sent": len(results) - len(failed),
        "failed": len(failed),
        "attempts": sum(d.attempts for d in results),
        "recipients": sorted({d.key for d in results if d.ok}),
        **(extra or {}),
    }
    status = "ok" if not failed else ("failed" if len(failed) == len(results) else "partial")
    error = "\n".join(f"{d.key} → {d.recipient}: {d.error}（{d.attempts} 次尝试）" for d in failed) or None
    finish_run(store, run_id, status, counts, error)
    return run_id


# -- what is said ----------------------------------------------------------------------------------
def _report_link(config: NotifyConfig, as_of: date) -> str | None:
    if not config.report_url:
        return None
    return config.report_url.rstrip("/") + f"/daily-{as_of.isoformat()}.html"


def unit_message(portal_name: str, unit, as_of: date, link: str | None) -> Message:
    """One unit's open findings (a reports.views.UnitBlock), worst first, with deadlines and URLs."""
    rows = unit.rows
    title = f"【日调度】{unit.name} {as_of.isoformat()} 待整改问题 {len(rows)} 项"
    head = [f"**{portal_name} · {unit.name}** — {as_of.isoformat()} 日调度", ""]
    items: list[str] = []
    if rows:
        head.append(f"待整改问题 {len(rows)} 项（新增 {unit.new_count} 项，逾期 {unit.overdue_count} 项）：")
        head.append("")
        for i, r in enumerate(rows, 1):
            where = f" · {r.column_name}" if r.column_id else ""
            late = f"，已逾期 {r.overdue_days} 天" if r.overdue_days > 0 else ""
            new = "【新】" if r.is_new else ""
            item = [
                f"{i}. {new}[{r.severity_label}] {r.rule_title}{where}：{r.message}",
                f"   整改期限 {r.deadline.isoformat()}{late}；首次发现 {r.first_seen.isoformat()}",
            ]
            if r.url:
                item.append(f"   {r.url}")
            items.append("\n".join(item))
    else:
        head.append("本单位目前没有待整改问题。")
    tail = ["", f"本次抓取：{unit.crawl_note}"]
    if link:
        tail.append(f"完整报告：{link}")
    return listing("unit", f"{unit.portal_id}/{unit.unit_id}", title, head, items, tail)


def supervisor_message(view, coverage: dict | None, as_of: date, link: str | None) -> Message:
    """The supervisor's summary: coverage of the night's crawl, totals, the units with most to fix."""
    t = view.totals
    title = f"【日调度】{as_of.isoformat()} 汇总：待整改 {t['open']} 项，新增 {t['new']} 项，逾期 {t['overdue']} 项"
    lines = [f"**政务公开日调度汇总 · {as_of.isoformat()}**", ""]
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
    return listing(
        "supervisor",
        "supervisor",
        title,
        lines,
        items,
        tail,
        more="……另有 {n} 个单位未列出（消息长度受限），请查看完整报告。",
    )


# -- health of the night's run ---------------------------------------------------------------------
def run_problems(session, as_of: date, min_coverage: float) -> list[str]:
    """What the operator must hear about the cycle of `as_of`: a failed or absent crawl/check, low coverage."""
    from sqlalchemy import select

    from zwgk.store.coverage import crawl_coverage
    from zwgk.store.schema import Run

    problems: list[str] = []
    crawls = (
        session.execute(select(Run).where(Run.stage == "crawl", Run.as_of == as_of).order_by(Run.id.desc()))
        .scalars()
        .all()
    )
    latest = crawls[0] if crawls else None
    if latest is None:
        problems.append(f"{as_of.isoformat()} 没有抓取记录（调度器未运行或任务被跳过）")
    elif latest.status == "running":
        problems.append(f"抓取 #{latest.id} 仍在运行（开始于 {latest.started_at:%Y-%m-%d %H:%M} UTC）")
    elif latest.status not in ("ok", "partial"):
        last = (latest.error or "").strip().splitlines()
        problems.append(f"抓取 #{latest.id} {latest.status}：{last[-1][:300] if last else '无错误信息'}")
    if latest is not None and latest.status != "running":
        cov = crawl_coverage(session, latest.id)
        total = cov["units_total"]
        share = cov["units_reached"] / total if total else 1.0
        if total and share < min_coverage:
            missed = cov["units_missed"]
            problems.append(
                f"抓取 #{latest.id} 覆盖率 {share:.0%}（{cov['units_reached']}/{total} 个单位）低于 {min_coverage:.0%}；"
                f"未覆盖：{'、'.join(missed[:20])}{' …' if len(missed) > 20 else ''}"
            )
    check = session.execute(
        select(Run).where(Run.stage == "check", Run.as_of == as_of).order_by(Run.id.desc()).limit(1)
    ).scalar_one_or_none()
    if latest is not None and latest.status in ("ok", "partial"):
        if check is None:
            problems.append(f"{as_of.isoformat()} 的检查未运行")
        elif check.status not in ("ok", "partial", "running"):
            last = (check.error or "").strip().splitlines()
            problems.append(f"检查 #{check.id} {check.status}：{last[-1][:300] if last else '无错误信息'}")
    return problems


def _already_alerted(session, as_of: date) -> set[str]:
    from sqlalchemy import select

    from zwgk.store.schema import Run

    done: set[str] = set()
    for (counts,) in session.execute(
        select(Run.counts).where(Run.stage == "notify", Run.as_of == as_of, Run.status.in_(("ok", "partial")))
    ):
        if (counts or {}).get("kind") == "alert":
            done.update((counts or {}).get("problems") or [])
    return done


def alert_operator(
    store,
    as_of: date,
    config: NotifyConfig,
    problems: list[str],
    send: Sender | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> int | None:
    """Send the operator the problems not yet reported for this day; returns the notify run id (or None)."""
    with store.session() as session:
        fresh = [p for p in problems if p not in _already_alerted(session, as_of)]
    if not fresh or not config.operator:
        return None
    title = f"【运行告警】zwgk-monitor {as_of.isoformat()}：{fresh[0][:60]}"
    body = "\n".join(
        [
            f"**zwgk-monitor 运行告警 · {as_of.isoformat()}**",
            "",
            *[f"- {p}" for p in fresh],
            "",
            "请查看 `zwgk status` 与调度器日志。",
        ]
    )
    msg = Message("operator", "operator", title, body)
    return send_messages(
        store,
        as_of,
        "alert",
        [(r, msg) for r in config.operator],
        config,
        send,
        sleep,
        extra={"problems": fresh},
    )


def check_and_alert(
    store,
    as_of: date,
    config: NotifyConfig,
    send: Sender | None = None,
    sleep: Callable[[float], None] = time.sleep,
    extra: list[str] | None = None,
) -> int | None:
    """Alert the operator about this day's run problems (plus `extra` ones); never raises for a send."""
    with store.session() as session:
        problems = [*(extra or []), *run_problems(session, as_of, config.min_coverage)]
    return alert_operator(store, as_of, config, problems, send, sleep)


# -- the daily dispatch ----------------------------------------------------------------------------
def dispatch_daily(
    store,
    as_of: date,
    catalog,
    config: NotifyConfig,
    send: Sender | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, int | None]:
    """After the daily report: units their lists, the supervisor the summary, the operator any alerts.

    Returns the notify run ids {'daily': id, 'alert': id or None}.
    """
    from zwgk.findings.observations import latest_crawl_run
    from zwgk.reports.views import build_daily
    from zwgk.store.coverage import crawl_coverage

    link = _report_link(config, as_of)
    pairs: list[tuple[Recipient, Message]] = []
    with store.session() as session:
        view = build_daily(session, as_of, catalog)
        crawl = latest_crawl_run(session, as_of)
        coverage = None
        if crawl is not None and crawl.as_of == as_of:
            coverage = {"run_id": crawl.id, "status": crawl.status, **crawl_coverage(session, crawl.id)}
    for portal in view.portals:
        for unit in [*portal.units, *portal.clean]:
            recipients = config.units.get((unit.portal_id, unit.unit_id)) or []
            if not recipients or (not unit.rows and not config.send_clean):
                continue
            msg = unit_message(portal.name, unit, as_of, link)
            pairs += [(r, msg) for r in recipients]
    if config.supervisor:
        msg = supervisor_message(view, coverage, as_of, link)
        pairs += [(r, msg) for r in config.supervisor]
    daily_id = send_messages(store, as_of, "daily", pairs, config, send, sleep) if pairs else None
    alert_id = check_and_alert(store, as_of, config, send, sleep)
    return {"daily": daily_id, "alert": alert_id}
