"""Working days (工作日) with the Chinese public-holiday calendar. Pure: no clock, no network.

A day is a working day when it is not a public holiday and is either Monday–Friday or an
adjusted weekend workday (调休上班, e.g. Saturday 2026-10-10). Three sources, in this order:

1. a holiday file in the configuration (catalog key `holidays`, or `load_holiday_file`): for
   years the package does not know yet, or to correct a year locally;
2. the `chinesecalendar` package (years the State Council has announced; it stops at 2026 in
   version 1.11);
3. neither knows the year: Monday–Friday are counted as working days, and `coverage(year)` says
   so ("weekdays") so that reports can show that a deadline is provisional. Nothing ever raises
   for an unknown year.

Deadlines: `add_workdays(start, n)` is the n-th working day after `start` (start itself not
counted), so a finding first seen on Wednesday 2026-09-30 with 3 working days is due on
Saturday 2026-10-10 (10-01..10-07 国庆中秋 holidays, 10-08, 10-09, then the adjusted 10-10).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from zwgk.config.yamlines import load_mapping
from zwgk.errors import BadInput

COVERAGE_LABELS = {
    "config": "按配置的节假日安排计算",
    "chinesecalendar": "按国务院公布的节假日安排计算",
    "weekdays": "该年度节假日安排尚未公布，暂按周一至周五计算",
}


@dataclass(frozen=True)
class YearDays:
    """One year's announced holidays and adjusted (weekend) workdays."""

    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()


def _package_year_known(year: int) -> bool:
    try:
        import chinese_calendar
    except ImportError:  # pragma: no cover - a dependency, but never crash on its absence
        return False
    try:
        chinese_calendar.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _package_is_workday(day: date) -> bool:
    import chinese_calendar

    return bool(chinese_calendar.is_workday(day))


@dataclass(frozen=True)
class WorkCalendar:
    """A working-day calendar: configured years first, then chinesecalendar, then Monday–Friday."""

    years: Mapping[int, YearDays] = field(default_factory=dict)

    def coverage(self, year: int) -> str:
        """'config', 'chinesecalendar' or 'weekdays' (the year is not known: Monday–Friday counted)."""
        if year in self.years:
            return "config"
        return "chinesecalendar" if _known(year) else "weekdays"

    def is_workday(self, day: date) -> bool:
        source = self.coverage(day.year)
        if source == "config":
            yd = self.years[day.year]
            if day in yd.workdays:
                return True
            if day in yd.holidays:
                return False
            return day.weekday() < 5
        if source == "chinesecalendar":
            return _package_is_workday(day)
        return day.weekday() < 5

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after `start` (n ≤ 0: `start` itself)."""
        day, left = start, n
        while left > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                left -= 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.workdays_between(end, start)
        return sum(1 for i in range(1, (end - start).days + 1) if self.is_workday(start + timedelta(days=i)))

    def uncovered_years(self, start: date, end: date) -> list[int]:
        """Years between the two dates counted Monday–Friday because no calendar knows them."""
        lo, hi = sorted((start, end))
        return [y for y in range(lo.year, hi.year + 1) if self.coverage(y) == "weekdays"]

    def note(self, start: date, end: date) -> str | None:
        """A visible remark when a span was counted without a holiday calendar, else None."""
        years = self.uncovered_years(start, end)
        if not years:
            return None
        listed = "、".join(str(y) for y in years)
        return f"{listed}年节假日安排未公布（未配置），工作日暂按周一至周五计算，期限可能需调整"


_KNOWN: dict[int, bool] = {}


def _known(year: int) -> bool:
    if year not in _KNOWN:
        _KNOWN[year] = _package_year_known(year)
    return _KNOWN[year]


def calendar_coverage(year: int, calendar: WorkCalendar | None = None) -> dict[str, Any]:
    """For reports: how working days of `year` are counted, and a Chinese label to show."""
    cal = calendar or WorkCalendar()
    source = cal.coverage(year)
    return {
        "year": year,
        "source": source,
        "provisional": source == "weekdays",
        "label": COVERAGE_LABELS[source],
    }


# -- configuration -------------------------------------------------------------------------------------


def _dates(value: Any, where: str) -> set[date]:
    """Dates from a list of 'YYYY-MM-DD' or 'YYYY-MM-DD..YYYY-MM-DD' ranges (YAML dates accepted)."""
    out: set[date] = set()
    for item in value or []:
        if isinstance(item, date):
            out.add(item)
            continue
        text = str(item).strip()
        try:
            if ".." in text:
                a, b = (date.fromisoformat(p.strip()) for p in text.split("..", 1))
                if b < a:
                    raise ValueError("日期范围的结束早于开始")
                out.update(a + timedelta(days=i) for i in range((b - a).days + 1))
            else:
                out.add(date.fromisoformat(text))
        except ValueError as exc:
            raise ValueError(f"{where}：不是日期或日期范围：{text!r}（{exc}）") from None
    return out


def parse_years(data: Mapping[Any, Any] | None) -> dict[int, YearDays]:
    """{year: {holidays: [...], workdays: [...]}} → {year: YearDays}; dates must lie in their year."""
    years: dict[int, YearDays] = {}
    for key, spec in (data or {}).items():
        try:
            year = int(key)
        except (TypeError, ValueError):
            raise ValueError(f"holidays：年份 {key!r} 不是数字") from None
        spec = spec or {}
        if not isinstance(spec, Mapping):
            raise ValueError(f"holidays.{year}：应为 holidays、workdays 两个列表")
        unknown = set(spec) - {"holidays", "workdays", "source"}
        if unknown:
            raise ValueError(f"holidays.{year}：未知字段 {sorted(unknown)}")
        hol = _dates(spec.get("holidays"), f"holidays.{year}.holidays")
        work = _dates(spec.get("workdays"), f"holidays.{year}.workdays")
        stray = sorted(d for d in hol | work if d.year != year)
        if stray:
            raise ValueError(f"holidays.{year}：日期不在该年内：{stray[0].isoformat()}")
        years[year] = YearDays(frozenset(hol), frozenset(work))
    return years


def load_holiday_file(path: str | Path) -> dict[int, YearDays]:
    """A holiday file: `years: {2027: {holidays: [2027-01-01, 2027-02-05..2027-02-13], workdays: [...]}}`."""
    src = Path(path)
    data = load_mapping(src, "节假日文件（含 years）")
    try:
        return parse_years(data.get("years", data))
    except ValueError as exc:
        raise BadInput(str(exc), path=str(src)) from None


def merged(*sources: Iterable[tuple[int, YearDays]] | Mapping[int, YearDays]) -> WorkCalendar:
    years: dict[int, YearDays] = {}
    for src in sources:
        items = src.items() if isinstance(src, Mapping) else src
        for year, yd in items:
            years[year] = yd
    return WorkCalendar(years)
