"""日调度 (daily dispatch): the inspector's morning list of open findings, unit by unit."""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from zwgk.config.catalog import Catalog
from zwgk.reports.bundle import write_bundle
from zwgk.reports.common import export_links, nav, report_files, write_html
from zwgk.reports.evidence import write_finding_page, write_rectified_page
from zwgk.reports.render import render
from zwgk.reports.svg import bar_chart
from zwgk.reports.views import DailyView, build_daily


def render_daily(
    store, as_of: date, out_dir: Path, catalog: Catalog, config: dict | None = None, ctx=None
) -> Path:
    """Write `out_dir/daily-YYYY-MM-DD.html`, its evidence files and exports; return the HTML path.

    `config` (the report settings every renderer takes) has nothing for the daily dispatch yet."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if ctx is not None:
        return write_daily(ctx.session, daily_view(ctx, as_of), out_dir, ctx.memo.get("planned", ()))
    with store.session() as session:
        return write_daily(session, build_daily(session, as_of, catalog), out_dir)


def daily_view(ctx, as_of: date) -> DailyView:
    """The daily view from a shared report context (zwgk/reports/context.py); built once."""
    key = ("daily", as_of)
    if key not in ctx.memo:
        ctx.memo[key] = build_daily(
            ctx.session, as_of, ctx.catalog, states=ctx.states(as_of), columns=ctx.columns(as_of)
        )
    return ctx.memo[key]


def link_evidence(session: Session, view: DailyView, out_dir: Path) -> None:
    """Write the evidence page of every finding of the dispatch once (zwgk/reports/evidence.py):
    open and reviewed ones, and the night's 销号 with their before/after pages."""
    if getattr(view, "_evidence_done", False):
        return
    rows = [r for p in view.portals for u in p.units for r in u.rows] + list(view.dismissed)
    for row in rows:
        if row.number:
            write_finding_page(session, row, out_dir, view.as_of)
            row.has_evidence_page = True
    for done in view.rectified:
        if done.number:
            write_rectified_page(session, done, out_dir)
            done.has_evidence_page = True
    view._evidence_done = True  # type: ignore[attr-defined]


def daily_tables(view: DailyView) -> dict[str, list[dict]]:
    rows = []
    for p in view.portals:
        for u in p.units:
            for r in u.rows:
                rows.append(
                    {
                        "number": r.number,
                        "portal": p.id,
                        "unit": u.unit_id,
                        "unit_name": u.name,
                        "rule": r.rule,
                        "rule_title": r.rule_title,
                        "severity": r.severity,
                        "column": r.column_id,
                        "message": r.message,
                        "url": r.url,
                        "first_seen": r.first_seen.isoformat(),
                        "deadline": r.deadline.isoformat(),
                        "overdue_days": r.overdue_days,
                        "status": r.status,
                        "new": r.is_new,
                        "evidence": r.evidence_href,
                    }
                )
    rectified = [
        {
            "number": r.number,
            "portal": r.portal_name,
            "unit": r.unit_name,
            "rule_title": r.rule_title,
            "severity": r.severity,
            "column": r.column_name,
            "message": r.message,
            "first_seen": r.first_seen.isoformat(),
            "rectified_on": r.rectified_on.isoformat(),
            "days": r.days,
        }
        for r in view.rectified
    ]
    totals = [{"item": k, "count": v} for k, v in view.totals.items()]
    dismissed = [
        {
            "number": r.number,
            "portal": r.portal_name,
            "unit": r.unit_name,
            "rule": r.rule,
            "rule_title": r.rule_title,
            "column": r.column_id,
            "message": r.message,
            "url": r.url,
            "reviewed_by": (r.review or {}).get("by"),
            "review_reason": (r.review or {}).get("why"),
            "reviewed_on": (r.review or {}).get("on"),
        }
        for r in view.dismissed
    ]
    return {"open": rows, "rectified": rectified, "totals": totals, "dismissed": dismissed}


def write_daily(session: Session, view: DailyView, out_dir: Path, planned=()) -> Path:
    link_evidence(session, view, out_dir)
    as_of = view.as_of
    stem = Path(report_files(as_of)["daily"]).stem
    links = write_bundle(
        out_dir,
        stem,
        daily_tables(view),
        {"report": "daily", "as_of": as_of.isoformat()},
        {"open": "待整改", "rectified": "已销号", "totals": "合计", "dismissed": "已复核为误报"},
    )
    by_rule = Counter(r.rule_title for p in view.portals for u in p.units for r in u.rows)
    chart = bar_chart(by_rule.most_common(), title="待整改问题按类型", unit=" 条") if by_rule else None
    html = render(
        "daily.html.j2",
        v=view,
        chart=chart,
        nav=nav(out_dir, as_of, "daily", planned=planned),
        exports=export_links(links),
        calendar_banner=view.calendar_banner,
    )
    return write_html(out_dir / report_files(as_of)["daily"], html)
