"""`zwgk review` (single, undo, import), `zwgk scores`, `zwgk rules`: the issue-4 commands."""

from __future__ import annotations

import json
from datetime import date

from typer.testing import CliRunner

from tests.rules.test_veto_scores import _night, _unit
from zwgk.cli import app
from zwgk.store.db import Store

runner = CliRunner()
D1 = date(2026, 11, 23)


def _db(tmp_path) -> str:
    url = f"sqlite:///{tmp_path}/r.db"
    store = Store(url)
    _night(store, [_unit("a", ["ghjh", "rsxx"]), _unit("b", ["ghjh"])], D1, 1)
    store.dispose()
    return url


def _export(db):
    res = runner.invoke(app, ["export", "findings", "--db", db, "--as-of", "2026-11-23"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_review_false_positive_confirm_undo_and_scores(tmp_path):
    db = _db(tmp_path)
    rows = _export(db)
    target = next(r for r in rows if r["unit"] == "b")
    assert target["review"] is None
    res = runner.invoke(
        app,
        [
            "review",
            target["fingerprint"][:12],
            "--false-positive",
            "--by",
            "张三",
            "--why",
            "栏目已并入部门预决算",
            "--db",
            db,
            "--as-of",
            "2026-11-23",
        ],
    )
    assert res.exit_code == 0, res.output
    reviewed = next(r for r in _export(db) if r["id"] == target["id"])
    assert reviewed["review"]["state"] == "false_positive" and reviewed["review"]["by"] == "张三"
    assert reviewed["status"] == "open"  # still visible
    scores = json.loads(runner.invoke(app, ["scores", "--json", "--db", db, "--as-of", "2026-11-23"]).stdout)
    b = next(u for u in scores["units"] if u["unit"] == "b")
    assert b["score"] == 100.0 and b["dismissed_findings"] == 1
    cols = json.loads(runner.invoke(app, ["export", "columns", "--db", db, "--as-of", "2026-11-23"]).stdout)
    assert next(c for c in cols if (c["unit"], c["column"]) == ("b", "ghjh"))["score"] == 100
    assert next(c for c in cols if (c["unit"], c["column"]) == ("a", "ghjh"))["score"] == 0
    res = runner.invoke(
        app, ["review", str(target["id"]), "--undo", "--by", "李四", "--db", db, "--as-of", "2026-11-23"]
    )
    assert res.exit_code == 0, res.output
    assert next(r for r in _export(db) if r["id"] == target["id"])["review"] is None


def test_review_import_and_bad_input(tmp_path):
    db = _db(tmp_path)
    rows = [r for r in _export(db) if r["unit"] == "a"]
    yml = tmp_path / "reviews.yaml"
    yml.write_text(
        "reviews:\n"
        + "".join(
            f"  - {{finding: '{r['fingerprint']}', action: confirmed, by: 王五, why: 属实}}\n" for r in rows
        ),
        encoding="utf-8",
    )
    res = runner.invoke(app, ["review", "--import", str(yml), "--db", db, "--as-of", "2026-11-23"])
    assert res.exit_code == 0, res.output
    assert all(r["review"]["state"] == "confirmed" for r in _export(db) if r["unit"] == "a")
    csv_file = tmp_path / "reviews.csv"
    csv_file.write_text(
        f"finding,action,by,why\n{rows[0]['id']},false_positive,王五,重复\n", encoding="utf-8"
    )
    assert runner.invoke(app, ["review", "--import", str(csv_file), "--db", db]).exit_code == 0
    bad = runner.invoke(app, ["review", "nosuchfinding", "--confirm", "--by", "x", "--why", "y", "--db", db])
    assert bad.exit_code == 2
    no_why = runner.invoke(app, ["review", str(rows[0]["id"]), "--confirm", "--by", "x", "--db", db])
    assert no_why.exit_code == 2
    two = runner.invoke(app, ["review", str(rows[0]["id"]), "--confirm", "--undo", "--by", "x", "--db", db])
    assert two.exit_code == 2


def test_rules_lists_every_rule_with_thresholds():
    res = runner.invoke(app, ["rules", "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    ids = {r["id"] for r in data["rules"]}
    assert {"doc.overdue", "interp.missing", "column.stale", "site.unreachable"} <= ids
    stale = next(r for r in data["rules"] if r["id"] == "column.stale")
    assert "14" in stale["thresholds_text"] and stale["deadline_workdays"] == 5 and stale["source"]
    assert {v["line"] for v in data["veto"]} >= {"blank", "columns_stale", "unreachable"}
    assert runner.invoke(app, ["rules"]).exit_code == 0
