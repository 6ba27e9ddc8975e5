"""`zwgk status` and crawl coverage on a store with runs."""

from __future__ import annotations

import json
from datetime import date, datetime

from apscheduler.schedulers.background import BackgroundScheduler
from typer.testing import CliRunner

from zwgk.cli import app
from zwgk.cycle.runlock import run_lock
from zwgk.scheduler import build_scheduler, load_config
from zwgk.store.coverage import crawl_coverage
from zwgk.store.db import Store
from zwgk.store.schema import Portal, Run, Snapshot, Unit

AS_OF = date(2026, 3, 2)


def _snap(run_id, portal, unit, target, status):
    return Snapshot(
        run_id=run_id,
        portal_id=portal,
        unit_id=unit,
        target=target,
        status=status,
        fetched_at=datetime(2026, 3, 1, 17, 5),
        details={},
    )


def seeded(tmp_path) -> tuple[Store, int]:
    """Three portals, four units; the night's crawl reached two units (one behind an anti-bot wall)."""
    store = Store(f"sqlite:///{tmp_path}/st.db")
    with store.session() as s:
        for pid in ("a", "b", "c"):
            s.add(Portal(id=pid, name=f"{pid}区人民政府", home=f"http://{pid}.example/"))
        s.flush()
        for pid, uid, profile in (
            ("a", "gov", "government"),
            ("a", "fgj", "department"),
            ("b", "gov", "government"),
            ("c", "x", "township"),
        ):
            s.add(
                Unit(
                    portal_id=pid,
                    unit_id=uid,
                    name=uid,
                    profile=profile,
                    entry=f"http://{pid}.example/{uid}/",
                )
            )
        old = Run(
            stage="crawl",
            as_of=date(2026, 3, 1),
            started_at=datetime(2026, 2, 28, 17, 0),
            finished_at=datetime(2026, 2, 28, 18, 0),
            status="ok",
            counts={},
        )
        crawl = Run(
            stage="crawl",
            as_of=AS_OF,
            started_at=datetime(2026, 3, 1, 17, 0),
            finished_at=datetime(2026, 3, 1, 19, 30),
            status="ok",
            counts={"requests": 120, "entry_ok": 1, "entry_antibot": 1, "entry_unreachable": 1},
        )
        s.add_all([old, crawl])
        s.flush()
        s.add_all(
            [
                _snap(crawl.id, "a", "gov", "home", "ok"),
                _snap(crawl.id, "a", "gov", "entry", "ok"),
                _snap(crawl.id, "a", "gov", "column:zcwj", "ok"),
                _snap(crawl.id, "a", "fgj", "entry", "antibot"),
                _snap(crawl.id, "b", "gov", "home", "unreachable"),
                _snap(crawl.id, "b", "gov", "entry", "unreachable"),
                _snap(old.id, "c", "x", "entry", "ok"),  # reached the night before, not this one
            ]
        )
        s.add(
            Run(
                stage="check",
                as_of=AS_OF,
                started_at=datetime(2026, 3, 1, 19, 31),
                finished_at=datetime(2026, 3, 1, 19, 32),
                status="ok",
                crawl_run_id=crawl.id,
                counts={"opened": 7, "units": 3},
            )
        )
        s.add(
            Run(
                stage="report",
                as_of=AS_OF,
                started_at=datetime(2026, 3, 2, 0, 0),
                finished_at=datetime(2026, 3, 2, 0, 0, 1),
                status="unavailable",
                counts={"report": "weekly"},
                error="周通报报告功能在此安装中不可用",
            )
        )
        crawl_id = crawl.id
    return store, crawl_id


def test_crawl_coverage(tmp_path):
    store, crawl_id = seeded(tmp_path)
    try:
        with store.session() as s:
            cov = crawl_coverage(s, crawl_id)
    finally:
        store.dispose()
    assert cov == {
        "units_total": 4,
        "units_reached": 2,
        "portals_total": 3,
        "portals_reached": 1,
        "units_missed": ["b/gov", "c/x"],
    }


def test_status_json(tmp_path):
    store, crawl_id = seeded(tmp_path)
    store.dispose()
    result = CliRunner().invoke(app, ["status", "--db", f"sqlite:///{tmp_path}/st.db", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(r["stage"], r["status"]) for r in data["runs"]] == [
        ("report", "unavailable"),
        ("check", "ok"),
        ("crawl", "ok"),
        ("crawl", "ok"),
    ]
    crawl = data["runs"][2]
    assert crawl["id"] == crawl_id and crawl["as_of"] == "2026-03-02" and crawl["duration_s"] == 9000
    assert crawl["counts"]["requests"] == 120 and crawl["started_at"] == "2026-03-02T01:00:00+08:00"
    assert "不可用" in data["runs"][0]["error"]
    assert data["coverage"]["run_id"] == crawl_id
    assert (data["coverage"]["units_reached"], data["coverage"]["units_total"]) == (2, 4)
    assert data["next_runs"] is None and data["lock"] is None


def test_status_text_with_schedule_and_lock(tmp_path):
    store, _ = seeded(tmp_path)
    sched = build_scheduler(
        load_config(),
        store.engine,
        {"sites": "/x/sites.yml", "db": store.url, "out": "/x/reports", "catalog": None},
        scheduler=BackgroundScheduler(),
    )
    sched.start()
    sched.shutdown()
    try:
        with run_lock(store, command="zwgk run --sites x.yml"):
            result = CliRunner().invoke(app, ["status", "--db", store.url])
            as_json = json.loads(CliRunner().invoke(app, ["status", "--db", store.url, "--json"]).stdout)
    finally:
        store.dispose()
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "覆盖 2/4 个单位" in text
    assert "b/gov" in text and "c/x" in text
    assert "功能不可用" in text and "功能在此安装中不可用" in text
    assert "#2     抓取  监测日期 2026-03-02  2026-03-02 01:00:00 → 03:30:00（9000 秒）" in text
    assert "请求 120" in text
    for job in (
        "夜间监测（nightly）",
        "日调度报告（daily_report）",
        "周通报（weekly_report）",
        "月考核（monthly_report）",
        "可用性探测（probe）",
    ):
        assert job in text
    assert "zwgk run --sites x.yml" in text
    assert {j["id"] for j in as_json["next_runs"]} == {
        "nightly",
        "daily_report",
        "weekly_report",
        "monthly_report",
        "probe",
    }
    assert all(j["next_run_shanghai"].endswith("CST") for j in as_json["next_runs"])
    assert as_json["lock"]["command"] == "zwgk run --sites x.yml"


def test_status_on_an_empty_database(tmp_path):
    db = f"sqlite:///{tmp_path}/empty.db"
    assert CliRunner().invoke(app, ["db", "init", "--db", db]).exit_code == 0
    result = CliRunner().invoke(app, ["status", "--db", db])
    assert result.exit_code == 0, result.output
    assert "尚无运行记录" in result.stdout and "尚无抓取记录" in result.stdout
