"""Date parsing for list entries, metadata values and 发布时间 lines (docs/portal-patterns.md §5).

Portals write dates as 2023-05-12, 2023/05/12, 2023.05.12, 2023年5月12日, often with a time, a
label prefix (发布日期：, 时间：), brackets or &nbsp; padding. Homepage widgets use yearless
05-17 / [05-17], which only make sense against an as-of date. Identifiers such as the 索引号
000014348/2020-35147 must never be read as a date, so every match is anchored on digit boundaries
and checked against the calendar.
"""

from __future__ import annotations

import re
from datetime import date

# A full date: year, month, day with one consistent separator family. The look-arounds keep us out
# of longer digit runs (索引号 000014348/2020-35147, MB1686999/2023-21597, 2025-2026学年).
_FULL = re.compile(
    r"(?<![\d/.\-])((?:19|20)\d{2})\s*(?:"
    r"(?P<sep>[-/.])\s*(?P<m1>\d{1,2})\s*(?P=sep)\s*(?P<d1>\d{1,2})(?![\d/\-]|\.\d)"
    r"|年\s*(?P<m2>\d{1,2})\s*月\s*(?P<d2>\d{1,2})\s*日?(?!\d))"
)
# Yearless forms, only accepted when they are (nearly) the whole text: 05-17, [05-17], 5月17日.
_YEARLESS = re.compile(r"^[\[【(（]?\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?\s*[\]】)）]?$")
# Label prefixes portals put before a date.
_PREFIX = re.compile(
    r"^\s*[\[【(（]?\s*(?:发布|公开|成文|发文|生成|印发|更新|留言|创建|录入)?\s*(?:日期|时间)\s*[：:]\s*"
)
_TIME = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2})?\s*$")
_SPACES = re.compile(r"[\s\u00a0\u2002\u2003\u3000]+")


def _valid(y: int, m: int, d: int) -> date | None:
    if not 1949 <= y <= 2100:
        return None
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _resolve_yearless(m: int, d: int, ref: date | None) -> date | None:
    """Most recent date with this month/day that is not after `ref` (None without a ref)."""
    if ref is None:
        return None
    for year in range(ref.year, ref.year - 9, -1):
        candidate = _valid(year, m, d)
        if candidate is not None and candidate <= ref:
            return candidate
    return None


def find_full_date(text: str) -> tuple[date, str] | None:
    """First calendar-valid full date inside free text, with the matched substring."""
    if not text:
        return None
    for match in _FULL.finditer(text):
        y = int(match.group(1))
        m = match.group("m1") or match.group("m2")
        d = match.group("d1") or match.group("d2")
        found = _valid(y, int(m), int(d))
        if found is not None:
            return found, match.group(0)
    return None


def parse_date(text: str, ref: date | None = None) -> date | None:
    """Parse one date-bearing string; yearless forms are resolved against `ref`.

    Returns None for impossible dates, identifiers and yearless dates without a ref.
    """
    if not text:
        return None
    cleaned = _SPACES.sub(" ", text.replace("&nbsp;", " ")).strip()
    found = find_full_date(cleaned)
    if found is not None:
        return found[0]
    short = _PREFIX.sub("", cleaned)
    short = _TIME.sub("", short).strip()
    match = _YEARLESS.match(short)
    if match:
        return _resolve_yearless(int(match.group(1)), int(match.group(2)), ref)
    return None


def date_match_span(text: str) -> tuple[int, int] | None:
    """Where a full date sits in `text` (used to strip dates out of link text)."""
    for match in _FULL.finditer(text or ""):
        y = int(match.group(1))
        m = match.group("m1") or match.group("m2")
        d = match.group("d1") or match.group("d2")
        if _valid(y, int(m), int(d)) is not None:
            return match.start(), match.end()
    return None
