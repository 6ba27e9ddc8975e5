"""Findings lifecycle (整改): open → rectified (销号) / overdue, kept as history.

A new check run marks findings still present, opens new ones, and closes those that a
*successful* crawl shows fixed. A finding whose subject the crawl could not see (unit entry
unreachable, anti-bot, unit not crawled at all) is left exactly as it was: a failed fetch never
closes anything.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk.config.catalog import Catalog
from zwgk.findings.review import is_dismissed
from zwgk.rules.identity import normalize_url
from zwgk.rules.model import ColumnObs, FindingDraft, Scope, UnitObs
from zwgk.rules.registry import all_rules
from zwgk.store.schema import Finding, FindingEvent

OPEN_STATUSES = ("open", "overdue")


# Identity versions: 1 hashed (rule, portal, unit, column, url), so a moved column or an http→https
# switch made a new finding and closed the old; 2 hashes what the finding is about (Rule.subject).
IDENTITY_VERSION = 2


def identity(rule: str, portal: str, unit: str, column: str | None, url: str | None, evidence) -> str:
    """Stable identity of a problem across runs: the rule, the unit and the rule's subject."""
    known = _RULES.get(rule)
    parts: tuple[str | None, ...]
    if known is None:  # a rule no longer registered: its rows keep the first identity's inputs
        parts = (rule, portal, unit, column, url)
    else:
        parts = ("v2", rule, portal, unit, *known.subject(column, url, evidence or {}))
    raw = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:40]


def fingerprint(draft: FindingDraft) -> str:
    """The identity of a draft (see `identity`)."""
    return identity(draft.rule, draft.portal, draft.unit, draft.column, draft.url, draft.evidence)


def rekey(session: Session) -> int:
    """Give rows stored under an older identity the current one, closing and reopening nothing.

    Where several old rows now name one subject (a column that moved, a link counted on two pages),
    the open one keeps the identity (else the latest seen); the others keep their state and history
    under a retired key no draft will match. Returns the number of rows re-keyed."""
    old = (
        session.execute(
            select(Finding).where(
                (Finding.identity_version.is_(None)) | (Finding.identity_version < IDENTITY_VERSION)
            )
        )
        .scalars()
        .all()
    )
    if not old:
        return 0
    wanted = {f.id: identity(f.rule, f.portal_id, f.unit_id, f.column_id, f.url, f.evidence) for f in old}
    taken = {
        fp: fid
        for fid, fp in session.execute(
            select(Finding.id, Finding.fingerprint).where(Finding.fingerprint.in_(set(wanted.values())))
        ).all()
        if fid not in wanted
    }
    groups: dict[str, list[Finding]] = {}
    for f in old:
        groups.setdefault(wanted[f.id], []).append(f)
    for fp, rows in groups.items():
        rows.sort(key=lambda f: (f.status in OPEN_STATUSES, f.last_seen, f.id), reverse=True)
        for i, f in enumerate(rows):
            keeps = i == 0 and fp not in taken
            f.fingerprint = fp if keeps else f"{fp[:40]}~{f.id}"
            f.identity_version = IDENTITY_VERSION
    session.flush()
    return len(old)


def deadline_for(severity: str, first_seen: date, catalog: Catalog) -> date:
    """Rectification deadline: the catalog's working days per severity after `first_seen`.

    Working days follow the Chinese holiday calendar (zwgk/config/workdays.py); for a year no
    calendar knows, Monday–Friday are counted and the finding's evidence says so (calendar_note).
    """
    return catalog.calendar.add_workdays(first_seen, catalog.deadline_days(severity))


ESCALATION_KEYS = ("escalated", "escalated_severity", "escalated_on", "original_severity")


def _escalated_since_opened(finding: Finding) -> bool:
    """Has the current episode (since the last opened/reopened event) recorded its escalation?"""
    for ev in sorted(finding.events, key=lambda e: (e.on, e.id or 0), reverse=True):
        if ev.event == "escalated":
            return True
        if ev.event in ("opened", "reopened"):
            return False
    return False


def _annotate(finding: Finding, catalog: Catalog, as_of: date, run_id: int | None = None) -> None:
    """Evidence the lifecycle adds to a rule's own: calendar_note, escalation of overdue findings.

    Re-applied on every run because a rule's fresh evidence replaces the stored one. An overdue
    finding escalates along the catalog's ladder (`deadlines.escalate`), for real: its stored
    severity becomes the escalated one — so its badge, the exports' `severity`, the 点名 of
    veto-level findings and every count by severity agree — while `original_severity` keeps the
    rule's own, restored when it is rectified or reopened. The escalation is also recorded once per
    episode as an 'escalated' FindingEvent whose note says from→to.
    """
    evidence = dict(finding.evidence or {})
    before = dict(evidence)
    note = catalog.calendar.note(finding.deadline, finding.deadline)
    if note:
        evidence["calendar_note"] = note
    else:
        evidence.pop("calendar_note", None)
    if finding.status == "overdue":
        base = str(evidence.get("original_severity") or finding.severity)
        target = catalog.escalated_severity(base)
        evidence["escalated"] = True
        evidence["escalated_severity"] = target
        evidence["original_severity"] = base
        evidence.setdefault("escalated_on", as_of.isoformat())
        finding.severity = target
        if not _escalated_since_opened(finding):
            finding.events.append(
                FindingEvent(
                    run_id=run_id,
                    on=as_of,
                    event="escalated",
                    note=f"{base}→{target}（逾期升级督办）",
                )
            )
    else:
        finding.severity = str(evidence.get("original_severity") or finding.severity)
        for key in ESCALATION_KEYS:
            evidence.pop(key, None)
    if evidence != before:
        finding.evidence = evidence


def _observed_fixed(finding: Finding, units: dict[tuple[str, str], UnitObs], catalog: Catalog) -> bool:
    """Did this crawl see the finding's subject well enough to say the problem is gone?

    The rule's declared scope says what its subject is; a finding of a rule no longer registered
    is treated as being about its column.
    """
    unit = units.get((finding.portal_id, finding.unit_id))
    if unit is None:
        return False
    rule = _RULES.get(finding.rule)
    if rule is not None and not rule.can_judge(unit):
        return False
    scope = rule.scope if rule else Scope.COLUMN
    if scope == Scope.SITE:
        page = (finding.evidence or {}).get("page")
        on_home = (
            page == "home"
            if page
            else (bool(unit.home_url) and finding.url == unit.home_url and finding.url != unit.entry_url)
        )
        if on_home:
            return unit.home_status is not None and unit.home_status != "unreachable"
        return unit.entry_status not in ("unreachable", "error")
    if unit.entry_status != "ok":
        return False
    if scope == Scope.LINK:
        return _link_fixed(finding, unit)
    column = unit.columns.get(finding.column_id) if finding.column_id is not None else None
    if finding.column_id is not None and (column is None or not column.known):
        return False
    if scope == Scope.ARTICLE:
        return _article_fixed(finding, column)
    for cid in rule.also_read(catalog) if rule else ():
        other = unit.columns.get(cid)
        if other is None or not other.known:
            return False
    # Column and unit-level findings: seen when the column (or the entry page) was seen.
    return True


_RULES = {r.id: r for r in all_rules()}


def observed_fixed(finding: Finding, unit: UnitObs, catalog: Catalog) -> bool:
    """Did a crawl of this one unit see the finding's subject well enough to say it is gone? (A
    recheck asks this of the unit it re-read; the nightly reconcile asks it of every unit.)"""
    return _observed_fixed(finding, {(unit.portal, unit.unit): unit}, catalog)


def rectify(
    finding: Finding,
    as_of: date,
    run_id: int | None,
    catalog: Catalog,
    note: str = "复查未再发现该问题，予以销号",
) -> None:
    """Close a finding (销号) on `as_of`: the one way a finding is closed, nightly or on request."""
    finding.status = "rectified"
    finding.rectified_on = as_of
    _annotate(finding, catalog, as_of, run_id)  # a rectified finding is back at its own severity
    finding.events.append(FindingEvent(run_id=run_id, on=as_of, event="rectified", note=note))


def _article_fixed(finding: Finding, column: ColumnObs | None) -> bool:
    """The article was fetched successfully this crawl (and the rule no longer fired), or it is gone
    from a column list that was read (an attachment: the article linking it). An article that
    was listed but not fetched (outside the newest-N window, or its fetch failed) proves nothing. Addresses are compared as the finding's
    identity is made (normalised): an article now served over https is the same article."""
    if column is None:
        return False
    # about a file an article links (an attachment): what must have been read is that article
    mine = normalize_url((finding.evidence or {}).get("page") or finding.url)
    for article in column.articles:
        if normalize_url(article.url) == mine:
            return article.status in ("ok", "file")
    listed = {normalize_url(e.url) for e in column.entries}
    return column.status == "ok" and mine not in listed


def _link_fixed(finding: Finding, unit: UnitObs) -> bool:
    """A broken link is fixed when it was re-checked and answered, or when the page that held it was
    read again and no longer links it. A link skipped, blocked or unverified this time, or a page
    not read, proves nothing."""
    page = (finding.evidence or {}).get("page")
    pages_read: set[str] = set()
    links: list = list(unit.links)
    if unit.entry_status == "ok":
        pages_read.add(unit.entry_url)
    for column in unit.columns.values():
        links.extend(column.links)
        if column.status == "ok" and column.url:
            pages_read.add(column.url)
        for article in column.articles:
            links.extend(article.links)
            if article.status == "ok":
                pages_read.add(article.url)
    mine = normalize_url(finding.url)
    same = [link for link in links if normalize_url(link.url) == mine]
    if any(link.status == "ok" for link in same):
        return True
    page = normalize_url(page)
    if not page or page not in {normalize_url(p) for p in pages_read}:
        return False
    return not any(normalize_url(link.page) == page for link in same)


@dataclass
class ReconcileResult:
    opened: list[Finding] = field(default_factory=list)
    reopened: list[Finding] = field(default_factory=list)
    still_open: list[Finding] = field(default_factory=list)
    rectified: list[Finding] = field(default_factory=list)
    kept_unseen: list[Finding] = field(default_factory=list)
    overdue: list[Finding] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {k: len(v) for k, v in self.__dict__.items()}


def reconcile(
    session: Session,
    drafts: list[FindingDraft],
    units: list[UnitObs],
    as_of: date,
    run_id: int,
    catalog: Catalog,
) -> ReconcileResult:
    """Apply one check run's drafts to the stored findings."""
    result = ReconcileResult()
    rekey(session)
    by_fp: dict[str, FindingDraft] = {}
    for draft in drafts:
        by_fp.setdefault(fingerprint(draft), draft)
    existing = (
        {
            f.fingerprint: f
            for f in session.execute(select(Finding).where(Finding.fingerprint.in_(list(by_fp)))).scalars()
        }
        if by_fp
        else {}
    )

    for fp, draft in by_fp.items():
        finding = existing.get(fp)
        if finding is None:
            finding = Finding(
                fingerprint=fp,
                rule=draft.rule,
                severity=str(draft.severity),
                portal_id=draft.portal,
                unit_id=draft.unit,
                column_id=draft.column,
                url=draft.url,
                message=draft.message,
                evidence=draft.evidence,
                first_seen=as_of,
                last_seen=as_of,
                status="open",
                deadline=deadline_for(str(draft.severity), as_of, catalog),
                first_run_id=run_id,
                last_run_id=run_id,
                identity_version=IDENTITY_VERSION,
            )
            session.add(finding)
            finding.events.append(FindingEvent(run_id=run_id, on=as_of, event="opened", note=draft.message))
            result.opened.append(finding)
            continue
        if draft.url != finding.url and draft.url is not None:
            # The same subject at another address (a column moved, http→https): one finding, its
            # history says where it went.
            finding.events.append(
                FindingEvent(
                    run_id=run_id, on=as_of, event="moved", note=f"{finding.url or '—'} → {draft.url}"
                )
            )
            finding.url = draft.url
        finding.column_id = draft.column
        kept = {k: v for k, v in (finding.evidence or {}).items() if k == "escalated_on"}
        # the rule's own severity; an overdue finding is escalated again by _annotate below
        finding.message = draft.message
        finding.evidence = {**draft.evidence, **kept}
        finding.severity = str(draft.severity)
        finding.last_seen = max(finding.last_seen, as_of)
        finding.last_run_id = run_id
        if finding.status == "rectified":
            finding.status = "open"
            finding.rectified_on = None
            finding.deadline = deadline_for(finding.severity, as_of, catalog)
            finding.events.append(FindingEvent(run_id=run_id, on=as_of, event="reopened", note=draft.message))
            result.reopened.append(finding)
        else:
            finding.events.append(FindingEvent(run_id=run_id, on=as_of, event="seen"))
            result.still_open.append(finding)

    units_by_key = {(u.portal, u.unit): u for u in units}
    open_rest = (
        session.execute(
            select(Finding).where(
                Finding.status.in_(OPEN_STATUSES), Finding.fingerprint.not_in(list(by_fp) or [""])
            )
        )
        .scalars()
        .all()
    )
    for finding in open_rest:
        if _observed_fixed(finding, units_by_key, catalog):
            rectify(finding, as_of, run_id, catalog)
            result.rectified.append(finding)
        else:
            result.kept_unseen.append(finding)

    for finding in session.execute(select(Finding).where(Finding.status == "open")).scalars():
        if finding.deadline < as_of and not is_dismissed(finding):
            finding.status = "overdue"
            finding.events.append(
                FindingEvent(
                    run_id=run_id,
                    on=as_of,
                    event="overdue",
                    note=f"整改期限 {finding.deadline.isoformat()} 已过，升级督办",
                )
            )
            result.overdue.append(finding)
    for finding in [*result.opened, *result.reopened, *result.still_open, *result.overdue]:
        _annotate(finding, catalog, as_of, run_id)
    return result
