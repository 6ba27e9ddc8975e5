"""周通报 (weekly notice): the formal bulletin of the previous calendar week (周一至周日).

A notice rendered on any day of a week reports the week before it, so the Monday's notice and a
Tuesday's re-rendering are the same issue, with the same 期号 (zwgk/reports/numbering.py). Its body
follows a real 通报: 总体情况, 点名通报 (each named unit with its problems and a concrete 整改期限),
典型问题 (most severe first, examples from different portals), 整改要求, then the 附件 tables (the full
ranking, every veto indicator, 预警, the comparison with the week before). Issuer, recipients, 文号 and
contact come from the report settings (zwgk/reports/data/reports.yml). Every figure is computed from
the findings history and the unit scores on the week's last day (and on the week before's for the
change); the same rows are written as XLSX/CSV/JSON beside the page.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from zwgk.config.catalog import Catalog
from zwgk.findings.checked import UNCHECKED_LABEL, assessed
from zwgk.reports.bundle import write_bundle
from zwgk.reports.common import (
    GRADE_COLORS,
    SEVERITY_WEIGHT,
    RankedUnit,
    export_links,
    mean_score,
    nav,
    report_files,
    signed,
    write_html,
)
from zwgk.reports.config import load_report_config
from zwgk.reports.context import ReportContext
from zwgk.reports.documents import weekly_document
from zwgk.reports.numbering import issue_seq
from zwgk.reports.render import render
from zwgk.reports.sheets import LEVEL
from zwgk.reports.svg import bar_chart, distribution
from zwgk.reports.views import calendar_banner, column_name, overdue_days, safe_href, severity_label


@dataclass
class Totals:
    open: int = 0
    new: int = 0
    rectified: int = 0
    overdue: int = 0
    veto: int = 0
    due: int = 0
    on_time: int = 0
    avg_score: float | None = None
    units_failing: int = 0

    @property
    def rate(self) -> float | None:
        return round(100 * self.on_time / self.due, 1) if self.due else None


@dataclass
class RankRow(RankedUnit):
    rank: int
    portal: str
    unit: str
    name: str
    portal_name: str
    profile: str
    score: float | None
    grade: str
    veto: bool
    open: int
    overdue: int
    weighted: int
    prev_score: float | None
    change: float | None
    href: str
    checked: bool = True  # the entry page could be checked this period


@dataclass
class Warning:
    """One early warning (预警) of a unit: the line it is close to and the columns concerned."""

    portal: str
    unit: str
    name: str
    href: str
    line: str
    line_name: str
    message: str
    columns: list[dict[str, Any]] = field(default_factory=list)  # {column, name, age_days, limit_days, text}


@dataclass
class PortalLine:
    portal: str
    portal_name: str
    line: str
    name: str
    level: str  # veto | warning | ok | unknown
    message: str

    @property
    def level_label(self) -> str:
        return LEVEL_LABELS.get(self.level, self.level)


LEVEL_LABELS = LEVEL  # one set of veto-line level words for pages, documents and spreadsheets
NO_PREV = "—（无上周数据）"


@dataclass
class NamedItem:
    """One problem of a named unit: what, where, and by when it must be fixed."""

    number: str
    title: str
    severity: str
    column: str
    message: str
    url: str | None
    href: str | None
    deadline: date
    overdue: bool

    @property
    def short(self) -> str:
        """The description, cut for the 点名 box."""
        return self.message if len(self.message) <= SHORT else self.message[: SHORT - 1] + "…"


SHORT = 28  # characters of a problem's description in the 点名 box (the whole is on the unit page)


@dataclass
class Named:
    portal: str
    unit: str
    name: str
    portal_name: str
    reasons: list[str]
    href: str
    deadline: date  # 整改期限 of the unit: the latest of its listed problems'
    items: list[NamedItem] = field(default_factory=list)  # the most severe first, at most name_items
    more: int = 0  # its other open problems, on its unit page


@dataclass
class Example:
    unit_name: str
    column: str
    message: str
    url: str | None
    href: str | None
    number: str = ""


@dataclass
class Typical:
    rule: str
    title: str
    severity: str
    severity_label: str
    count: int
    units: int
    examples: list[Example] = field(default_factory=list)


@dataclass
class WeeklyView:
    as_of: date  # the notice's date (成文日期)
    start: date  # the reported week: start (Monday) .. end (Sunday)
    end: date
    prev_end: date
    title: str
    issuer: str
    jurisdiction: str
    issue_no: str
    doc_no: str  # 文号, '' without a doc_prefix
    recipients: str
    deadline: date  # 整改情况 due (the named units' 整改期限 at the earliest)
    feedback_channel: str
    contact: dict[str, str]
    coverage: dict[str, int]
    totals: Totals
    prev: Totals
    by_scores: bool
    ranking: list[RankRow]
    named: list[Named]
    typical: list[Typical]
    charts: dict[str, Any]
    has_prev: bool = True  # a check ran in last week's window
    warnings: list[Warning] = field(default_factory=list)
    portal_lines: list[PortalLine] = field(default_factory=list)
    calendar_banner: str | None = None
    named_more: list[Named] = field(default_factory=list)  # named beyond name_max: in the annex

    @property
    def contact_line(self) -> str:
        """联系人：…，电话：…，邮箱：… with the parts the settings give."""
        labels = (("name", "联系人"), ("phone", "电话"), ("email", "邮箱"))
        return "，".join(f"{label}：{self.contact[k]}" for k, label in labels if self.contact.get(k))

    @property
    def body_lines(self) -> list[dict[str, Any]]:
        """Veto indicators in the body, one line per portal: only those at 否决 or 预警 (all are in
        the annex). [{portal, portal_name, veto: [names], warning: [names]}]"""
        out: dict[str, dict[str, Any]] = {}
        for p in self.portal_lines:
            if p.level in ("veto", "warning"):
                row = out.setdefault(
                    p.portal, {"portal": p.portal, "portal_name": p.portal_name, "veto": [], "warning": []}
                )
                row[p.level].append(p.name)
        return list(out.values())

    @property
    def prev_start(self) -> date:
        return self.start - timedelta(days=7)

    def last_week(self, key: str) -> str:
        """Last week's figure, or 「—（无上周数据）」 when nothing was checked last week."""
        if not self.has_prev:
            return NO_PREV
        b = self.prev.rate if key == "rate" else getattr(self.prev, key)
        return "—" if b is None else str(b)

    def delta(self, key: str) -> str:
        if not self.has_prev:
            return NO_PREV
        a, b = getattr(self.totals, key), getattr(self.prev, key)
        if key == "rate":
            a, b = self.totals.rate, self.prev.rate
        if a is None or b is None:
            return "—"
        return signed(a - b, 1 if isinstance(a, float) or isinstance(b, float) else 0)


def report_week(as_of: date) -> tuple[date, date]:
    """The previous calendar week of `as_of`: (Monday, Sunday) of the week before as_of's week."""
    end = as_of - timedelta(days=as_of.weekday() + 1)
    return end - timedelta(days=6), end


def issue_number(fmt: str, year: int, seq: int, start: date) -> str:
    """The 期号 as the settings format it ({year}, {seq}, {week})."""
    return str(fmt or "{year}年第{seq}期").format(year=year, seq=seq, week=start.isocalendar()[1])


def doc_number(prefix: str, year: int, seq: int) -> str:
    """文号 in GB/T 9704 form: 机关代字〔年份〕序号号; '' without a prefix."""
    return f"{prefix}〔{year}〕{seq}号" if prefix else ""


def totals_for(ctx: ReportContext, end: date) -> Totals:
    start = end - timedelta(days=6)
    t = Totals()
    for s in ctx.states(end):
        if s.dismissed:
            continue  # reviewed as 误报 by then: not a problem, counted nowhere
        if start <= s.episode_start <= end:
            t.new += 1
        if s.status == "rectified":
            if s.rectified_on and start <= s.rectified_on <= end:
                t.rectified += 1
        else:
            t.open += 1
            if s.status == "overdue" or overdue_days(s, end) > 0:
                t.overdue += 1
            if s.finding.severity == "veto":
                t.veto += 1
        # 按期整改率: of the findings rectified this week and those whose deadline passed this
        # week while still open, the share rectified on or before the deadline.
        done = s.status == "rectified" and s.rectified_on is not None and start <= s.rectified_on <= end
        if done or (s.is_open and start <= s.deadline < end):
            t.due += 1
            if done and s.rectified_on <= s.deadline:
                t.on_time += 1
    scores = ctx.scores(end)
    if scores:
        t.avg_score = mean_score([r["score"] for r in scores])
        t.units_failing = sum(1 for r in scores if r["grade"] == ctx.scoring.grades[-1][0])
    return t


def unit_href(portal: str, unit: str, root: str = "") -> str:
    return f"{root}units/{portal}--{unit}.html"


def build_weekly(ctx: ReportContext, as_of: date, config: dict) -> WeeklyView:
    start, end = report_week(as_of)
    prev_end = start - timedelta(days=1)
    cols = ctx.columns(end)
    coverage = {
        "portals": len({c["portal"] for c in cols}),
        "units": len({(c["portal"], c["unit"]) for c in cols}),
        "columns": len(cols),
        "columns_checked": sum(1 for c in cols if c["status"] in ("ok", "missing", "truncated")),
        "checks": len(ctx.check_dates(start, end)),
    }
    totals, prev = totals_for(ctx, end), totals_for(ctx, prev_end)
    open_now = ctx.open_states(end)
    per_unit: dict[tuple[str, str], list] = defaultdict(list)
    for s in open_now:
        per_unit[(s.finding.portal_id, s.finding.unit_id)].append(s)
    has_prev = bool(ctx.check_dates(prev_end - timedelta(days=6), prev_end))
    scores, prev_scores = ctx.score_map(end), (ctx.score_map(prev_end) if has_prev else {})
    keys = sorted(set(scores) | set(per_unit) | ({(c["portal"], c["unit"]) for c in cols}))
    rows: list[RankRow] = []
    for key in keys:
        mine = per_unit.get(key, [])
        sc, pv = scores.get(key), prev_scores.get(key)
        rows.append(
            RankRow(
                rank=0,
                portal=key[0],
                unit=key[1],
                name=ctx.unit_name(*key),
                portal_name=ctx.portal_name(key[0]),
                profile=ctx.profile_name(*key),
                score=sc["score"] if sc else None,
                grade=sc["grade"] if sc else "",
                veto=bool(sc and sc["veto"]),
                open=len(mine),
                overdue=sum(1 for s in mine if s.status == "overdue" or overdue_days(s, end) > 0),
                weighted=sum(SEVERITY_WEIGHT.get(s.finding.severity, 1) for s in mine),
                prev_score=pv["score"] if pv else None,
                change=round(sc["score"] - pv["score"], 1)
                if sc and pv and sc["score"] is not None and pv["score"] is not None
                else None,
                href=unit_href(*key),
                checked=assessed(sc),
            )
        )
    by_scores = bool(scores)
    # Units whose columns could not be checked this period are listed last, unranked (未能检查).
    if by_scores:
        rows.sort(
            key=lambda r: (
                not r.checked,
                r.score is None,
                r.veto,
                -(r.score or 0),
                r.weighted,
                r.portal,
                r.unit,
            )
        )
    else:
        rows.sort(key=lambda r: (not r.checked, r.weighted, r.open, r.portal, r.unit))
    for i, r in enumerate(rows, 1):
        r.rank = i if r.checked else 0

    wcfg = config["weekly"]
    notice_deadline = ctx.catalog.calendar.add_workdays(as_of, int(wcfg["rectify_working_days"]))
    named: list[Named] = []
    min_overdue = int(wcfg["name_overdue_min"])
    for r in sorted(rows, key=lambda r: (r.score if r.score is not None else 101, -r.weighted)):
        key = (r.portal, r.unit)
        reasons = []
        sc = scores.get(key)
        if sc and sc["veto_lines"]:
            reasons.append("触及单项否决指标（" + "、".join(v["name"] for v in sc["veto_lines"]) + "）")
        vetoes = [s for s in per_unit.get(key, []) if s.finding.severity == "veto"]
        if vetoes:
            reasons.append(f"否决级问题 {len(vetoes)} 条")
        if r.overdue >= min_overdue:
            reasons.append(f"逾期未整改问题 {r.overdue} 条")
        if reasons:
            items = named_items(ctx, per_unit.get(key, []), end, notice_deadline)
            shown = items[: int(wcfg["name_items"])]
            named.append(
                Named(
                    r.portal,
                    r.unit,
                    r.name,
                    r.portal_name,
                    reasons,
                    r.href,
                    deadline=max([notice_deadline, *(x.deadline for x in shown)]),
                    items=shown,
                    more=len(items) - len(shown),
                )
            )
    name_max = int(wcfg["name_max"])
    named, named_more = named[:name_max], named[name_max:]

    by_rule: dict[str, list] = defaultdict(list)
    for s in open_now:
        by_rule[s.finding.rule].append(s)
    typical: list[Typical] = []
    for rule, items in sorted(
        by_rule.items(),
        key=lambda kv: (-max(SEVERITY_WEIGHT.get(s.finding.severity, 1) for s in kv[1]), -len(kv[1]), kv[0]),
    )[: wcfg["typical_rules"]]:
        t = Typical(
            rule=rule,
            title=ctx.titles.get(rule, rule),
            severity=items[0].finding.severity,
            severity_label=severity_label(items[0].finding.severity),
            count=len(items),
            units=len({(s.finding.portal_id, s.finding.unit_id) for s in items}),
        )
        for s in varied_examples(items, int(wcfg["typical_examples"])):
            f = s.finding
            t.examples.append(
                Example(
                    ctx.unit_name(f.portal_id, f.unit_id),
                    column_name(ctx.catalog, f.column_id),
                    f.message,
                    f.url,
                    safe_href(f.url),
                    s.number,
                )
            )
        typical.append(t)

    rule_counts = sorted(((ctx.titles.get(k, k), len(v)) for k, v in by_rule.items()), key=lambda x: -x[1])
    grades = Counter(r.grade_shown for r in rows if r.grade)
    buckets = [(g, grades.get(g, 0), GRADE_COLORS.get(g, "#505a5f")) for g, _ in ctx.scoring.grades]
    if grades.get(UNCHECKED_LABEL):
        buckets.append((UNCHECKED_LABEL, grades[UNCHECKED_LABEL], "#b54d00"))
    charts = {
        "rules": bar_chart(rule_counts, title="待整改问题按类型", unit=" 条"),
        "grades": distribution(buckets, title="单位得分等级分布"),
    }
    warnings = unit_warnings(ctx, scores, lambda k: ctx.unit_name(*k), unit_href)
    portal_lines = [
        PortalLine(
            p["portal"],
            ctx.portal_name(p["portal"]),
            ln["line"],
            ln["name"],
            ln["level"],
            ln["message"] or ln["name"],
        )
        for p in ctx.portal_lines(end)
        for ln in p["lines"]
    ]
    open_deadlines = [s.deadline for s in open_now]
    year, seq = (None, None)
    if coverage["checks"]:  # a week without any check is not an issue: it takes no number
        year, seq = issue_seq(ctx.session, "weekly", start, end)
    return WeeklyView(
        as_of=as_of,
        start=start,
        end=end,
        prev_end=prev_end,
        title=wcfg["title"],
        issuer=config["issuer"],
        jurisdiction=config.get("jurisdiction") or "",
        issue_no=issue_number(wcfg.get("issue_format"), year, seq, start)
        if seq
        else "（本周未开展监测，不编期号）",
        doc_no=doc_number(config.get("doc_prefix") or "", year, seq) if seq else "",
        recipients=config.get("recipients") or "",
        deadline=notice_deadline,
        feedback_channel=config.get("feedback_channel") or "",
        contact={k: str(v) for k, v in (config.get("contact") or {}).items() if v},
        named_more=named_more,
        coverage=coverage,
        totals=totals,
        prev=prev,
        by_scores=by_scores,
        ranking=rows,
        named=named,
        typical=typical,
        charts=charts,
        has_prev=has_prev,
        warnings=warnings,
        portal_lines=portal_lines,
        calendar_banner=calendar_banner(ctx.catalog, [start, as_of, notice_deadline, *open_deadlines]),
    )


def named_items(ctx: ReportContext, states: list, end: date, notice_deadline: date) -> list[NamedItem]:
    """A named unit's open problems, most severe and most overdue first, each with its 整改期限: its
    own deadline when still ahead of the notice's, else the notice's."""
    ordered = sorted(
        states,
        key=lambda s: (
            -SEVERITY_WEIGHT.get(s.finding.severity, 1),
            -overdue_days(s, end),
            s.finding.first_seen,
            s.finding.id,
        ),
    )
    return [
        NamedItem(
            number=s.number,
            title=ctx.titles.get(s.finding.rule, s.finding.rule),
            severity=s.finding.severity,
            column=column_name(ctx.catalog, s.finding.column_id),
            message=s.finding.message,
            url=s.finding.url,
            href=safe_href(s.finding.url),
            deadline=max(notice_deadline, s.deadline),
            overdue=s.status == "overdue" or overdue_days(s, end) > 0,
        )
        for s in ordered
    ]


def varied_examples(states: list, n: int) -> list:
    """Up to n examples of one rule, one per portal before a second from any portal, and one per unit:
    a notice whose every example comes from one county reads as aimed at it."""
    by_portal: dict[str, list] = defaultdict(list)
    seen_units: set = set()
    for s in sorted(states, key=lambda s: (s.finding.first_seen, s.finding.id)):
        key = (s.finding.portal_id, s.finding.unit_id)
        if key not in seen_units:
            seen_units.add(key)
            by_portal[s.finding.portal_id].append(s)
    out: list = []
    queues = list(by_portal.values())
    while len(out) < n and any(queues):
        for q in queues:
            if q and len(out) < n:
                out.append(q.pop(0))
    return out


def unit_warnings(ctx: ReportContext, scores: dict, name_of, href_of) -> list[Warning]:
    """Early warnings (预警) of every unit from its score (zwgk/rules/veto.py), naming the columns
    concerned and how old they are; separate from the findings and from 点名."""
    out: list[Warning] = []
    for key in sorted(scores):
        for ln in scores[key].get("warnings") or []:
            cols = []
            for item in ln.get("items") or []:
                col = item.get("column")
                # A warning names only what is approaching a limit: columns already past it are
                # findings (and count toward the line in its message), never 临近.
                if not col or not item.get("near_limit"):
                    continue
                cname = column_name(ctx.catalog, col)
                if item.get("near_limit"):
                    text = (
                        f"「{cname}」已 {item.get('age_days')} 天未更新（{item.get('limit_days')} 天即超期）"
                    )
                else:
                    text = (
                        item.get("message")
                        or f"「{cname}」{ctx.titles.get(item.get('rule'), item.get('rule'))}"
                    )
                cols.append(
                    {
                        "column": col,
                        "name": cname,
                        "age_days": item.get("age_days"),
                        "limit_days": item.get("limit_days"),
                        "text": text,
                    }
                )
            out.append(
                Warning(
                    key[0],
                    key[1],
                    name_of(key),
                    href_of(*key),
                    ln["line"],
                    ln["name"],
                    ln.get("message") or ln["name"],
                    cols,
                )
            )
    return out


def weekly_tables(v: WeeklyView) -> dict[str, list[dict[str, Any]]]:
    t, p = v.totals, v.prev
    summary = [
        {"item": k, "this_week": getattr(t, k), "last_week": getattr(p, k)}
        for k in (
            "open",
            "new",
            "rectified",
            "overdue",
            "veto",
            "due",
            "on_time",
            "rate",
            "avg_score",
            "units_failing",
        )
    ]
    ranking = [
        {
            "rank": r.rank or None,
            "portal": r.portal,
            "unit": r.unit,
            "name": r.name,
            "profile": r.profile,
            "score": r.score,
            "grade": r.grade,
            "veto": r.veto,
            "open": r.open,
            "overdue": r.overdue,
            "prev_score": r.prev_score,
            "change": r.change,
            "checked": r.checked,
        }
        for r in v.ranking
    ]
    named = [
        {
            "portal": n.portal,
            "unit": n.unit,
            "name": n.name,
            "reasons": "；".join(n.reasons),
            "deadline": n.deadline,
            "in_body": i < len(v.named),
            "problems": [
                {
                    "number": x.number,
                    "title": x.title,
                    "column": x.column,
                    "url": x.url,
                    "deadline": x.deadline,
                }
                for x in n.items
            ],
        }
        for i, n in enumerate([*v.named, *v.named_more])
    ]
    typical = [
        {
            "rule": x.rule,
            "title": x.title,
            "severity": x.severity,
            "count": x.count,
            "units": x.units,
            "examples": [
                {
                    "number": e.number,
                    "unit": e.unit_name,
                    "column": e.column,
                    "message": e.message,
                    "url": e.url,
                }
                for e in x.examples
            ],
        }
        for x in v.typical
    ]
    warnings = [
        {
            "portal": w.portal,
            "unit": w.unit,
            "name": w.name,
            "line": w.line_name,
            "message": w.message,
            "column": "、".join(c["name"] for c in w.columns) or None,
            "age_days": "、".join(str(c["age_days"]) for c in w.columns if c["age_days"] is not None) or None,
        }
        for w in v.warnings
    ]
    portal_lines = [
        {"portal": p.portal, "name": p.name, "level": p.level, "message": p.message} for p in v.portal_lines
    ]
    return {
        "summary": summary,
        "ranking": ranking,
        "named": named,
        "typical": typical,
        "warnings": warnings,
        "portal_lines": portal_lines,
    }


def render_weekly(
    store,
    as_of: date,
    out_dir: Path,
    catalog: Catalog,
    config: dict | None = None,
    ctx: ReportContext | None = None,
) -> Path:
    """Write `out_dir/weekly-YYYY-MM-DD.html` with its XLSX/CSV/JSON; return the HTML path."""
    out_dir = Path(out_dir)
    config = config or load_report_config()
    if ctx is not None:
        return _render(ctx, as_of, out_dir, config)
    with store.session() as session:
        return _render(
            ReportContext(session, catalog, cache_dir=out_dir / ".cache", since=as_of - timedelta(days=20)),
            as_of,
            out_dir,
            config,
        )


def _render(ctx: ReportContext, as_of: date, out_dir: Path, config: dict) -> Path:
    view = build_weekly(ctx, as_of, config)
    stem = Path(report_files(as_of)["weekly"]).stem
    links = write_bundle(
        out_dir,
        stem,
        weekly_tables(view),
        {
            "report": "weekly",
            "as_of": as_of.isoformat(),
            "period": [view.start.isoformat(), view.end.isoformat()],
            "doc_no": view.doc_no,
            "deadline": view.deadline.isoformat(),
            "issue": view.issue_no,
            "issuer": view.issuer,
        },
        {
            "summary": "概况",
            "ranking": "排名",
            "named": "点名",
            "typical": "典型问题",
            "warnings": "预警",
            "portal_lines": "网站否决项",
        },
    )
    docx = out_dir / f"{stem}.docx"
    weekly_document(view, docx)
    links = {"docx": docx.name, **links}
    html = render(
        "weekly.html.j2",
        v=view,
        use_script=True,
        nav=nav(out_dir, as_of, "weekly", planned=ctx.memo.get("planned", ())),
        exports=export_links(links),
        calendar_banner=view.calendar_banner,
    )
    return write_html(out_dir / report_files(as_of)["weekly"], html)
