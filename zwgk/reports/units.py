"""Unit pages (单位页面): one page per unit — its columns, its open rectification list with
evidence, its history — and the index page that links every report and finds a unit by name or
id with an offline filter.

Files: `units/<portal>--<unit>.html` (the unit's state on the as-of date, replaced each night) and
`index.html`. The history is read for a fixed window (`units.history_weeks`) from the event log,
not from the whole of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from markupsafe import Markup

from zwgk.config.catalog import Catalog
from zwgk.findings.checked import UNCHECKED_LABEL, assessed
from zwgk.reports.bundle import write_bundle
from zwgk.reports.common import (
    assessed_month,
    export_links,
    nav,
    report_files,
    rules_view,
    signed,
    write_html,
)
from zwgk.reports.config import load_report_config
from zwgk.reports.context import ReportContext, week_start
from zwgk.reports.daily import daily_view, link_evidence
from zwgk.reports.kinds import DATED_KINDS
from zwgk.reports.render import render
from zwgk.reports.sheets import COLUMN_STATUS
from zwgk.reports.svg import column_chart, line_chart
from zwgk.reports.views import DailyRow, UnitBlock, calendar_banner, safe_href
from zwgk.reports.weekly import unit_href, unit_warnings

_SAFE = re.compile(r"[^A-Za-z0-9_-]")

RULES_PAGE = "rules.html"  # 监测规则与否决线, linked from the index

STATUS_LABEL = COLUMN_STATUS  # one set of column status words for pages and spreadsheets


def unit_file(portal: str, unit: str) -> str:
    return unit_href(_SAFE.sub("_", portal), _SAFE.sub("_", unit))


@dataclass
class ColumnRow:
    column: str
    name: str
    status: str
    status_label: str
    status_class: str
    url: str | None
    href: str | None
    newest: str | None
    entries: int | None
    score: int | None  # None: the column could not be checked (未能检查)
    findings: list[str]
    deductions: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)
    start: float = 100  # the column's full score, before deductions

    @property
    def explanation(self) -> str:
        """How the score is reached, on the page: 100 − 60（栏目不更新）= 40."""
        if self.score is None or not self.deductions:
            return ""
        parts = "".join(f" − {d['points']:g}（{d['title']}）" for d in self.deductions)
        return f"{self.start:g}{parts} = {self.score:g}"


@dataclass
class UnitPage:
    portal: str
    unit: str
    name: str
    portal_name: str
    profile: str
    href: str
    block: UnitBlock | None
    score: dict | None
    columns: list[ColumnRow]
    rows: list[DailyRow]
    rectified: list[dict[str, Any]]
    history: list[dict[str, Any]]
    charts: dict[str, Markup] = field(default_factory=dict)
    dismissed: list[DailyRow] = field(default_factory=list)  # reviewed as 误报: shown, not counted
    checked: bool = True  # the entry page could be checked this period
    diversity: dict | None = None
    warnings: list[Any] = field(default_factory=list)  # weekly.Warning rows of this unit
    calendar_banner: str | None = None
    score_start: float = 100  # the unit's full score (scoring.yml unit.start)
    overdue_factor: float = 1  # an overdue finding deducts this many times its points
    short_names: list[str] = field(default_factory=list)  # registry short_names (发改局 …)

    def deduction_text(self, d: dict[str, Any]) -> str:
        """One rule's deduction as arithmetic: 每条 2 分 × 3 条（其中逾期 1 条 ×1.5）= 7，上限 6 → 扣 6."""
        on_time, late = d["count"] - d["overdue"], d["overdue"]
        raw = d["points"] * on_time + d["points"] * self.overdue_factor * late
        text = f"每条 {d['points']:g} 分 × {d['count']} 条"
        if late:
            text += f"（其中逾期 {late} 条按 {self.overdue_factor:g} 倍计）"
        text += f" = {round(raw, 2):g}"
        if raw > d["cap"]:
            text += f"，超过上限 {d['cap']:g}"
        return text + f" → 扣 {d['deducted']:g} 分"

    @property
    def score_text(self) -> str:
        """The unit score as arithmetic: 100 − 6 − 4 = 90（触及单项否决则定为不合格）."""
        if not self.score or self.score.get("score") is None:
            return ""
        cut = [d["deducted"] for d in self.score["deductions"] if d["deducted"]]
        text = f"{self.score_start:g}" + "".join(f" − {x:g}" for x in cut) + f" = {self.score['score']:g}"
        if self.score.get("veto"):
            text += "；触及单项否决指标，等级定为不合格"
        return text

    @property
    def grade(self) -> str:
        """The grade shown: 未能检查 when the unit's columns could not be checked this period."""
        if not self.checked:
            return UNCHECKED_LABEL
        return self.score["grade"] if self.score else ""

    @property
    def open(self) -> int:
        return len(self.rows)

    @property
    def overdue(self) -> int:
        return sum(1 for r in self.rows if r.overdue_days > 0 or r.status == "overdue")

    @property
    def search(self) -> str:
        """What the index filter matches, fields apart (`|`): the unit's name first — the filter
        also accepts its abbreviations there (发改局 for 发展和改革局, _app.js) — then the ids."""
        fields = (self.name, *self.short_names, self.unit, self.portal, self.portal_name, self.profile)
        return "|".join(re.sub(r"\s+", "", str(f)) for f in fields).lower()


def build_units(ctx: ReportContext, as_of: date, config: dict) -> list[UnitPage]:
    weeks = int(config["units"]["history_weeks"])
    first_week = week_start(as_of) - timedelta(weeks=weeks - 1)
    daily = daily_view(ctx, as_of)
    blocks = {(b.portal_id, b.unit_id): b for p in daily.portals for b in [*p.units, *p.clean, *p.unchecked]}
    scores = ctx.score_map(as_of)
    events = ctx.event_counts(first_week, as_of)
    month_dates = ctx.memo.get(("month_dates", as_of)) or []
    month_scores = [(label, ctx.score_map(d) if d else {}) for label, d in month_dates]
    shares = ctx.diversity(as_of)
    warnings: dict[tuple[str, str], list] = {}
    for w in unit_warnings(ctx, scores, lambda k: ctx.unit_name(*k), unit_file):
        warnings.setdefault((w.portal, w.unit), []).append(w)
    cols: dict[tuple[str, str], list[ColumnRow]] = {}
    for c in ctx.columns(as_of):
        checked = c["status"] in ("ok", "missing", "truncated")
        cls = "status-unknown" if not checked else "status-bad" if c["findings"] else "status-ok"
        label = STATUS_LABEL.get(c["status"], c["status"])
        if c["status"] in ("ok", "truncated") and c["findings"]:
            label = "存在问题" if c["status"] == "ok" else "部分抓取，存在问题"
        cols.setdefault((c["portal"], c["unit"]), []).append(
            ColumnRow(
                column=c["column"],
                name=c["name"],
                status=c["status"],
                status_label=label,
                status_class=cls,
                url=c["url"],
                href=safe_href(c["url"]),
                newest=c["newest"],
                entries=c["entries"],
                score=c["score"],
                findings=[ctx.titles.get(r, r) for r in c["findings"]],
                deductions=c.get("deductions") or [],
                evidence=c.get("evidence") or [],
                start=ctx.scoring.start,
            )
        )
    rectified: dict[tuple[str, str], list[dict]] = {}
    for s in ctx.states(as_of):
        if s.status == "rectified" and s.rectified_on and s.rectified_on >= first_week:
            f = s.finding
            rectified.setdefault((f.portal_id, f.unit_id), []).append(
                {
                    "number": s.number,
                    "rule": ctx.titles.get(f.rule, f.rule),
                    "column": f.column_id,
                    "message": f.message,
                    "first_seen": f.first_seen,
                    "rectified_on": s.rectified_on,
                    "days": (s.rectified_on - s.episode_start).days,
                }
            )
    labels = [(week_start(as_of) - timedelta(weeks=i)) for i in range(weeks - 1, -1, -1)]
    pages = []
    for key in sorted(ctx.units):
        block = blocks.get(key)
        hist = []
        per_day = events.get(key, {})
        for w in labels:
            opened = sum(per_day[d]["opened"] for d in per_day if w <= d < w + timedelta(days=7))
            closed = sum(per_day[d]["rectified"] for d in per_day if w <= d < w + timedelta(days=7))
            hist.append({"week": w.isoformat(), "opened": opened, "rectified": closed})
        page = UnitPage(
            portal=key[0],
            unit=key[1],
            name=ctx.unit_name(*key),
            short_names=list(getattr(ctx.units.get(key), "short_names", None) or []),
            portal_name=ctx.portal_name(key[0]),
            profile=ctx.profile_name(*key),
            href=unit_file(*key),
            block=block,
            score=scores.get(key),
            columns=cols.get(key, []),
            rows=list(block.rows) if block else [],
            rectified=sorted(rectified.get(key, []), key=lambda r: r["rectified_on"], reverse=True),
            history=hist,
            dismissed=list(block.dismissed) if block else [],
            checked=assessed(scores.get(key)),
            diversity=shares.get(key),
            warnings=warnings.get(key, []),
            score_start=float(ctx.scoring.unit.get("start", 100)),
            overdue_factor=float(ctx.scoring.unit.get("overdue_factor", 1)),
        )
        page.calendar_banner = calendar_banner(ctx.catalog, [as_of, *(r.deadline for r in page.rows)])
        wl = [f"{date.fromisoformat(h['week']).month}/{date.fromisoformat(h['week']).day}" for h in hist]
        page.charts["history"] = column_chart(
            wl,
            [
                ("新发现", [h["opened"] for h in hist], "#b54d00"),
                ("已销号", [h["rectified"] for h in hist], "#00703c"),
            ],
            title=f"{page.name} 每周新发现与销号问题",
            height=190,
        )
        if month_scores:
            trend = [m[key]["score"] if key in m else None for _, m in month_scores]
            points = [v for v in trend if v is not None]
            if len(points) == 1:  # one month is a dot, not a trend: said in words
                page.charts["trend"] = Markup(
                    f'<p class="chart-wait muted">目前只有一个月的得分（{points[0]:.1f} 分），'
                    "有两个月的得分后显示趋势图。</p>"
                )
            elif points:
                page.charts["trend"] = line_chart(
                    [label for label, _ in month_scores],
                    [("得分", trend)],
                    title=f"{page.name} 各月得分",
                    y_min=0,
                    y_max=100,
                    height=190,
                )
        pages.append(page)
    return pages


def units_tables(pages: list[UnitPage]) -> dict[str, list[dict[str, Any]]]:
    units = [
        {
            "portal": p.portal,
            "unit": p.unit,
            "name": p.name,
            "profile": p.profile,
            "score": p.score["score"] if p.score else None,
            "grade": p.score["grade"] if p.score else None,
            "veto": p.score["veto"] if p.score else None,
            "open": p.open,
            "overdue": p.overdue,
            "page": p.href,
            "checked": p.checked,
            "diversity_share": p.diversity["share"] if p.diversity else None,
        }
        for p in pages
    ]
    columns = [
        {
            "portal": p.portal,
            "unit": p.unit,
            "column": c.column,
            "name": c.name,
            "status": c.status,
            "newest": c.newest,
            "entries": c.entries,
            "score": c.score,
            "findings": c.findings,
            "url": c.url,
            "deductions": c.deductions,
            "evidence": c.evidence,
        }
        for p in pages
        for c in p.columns
    ]
    history = [{"portal": p.portal, "unit": p.unit, **h} for p in pages for h in p.history]
    return {"units": units, "columns": columns, "history": history}


def render_units(
    store,
    as_of: date,
    out_dir: Path,
    catalog: Catalog,
    config: dict | None = None,
    ctx: ReportContext | None = None,
) -> Path:
    """Write every unit page and `index.html`; return the index path."""
    out_dir = Path(out_dir)
    config = config or load_report_config()
    if ctx is not None:
        return _render(ctx, as_of, out_dir, config)
    weeks = int(config["units"]["history_weeks"])
    since = min(week_start(as_of) - timedelta(weeks=weeks - 1), assessed_month(as_of))
    with store.session() as session:
        return _render(
            ReportContext(session, catalog, cache_dir=out_dir / ".cache", since=since), as_of, out_dir, config
        )


def _history(ctx: ReportContext, out_dir: Path, limit: int = 8) -> dict[str, list[tuple[str, str]]]:
    """往期报告 per kind, newest first, as (what a reader looks for, file): the 周通报 and 月考核 by
    期号 and period (one file per issue: its latest rendering), the daily by date."""
    from zwgk.reports.numbering import issued
    from zwgk.reports.weekly import report_week

    weeks = {r.period_start: r for r in issued(ctx.session, "weekly")}
    months = {r.period_start: r for r in issued(ctx.session, "monthly")}
    out: dict[str, list[tuple[str, str]]] = {}
    for kind in DATED_KINDS:
        names = sorted(
            (p.name for p in out_dir.glob(f"{kind.id}-*.html") if not p.name.startswith(".")), reverse=True
        )
        items: list[tuple[str, str]] = []
        seen: set = set()
        for name in names:
            stamp = name[len(kind.id) + 1 : -len(".html")]
            try:
                day = date.fromisoformat(stamp if len(stamp) == 10 else f"{stamp}-01")
            except ValueError:
                continue
            if kind.id == "weekly":
                start, end = report_week(day)
                if start in seen:
                    continue  # the same issue rendered again: its latest file
                seen.add(start)
                issue = weeks.get(start)
                period = f"{start.month}月{start.day}日—{end.month}月{end.day}日"
                text = f"{issue.year}年第{issue.seq}期（{period}）" if issue else f"{period}（未编期号）"
            elif kind.id == "monthly":
                issue = months.get(day)
                text = f"{day.year}年{day.month}月" + (
                    f"（{issue.year}年第{issue.seq}期）" if issue else "（月中预览）"
                )
            else:
                text = f"{day.year}年{day.month}月{day.day}日"
            items.append((text, name))
            if len(items) >= limit:
                break
        out[kind.label] = items
    return out


def _render(ctx: ReportContext, as_of: date, out_dir: Path, config: dict) -> Path:
    pages = build_units(ctx, as_of, config)
    daily = daily_view(ctx, as_of)
    link_evidence(ctx.session, daily, out_dir)
    links = write_bundle(
        out_dir,
        f"units-{as_of.isoformat()}",
        units_tables(pages),
        {"report": "units", "as_of": as_of.isoformat()},
        {"units": "单位", "columns": "栏目", "history": "历史"},
    )
    planned = ctx.memo.get("planned", ())
    unit_nav = nav(out_dir, as_of, "unit", root="../", planned=planned)
    for page in pages:
        html = render(
            "unit.html.j2",
            v=page,
            as_of=as_of,
            titles=ctx.titles,
            use_script=True,
            nav=unit_nav,
            root="../",
            exports=export_links(links, "../"),
            calendar_banner=page.calendar_banner,
        )
        write_html(out_dir / page.href, html)
    files = report_files(as_of)
    reports = [
        (k.label, files[k.id], (out_dir / files[k.id]).is_file() or k.id in planned, k.blurb)
        for k in DATED_KINDS
    ]
    history = _history(ctx, out_dir)
    grades = [g for g, _ in ctx.scoring.grades]
    if any(not p.checked for p in pages):
        grades.append(UNCHECKED_LABEL)
    banner = calendar_banner(ctx.catalog, [as_of, *(r.deadline for p in pages for r in p.rows)])
    write_html(
        out_dir / RULES_PAGE,
        render(
            "rules.html.j2",
            rv=rules_view(ctx.catalog, ctx.scoring),
            as_of=as_of,
            nav=nav(out_dir, as_of, "rules", planned=planned),
            calendar_banner=calendar_banner(ctx.catalog, [as_of]),
        ),
    )
    html = render(
        "index.html.j2",
        rules_page=RULES_PAGE,
        calendar_banner=banner,
        pages=pages,
        as_of=as_of,
        reports=reports,
        history=history,
        grades=grades,
        use_script=True,
        nav=nav(out_dir, as_of, "index", planned=planned),
        exports=export_links(links),
        signed=signed,
    )
    return write_html(out_dir / files["index"], html)
