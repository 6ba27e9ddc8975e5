"""View models for reports and exports: findings as they stood on a date, and the daily dispatch.

Everything a report shows is computed here, in Python; templates only format. Crawled text
(titles, messages, URLs) stays plain text here and is escaped by the templates' autoescape; a URL
becomes a link only through `safe_href` (http/https only).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk.beijing import shown as beijing_time
from zwgk.config.catalog import Catalog
from zwgk.findings.history import FindingState, findings_as_of, severity_rank
from zwgk.findings.observations import latest_crawl_run
from zwgk.reports.exports import columns_rows  # one definition of the columns table
from zwgk.rules.evidence import CTRL, FIELD_LABELS, clip, plain
from zwgk.rules.model import Severity
from zwgk.rules.registry import all_rules, rule_titles
from zwgk.store.schema import Article, Finding, Portal, Run, Snapshot, Unit

SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_RULES = {rule.id: rule for rule in all_rules()}


# ---------------------------------------------------------------- small helpers


def safe_href(url: Any) -> str | None:
    """The URL when it may become a link (absolute http/https, no whitespace tricks), else None."""
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url or CTRL.search(url) or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url


def severity_label(severity: str) -> str:
    try:
        return Severity(severity).label
    except ValueError:
        return severity


def column_name(catalog: Catalog | None, column_id: str | None) -> str:
    if not column_id:
        return ""
    if catalog is not None:
        try:
            return catalog.column(column_id).name
        except KeyError:
            pass
    return column_id


def calendar_banner(catalog: Catalog | None, dates: Any) -> str | None:
    """One visible remark for a report whose dates (its window, the deadlines it shows) touch a year
    no holiday calendar knows (counted Monday–Friday, zwgk/config/workdays.py), else None."""
    if catalog is None:
        return None
    years = sorted({d.year for d in dates if d is not None})
    missing = [y for y in years if catalog.calendar.coverage(y) == "weekdays"]
    if not missing:
        return None
    return "、".join(str(y) for y in missing) + "年节假日安排尚未公布，整改期限暂按周一至周五计算"


def overdue_days(state: FindingState, as_of: date) -> int:
    if not state.is_open:
        return 0
    return max(0, (as_of - state.deadline).days)


# ---------------------------------------------------------------- evidence summary


_PAGE_LABEL = {"home": "门户网站首页", "entry": "信息公开页面"}
_DATE_SOURCE = {"list": "列表页", "article": "正文页"}


# Evidence keys never shown as such: bookkeeping (the calendar remark is one banner per report,
# zwgk/reports/common.calendar_banner), or facts another line already states.
_HIDDEN_KEYS = {
    "calendar_note",
    "periodic",
    "document_year",
    "patterns",
    "newest_url",
    "policy_column_url",
    "interp_column_url",
    "interp_url",
    "column_url",
    "working_days",
    "escalated_on",
    "original_severity",
}


def _escalation_line(escalated_to: Any, was: Any) -> str:
    """逾期未整改，等级升级为「否决级」（原为「重要」）."""
    if not escalated_to:
        return "逾期未整改，等级已升级"
    text = f"逾期未整改，等级升级为「{severity_label(str(escalated_to))}」"
    if was and was != escalated_to:
        text += f"（原为「{severity_label(str(was))}」）"
    return text


def evidence_summary(
    evidence: dict[str, Any] | None, message: str = "", rule: str | None = None
) -> list[str]:
    """What was seen, in Chinese, one short line per fact (dates, counts, placeholder text, HTTP).

    A rule with structured evidence states it in its own sentences (its `evidence_lines`); anything else is labelled plainly, never dumped as
    JSON. An error text the finding's message already quotes is not repeated."""
    ev = {k: v for k, v in dict(evidence or {}).items() if k not in _HIDDEN_KEYS}
    lines: list[str] = _RULES[rule].evidence_lines(ev) if rule in _RULES else []
    escalated, escalated_to = ev.pop("escalated", None), ev.pop("escalated_severity", None)
    page = ev.pop("page", None)
    if page in _PAGE_LABEL:
        lines.append(f"检查对象：{_PAGE_LABEL[page]}")
    elif page:
        lines.append(f"所在页面：{clip(page)}")
    if "http_status" in ev:
        code = ev.pop("http_status")
        if code is not None:
            lines.append(f"HTTP 状态码：{code}")
    if "error" in ev:
        err = ev.pop("error")
        if err and str(err) not in message:
            lines.append(f"错误：{clip(err)}")
    newest = ev.pop("newest", None)
    title = ev.pop("newest_title", None)
    source = ev.pop("date_source", None)
    if newest:
        text = f"最新一条：{newest}"
        if title:
            text += f"《{clip(title, 60)}》"
        if source in _DATE_SOURCE:
            text += f"（日期取自{_DATE_SOURCE[source]}）"
        lines.append(text)
    age, limit = ev.pop("age_days", None), ev.pop("limit_days", None)
    if age is not None:
        lines.append(f"距检查日 {age} 天" + (f"（时限 {limit} 天）" if limit is not None else ""))
    if "placeholder" in ev:
        ph = ev.pop("placeholder")
        if ph:
            lines.append(f"页面显示：「{clip(ph, 80)}」")
    if "entries" in ev:
        lines.append(f"列表条目：{ev.pop('entries')} 条")
    if "pages" in ev:
        pages = ev.pop("pages")
        if pages:
            lines.append(f"抓取列表页：{pages} 页")
    titles = ev.pop("titles", None)
    if titles:
        shown = "".join(f"「{clip(t, 40)}」" for t in list(titles)[:3])
        more = f" 等 {len(titles)} 条" if len(titles) > 3 else ""
        lines.append(f"条目标题：{shown}{more}")
    searched = ev.pop("searched", None)
    if searched:
        lines.append("查找的栏目名称：" + "、".join(clip(s, 30) for s in list(searched)[:8]))
    entry_page = ev.pop("entry_page", None)
    if entry_page:
        lines.append(f"查找页面：{clip(entry_page)}")
    link, link_text = ev.pop("link", None), ev.pop("link_text", None)
    if link or link_text:
        lines.append(f"栏目链接：「{clip(link_text or '', 40)}」{clip(link or '')}")
    text = ev.pop("text", None)
    if text:
        lines.append(f"链接文字：「{clip(text, 60)}」")
    if ev.pop("truncated", None):
        lines.append("超出抓取上限，仅检查了部分页面")
    for key in sorted(ev):
        value = ev[key]
        if value in (None, "", [], {}, False):
            continue
        lines.append(f"{FIELD_LABELS.get(key, key)}：{plain(value)}")
    if escalated:
        lines.append(_escalation_line(escalated_to, (evidence or {}).get("original_severity")))
    return lines


# ---------------------------------------------------------------- evidence snapshots


class SnapshotIndex:
    """Find the stored page behind a finding: the snapshot of the crawl that last saw it, else
    the latest crawl's snapshot of the same portal/unit/target."""

    def __init__(self, session: Session, latest_crawl_id: int | None):
        self.session = session
        self.latest = latest_crawl_id
        self._by_run: dict[int, dict[tuple[str, str, str], Snapshot]] = {}
        self._by_url: dict[int, dict[str, tuple[str, Snapshot]]] = {}
        self._check_runs: dict[int, int | None] = {
            r.id: r.crawl_run_id for r in session.execute(select(Run).where(Run.stage == "check")).scalars()
        }

    def _snaps(self, run_id: int) -> dict[tuple[str, str, str], Snapshot]:
        if run_id not in self._by_run:
            index: dict[tuple[str, str, str], Snapshot] = {}
            for s in self.session.execute(select(Snapshot).where(Snapshot.run_id == run_id)).scalars():
                index[(s.portal_id, s.unit_id, s.target)] = s
                if s.column_id:
                    index.setdefault((s.portal_id, s.unit_id, f"column:{s.column_id}"), s)
            self._by_run[run_id] = index
        return self._by_run[run_id]

    @staticmethod
    def targets(finding: Finding) -> list[str]:
        rule = _RULES.get(finding.rule)
        return rule.evidence_pages(finding.column_id, finding.evidence or {}) if rule else []

    def _pages_by_url(self, run_id: int) -> dict[str, tuple[str, Snapshot]]:
        """url → (page sha, the snapshot it was read for): list pages and articles of one crawl."""
        key = -run_id
        if key not in self._by_url:
            index: dict[str, tuple[str, Snapshot]] = {}
            snaps = {s.id: s for s in self._snaps(run_id).values()}
            for s in snaps.values():
                if s.page_sha256 and SHA_RE.match(s.page_sha256):
                    for u in (s.url, s.final_url):
                        if u:
                            index.setdefault(u, (s.page_sha256, s))
            rows = self.session.execute(
                select(Article.url, Article.final_url, Article.page_sha256, Article.snapshot_id).where(
                    Article.snapshot_id.in_(list(snaps)), Article.page_sha256.is_not(None)
                )
            ).all()
            for url, final, sha, snap_id in rows:
                for u in (url, final):
                    if u and SHA_RE.match(sha or ""):
                        index.setdefault(u, (sha, snaps[snap_id]))
            self._by_url[key] = index
        return self._by_url[key]

    def find_page(
        self, finding: Finding, runs: list[int] | None = None
    ) -> tuple[str, str | None, Snapshot] | None:
        """(sha, url, snapshot) of the stored page a department should see for this finding: the page
        holding a broken link, the article of an article's finding, else the snapshot of its target."""
        ev = finding.evidence or {}
        wanted = [u for u in (ev.get("page"), finding.url) if isinstance(u, str) and u.startswith("http")]
        for run_id in runs if runs is not None else self._runs(finding):
            pages = self._pages_by_url(run_id)
            for url in wanted:
                if url in pages:
                    sha, snap = pages[url]
                    return sha, url, snap
        snap = self.find(finding, runs)
        if snap is not None and snap.page_sha256:
            return snap.page_sha256, snap.final_url or snap.url, snap
        return None

    def seen_run(self, finding: Finding) -> int | None:
        """The crawl whose check last saw the finding (its 'before' page once it is 销号)."""
        return self._check_runs.get(finding.last_run_id) if finding.last_run_id else None

    def _runs(self, finding: Finding) -> list[int]:
        runs: list[int] = []
        seen_crawl = self._check_runs.get(finding.last_run_id) if finding.last_run_id else None
        for run_id in (seen_crawl, self.latest):
            if run_id is not None and run_id not in runs:
                runs.append(run_id)
        return runs

    def find(self, finding: Finding, runs: list[int] | None = None) -> Snapshot | None:
        runs = runs if runs is not None else self._runs(finding)
        for target in self.targets(finding):
            for run_id in runs:
                snap = self._snaps(run_id).get((finding.portal_id, finding.unit_id, target))
                if snap is not None and snap.page_sha256 and SHA_RE.match(snap.page_sha256):
                    return snap
        return None


def recheck_runs(session: Session) -> set[int]:
    """The crawl runs of 复查 on request (zwgk/cycle/recheck.py)."""
    return set(session.execute(select(Run.id).where(Run.stage == "recheck")).scalars())


def recheck_run(finding: Finding, rechecks: set[int]) -> int | None:
    """The recheck crawl that closed this finding (its latest 销号), if it was closed on request."""
    closing = [e for e in finding.events if e.event == "rectified"]
    if closing and closing[-1].run_id in rechecks:
        return closing[-1].run_id
    return None


def rectified_row(
    s: FindingState,
    index: SnapshotIndex,
    catalog: Catalog,
    titles: dict[str, str],
    portals: dict[str, Portal],
    units: dict[tuple[str, str], Unit],
    after_run: int | None = None,
) -> RectifiedRow:
    """A 销号's row: the page before (the crawl that last saw it) and after (`after_run`, by default
    the latest crawl; a recheck's own crawl for a 销号 on request)."""
    f = s.finding
    unit = units.get((f.portal_id, f.unit_id))
    portal = portals.get(f.portal_id)
    seen = index.seen_run(f)
    before = index.find_page(f, [seen]) if seen is not None else None
    after_run = after_run if after_run is not None else index.latest
    after = index.find_page(f, [after_run]) if after_run is not None else None
    assert s.rectified_on is not None
    return RectifiedRow(
        rule=f.rule,
        evidence=dict(f.evidence or {}),
        deadline=s.deadline,
        url=f.url,
        before_sha=before[0] if before else None,
        before_url=before[1] if before else None,
        before_snap=before[2] if before else None,
        after_sha=after[0] if after else None,
        after_url=after[1] if after else None,
        after_snap=after[2] if after else None,
        portal_name=portal.name if portal else f.portal_id,
        unit_name=unit.name if unit else f.unit_id,
        rule_title=titles.get(f.rule, f.rule),
        severity=f.severity,
        severity_label=severity_label(f.severity),
        column_name=column_name(catalog, f.column_id),
        message=f.message,
        first_seen=f.first_seen,
        rectified_on=s.rectified_on,
        days=(s.rectified_on - s.episode_start).days,
        number=s.number,
    )


def daily_row(
    s: FindingState,
    index: SnapshotIndex,
    catalog: Catalog,
    titles: dict[str, str],
    portals: dict[str, Portal],
    units: dict[tuple[str, str], Unit],
    as_of: date,
    new: bool = False,
    late: int = 0,
    runs: list[int] | None = None,
) -> DailyRow:
    """An open (or reviewed) finding's row with the stored page that shows it (`runs`: where to
    look for that page; by default the crawl that last saw it, then the latest)."""
    f = s.finding
    found = index.find_page(f, runs)
    snap = found[2] if found else None
    note = ""
    if snap is not None:
        note = f"抓取于 {beijing_time(snap.fetched_at)}" if snap.fetched_at else ""
        if snap.http_status:
            note += f"，HTTP {snap.http_status}"
    row = DailyRow(
        number=s.number,
        rule=f.rule,
        rule_title=titles.get(f.rule, f.rule),
        severity=f.severity,
        severity_label=severity_label(f.severity),
        column_id=f.column_id,
        column_name=column_name(catalog, f.column_id),
        message=f.message,
        seen=evidence_summary(f.evidence, f.message, f.rule),
        url=f.url,
        href=safe_href(f.url),
        first_seen=f.first_seen,
        age_days=(as_of - f.first_seen).days,
        deadline=s.deadline,
        overdue_days=late,
        status=s.status,
        is_new=new,
        evidence_sha=found[0] if found else None,
        evidence_note=note,
        evidence=dict(f.evidence or {}),
        page_url=found[1] if found else None,
        fetched_at=snap.fetched_at if snap is not None else None,
        http_status=snap.http_status if snap is not None else None,
        portal_id=f.portal_id,
        unit_id=f.unit_id,
        provisional=bool(catalog.calendar.uncovered_years(s.episode_start, s.deadline)),
        review=s.review,
        portal_name=portals[f.portal_id].name if f.portal_id in portals else f.portal_id,
        unit_name=units[(f.portal_id, f.unit_id)].name if (f.portal_id, f.unit_id) in units else f.unit_id,
    )
    return row


# ---------------------------------------------------------------- daily dispatch


@dataclass
class DailyRow:
    rule: str
    rule_title: str
    severity: str
    severity_label: str
    column_id: str | None
    column_name: str
    message: str
    seen: list[str]
    url: str | None
    href: str | None
    first_seen: date
    age_days: int
    deadline: date
    overdue_days: int
    status: str
    is_new: bool
    evidence_sha: str | None = None
    evidence_note: str = ""
    provisional: bool = False  # the deadline was counted Monday–Friday (holidays not yet published)
    review: dict[str, Any] | None = None  # the human review (误报 / 属实) on the as-of date
    portal_name: str = ""
    unit_name: str = ""
    number: str = ""  # ZW-000123: what a department cites (zwgk review takes it)
    # for the evidence page (zwgk/reports/evidence.py), not exported
    evidence: dict[str, Any] = field(default_factory=dict)
    page_url: str | None = None  # the stored page's address
    fetched_at: datetime | None = None
    http_status: int | None = None
    portal_id: str = ""
    unit_id: str = ""
    has_evidence_page: bool = False

    @property
    def evidence_href(self) -> str | None:
        return f"evidence/{self.number}.html" if self.has_evidence_page and self.number else None


@dataclass
class UnitBlock:
    portal_id: str
    unit_id: str
    name: str
    profile: str
    entry_url: str | None
    entry_href: str | None
    crawl_note: str  # how last night's crawl saw the unit
    crawl_ok: bool
    rows: list[DailyRow] = field(default_factory=list)
    dismissed: list[DailyRow] = field(default_factory=list)  # reviewed as 误报: listed, not counted
    entry_status: str | None = None

    @property
    def checked(self) -> bool:
        """Could the unit's entry page be checked this period (not unreachable, anti-bot, script-only)?"""
        return self.entry_status in ("ok", "truncated")

    @property
    def worst_rank(self) -> int:
        return min((severity_rank(r.severity) for r in self.rows), default=99)

    @property
    def worst_label(self) -> str:
        if not self.rows:
            return ""
        return min(self.rows, key=lambda r: severity_rank(r.severity)).severity_label

    @property
    def worst(self) -> str:
        if not self.rows:
            return ""
        return min(self.rows, key=lambda r: severity_rank(r.severity)).severity

    @property
    def overdue_count(self) -> int:
        return sum(1 for r in self.rows if r.overdue_days > 0 or r.status == "overdue")

    @property
    def new_count(self) -> int:
        return sum(1 for r in self.rows if r.is_new)

    @property
    def veto_count(self) -> int:
        return sum(1 for r in self.rows if r.severity == "veto")

    def due_on(self, day: date) -> int:
        """Open findings whose deadline is `day` (今日到期)."""
        return sum(1 for r in self.rows if r.deadline == day and r.overdue_days <= 0)

    def next_deadline(self, day: date) -> date | None:
        """The nearest deadline still ahead (or today), None when every open finding is overdue."""
        return min((r.deadline for r in self.rows if r.deadline >= day and r.overdue_days <= 0), default=None)


@dataclass
class PortalBlock:
    id: str
    name: str
    home: str | None
    home_href: str | None
    units: list[UnitBlock] = field(default_factory=list)  # units with open findings, worst first
    clean: list[UnitBlock] = field(default_factory=list)  # units checked and without open findings
    # units the crawl could not check (未能检查) and without earlier open findings: not "clean"
    unchecked: list[UnitBlock] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(u.rows) for u in self.units)

    @property
    def worst_rank(self) -> int:
        return min((u.worst_rank for u in self.units), default=99)


@dataclass
class RectifiedRow:
    portal_name: str
    unit_name: str
    rule_title: str
    severity: str
    severity_label: str
    column_name: str
    message: str
    first_seen: date
    rectified_on: date
    days: int
    number: str = ""
    # for the evidence page (before/after), not exported
    rule: str = ""
    evidence: dict[str, Any] = field(default_factory=dict)
    deadline: date | None = None
    url: str | None = None
    before_sha: str | None = None
    before_url: str | None = None
    before_snap: Snapshot | None = None
    after_sha: str | None = None
    after_url: str | None = None
    after_snap: Snapshot | None = None
    has_evidence_page: bool = False

    @property
    def on_time(self) -> bool:
        return self.deadline is None or self.rectified_on <= self.deadline

    @property
    def evidence_href(self) -> str | None:
        return f"evidence/{self.number}.html" if self.has_evidence_page and self.number else None


@dataclass
class CrawlSummary:
    run_id: int
    as_of: date
    status: str
    started_at: datetime
    finished_at: datetime | None
    portals: int
    units_crawled: int
    units_registered: int
    units_reachable: int
    units_unreachable: int
    units_antibot: int
    units_other: int
    columns_required: int
    columns_checked: int
    columns_unknown: int


@dataclass
class LegendRow:
    id: str
    title: str
    severity: str
    severity_label: str


@dataclass
class DailyView:
    as_of: date
    prev_check: date | None
    crawl: CrawlSummary | None
    totals: dict[str, int]
    portals: list[PortalBlock]
    rectified: list[RectifiedRow]
    legend: list[LegendRow]
    dismissed: list[DailyRow] = field(default_factory=list)
    calendar_banner: str | None = None

    @property
    def urgent(self) -> list[tuple[PortalBlock, UnitBlock]]:
        """Every unit with open findings, most urgent first: veto-level, then overdue, then due today,
        then the nearest deadline — the 30-second answer to 'who must fix what by when'."""
        far = date.max
        pairs = [(p, u) for p in self.portals for u in p.units]
        return sorted(
            pairs,
            key=lambda pu: (
                -pu[1].veto_count,
                -pu[1].overdue_count,
                -pu[1].due_on(self.as_of),
                pu[1].next_deadline(self.as_of) or far,
                pu[0].id,
                pu[1].unit_id,
            ),
        )


_ENTRY_NOTE = {
    "ok": "入口页访问正常",
    "unreachable": "入口页无法访问，栏目未能检查",
    "error": "入口页无法访问，栏目未能检查",
    "antibot": "入口页被反爬虫验证拦截，栏目未能检查（抓取问题，不视为栏目问题）",
    "js-shell": "入口页内容由脚本生成，栏目未能检查",
    "unrecognized": "入口页已读取，但栏目目录结构未能识别，栏目未能检查（抓取问题，不视为栏目缺失）",
    "truncated": "入口页超出抓取限制，仅部分检查",
}


def previous_check_date(session: Session, as_of: date) -> date | None:
    """As-of date of the newest finished check run before `as_of`."""
    return session.execute(
        select(Run.as_of)
        .where(Run.stage == "check", Run.as_of < as_of, Run.status.in_(("ok", "partial")))
        .order_by(Run.as_of.desc())
        .limit(1)
    ).scalar_one_or_none()


def crawl_summary(
    session: Session, run: Run, catalog: Catalog, columns: list[dict[str, Any]]
) -> CrawlSummary:
    entries = session.execute(
        select(Snapshot.portal_id, Snapshot.unit_id, Snapshot.status).where(
            Snapshot.run_id == run.id, Snapshot.target == "entry"
        )
    ).all()
    statuses = Counter(s for _, _, s in entries)
    registered = session.execute(select(Unit.id)).scalars().all()
    unknown = sum(1 for c in columns if c["status"] not in ("ok", "missing", "truncated"))
    return CrawlSummary(
        run_id=run.id,
        as_of=run.as_of,
        status=run.status,
        started_at=run.started_at,
        finished_at=run.finished_at,
        portals=len({p for p, _, _ in entries}),
        units_crawled=len(entries),
        units_registered=max(len(registered), len(entries)),
        units_reachable=statuses.get("ok", 0),
        units_unreachable=statuses.get("unreachable", 0) + statuses.get("error", 0),
        units_antibot=statuses.get("antibot", 0),
        units_other=sum(v for k, v in statuses.items() if k not in ("ok", "unreachable", "error", "antibot")),
        columns_required=len(columns),
        columns_checked=len(columns) - unknown,
        columns_unknown=unknown,
    )


def build_daily(
    session: Session,
    as_of: date,
    catalog: Catalog,
    states: list[FindingState] | None = None,
    columns: list[dict[str, Any]] | None = None,
) -> DailyView:
    """The 日调度 view: open findings per unit, worst first, with evidence and deadlines.

    `states` and `columns` may be passed by a caller that already read them (a report context
    that loads only the findings relevant to its window: open ones and those closed since the
    previous check are all the daily needs)."""
    titles = rule_titles()
    crawl = latest_crawl_run(session, as_of)
    prev = previous_check_date(session, as_of)
    if states is None:
        states = findings_as_of(session, as_of)
    portals = {p.id: p for p in session.execute(select(Portal)).scalars()}
    units = {(u.portal_id, u.unit_id): u for u in session.execute(select(Unit)).scalars()}
    entry_status: dict[tuple[str, str], str] = {}
    summary = None
    if crawl is not None:
        for p, u, s in session.execute(
            select(Snapshot.portal_id, Snapshot.unit_id, Snapshot.status).where(
                Snapshot.run_id == crawl.id, Snapshot.target == "entry"
            )
        ):
            entry_status[(p, u)] = s
        if columns is None:
            columns = columns_rows(session, as_of, catalog, states=states)
        summary = crawl_summary(session, crawl, catalog, columns)
    index = SnapshotIndex(session, crawl.id if crawl else None)
    rechecks = recheck_runs(session)

    def is_new(s: FindingState) -> bool:
        return prev is None or s.episode_start > prev

    blocks: dict[tuple[str, str], UnitBlock] = {}

    def block(portal_id: str, unit_id: str) -> UnitBlock:
        key = (portal_id, unit_id)
        if key not in blocks:
            unit = units.get(key)
            status = entry_status.get(key)
            note = (
                _ENTRY_NOTE.get(status or "", f"入口页状态：{status}") if status else "本次抓取未覆盖该单位"
            )
            entry = unit.entry if unit else None
            blocks[key] = UnitBlock(
                portal_id=portal_id,
                unit_id=unit_id,
                name=unit.name if unit else unit_id,
                profile=(
                    catalog.profiles[unit.profile].name
                    if unit and unit.profile in catalog.profiles
                    else (unit.profile if unit else "")
                ),
                entry_url=entry,
                entry_href=safe_href(entry),
                crawl_note=note,
                crawl_ok=status == "ok",
                entry_status=status,
            )
        return blocks[key]

    for key in units:
        block(*key)
    totals = {"new": 0, "still_open": 0, "overdue": 0, "rectified": 0, "open": 0, "dismissed": 0}
    rectified: list[RectifiedRow] = []
    dismissed: list[DailyRow] = []
    for s in states:
        f = s.finding
        if s.status == "rectified":
            on_request = recheck_run(f, rechecks)
            if (
                s.rectified_on
                and s.rectified_on <= as_of
                and (prev is None or s.rectified_on > prev or (s.rectified_on == prev and on_request))
            ):
                # a 销号 on request the day after a night's check is in the next day's dispatch
                rectified.append(rectified_row(s, index, catalog, titles, portals, units, on_request))
                totals["rectified"] += 1
            continue
        new = is_new(s) and not s.dismissed
        late = 0 if s.dismissed else overdue_days(s, as_of)
        row = daily_row(s, index, catalog, titles, portals, units, as_of, new, late)
        if s.dismissed:
            block(f.portal_id, f.unit_id).dismissed.append(row)
            dismissed.append(row)
            totals["dismissed"] += 1
            continue
        block(f.portal_id, f.unit_id).rows.append(row)
        totals["open"] += 1
        totals["new" if new else "still_open"] += 1
        if late > 0 or s.status == "overdue":
            totals["overdue"] += 1

    by_portal: dict[str, PortalBlock] = {}
    for (portal_id, _), ub in blocks.items():
        if portal_id not in by_portal:
            portal = portals.get(portal_id)
            home = portal.home if portal else None
            by_portal[portal_id] = PortalBlock(
                id=portal_id, name=portal.name if portal else portal_id, home=home, home_href=safe_href(home)
            )
        ub.rows.sort(
            key=lambda r: (
                severity_rank(r.severity),
                -r.overdue_days,
                r.first_seen,
                r.rule,
                r.column_id or "",
                r.url or "",
            )
        )
        block = by_portal[portal_id]
        (block.units if ub.rows else block.clean if ub.checked else block.unchecked).append(ub)
    for pb in by_portal.values():
        pb.units.sort(key=lambda u: (u.worst_rank, -len(u.rows), -u.overdue_count, u.unit_id))
        pb.clean.sort(key=lambda u: (u.crawl_ok, u.unit_id))
        pb.unchecked.sort(key=lambda u: u.unit_id)
    ordered = sorted(by_portal.values(), key=lambda p: (not p.units, p.worst_rank, -p.count, p.id))
    rectified.sort(key=lambda r: (r.portal_name, r.unit_name, severity_rank(r.severity), r.rule_title))

    legend = [LegendRow(r.id, r.title, str(r.severity), r.severity.label) for r in all_rules()]
    known = {r.id for r in legend}
    for s in states:
        if s.finding.rule not in known:
            known.add(s.finding.rule)
            legend.append(
                LegendRow(
                    s.finding.rule,
                    titles.get(s.finding.rule, s.finding.rule),
                    s.finding.severity,
                    severity_label(s.finding.severity),
                )
            )
    dismissed.sort(key=lambda r: (r.portal_name, r.unit_name, severity_rank(r.severity), r.rule))
    shown = [as_of, *(r.deadline for p in ordered for u in p.units for r in u.rows)]
    return DailyView(
        as_of=as_of,
        prev_check=prev,
        crawl=summary,
        totals=totals,
        portals=ordered,
        rectified=rectified,
        legend=legend,
        dismissed=dismissed,
        calendar_banner=calendar_banner(catalog, shown),
    )
