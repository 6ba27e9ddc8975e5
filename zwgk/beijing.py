"""Beijing time: stored times are naive UTC; every time a person reads is Asia/Shanghai, and says so.

A nightly crawl at 01:00 北京时间 is 17:00 UTC the day before: shown in UTC, every piece of evidence
would carry the previous day's date. One helper for every surface (reports, evidence, exports,
notifications, CLI) keeps them in agreement.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

BEIJING = ZoneInfo("Asia/Shanghai")
LABEL = "北京时间"


def to_beijing(when: datetime) -> datetime:
    """An aware Beijing time from a stored (naive UTC) or aware datetime."""
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(BEIJING)


def shown(when: datetime | None, fmt: str = "%Y-%m-%d %H:%M", label: bool = True) -> str:
    """A stored time as a person reads it: `2026-12-06 01:05（北京时间）`; '' for None."""
    if when is None:
        return ""
    text = to_beijing(when).strftime(fmt)
    return f"{text}（{LABEL}）" if label else text


def iso(when: datetime | None) -> str | None:
    """A stored time for machine-readable output: ISO 8601 with the +08:00 offset."""
    return to_beijing(when).isoformat(timespec="seconds") if when is not None else None


def now() -> datetime:
    """Now, in Beijing time (aware)."""
    return datetime.now(BEIJING)


def today() -> date:
    """Today's date in Beijing: the default as-of date of every command."""
    return now().date()
