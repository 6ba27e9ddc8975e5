"""interp.missing — 政策未同步解读 (三同步), and the 多元化解读 share metric."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from zwgk.config.catalog import Catalog
from zwgk.rules.base import Rule
from zwgk.rules.evidence import clip
from zwgk.rules.identity import normalize_url
from zwgk.rules.model import CheckContext, EntryObs, FindingDraft, Scope, Severity, UnitObs
from zwgk.rules.scoring import Scoring

_BOOK = re.compile(r"《([^《》]{2,80})》")
_NOISE = re.compile(r"[\s《》〈〉“”\"'‘’「」『』:：、，,.。·]")
_PLACE = re.compile(r"^.{1,12}?(自治区|自治州|自治县|街道|省|市|区|县|镇|乡)")
# An interpretation may be dated a little before the policy's list date (published together).
EARLY_DAYS = 3


def _norm(text: str) -> str:
    return _NOISE.sub("", text)


def policy_name(title: str, catalog: Catalog) -> str | None:
    """The document a 政策文件 entry publishes: the name in 《》, or a policy pattern's `doc` group."""
    cfg = catalog.interpretation
    m = _BOOK.search(title)
    if m:
        return m.group(1).strip()
    for rx in cfg.policy_res:
        m = rx.search(title)
        if m:
            name = m.groupdict().get("doc") or m.group(0)
            return name.strip() if len(_norm(name)) >= cfg.min_name_chars else None
    return None


def _keys(name: str, min_chars: int) -> list[str]:
    """Normalised forms an interpretation title may contain: the name, and the name without its place."""
    full = _norm(name)
    keys = [full]
    m = _PLACE.match(full)
    if m and len(full) - m.end() >= min_chars:
        keys.append(full[m.end() :])
    return keys


def refers_to(interp_title: str, name: str, min_chars: int = 4) -> bool:
    """Does an interpretation title name this document (《X》解读, 一图读懂《X》, 图解：X …)?"""
    text = _norm(interp_title)
    return any(k and k in text for k in _keys(name, min_chars))


@dataclass
class PolicyCheck:
    entry: EntryObs
    name: str
    deadline: date
    interp: EntryObs | None  # the interpretation taken for it (earliest plausible one)
    late: bool


def judge_policies(unit: UnitObs, ctx: CheckContext) -> list[PolicyCheck]:
    """Every policy of the window whose interpretation deadline has passed, with its verdict."""
    cfg = ctx.catalog.interpretation
    policies = unit.columns.get(cfg.policy_column)
    interps = unit.columns.get(cfg.interp_column)
    if policies is None or interps is None:
        return []
    if policies.status not in ("ok", "truncated") or interps.status not in ("ok", "truncated"):
        return []
    oldest_interp = min((e.date for e in interps.entries if e.date), default=None)
    cal = ctx.catalog.calendar
    out: list[PolicyCheck] = []
    for entry in policies.entries:
        if entry.date is None or entry.date > ctx.as_of:
            continue
        if (ctx.as_of - entry.date).days > cfg.window_days:
            continue
        name = policy_name(entry.title, ctx.catalog)
        if not name:
            continue
        deadline = cal.add_workdays(entry.date, cfg.working_days)
        if deadline >= ctx.as_of:
            continue  # still within its time: not yet judged
        if interps.status == "truncated" and (oldest_interp is None or entry.date < oldest_interp):
            continue  # its interpretation could be on a page the crawl did not read
        earliest = entry.date - timedelta(days=EARLY_DAYS)
        matches = [
            e
            for e in interps.entries
            if refers_to(e.title, name, cfg.min_name_chars) and (e.date is None or e.date >= earliest)
        ]
        out.append(_verdict(entry, name, deadline, matches))
    return out


def _verdict(entry: EntryObs, name: str, deadline: date, matches: list[EntryObs]) -> PolicyCheck:
    """Late only on positive evidence: every interpretation naming the document is dated after the deadline.

    An in-time one settles it; an undated one may be this policy's own (two policies can share a
    document name, e.g. a 办法 reissued), so the rule abstains rather than pair it with the other's.
    """
    dated = sorted((e for e in matches if e.date), key=lambda e: e.date)  # type: ignore[arg-type, return-value]
    in_time = [e for e in dated if e.date <= deadline]  # type: ignore[operator]
    if in_time:
        return PolicyCheck(entry, name, deadline, in_time[0], late=False)
    undated = [e for e in matches if e.date is None]
    if undated:
        return PolicyCheck(entry, name, deadline, undated[0], late=False)
    interp = dated[0] if dated else None
    return PolicyCheck(entry, name, deadline, interp, late=interp is not None)


class InterpMissing(Rule):
    """A policy document has no interpretation (三同步) within the allowed working days.

    ## What it checks
    A policy is a 政策文件 entry naming a document in 《…》 or titled 关于印发…的通知 (patterns in
    the catalog's `interpretation` section), published within the last `window_days` (365). It
    needs a 政策解读 entry naming the document — 《X》解读, 一图读懂《X》, 图解：X, X答记者问 —
    dated no later than `working_days` (5) working days after the policy (Chinese holidays and
    adjusted workdays counted). Fires when the deadline has passed and no such entry exists, or
    every one came later. An interpretation undated in its list is dated from its page (the
    crawler reads those pages); one still undated counts as in time (the rule abstains), and
    undated policies are not judged. Only units whose profile requires a 政策解读 column are checked, and only when both
    columns were read; a missing 政策解读 column is reported by column.missing alone.

    ## Why
    国办发〔2016〕80号 / 国办发〔2018〕94号 (政策解读 三同步: 同步起草、同步审签、同步发布);
    local assessments usually allow 3–5 working days. Data: `interpretation.working_days`.
    """

    id = "interp.missing"
    title = "政策未同步解读"
    summary = "政策文件发布后，在规定的工作日内没有对应的政策解读（“三同步”）。"
    severity = Severity.MINOR
    scope = Scope.COLUMN
    source = "国办发〔2016〕80号；国办发〔2018〕94号（政策解读“三同步”）"

    def highlights(self, evidence: Mapping[str, Any]) -> list[str]:
        return [str(evidence.get("policy_title") or evidence.get("document") or "")]

    def also_read(self, catalog: Catalog) -> tuple[str, ...]:
        """Closed only when both sides of 三同步 were read: the policies and their interpretations."""
        return (catalog.interpretation.interp_column,)

    def check(self, unit: UnitObs, ctx: CheckContext) -> Iterable[FindingDraft]:
        if unit.entry_status != "ok":
            return
        cfg = ctx.catalog.interpretation
        required = {c.id for c in ctx.catalog.required_columns(unit.profile)}
        if cfg.interp_column not in required:
            return
        policies = unit.columns.get(cfg.policy_column)
        cal = ctx.catalog.calendar
        for pc in judge_policies(unit, ctx):
            if pc.interp is not None and not pc.late:
                continue
            e = pc.entry
            when = e.date.isoformat()  # type: ignore[union-attr]
            evidence = {
                "policy_title": e.title,
                "policy_date": when,
                "document": pc.name,
                "deadline": pc.deadline.isoformat(),
                "working_days": cfg.working_days,
                "policy_column_url": policies.url if policies else None,
                "interp_column_url": unit.columns[cfg.interp_column].url,
            }
            note = cal.note(e.date, pc.deadline)  # type: ignore[arg-type]
            if note:
                evidence["calendar_note"] = note
            if pc.interp is None:
                msg = (
                    f"《{pc.name}》（{when} 发布）未见政策解读，"
                    f"应于 {pc.deadline.isoformat()} 前（{cfg.working_days} 个工作日内）同步解读"
                )
            else:
                late = cal.workdays_between(e.date, pc.interp.date)  # type: ignore[arg-type]
                evidence.update(
                    interp_title=pc.interp.title,
                    interp_date=pc.interp.date.isoformat(),  # type: ignore[union-attr]
                    interp_url=pc.interp.url,
                    interp_workdays=late,
                )
                msg = (
                    f"《{pc.name}》（{when} 发布）的解读于 {pc.interp.date.isoformat()} 才发布，"  # type: ignore[union-attr]
                    f"用时 {late} 个工作日，超过 {cfg.working_days} 个工作日"
                )
            yield self.draft(
                unit, cfg.policy_column, e.url or (policies.url if policies else None), msg, **evidence
            )

    def subject(self, column: str | None, url: str | None, evidence: Mapping[str, Any]) -> tuple[str, ...]:
        # One finding per policy: the policy's page, by normalised URL.
        return (column or "", normalize_url(url))

    def thresholds(self, catalog: Catalog, scoring: Scoring) -> dict[str, Any]:
        cfg = catalog.interpretation
        return {
            "解读时限（工作日）": cfg.working_days,
            "政策发布时间范围（天）": cfg.window_days,
            "政策栏目": catalog.column(cfg.policy_column).name,
            "解读栏目": catalog.column(cfg.interp_column).name,
        }

    def evidence_lines(self, ev: dict[str, Any]) -> list[str]:
        lines: list[str] = []
        doc, title = ev.pop("document", None), ev.pop("policy_title", None)
        when, deadline = ev.pop("policy_date", None), ev.pop("deadline", None)
        name = f"《{clip(doc, 60)}》" if doc else f"「{clip(title or '', 60)}」"
        interp_title, interp_date = ev.pop("interp_title", None), ev.pop("interp_date", None)
        days = ev.pop("interp_workdays", None)
        text = f"{name}发布于{when}" if when else name
        if interp_title:
            text += f"，解读《{clip(interp_title, 60)}》发布于{interp_date}"
            if days is not None:
                text += f"，用时{days}个工作日"
        else:
            text += "，未见解读"
        if deadline:
            text += f"（应于{deadline}前解读）"
        lines.append(text)
        if title and doc and title != doc:
            lines.append(f"政策标题：「{clip(title, 60)}」")
        return lines


def interpretation_diversity(unit: UnitObs, catalog: Catalog, as_of: date) -> dict | None:
    """Share of a unit's interpretations (last `window_days`) in diverse forms (图解, 视频, H5 …).

    Not a finding: a metric for reports (seed 001 asks ≥ `diverse_target`, 30%). None when the
    unit's 政策解读 column was not read or its profile needs none.
    """
    cfg = catalog.interpretation
    required = {c.id for c in catalog.required_columns(unit.profile)}
    col = unit.columns.get(cfg.interp_column)
    if cfg.interp_column not in required or unit.entry_status != "ok" or col is None:
        return None
    if col.status not in ("ok", "truncated"):
        return None
    recent = [e for e in col.entries if e.date is None or 0 <= (as_of - e.date).days <= cfg.window_days]
    diverse = [e for e in recent if any(f in e.title for f in cfg.diverse_forms)]
    share = len(diverse) / len(recent) if recent else None
    return {
        "portal": unit.portal,
        "unit": unit.unit,
        "total": len(recent),
        "diverse": len(diverse),
        "share": None if share is None else round(share, 4),
        "target": cfg.diverse_target,
        "meets_target": None if share is None else share >= cfg.diverse_target,
        "examples": [e.title for e in diverse[:5]],
    }


def diversity_shares(units: Iterable[UnitObs], catalog: Catalog, as_of: date) -> list[dict]:
    """`interpretation_diversity` for every unit that has a 政策解读 column."""
    return [d for u in units if (d := interpretation_diversity(u, catalog, as_of)) is not None]
