"""Every time a person reads is Beijing time and says so: a night whose crawl ran at 01:05 北京时间
(17:05 UTC the day before, as stored) carries its own date on every surface, never the day before."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

import pytest
from typer.testing import CliRunner

from tests.rules.test_veto_scores import _night, _unit
from zwgk.beijing import iso, shown, to_beijing
from zwgk.cli import app
from zwgk.config.catalog import load_catalog
from zwgk.cycle.notify import run_problems
from zwgk.cycle.runlock import LockHeld, run_lock
from zwgk.reports import render_all
from zwgk.store.db import Store
from zwgk.store.schema import Lock, Run, Snapshot

DAY = date(2026, 12, 6)
STORED_START = datetime(2026, 12, 5, 17, 5)  # naive UTC = 2026-12-06 01:05 Beijing
BEFORE = "2026-12-05"


def test_helpers():
    assert shown(STORED_START) == "2026-12-06 01:05（北京时间）"
    assert iso(STORED_START) == "2026-12-06T01:05:00+08:00"
    assert to_beijing(STORED_START).date() == DAY
    assert shown(None) == "" and iso(None) is None


def _a_night_at_0105(tmp_path) -> str:
    db = f"sqlite:///{tmp_path}/bj.db"
    store = Store(db)
    _night(store, [_unit("a", ["ghjh"]), _unit("b", [])], DAY, 1)
    with store.session() as s:
        for run in s.query(Run):
            run.started_at, run.finished_at = STORED_START, STORED_START.replace(minute=45)
        for snap in s.query(Snapshot):
            snap.fetched_at = STORED_START.replace(minute=6)
    store.dispose()
    return db


def test_a_night_at_0105_beijing_carries_its_own_date_everywhere(tmp_path):
    db = _a_night_at_0105(tmp_path)
    store = Store(db)
    paths = render_all(store, DAY, tmp_path / "out", load_catalog())
    pages = [paths["daily"], *(tmp_path / "out").rglob("*.html")]
    text = " ".join(p.read_text(encoding="utf-8") for p in pages)
    assert "2026-12-06 01:05（北京时间）" in paths["daily"].read_text(encoding="utf-8")
    assert BEFORE not in text

    status = CliRunner().invoke(app, ["status", "--db", db, "--json"])
    runs = json.loads(status.stdout)["runs"]
    assert {r["started_at"] for r in runs} == {"2026-12-06T01:05:00+08:00"}
    assert BEFORE not in CliRunner().invoke(app, ["status", "--db", db]).stdout

    with store.session() as s:
        s.query(Run).filter(Run.stage == "crawl").update({"status": "running"})
    with store.session() as s:
        problems = " ".join(run_problems(s, DAY, 0.8))
    assert "开始于 2026-12-06 01:05（北京时间）" in problems and BEFORE not in problems

    with store.session() as s:
        s.add(
            Lock(
                name="cycle",
                token="t",
                holder_pid=1,
                holder_host="elsewhere",
                started_at=STORED_START,
                command="zwgk schedule: nightly",
            )
        )
    with pytest.raises(LockHeld) as held, run_lock(store, max_age=timedelta(days=30)):
        pass
    assert "2026-12-06 01:05" in str(held.value) and BEFORE not in str(held.value)
    store.dispose()
