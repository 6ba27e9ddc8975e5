"""The rule catalog as a table (`zwgk rules`, and the reports' 规则说明 page).

Everything comes from the rule classes (id, title, severity, source, docstring) and from the
catalog and scoring data (thresholds), so the table never disagrees with what is checked.
"""

from __future__ import annotations

from typing import Any

from zwgk.config.catalog import Catalog
from zwgk.rules.registry import all_rules
from zwgk.rules.scoring import Scoring, load_scoring


def _summary(doc: str | None) -> str:
    """The docstring's first paragraph (what the rule fires on)."""
    return " ".join((doc or "").strip().split("\n\n", 1)[0].split())


def _thresholds(rule_id: str, catalog: Catalog) -> dict[str, Any]:
    kinds = {k: v.max_age_days for k, v in catalog.kinds.items() if v.max_age_days is not None}
    if rule_id == "column.stale":
        return {f"{catalog.kinds[k].name}（天）": d for k, d in kinds.items()}
    if rule_id == "column.undated":
        return {"适用栏目类别": [catalog.kinds[k].name for k in kinds]}
    if rule_id == "column.blank":
        return {"空白提示语": list(catalog.blank_markers)}
    if rule_id == "column.placeholder":
        return {"说明类标题": list(catalog.placeholder_patterns)}
    if rule_id == "doc.overdue":
        return {p.id: f"{p.name}（{'/'.join(catalog.profiles[x].name for x in p.profiles)}，每年 "
                      f"{int(p.due[:2])}月{int(p.due[3:])}日前，栏目 {p.column}）" for p in catalog.periodic}
    if rule_id == "interp.missing":
        cfg = catalog.interpretation
        return {"解读时限（工作日）": cfg.working_days, "政策发布时间范围（天）": cfg.window_days,
                "政策栏目": cfg.policy_column, "解读栏目": cfg.interp_column}
    if rule_id == "meta.incomplete":
        fields = getattr(getattr(catalog, "metadata_fields", None), "default", None) or []
        return {"必备要素": [f.name for f in fields],
                "适用栏目": [c.id for c in catalog.columns if c.requires_metadata]}
    return {}


def _format(thresholds: dict[str, Any]) -> str:
    parts = []
    for k, v in thresholds.items():
        v = "、".join(map(str, v)) if isinstance(v, (list, tuple)) else v
        parts.append(f"{k}: {v}")
    return "；".join(parts)


def rules_table(catalog: Catalog, scoring: Scoring | None = None) -> list[dict[str, Any]]:
    """One row per registered rule: id, title, severity (and label), source, thresholds, deadline,
    unit-score points and cap, and a one-paragraph description."""
    scoring = scoring or load_scoring()
    rows = []
    for rule in all_rules():
        sev = str(rule.severity)
        thresholds = _thresholds(rule.id, catalog)
        if rule.id == "site.unreachable":
            spec = scoring.veto.get("unreachable") or {}
            thresholds = {"否决线（无法访问比例）": spec.get("rate"), "预警线": spec.get("warn_rate"),
                          "统计窗口（天）": spec.get("window_days")}
        elif rule.id == "text.typo":
            thresholds = {"词典": "zwgk/rules/data/typos.yml 及目录 typos", "否决线（个）": (scoring.veto.get("typo") or {}).get("threshold")}
        points, cap = scoring.unit_rule(rule.id)
        rows.append({
            "id": rule.id, "title": rule.title, "severity": sev, "severity_label": rule.severity.label,
            "source": rule.source, "thresholds": thresholds, "thresholds_text": _format(thresholds),
            "deadline_workdays": catalog.deadline_days(sev), "unit_points": points, "unit_cap": cap,
            "column_points": scoring.points(rule.id), "description": _summary(rule.__doc__),
        })
    return rows


def veto_table(scoring: Scoring | None = None) -> list[dict[str, Any]]:
    """The veto lines and their early-warning levels, for the same documentation page."""
    scoring = scoring or load_scoring()
    rows = []
    for line, spec in scoring.veto.items():
        limit = spec.get("threshold", spec.get("days", spec.get("rate")))
        warn = spec.get("warn", spec.get("warn_days", spec.get("warn_rate")))
        rows.append({"line": line, "name": spec.get("name", line), "threshold": limit, "warn": warn,
                     "rules": spec.get("rules") or [], "kinds": spec.get("kinds") or []})
    return rows
