"""Finding numbers (ZW-000123): one per finding, shown on every surface, accepted by `zwgk review`."""

from __future__ import annotations

import json
import re
from datetime import date

import openpyxl
from typer.testing import CliRunner

from tests.rules.test_veto_scores import _night, _unit
from zwgk.cli import app
from zwgk.config.catalog import load_catalog
from zwgk.cycle.notify import unit_message
from zwgk.findings.numbers import finding_number, parse_finding_number
from zwgk.reports import render_all
from zwgk.reports.views import build_daily
from zwgk.store.db import Store

runner = CliRunner()
D1 = date(2026, 11, 23)
NUMBER = re.compile(r"ZW-\d{6}")


def test_number_round_trip():
    assert finding_number(7) == "ZW-000007" and finding_number(1234567) == "ZW-1234567"
    for ref in ("ZW-000007", "zw-7", "ZW000007", " ZW-07 "):
        assert parse_finding_number(ref) == 7
    for ref in ("7", "0a1b2c3d4e", "XZ-000007", "ZW-", ""):
        assert parse_finding_number(ref) is None


def test_the_number_in_the_daily_is_the_export_number_and_review_takes_it(tmp_path):
    db = f"sqlite:///{tmp_path}/n.db"
    store = Store(db)
    _night(store, [_unit("a", ["ghjh", "rsxx"]), _unit("b", ["ghjh"])], D1, 1)
    catalog = load_catalog()
    paths = render_all(store, D1, tmp_path / "out", catalog)
    store.dispose()

    exported = json.loads(
        runner.invoke(app, ["export", "findings", "--db", db, "--as-of", D1.isoformat()]).stdout
    )
    numbers = {r["number"] for r in exported}
    assert numbers == {finding_number(r["id"]) for r in exported} and len(numbers) == len(exported) == 3

    daily = paths["daily"].read_text(encoding="utf-8")
    assert set(re.findall(r'data-number="(ZW-\d{6})"', daily)) == numbers
    unit_pages = " ".join(p.read_text(encoding="utf-8") for p in (tmp_path / "out" / "units").glob("*.html"))
    assert set(re.findall(r'data-number="(ZW-\d{6})"', unit_pages)) == numbers
    sheet = openpyxl.load_workbook(next((tmp_path / "out").glob("daily-*.xlsx")))
    ws = sheet[sheet.sheetnames[0]]
    header = [c.value for c in ws[1]]
    assert (
        header[0] == "问题编号" and {row[0] for row in ws.iter_rows(min_row=2, values_only=True)} == numbers
    )

    store = Store(db)
    with store.session() as session:
        view = build_daily(session, D1, catalog)
    store.dispose()
    unit = next(u for p in view.portals for u in p.units if u.unit_id == "b")
    message = unit_message("演示县", unit, D1, None)
    assert set(NUMBER.findall(message.body)) == {r.number for r in unit.rows}

    printed = re.search(r'data-number="(ZW-\d{6})"', daily).group(1)
    res = runner.invoke(
        app,
        [
            "review",
            printed,
            "--confirm",
            "--by",
            "李四",
            "--why",
            "经核实属实",
            "--db",
            db,
            "--as-of",
            D1.isoformat(),
        ],
    )
    assert res.exit_code == 0, res.output
    assert printed in res.stdout
    after = json.loads(
        runner.invoke(app, ["export", "findings", "--db", db, "--as-of", D1.isoformat()]).stdout
    )
    assert next(r for r in after if r["number"] == printed)["review"]["state"] == "confirmed"
    missing = runner.invoke(
        app,
        [
            "review",
            "ZW-999999",
            "--confirm",
            "--by",
            "李四",
            "--why",
            "核实",
            "--db",
            db,
            "--as-of",
            D1.isoformat(),
        ],
    )
    assert missing.exit_code == 2 and "ZW-999999" in missing.output
