"""Working days with the Chinese holiday calendar; deadlines per severity; later years never crash."""

from __future__ import annotations

from datetime import date

import pytest

from zwgk.config.catalog import load_catalog
from zwgk.config.workdays import WorkCalendar, calendar_coverage, load_holiday_file, parse_years
from zwgk.errors import BadInput
from zwgk.findings.lifecycle import deadline_for

CATALOG = load_catalog()
CAL = WorkCalendar()

# (first seen, working days, deadline, why)
DEADLINES = [
    (
        "2026-09-30",
        3,
        "2026-10-10",
        "国庆中秋 10-01..07 off; 10-08, 10-09, then Saturday 10-10 is an adjusted workday",
    ),
    ("2026-09-24", 1, "2026-09-28", "中秋 09-25 (Fri) off, weekend 09-26/27 off"),
    ("2026-09-18", 1, "2026-09-20", "Sunday 09-20 is an adjusted workday"),
    ("2026-02-12", 3, "2026-02-24", "春节: 02-13, Saturday 02-14 adjusted, 02-15..23 off, 02-24"),
    ("2026-02-12", 5, "2026-02-26", "春节 continued"),
    ("2026-02-26", 2, "2026-02-28", "Saturday 02-28 is an adjusted workday"),
    ("2026-11-20", 5, "2026-11-27", "an ordinary week: Friday + 5 = next Friday"),
    ("2026-11-23", 0, "2026-11-23", "zero days: the same day"),
]


@pytest.mark.parametrize(("start", "n", "due", "why"), DEADLINES, ids=[d[0] + f"+{d[1]}" for d in DEADLINES])
def test_add_workdays(start, n, due, why):
    assert CAL.add_workdays(date.fromisoformat(start), n) == date.fromisoformat(due), why


def test_deadline_per_severity_in_working_days():
    assert CATALOG.deadline_days("veto") == 3 and CATALOG.deadline_days("major") == 5
    assert deadline_for("veto", date(2026, 9, 30), CATALOG) == date(2026, 10, 10)
    assert deadline_for("major", date(2026, 9, 30), CATALOG) == date(2026, 10, 13)
    assert deadline_for("minor", date(2026, 2, 12), CATALOG) == date(
        2026, 3, 4
    )  # 02-14, 02-28 adjusted count
    assert deadline_for("unknown", date(2026, 11, 2), CATALOG) == CAL.add_workdays(date(2026, 11, 2), 10)


def test_workdays_between():
    assert CAL.workdays_between(date(2026, 11, 13), date(2026, 11, 20)) == 5
    assert CAL.workdays_between(date(2026, 11, 13), date(2026, 11, 23)) == 6
    assert CAL.workdays_between(date(2026, 9, 29), date(2026, 10, 12)) == 5
    assert CAL.workdays_between(date(2026, 10, 12), date(2026, 9, 29)) == -5


def test_unknown_year_counts_weekdays_and_says_so():
    assert CAL.coverage(2026) == "chinesecalendar"
    assert CAL.coverage(2031) == "weekdays"
    # 2031-01-01 is a Wednesday: no holiday known, so it counts.
    assert CAL.add_workdays(date(2030, 12, 31), 1) == date(2031, 1, 1)
    cov = calendar_coverage(2031)
    assert cov["provisional"] is True and "周一至周五" in cov["label"]
    assert CAL.note(date(2026, 12, 30), date(2031, 1, 6)) and "2031" in CAL.note(
        date(2026, 12, 30), date(2031, 1, 6)
    )
    assert CAL.note(date(2026, 11, 2), date(2026, 11, 9)) is None


def test_holiday_file_for_a_later_year(tmp_path):
    path = tmp_path / "holidays.yml"
    path.write_text(
        "years:\n  2031:\n    holidays: ['2031-01-01', '2031-01-22..2031-01-28']\n"
        "    workdays: ['2031-01-19']\n",
        encoding="utf-8",
    )
    cal = WorkCalendar(load_holiday_file(path))
    assert cal.coverage(2031) == "config" and cal.note(date(2031, 1, 1), date(2031, 2, 1)) is None
    assert cal.add_workdays(date(2030, 12, 31), 1) == date(2031, 1, 2)  # 01-01 off
    assert cal.is_workday(date(2031, 1, 19))  # an adjusted Sunday
    assert cal.add_workdays(date(2031, 1, 21), 1) == date(2031, 1, 29)


def test_holidays_in_a_catalog_override(tmp_path):
    (tmp_path / "hol.yml").write_text("years: {2031: {holidays: ['2031-01-01']}}\n", encoding="utf-8")
    override = tmp_path / "local.yml"
    override.write_text(
        "holidays_file: hol.yml\nholidays: {2032: {holidays: ['2032-01-01']}}\ndeadlines: {major: 3}\n",
        encoding="utf-8",
    )
    cat = load_catalog(override)
    assert cat.calendar.coverage(2031) == "config" and cat.calendar.coverage(2032) == "config"
    assert not cat.calendar.is_workday(date(2032, 1, 1))
    assert deadline_for("major", date(2030, 12, 31), cat) == date(2031, 1, 6)  # 01-01 off


@pytest.mark.parametrize(
    "text",
    [
        "years: {2031: {holidays: ['2031-13-01']}}",
        "years: {2031: {holidays: ['2030-12-31']}}",
        "years: {2031: {feasts: []}}",
        "years: [\n",
    ],
)
def test_bad_holiday_file(tmp_path, text):
    path = tmp_path / "bad.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadInput, match=r"bad\.yml"):
        load_holiday_file(path)


def test_parse_years_ranges():
    years = parse_years({2031: {"holidays": ["2031-10-01..2031-10-07"]}})
    assert len(years[2031].holidays) == 7
