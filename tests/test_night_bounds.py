"""Every night ends: a crawl past its time limit, or a stopping scheduler, ends the crawl process and
records the run 'partial' with what was stored; check still reads it, the operator is told.

The crawl process here is a stand-in that never finishes (it sleeps), launched through the same
`launch` hook stages.crawl uses for the real one.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from datetime import date, timedelta

import pytest

from zwgk.config.catalog import load_catalog
from zwgk.config.registry import load_registry
from zwgk.cycle import stages
from zwgk.cycle.notify.dispatch import run_problems
from zwgk.errors import StageFailed
from zwgk.findings.observations import latest_crawl_run
from zwgk.store.db import Store
from zwgk.store.schema import Run

AS_OF = date(2026, 11, 23)
SITES = """\
portals:
  - id: p
    name: 测试县人民政府
    home: http://127.0.0.1:9/
    units:
      - {id: gov, name: 测试县人民政府, profile: government, entry: "http://127.0.0.1:9/xxgk/"}
"""


def _endless(store, registry_path, run_id, as_of, stats_path, *args, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(600)"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def night(tmp_path, monkeypatch):
    monkeypatch.setattr(stages, "GRACE_S", 1)
    monkeypatch.setattr(stages, "_STOPPING", threading.Event())
    sites = tmp_path / "sites.yml"
    sites.write_text(SITES, encoding="utf-8")
    cat = load_catalog()
    registry = load_registry(sites, set(cat.profiles), cat.column_ids())
    store = Store(f"sqlite:///{tmp_path}/n.db")
    yield store, sites, registry
    store.dispose()


def _run(store, run_id) -> Run:
    with store.session() as session:
        run = session.get(Run, run_id)
        session.expunge(run)
        return run


def test_a_crawl_past_its_time_limit_is_ended_and_partial(night):
    store, sites, registry = night
    started = time.monotonic()
    run_id = stages.crawl(store, sites, registry, AS_OF, launch=_endless, time_limit=timedelta(seconds=2))
    took = time.monotonic() - started
    assert took < 15, took  # the limit (2 s) + grace (1 s) + the SIGTERM, not the process's 600 s
    run = _run(store, run_id)
    assert run.status == "partial" and "超过时限" in run.error, (run.status, run.error)
    with store.session() as session:
        assert latest_crawl_run(session, AS_OF).id == run_id  # check reads what was stored
        problems = run_problems(session, AS_OF, 0.0)
    assert any("未完整" in p and "超过时限" in p for p in problems), problems  # the operator hears of it


def test_the_spider_is_told_to_close_before_the_limit(night):
    store, sites, registry = night
    seen: dict = {}

    def launch(store, registry_path, run_id, as_of, stats_path, catalog_path, only, log_level, settings, *a):
        seen.update(settings or {})
        return _endless(store, registry_path, run_id, as_of, stats_path)

    stages.crawl(store, sites, registry, AS_OF, launch=launch, time_limit=timedelta(seconds=3))
    assert 1 <= int(seen["CLOSESPIDER_TIMEOUT"]) < 3
    assert stages.spider_time_limit(timedelta(hours=5)) == 5 * 3600 - stages.GRACE_S


def test_a_stopping_scheduler_ends_the_running_crawl_within_seconds(night):
    store, sites, registry = night
    threading.Timer(1.0, stages.stop_crawls).start()
    started = time.monotonic()
    with pytest.raises(StageFailed, match="调度器正在停止"):
        stages.crawl(store, sites, registry, AS_OF, launch=_endless, time_limit=timedelta(hours=5))
    assert time.monotonic() - started < 10
    with store.session() as session:
        run = session.query(Run).filter(Run.stage == "crawl").one()
        assert run.status == "partial" and run.finished_at is not None
