"""The evidence package of a finding: `evidence/ZW-000123.html`, what a department accepts as proof.

One page per finding of the daily dispatch (open, reviewed, and 销号 of the night):
- a banner with the finding's number and rule, the unit and column, the page's address, when it was
  fetched (北京时间), its HTTP status, what was seen and by when it must be fixed;
- the stored page as it was crawled, readable offline and inert (zwgk/reports/archive.py), with
  what the rule saw marked (the newest entry and its date, the typo in context, a broken link's
  anchor …; Rule.highlights); a rule that found something absent says what it looked for;
- for 站点无法访问, every attempt over the period — the nightly crawls and the availability probes —
  with its time and error;
- for 销号, the page after the fix beside the page before it, and whether the fix was 按期 or 逾期.

Crawled text is escaped by the template or made inert by the archive cleaner; the page carries the
reports' Content-Security-Policy, so nothing is loaded from outside even if something slipped by.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk.beijing import shown as beijing_time
from zwgk.encoding import decode_body
from zwgk.reports.archive import clean_archive, mark, serialize
from zwgk.reports.render import render
from zwgk.reports.views import SHA_RE, safe_href
from zwgk.rules.registry import all_rules
from zwgk.store.db import get_page
from zwgk.store.schema import Page, Probe, Run, Snapshot

_RULES = {r.id: r for r in all_rules()}
ATTEMPT_DAYS = 30  # the period whose attempts an unreachable finding lists


@dataclass
class Archived:
    """One stored page as shown on an evidence page."""

    url: str | None
    href: str | None
    fetched: str  # 北京时间
    http_status: int | None
    html: Markup  # the cleaned page, with marks
    marked: list[str] = field(default_factory=list)
    cut: bool = False
    label: str = ""


@dataclass
class Attempt:
    when: str  # 北京时间
    how: str  # 夜间抓取 | 可用性探测
    ok: bool
    result: str


def archived(
    session: Session,
    sha: str | None,
    url: str | None,
    fetched_at: datetime | None,
    http_status: int | None,
    needles: list[str],
    label: str = "",
) -> Archived | None:
    """The stored page `sha` as fetched at `fetched_at` with `http_status`, cleaned and marked; None
    when it is not stored."""
    if not sha or not SHA_RE.match(sha):
        return None
    body = get_page(session, sha)
    if body is None:
        return None
    page = session.get(Page, sha)
    text, _ = decode_body(body, "", page.content_type if page else None)  # as the crawler read it
    tree, cut = clean_archive(text)
    marked = mark(tree, list(needles))
    return Archived(
        url=url,
        href=safe_href(url),
        fetched=beijing_time(fetched_at) if fetched_at else "",
        http_status=http_status,
        html=Markup(serialize(tree)),
        marked=marked,
        cut=cut,
        label=label,
    )


def _fetched(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


def attempts(session: Session, portal: str, unit: str, target: str, as_of: date) -> list[Attempt]:
    """Every attempt on a page over the last ATTEMPT_DAYS: nightly crawls and probes, newest first."""
    since = as_of - timedelta(days=ATTEMPT_DAYS)
    out: list[tuple[datetime, Attempt]] = []
    rows = session.execute(
        select(Snapshot, Run.as_of, Run.stage)
        .join(Run, Run.id == Snapshot.run_id)
        .where(
            Snapshot.portal_id == portal,
            Snapshot.unit_id == unit,
            Snapshot.target == target,
            Run.as_of >= since,
            Run.as_of <= as_of,
        )
    ).all()
    for snap, night, stage in rows:
        when = _fetched(snap.fetched_at) or datetime.combine(night, datetime.min.time())
        ok = snap.status in ("ok", "truncated")
        result = (
            "正常"
            if ok
            else (snap.error or (f"HTTP {snap.http_status}" if snap.http_status else snap.status))
        )
        how = "申请复查" if stage == "recheck" else "夜间抓取"
        out.append((when, Attempt(beijing_time(when), how, ok, result)))
    probes = session.execute(
        select(Probe).where(
            Probe.portal_id == portal,
            Probe.unit_id == unit,
            Probe.target == target,
            Probe.at >= datetime.combine(since, datetime.min.time()),
        )
    ).scalars()
    for p in probes:
        result = "正常" if p.ok else (p.error or (f"HTTP {p.http_status}" if p.http_status else "失败"))
        out.append((p.at, Attempt(beijing_time(p.at), "可用性探测", p.ok, result)))
    out.sort(key=lambda x: x[0], reverse=True)
    return [a for _, a in out[:200]]


def looked_for(rule_id: str, evidence: dict[str, Any], message: str) -> list[str]:
    """What a rule that found something absent looked for (shown instead of a mark)."""
    rule = _RULES.get(rule_id)
    lines = rule.evidence_lines(dict(evidence)) if rule is not None else []
    searched = evidence.get("searched")
    if searched and not any("查找" in x for x in lines):
        lines.append("查找的栏目名称：" + "、".join(map(str, searched)))
    return lines or [message]


def write_finding_page(session: Session, row, out_dir: Path, as_of: date, nav_root: str = "../") -> Path:
    """Write `evidence/<number>.html` for one row of the daily dispatch (views.DailyRow)."""
    return _write(out_dir, row.number, finding_html(session, row, as_of, nav_root))


def finding_html(session: Session, row, as_of: date, nav_root: str = "../") -> str:
    """The evidence page of an open (or reviewed) finding (views.DailyRow), as HTML."""
    rule = _RULES.get(row.rule)
    needles = [n for n in (rule.highlights(row.evidence) if rule else []) if n]
    page = archived(session, row.evidence_sha, row.page_url, row.fetched_at, row.http_status, needles)
    target = rule.attempted_page(row.evidence) if rule else None
    tries = attempts(session, row.portal_id, row.unit_id, target, as_of) if target else []
    return render(
        "evidence.html.j2",
        r=row,
        page=page,
        needles=needles,
        looked_for=looked_for(row.rule, row.evidence, row.message)
        if not needles or page is None or not page.marked
        else [],
        attempts=tries,
        done=False,
        after=None,
        root=nav_root,
        use_script=False,
        nav=None,
        exports=None,
        calendar_banner=None,
    )


def write_rectified_page(session: Session, row, out_dir: Path, nav_root: str = "../") -> Path:
    """Write `evidence/<number>.html` for a 销号 of the night: the page after beside the page before."""
    return _write(out_dir, row.number, rectified_html(session, row, nav_root))


def rectified_html(session: Session, row, nav_root: str = "../") -> str:
    """The evidence page of a 销号 (views.RectifiedRow): the page after beside the page before."""
    rule = _RULES.get(row.rule)
    needles = [n for n in (rule.highlights(row.evidence) if rule else []) if n]
    before = archived(session, row.before_sha, row.before_url, *_fetch(row.before_snap), needles, "整改前")
    after = archived(session, row.after_sha, row.after_url, *_fetch(row.after_snap), needles, "整改后")
    return render(
        "evidence.html.j2",
        r=row,
        page=before,
        needles=needles,
        looked_for=[],
        attempts=[],
        done=True,
        after=after,
        root=nav_root,
        use_script=False,
        nav=None,
        exports=None,
        calendar_banner=None,
    )


def _fetch(snap: Snapshot | None) -> tuple[datetime | None, int | None]:
    """When a snapshot's page was fetched, and its HTTP status."""
    return (snap.fetched_at, snap.http_status) if snap is not None else (None, None)


def _write(out_dir: Path, number: str, html: str) -> Path:
    folder = Path(out_dir) / "evidence"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{number}.html"
    tmp = folder / f".{number}.html.tmp"
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path
