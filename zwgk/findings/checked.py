"""未能检查: a unit or column the crawl could not see has no score and no grade, and says why.

A department whose portal was unreachable, behind an anti-bot wall or built by script was not
assessed: scoring it 100 (nothing found) would rank it above units that were checked and found
wanting. Every score, count, average, ranking and grade reads this one definition.
"""

from __future__ import annotations

# Entry-page statuses under which a unit's columns were actually checked.
CHECKED_STATUSES = ("ok", "truncated")
UNCHECKED_LABEL = "未能检查"
_REASONS = {
    "unreachable": "无法访问",
    "error": "无法访问",
    "antibot": "反爬虫拦截",
    "js-shell": "脚本渲染",
    "unrecognized": "无法识别",
}


def is_checked(entry_status: str | None) -> bool:
    """Could the unit's columns be checked, given how its 信息公开 entry page answered?"""
    return entry_status in CHECKED_STATUSES


def unchecked_reason(entry_status: str | None) -> str:
    """Why a unit was not checked, as a reader is told: 无法访问 / 反爬虫拦截 / 脚本渲染 / 无法识别."""
    return _REASONS.get(entry_status or "", "未抓取")


def assessed(score_row: dict | None) -> bool:
    """Was the unit assessed (graded) on a date, by its unit_scores row (a unit not checked that
    night has no grade)?"""
    return score_row is not None and score_row.get("grade") is not None
