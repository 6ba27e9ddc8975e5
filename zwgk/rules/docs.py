"""The rule catalog as a table (`zwgk rules`, and the reports' 规则说明 page).

Everything comes from the rule classes (id, title, severity, source, docstring, and their
`thresholds`, read from the catalog and scoring data), so the table never disagrees with what is checked.
"""

from __future__ import annotations

from typing import Any

from zwgk.config.catalog import Catalog
from zwgk.rules.registry import all_rules
from zwgk.rules.scoring import Scoring, load_scoring


def _summary(doc: str | None) -> str:
    """The docstring's first paragraph (what the rule fires on)."""
    return " ".join((doc or "").strip().split("\n\n", 1)[0].split())


def _format(thresholds: dict[str, Any]) -> str:
    parts = []
    for k, v in thresholds.items():
        v = "、".join(map(str, v)) if isinstance(v, (list, tuple)) else v
        parts.append(f"{k}：{v}")
    return "；".join(parts)


def rules_table(catalog: Catalog, scoring: Scoring | None = None) -> list[dict[str, Any]]:
    """One row per registered rule: id, title, severity (and label), source, thresholds, deadline,
    unit-score points and cap, and a one-paragraph description."""
    scoring = scoring or load_scoring()
    rows = []
    for rule in all_rules():
        sev = str(rule.severity)
        thresholds = rule.thresholds(catalog, scoring)
        points, cap = scoring.unit_rule(rule.id)
        rows.append(
            {
                "id": rule.id,
                "title": rule.title,
                "severity": sev,
                "severity_label": rule.severity.label,
                "source": rule.source,
                "thresholds": thresholds,
                "thresholds_text": _format(thresholds),
                "deadline_workdays": catalog.deadline_days(sev),
                "unit_points": points,
                "unit_cap": cap,
                "column_points": scoring.points(rule.id),
                "description": rule.summary or _summary(rule.__doc__),
            }
        )
    return rows


def veto_table(scoring: Scoring | None = None) -> list[dict[str, Any]]:
    """The veto lines and their early-warning levels, for the same documentation page."""
    scoring = scoring or load_scoring()
    rows = []
    for line, spec in scoring.veto.items():
        limit = spec.get("threshold", spec.get("days", spec.get("rate")))
        warn = spec.get("warn", spec.get("warn_days", spec.get("warn_rate")))
        rows.append(
            {
                "line": line,
                "name": spec.get("name", line),
                "threshold": limit,
                "warn": warn,
                "rules": spec.get("rules") or [],
                "kinds": spec.get("kinds") or [],
            }
        )
    return rows
