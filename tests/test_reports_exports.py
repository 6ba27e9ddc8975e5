"""Findings and columns exports: keys and values per the contract, status as of a date, formats."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import openpyxl
import pytest

from tests.reports_fixtures import D1, D3, D5, D6, Builder, build_scenario
from zwgk.config.catalog import load_catalog
from zwgk.findings.history import state_as_of
from zwgk.reports.exports import (
    COLUMN_EXTRA_FIELDS,
    COLUMN_FIELDS,
    FINDING_EXTRA_FIELDS,
    FINDING_FIELDS,
    columns_rows,
    findings_rows,
    write_rows,
)
from zwgk.store.db import Store
from zwgk.store.schema import Finding


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture
def scenario(tmp_path, catalog):
    store = Store(f"sqlite:///{tmp_path}/t.db")
    ids = build_scenario(store, catalog)
    yield store, ids
    store.dispose()


def _by(rows, **match):
    out = [r for r in rows if all(r[k] == v for k, v in match.items())]
    assert len(out) == 1, (match, out)
    return out[0]


def test_findings_keys_and_values(scenario):
    store, _ = scenario
    with store.session() as s:
        rows = findings_rows(s, D6)
    assert len(rows) == 9
    for row in rows:
        assert list(row) == FINDING_FIELDS + FINDING_EXTRA_FIELDS  # contract keys first, additive after
        assert row["status"] in ("open", "rectified", "overdue")
    stale = _by(rows, rule="column.stale", unit="fgj")
    assert stale["review"] is None and stale["id"] and len(stale["fingerprint"]) == 40
    assert {k: stale[k] for k in FINDING_FIELDS} == {
        "rule": "column.stale",
        "severity": "major",
        "portal": "jiyang",
        "unit": "fgj",
        "column": "gzdt",
        "url": "http://www.jiyang.example/xxgk/fgj/gzdt/",
        "message": "「工作动态」栏目最近更新于 2024-01-10，已 56 天未更新（限 14 天）",
        "evidence": {
            "newest": "2024-01-10",
            "age_days": 56,
            "limit_days": 14,
            "newest_title": "区发改局召开工作会议",
            "date_source": "list",
        },
        "first_seen": "2024-02-20",
        "last_seen": "2024-03-06",
        "status": "overdue",
        "deadline": "2024-02-25",
    }
    missing = _by(rows, rule="column.missing")
    assert missing["url"] is None and missing["column"] == "ghjh" and missing["status"] == "open"
    unreachable = _by(rows, rule="site.unreachable")
    assert unreachable["column"] is None and unreachable["unit"] == "jyj"
    assert _by(rows, rule="column.placeholder")["status"] == "rectified"
    assert _by(rows, rule="column.undated", column="jgzn")["status"] == "rectified"


def test_status_as_of_from_history(scenario):
    """A finding rectified on day 5 shows open as of day 3; findings first seen later are absent."""
    store, _ = scenario
    with store.session() as s:
        day3 = findings_rows(s, D3)
        day5 = findings_rows(s, D5)
        day1 = findings_rows(s, D1)
    placeholder = _by(day3, rule="column.placeholder")
    assert placeholder["status"] == "open"
    assert placeholder["last_seen"] == D3.isoformat()
    assert placeholder["deadline"] == "2024-03-06"
    assert _by(day5, rule="column.placeholder")["status"] == "rectified"
    assert _by(day5, rule="column.undated", column="jgzn")["status"] == "open"  # rectified on day 6
    assert {r["rule"] for r in day3} == {"column.stale", "column.placeholder", "column.undated"}
    assert len(day3) == 5
    assert not any(r["rule"] in ("column.blank", "column.missing", "text.typo") for r in day3)
    stale3 = _by(day3, rule="column.stale", unit="fgj")
    assert stale3["status"] == "overdue" and stale3["last_seen"] == "2024-03-03"
    assert _by(day1, rule="column.stale", unit="fgj")["last_seen"] == "2024-03-01"
    with store.session() as s:
        assert findings_rows(s, date(2024, 2, 1)) == []


def test_reopened_finding_history(tmp_path, catalog):
    store = Store(f"sqlite:///{tmp_path}/r.db")
    with store.session() as s:
        b = Builder(s, catalog)
        b.portal("p", "某市人民政府", "http://p.example/")
        b.unit("p", "u", "某局", "department", "http://p.example/u/")
        b.finding(
            "column.blank",
            "major",
            "p",
            "u",
            "tzgg",
            "http://p.example/u/tzgg/",
            "空白",
            events=[
                ("opened", date(2024, 1, 1)),
                ("overdue", date(2024, 1, 8)),
                ("rectified", date(2024, 1, 10)),
                ("reopened", date(2024, 2, 1)),
                ("seen", date(2024, 2, 3)),
            ],
        )
    with store.session() as s:
        f = s.query(Finding).one()
        assert (f.status, f.deadline) == ("open", date(2024, 2, 6))
        states = {
            d: state_as_of(f, d)
            for d in (
                date(2024, 1, 2),
                date(2024, 1, 9),
                date(2024, 1, 20),
                date(2024, 2, 2),
                date(2024, 2, 5),
            )
        }
    assert states[date(2024, 1, 2)].status == "open"
    assert states[date(2024, 1, 2)].deadline == date(2024, 1, 6)  # the first episode's deadline
    assert states[date(2024, 1, 9)].status == "overdue"
    assert states[date(2024, 1, 20)].status == "rectified"
    assert states[date(2024, 1, 20)].rectified_on == date(2024, 1, 10)
    assert states[date(2024, 2, 2)].status == "open"
    assert states[date(2024, 2, 2)].deadline == date(2024, 2, 6)
    assert states[date(2024, 2, 5)].last_seen == date(2024, 2, 3)
    store.dispose()


def test_columns_statuses(scenario, catalog):
    store, _ = scenario
    with store.session() as s:
        rows = columns_rows(s, D6, catalog)
    for row in rows:
        assert list(row) == COLUMN_FIELDS + COLUMN_EXTRA_FIELDS  # contract keys first, additive after
        assert row["status"] in ("ok", "missing", "unreachable", "antibot", "js-shell", "truncated")
        if row["status"] in ("ok", "missing", "truncated"):
            assert 0 <= row["score"] <= 100
        else:  # a column the crawl could not see is not scored (未能检查)
            assert row["score"] is None
    per_unit = {}
    for row in rows:
        per_unit.setdefault(row["unit"], []).append(row)
    assert {u: len(v) for u, v in per_unit.items()} == {
        "gov": 13,  # with 政务咨询 (zwzx)
        "fgj": 11,
        "jyj": 11,
        "wsj": 11,
        "xz1": 8,
        "xz2": 8,
    }
    assert [r["column"] for r in per_unit["xz1"]] == [c.id for c in catalog.required_columns("township")]
    # reachable unit
    assert _by(rows, unit="fgj", column="gzdt") == {
        "portal": "jiyang",
        "unit": "fgj",
        "column": "gzdt",
        "name": "工作动态",
        "url": "http://www.jiyang.example/xxgk/fgj/gzdt/",
        "status": "ok",
        "entries": 2,
        "newest": "2024-01-10",
        "score": 40,
        "findings": ["column.stale"],
        # additive: what each rule costs the column, and the evidence behind it
        "deductions": [{"rule": "column.stale", "title": "栏目不更新", "points": 60}],
        "evidence": [
            {
                "rule": "column.stale",
                "url": "http://www.jiyang.example/xxgk/fgj/gzdt/",
                "message": "「工作动态」栏目最近更新于 2024-01-10，已 56 天未更新（限 14 天）",
            }
        ],
    }
    assert _by(rows, unit="fgj", column="ghjh") == {
        "portal": "jiyang",
        "unit": "fgj",
        "column": "ghjh",
        "name": "规划计划",
        "url": None,
        "status": "missing",
        "entries": 0,
        "newest": None,
        "score": 0,
        "findings": ["column.missing"],
        "deductions": [{"rule": "column.missing", "title": "栏目缺失", "points": 100}],
        "evidence": [{"rule": "column.missing", "url": None, "message": "未找到「规划计划」栏目"}],
    }
    tzgg = _by(rows, unit="fgj", column="tzgg")
    assert (tzgg["status"], tzgg["entries"], tzgg["score"], tzgg["findings"]) == (
        "ok",
        0,
        0,
        ["column.blank"],
    )
    czyjs = _by(rows, unit="fgj", column="czyjs")  # its finding was rectified on day 5
    assert (czyjs["score"], czyjs["findings"], czyjs["deductions"], czyjs["evidence"]) == (100, [], [], [])
    assert _by(rows, unit="fgj", column="zcwj")["findings"] == ["column.undated"]
    # unreachable unit: every column unreachable, nothing counted
    assert {r["status"] for r in per_unit["jyj"]} == {"unreachable"}
    assert {r["entries"] for r in per_unit["jyj"]} == {None}
    # anti-bot unit: every column antibot; an older finding stays open (a failed fetch closes nothing),
    # and the column, not seen tonight, is not scored (未能检查)
    assert {r["status"] for r in per_unit["wsj"]} == {"antibot"}
    rsxx = _by(rows, unit="wsj", column="rsxx")
    assert (rsxx["findings"], rsxx["score"]) == (["column.stale"], None)
    # per-column crawl problems
    assert _by(rows, unit="gov", column="rsxx")["status"] == "js-shell"
    assert _by(rows, unit="gov", column="zdjc")["status"] == "unreachable"  # snapshot error (HTTP 500)
    assert _by(rows, unit="gov", column="xxgknb")["status"] == "missing"  # link answers 404
    with store.session() as s:
        assert columns_rows(s, date(2024, 1, 1), catalog) == []  # no crawl by then


FINDING = {
    "rule": "column.blank",
    "severity": "major",
    "portal": "p",
    "unit": "u",
    "column": "tzgg",
    "url": '=HYPERLINK("http://evil.example")',
    "message": "「通知公告」栏目无任何信息",
    "evidence": {"placeholder": "暂无信息", "entries": 0},
    "first_seen": "2024-03-01",
    "last_seen": "2024-03-06",
    "status": "open",
    "deadline": "2024-03-06",
}
COLUMN = {
    "portal": "p",
    "unit": "u",
    "column": "gzdt",
    "name": "工作动态",
    "url": None,
    "status": "ok",
    "entries": 3,
    "newest": "2024-03-01",
    "score": 40,
    "findings": ["column.stale"],
}


def test_write_json(tmp_path, capsys):
    out = tmp_path / "f.json"
    write_rows([FINDING], "json", out)
    raw = out.read_bytes()
    assert "通知公告".encode() in raw  # ensure_ascii=False
    assert json.loads(raw.decode("utf-8")) == [FINDING]
    assert b"\n  " in raw  # indented
    write_rows([COLUMN], "json", None)
    assert json.loads(capsys.readouterr().out) == [COLUMN]


def test_write_csv(tmp_path, capsys):
    out = tmp_path / "f.csv"
    write_rows([FINDING], "csv", out)
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == FINDING_FIELDS
    assert rows[0]["message"] == FINDING["message"]
    assert json.loads(rows[0]["evidence"]) == FINDING["evidence"]
    # a crawled value a spreadsheet would evaluate keeps its text behind an apostrophe
    assert FINDING["url"].startswith("=") and rows[0]["url"] == "'" + FINDING["url"]
    write_rows([COLUMN], "csv", tmp_path / "c.csv")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "c.csv").read_text(encoding="utf-8-sig"), newline="")))
    assert rows[0]["url"] == "" and json.loads(rows[0]["findings"]) == ["column.stale"]
    assert rows[0]["score"] == "40"
    write_rows([], "csv", tmp_path / "e.csv", fields=COLUMN_FIELDS)
    assert (tmp_path / "e.csv").read_text(encoding="utf-8-sig").strip() == ",".join(COLUMN_FIELDS)


def test_write_xlsx(tmp_path):
    out = tmp_path / "f.xlsx"
    write_rows([FINDING, {**FINDING, "status": "overdue", "url": None}], "xlsx", out)
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header == FINDING_FIELDS
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "A2"
    values = dict(zip(header, [c.value for c in ws[2]], strict=True))
    assert values["message"] == FINDING["message"]
    assert json.loads(values["evidence"]) == FINDING["evidence"]
    assert values["url"] == FINDING["url"]  # crawled text stays text, not a formula
    assert ws.cell(row=2, column=header.index("url") + 1).data_type == "s"
    assert values["first_seen"] == "2024-03-01"
    assert ws.cell(row=3, column=header.index("url") + 1).value is None
    assert ws.cell(row=3, column=header.index("status") + 1).value == "overdue"
    widths = {k: ws.column_dimensions[k].width for k in "ABCDEFG"}
    assert widths["G"] > widths["A"]  # message wider than rule
    write_rows([COLUMN], "xlsx", tmp_path / "c.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "c.xlsx").active
    row = dict(zip([c.value for c in ws[1]], [c.value for c in ws[2]], strict=True))
    assert row["score"] == 40 and row["entries"] == 3 and json.loads(row["findings"]) == ["column.stale"]


def test_xlsx_needs_file_and_format_checked():
    from zwgk.errors import BadInput

    with pytest.raises(BadInput):
        write_rows([FINDING], "xlsx", None)
    with pytest.raises(BadInput):
        write_rows([FINDING], "xml", None)


def test_scenario_exports_roundtrip(scenario, catalog, tmp_path):
    store, _ = scenario
    with store.session() as s:
        findings = findings_rows(s, D6)
        columns = columns_rows(s, D6, catalog)
    write_rows(findings, "json", tmp_path / "f.json")
    assert json.loads((tmp_path / "f.json").read_text(encoding="utf-8")) == findings
    write_rows(columns, "xlsx", tmp_path / "c.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "c.xlsx").active
    assert ws.max_row == len(columns) + 1
