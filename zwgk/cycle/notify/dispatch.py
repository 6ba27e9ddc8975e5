"""The daily dispatch and the operator's alerts: what the night's run records say went wrong, told
once."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

from zwgk.beijing import shown

from .config import NotifyConfig, Recipient
from .messages import Message, report_link, supervisor_message, unit_message, workspace_link
from .send import Sender, send_messages


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
        problems.append(f"抓取 #{latest.id} 仍在运行（开始于 {shown(latest.started_at)}）")
    elif latest.status == "partial":
        last = (latest.error or "").strip().splitlines()
        problems.append(f"抓取 #{latest.id} 未完整：{last[-1][:300] if last else '部分页面未能抓取'}")
    elif latest.status != "ok":
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

    link = report_link(config, as_of)
    pairs: list[tuple[Recipient, Message]] = []
    with store.session() as session:
        view = build_daily(session, as_of, catalog)
        crawl = latest_crawl_run(session, as_of)
        coverage = None
        if crawl is not None and crawl.as_of == as_of:
            coverage = {"run_id": crawl.id, "status": crawl.status, **crawl_coverage(session, crawl.id)}
    for portal in view.portals:
        for unit in [*portal.units, *portal.clean, *portal.unchecked]:
            recipients = config.units.get((unit.portal_id, unit.unit_id)) or []
            if not recipients or (not unit.rows and not config.send_clean):
                continue
            workspace = workspace_link(config, unit.portal_id, unit.unit_id)
            msg = unit_message(portal.name, unit, as_of, link, workspace)
            pairs += [(r, msg) for r in recipients]
    if config.supervisor:
        msg = supervisor_message(view, coverage, as_of, link, workspace_link(config))
        pairs += [(r, msg) for r in config.supervisor]
    daily_id = send_messages(store, as_of, "daily", pairs, config, send, sleep) if pairs else None
    alert_id = check_and_alert(store, as_of, config, send, sleep)
    return {"daily": daily_id, "alert": alert_id}
