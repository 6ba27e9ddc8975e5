"""Run the rules over units' observations: one finding per column problem, the most specific."""

from __future__ import annotations

from collections.abc import Iterable

from zwgk.rules.base import ColumnRule
from zwgk.rules.model import CheckContext, FindingDraft, UnitObs
from zwgk.rules.registry import all_rules, column_rules


def check_unit(unit: UnitObs, ctx: CheckContext) -> list[FindingDraft]:
    """All findings for one unit on the context's as-of date."""
    drafts: list[FindingDraft] = []
    for rule in all_rules():
        if not isinstance(rule, ColumnRule):
            drafts.extend(rule.check(unit, ctx))
    if unit.entry_status != "ok":
        # The columns behind a failed or challenged entry page are unknown, not missing.
        return drafts
    ordered = column_rules()
    for column in unit.columns.values():
        if not ctx.catalog.column_rules_apply(column.column_id):
            continue  # a kind judged by its own rules (互动交流: interact.*)
        for rule in ordered:
            draft = rule.check_column(column, unit, ctx)
            if draft:
                drafts.append(draft)
                break
    return drafts


def check_units(units: Iterable[UnitObs], ctx: CheckContext) -> list[FindingDraft]:
    out: list[FindingDraft] = []
    for unit in units:
        out.extend(check_unit(unit, ctx))
    return out
