"""Distributed crawl: two scrapy-redis workers share one run's request queue in a real Redis and
write to one PostgreSQL database; the night is complete, unique, and judged like a single crawl."""

from __future__ import annotations

import shutil
import subprocess
import time
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.test_migrations import pg_url  # noqa: F401 — fixture
from zwgk.config.catalog import load_catalog
from zwgk.config.registry import load_registry
from zwgk.crawler import distributed
from zwgk.cycle import stages
from zwgk.reports.exports import findings_rows
from zwgk.store.db import Store
from zwgk.store.schema import Run, Snapshot
from zwgk_demonet import build_network, evaluate

pytestmark = pytest.mark.slow
REDIS_URL = "redis://127.0.0.1:6379/15"
AS_OF = date(2026, 11, 23)
CATALOG = load_catalog()
RULES = [
    "site.unreachable",
    "column.missing",
    "column.blank",
    "column.placeholder",
    "column.undated",
    "column.stale",
]


def _redis_up() -> bool:
    try:
        return bool(distributed.connect(REDIS_URL).ping())
    except Exception:
        return False


@pytest.fixture
def redis_url():
    """The local Redis, started when it is down; the test fails (never skips) without it."""
    if not _redis_up() and shutil.which("redis-server"):
        subprocess.run(
            [
                "redis-server",
                "--daemonize",
                "yes",
                "--bind",
                "127.0.0.1",
                "--port",
                "6379",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            capture_output=True,
            check=False,
        )
        for _ in range(50):
            if _redis_up():
                break
            time.sleep(0.1)
    if not _redis_up():
        pytest.fail(f"Redis is required at {REDIS_URL} and could not be started")
    return REDIS_URL


def test_two_workers_share_the_queue(pg_url, redis_url, tmp_path):  # noqa: F811
    store = Store(pg_url)
    network = build_network(AS_OF)
    with network.serve() as running:
        sites = running.write_registry(tmp_path / "sites.yml")
        registry = load_registry(sites, set(CATALOG.profiles), CATALOG.column_ids())
        run_id = stages.crawl(
            store,
            sites,
            registry,
            AS_OF,
            redis_url=redis_url,
            workers=2,
            settings={"ZWGK_CHECK_LINKS": "False"},
        )
    stages.check(store, AS_OF, CATALOG)
    with store.session() as session:
        run = session.get(Run, run_id)
        assert run.status == "ok", run.error
        assert run.counts["workers"] == 2
        # Both workers fetched pages: the column requests really were shared.
        print("requests per worker:", run.counts["worker_requests"])
        assert all(n > 20 for n in run.counts["worker_requests"]), run.counts
        keys = session.execute(
            select(Snapshot.portal_id, Snapshot.unit_id, Snapshot.target).where(Snapshot.run_id == run_id)
        ).all()
        assert len(keys) == len(set(keys))
        entries = session.execute(
            select(func.count())
            .select_from(Snapshot)
            .where(Snapshot.run_id == run_id, Snapshot.target == "entry")
        ).scalar_one()
        assert entries == sum(len(p.units) for p in registry.portals)
        current = [f for f in findings_rows(session, AS_OF) if f["status"] in ("open", "overdue")]
    scores = evaluate(current, network.ground_truth(), RULES)
    for rule in RULES:
        assert scores[rule]["precision"] >= 0.98 and scores[rule]["recall"] >= 0.98, (rule, scores[rule])
    # The run's keys are gone from Redis once every worker has ended.
    assert not distributed.connect(redis_url).exists(*distributed.keys(run_id, store.url).values())
    store.dispose()
