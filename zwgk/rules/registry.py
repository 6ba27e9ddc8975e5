"""The explicit list of rules (sqlfluff-style registration: no import magic)."""

from __future__ import annotations

from zwgk.rules.base import ColumnRule, Rule
from zwgk.rules.checks.column_blank import ColumnBlank
from zwgk.rules.checks.column_missing import ColumnMissing
from zwgk.rules.checks.column_placeholder import ColumnPlaceholder
from zwgk.rules.checks.column_stale import ColumnStale
from zwgk.rules.checks.column_undated import ColumnUndated
from zwgk.rules.checks.date_future import DateFuture
from zwgk.rules.checks.doc_overdue import DocOverdue
from zwgk.rules.checks.interact_nochannel import InteractNoChannel
from zwgk.rules.checks.interact_unanswered import InteractUnanswered
from zwgk.rules.checks.interp_missing import InterpMissing
from zwgk.rules.checks.link_broken import LinkBroken
from zwgk.rules.checks.meta_incomplete import MetaIncomplete
from zwgk.rules.checks.privacy_exposed import PrivacyExposed
from zwgk.rules.checks.site_identity import SiteIdentity
from zwgk.rules.checks.site_tls import SiteTls
from zwgk.rules.checks.site_unreachable import SiteUnreachable
from zwgk.rules.checks.text_typo import TextTypo
from zwgk.rules.model import Scope

RULES: list[type[Rule]] = [
    SiteUnreachable,
    ColumnMissing,
    ColumnBlank,
    ColumnPlaceholder,
    ColumnUndated,
    ColumnStale,
    DocOverdue,
    InterpMissing,
    LinkBroken,
    MetaIncomplete,
    TextTypo,
    SiteIdentity,
    SiteTls,
    DateFuture,
    PrivacyExposed,
    InteractNoChannel,
    InteractUnanswered,
]


def all_rules() -> list[Rule]:
    return [cls() for cls in RULES]


def rule_titles() -> dict[str, str]:
    """Rule id → its Chinese title: the one naming every report, spreadsheet and message uses."""
    return {cls.id: cls.title for cls in RULES}


def link_rules() -> list[str]:
    """Ids of the rules whose findings are about one link: the crawl re-checks their open findings'
    URLs every night, whatever its caps, so none is closed for want of a look."""
    return [cls.id for cls in RULES if cls.scope == Scope.LINK]


def rule_by_id(rule_id: str) -> Rule:
    for cls in RULES:
        if cls.id == rule_id:
            return cls()
    raise KeyError(rule_id)


def column_rules() -> list[ColumnRule]:
    return sorted((r for r in all_rules() if isinstance(r, ColumnRule)), key=lambda r: r.precedence)
