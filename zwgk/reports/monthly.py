"""月考核 (monthly assessment): each unit's month score and grade, ranking, change on last month,
the trend over the past months, and the rules that cost the most points.

A month's score is the unit score (zwgk/findings/scores.py) on the month's last day — the state the
month ended in — or on the as-of date while the month is still running. Rendered on the 1st (as
the scheduler does) it assesses the month just ended (zwgk/reports/common.assessed_month). Past
months' end-of-month scores are read from the score cache (zwgk/reports/context.py), so the
trend costs one scoring per month once, not once per night.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from markupsafe import Markup, escape

from zwgk.config.catalog import Catalog
from zwgk.findings.checked import UNCHECKED_LABEL, assessed
from zwgk.reports.bundle import write_bundle
from zwgk.reports.common import (
    GRADE_COLORS,
    RankedUnit,
    assessed_month,
    export_links,
    mean_score,
    month_key,
    nav,
    report_files,
    rules_view,
    write_html,
)
from zwgk.reports.config import load_report_config
from zwgk.reports.context import ReportContext, month_end, months_back
from zwgk.reports.documents import monthly_document
from zwgk.reports.numbering import issue_seq
from zwgk.reports.render import render
from zwgk.reports.svg import bar_chart, column_chart, distribution, line_chart, sparkline
from zwgk.reports.views import calendar_banner
from zwgk.reports.weekly import doc_number, issue_number, unit_href


@dataclass
class MonthRow(RankedUnit):
    rank: int
    portal: str
    unit: str
    name: str
    portal_name: str
    profile: str
    score: float
    grade: str
    veto: bool
    veto_lines: list[str]
    open: int
    overdue: int
    prev_score: float | None
    prev_grade: str
    change: float | None
    trend: list[float | None]
    spark: Markup
    top_costs: list[tuple[str, float]]
    href: str
    checked: bool = True  # the entry page could be checked this period
    diversity: dict | None = None  # share of diverse interpretation forms (图解/视频/H5 …)


@dataclass
class RuleCost:
    rule: str
    title: str
    points: float
    findings: int
    units: int


@dataclass
class MonthlyView:
    month: date  # first day of the assessed month
    score_date: date
    prev_date: date | None
    complete: bool
    title: str
    issuer: str
    jurisdiction: str
    months: list[str]
    rows: list[MonthRow]
    costs: list[RuleCost]
    grades: dict[str, int]
    prev_grades: dict[str, int]
    average: float | None
    prev_average: float | None
    activity: dict[str, int]
    charts: dict[str, Any] = field(default_factory=dict)
    has_prev: bool = True  # last month has scores
    unchecked: int = 0
    rules: dict[str, Any] = field(default_factory=dict)  # 监测规则与否决线 (common.rules_view)
    diversity: list[dict[str, Any]] = field(default_factory=list)
    diversity_target: float = 0.3
    calendar_banner: str | None = None
    issue_no: str = ""  # 期号 of a complete month (an issued assessment); a month to date has none
    doc_no: str = ""
    recipients: str = ""

    @property
    def label(self) -> str:
        return f"{self.month.year}年{self.month.month}月"


def month_dates(ctx: ReportContext, score_date: date, n: int) -> list[tuple[str, date | None]]:
    """(label, score date) of the n months ending with score_date's month; None before history."""
    first = ctx.first_check()
    out = []
    for y, m in months_back(score_date, n):
        d = min(month_end(y, m), score_date)
        out.append((f"{y}年{m}月" if m == 1 or not out else f"{m}月", d if first and d >= first else None))
    return out


def build_monthly(ctx: ReportContext, as_of: date, config: dict) -> MonthlyView:
    month = assessed_month(as_of)
    end = month_end(month.year, month.month)
    score_date = min(end, as_of)
    n = int(config["monthly"]["trend_months"])
    months = month_dates(ctx, score_date, n)
    while len(months) > 1 and months[0][1] is None:  # no history yet: no empty months in the trend
        months.pop(0)
    ctx.memo[("month_dates", as_of)] = months  # unit pages show the same months' scores
    per_month = [ctx.score_map(d) if d else {} for _, d in months]
    current = per_month[-1]
    prev_map = per_month[-2] if len(per_month) > 1 else {}
    prev_date = months[-2][1] if len(months) > 1 else None
    rows: list[MonthRow] = []
    shares = ctx.diversity(score_date)
    for key, sc in current.items():
        pv = prev_map.get(key)
        trend = [m[key]["score"] if key in m else None for m in per_month]
        rows.append(
            MonthRow(
                rank=0,
                portal=key[0],
                unit=key[1],
                name=ctx.unit_name(*key),
                portal_name=ctx.portal_name(key[0]),
                profile=ctx.profile_name(*key),
                score=sc["score"],
                grade=sc["grade"],
                veto=sc["veto"],
                veto_lines=[v["name"] for v in sc["veto_lines"]],
                open=sc["open_findings"],
                overdue=sc["overdue_findings"],
                prev_score=pv["score"] if pv else None,
                prev_grade=pv["grade"] if pv else "",
                change=round(sc["score"] - pv["score"], 1)
                if pv and sc["score"] is not None and pv["score"] is not None
                else None,
                trend=trend,
                spark=sparkline(trend, title=f"{ctx.unit_name(*key)} 近{n}个月得分")
                if sum(1 for x in trend if x is not None) > 1
                else Markup('<span class="muted small">—</span>'),
                top_costs=[
                    (ctx.titles.get(d["rule"], d["rule"]), d["deducted"])
                    for d in sc["deductions"][:3]
                    if d["deducted"]
                ],
                href=unit_href(*key),
                checked=assessed(sc),
                diversity=shares.get(key),
            )
        )
    rows.sort(key=lambda r: (not r.checked, r.veto, -(r.score or 0), r.open, r.portal, r.unit))
    for i, r in enumerate(rows, 1):
        r.rank = i if r.checked else 0

    cost_points: dict[str, float] = defaultdict(float)
    cost_findings: Counter = Counter()
    cost_units: dict[str, set] = defaultdict(set)
    for key, sc in current.items():
        for d in sc["deductions"]:
            cost_points[d["rule"]] += d["deducted"]
            cost_findings[d["rule"]] += d["count"]
            cost_units[d["rule"]].add(key)
    costs = sorted(
        (
            RuleCost(r, ctx.titles.get(r, r), round(p, 1), cost_findings[r], len(cost_units[r]))
            for r, p in cost_points.items()
            if p > 0
        ),
        key=lambda c: (-c.points, c.rule),
    )

    names = [g for g, _ in ctx.scoring.grades]
    grades = Counter(r.grade for r in rows if r.checked)
    prev_grades = Counter(sc["grade"] for sc in prev_map.values() if sc["grade"] is not None)
    # Averages over the units that were assessed: a unit not checked (未能检查) has no score.
    avg = mean_score([r.score for r in rows if r.checked])
    prev_avg = mean_score([s["score"] for s in prev_map.values()])

    events = ctx.event_counts(month, score_date)
    activity = {"opened": 0, "rectified": 0}
    for days in events.values():
        for counts in days.values():
            activity["opened"] += counts["opened"]
            activity["rectified"] += counts["rectified"]

    def avg_of(m: dict, profile: str | None = None) -> float | None:
        return mean_score([s["score"] for s in m.values() if profile is None or s["profile"] == profile])

    labels = [label for label, _ in months]
    series = [("全部单位", [avg_of(m) for m in per_month])]
    for prof in ("government", "department", "township"):
        vals = [avg_of(m, prof) for m in per_month]
        if any(v is not None for v in vals):
            name = ctx.catalog.profiles[prof].name if prof in ctx.catalog.profiles else prof
            series.append((name, vals))
    failing = names[-1]
    unchecked = sum(1 for r in rows if not r.checked)
    charts = {
        "trend": line_chart(labels, series, title="各月平均得分", y_min=0, y_max=100),
        "failing": column_chart(
            labels,
            [
                (
                    "不合格单位",
                    [sum(1 for s in m.values() if s["grade"] == failing) for m in per_month],
                    "#d4351c",
                )
            ],
            title="各月不合格单位数",
            height=180,
        ),
        "grades": distribution(
            [(g, grades.get(g, 0), GRADE_COLORS.get(g, "#505a5f")) for g in names]
            + ([(UNCHECKED_LABEL, unchecked, "#b54d00")] if unchecked else []),
            title="本月等级分布",
        ),
        "costs": bar_chart(
            [(c.title, c.points) for c in costs], title="各类问题扣分合计", unit=" 分", color="#b54d00"
        ),
    }
    overall = series[0][1]
    if sum(1 for x in overall if x is not None) < 2:
        # One month is a dot, not a trend: said in words until a second month has scores.
        latest = next((x for x in reversed(overall) if x is not None), None)
        said = f"（{labels[-1]}平均 {latest:.1f} 分）" if latest is not None and labels else ""
        wait = f"目前只有一个月的数据{said}，有两个月的数据后显示趋势图。"
        charts["trend"] = charts["failing"] = Markup(f'<p class="chart-wait muted">{escape(wait)}</p>')
    mcfg = config["monthly"]
    issue_no = doc_no = ""
    if score_date == end and rows:  # only a complete month is an issued assessment with a number
        year, seq = issue_seq(ctx.session, "monthly", month, end)
        issue_no = issue_number(mcfg.get("issue_format"), year, seq, month)
        doc_no = doc_number(config.get("doc_prefix") or "", year, seq)
    return MonthlyView(
        month=month,
        issue_no=issue_no,
        doc_no=doc_no,
        recipients=config.get("recipients") or "",
        score_date=score_date,
        prev_date=prev_date,
        complete=score_date == end,
        title=config["monthly"]["title"],
        issuer=config["issuer"],
        jurisdiction=config.get("jurisdiction") or "",
        months=labels,
        rows=rows,
        costs=costs,
        grades={g: grades.get(g, 0) for g in names},
        prev_grades={g: prev_grades.get(g, 0) for g in names},
        average=avg,
        prev_average=prev_avg,
        activity=activity,
        charts=charts,
        has_prev=bool(prev_map),
        unchecked=unchecked,
        rules=rules_view(ctx.catalog, ctx.scoring),
        diversity=sorted(
            (r for r in rows if r.diversity),
            key=lambda r: (r.diversity["share"] is None, -(r.diversity["share"] or 0), r.portal, r.unit),
        ),
        diversity_target=ctx.catalog.interpretation.diverse_target,
        calendar_banner=calendar_banner(ctx.catalog, [month, score_date]),
    )


def monthly_tables(v: MonthlyView) -> dict[str, list[dict[str, Any]]]:
    scores = [
        {
            "rank": r.rank,
            "portal": r.portal,
            "unit": r.unit,
            "name": r.name,
            "profile": r.profile,
            "score": r.score,
            "grade": r.grade,
            "veto": r.veto,
            "veto_lines": "、".join(r.veto_lines),
            "open": r.open,
            "overdue": r.overdue,
            "prev_score": r.prev_score,
            "prev_grade": r.prev_grade,
            "change": r.change,
            "checked": r.checked,
        }
        for r in v.rows
    ]
    trend = [
        {"portal": r.portal, "unit": r.unit, "name": r.name, **dict(zip(v.months, r.trend, strict=False))}
        for r in v.rows
    ]
    costs = [
        {"rule": c.rule, "title": c.title, "points": c.points, "findings": c.findings, "units": c.units}
        for c in v.costs
    ]
    diversity = [
        {
            "portal": r.portal,
            "unit": r.unit,
            "name": r.name,
            "total": r.diversity["total"],
            "diverse": r.diversity["diverse"],
            "share": r.diversity["share"],
            "target": r.diversity["target"],
            "meets_target": r.diversity["meets_target"],
        }
        for r in v.diversity
    ]
    return {"scores": scores, "trend": trend, "rule_costs": costs, "diversity": diversity}


def render_monthly(
    store,
    as_of: date,
    out_dir: Path,
    catalog: Catalog,
    config: dict | None = None,
    ctx: ReportContext | None = None,
) -> Path:
    """Write `out_dir/monthly-YYYY-MM.html` with its XLSX/CSV/JSON; return the HTML path."""
    out_dir = Path(out_dir)
    config = config or load_report_config()
    if ctx is not None:
        return _render(ctx, as_of, out_dir, config)
    with store.session() as session:
        return _render(
            ReportContext(session, catalog, cache_dir=out_dir / ".cache", since=assessed_month(as_of)),
            as_of,
            out_dir,
            config,
        )


def _render(ctx: ReportContext, as_of: date, out_dir: Path, config: dict) -> Path:
    view = build_monthly(ctx, as_of, config)
    name = report_files(as_of)["monthly"]
    links = write_bundle(
        out_dir,
        Path(name).stem,
        monthly_tables(view),
        {
            "report": "monthly",
            "month": month_key(view.month),
            "score_date": view.score_date.isoformat(),
            "complete": view.complete,
            "issuer": view.issuer,
        },
        {"scores": "得分", "trend": "趋势", "rule_costs": "扣分", "diversity": "解读形式"},
    )
    docx = out_dir / f"{Path(name).stem}.docx"
    monthly_document(
        view,
        docx,
        view.issue_no or f"{view.label}（截至{view.score_date.isoformat()}，未编期号）",
        view.doc_no,
        view.recipients,
    )
    links = {"docx": docx.name, **links}
    html = render(
        "monthly.html.j2",
        v=view,
        use_script=True,
        nav=nav(out_dir, as_of, "monthly", planned=ctx.memo.get("planned", ())),
        exports=export_links(links),
        calendar_banner=view.calendar_banner,
    )
    return write_html(out_dir / name, html)
