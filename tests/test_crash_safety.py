"""kill -9 of a crawl at any point leaves the store consistent and closes no finding.

Night 1 crawls the demo network (127.0.0.1) and checks it. Night 2 serves a changed network in
which some seeded defects are fixed — a complete crawl would close them — and its crawl
subprocess (started by stages.crawl itself, through the launcher it is given) is killed with SIGKILL
after N snapshots are written, for several N. After each kill: every snapshot is whole (its entries
and articles were committed with it), nothing is duplicated, the killed run is recorded as
failed, and a check run reads night 1, not the partial crawl, so no finding is closed. A run
left 'running' by a killed parent is swept to 'abandoned' by the next crawl. Then a full crawl
completes and closes exactly what was fixed. Reports render while a crawl writes.
"""

from __future__ import annotations

import os
import signal
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from zwgk.config.catalog import load_catalog
from zwgk.config.registry import load_registry
from zwgk.cycle import records, stages
from zwgk.reports.daily import render_daily
from zwgk.store.db import Store
from zwgk.store.schema import Article, Entry, Finding, Run, Snapshot
from zwgk_demonet import Variant, build_network

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]
CATALOG = load_catalog()
DAY1 = date(2026, 11, 23)
DAY2 = DAY1 + timedelta(days=1)
# Link checks and article reading are not what this test is about: off, to keep each crawl short.
FAST = {
    "ZWGK_CHECK_LINKS": "False",
    "ZWGK_MAX_ARTICLES": "1",
    "ZWGK_MAX_ARTICLE_DATE_FETCHES": "1",
    "AUTOTHROTTLE_ENABLED": "False",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
}
KILL_AFTER = (1, 12, 40)  # snapshots written before the SIGKILL


def _registry(running, path: Path):
    sites = running.write_registry(path)
    return sites, load_registry(sites, set(CATALOG.profiles), CATALOG.column_ids())


def _open_findings(store) -> dict[int, str]:
    with store.session() as s:
        return {
            f.id: f.status for f in s.execute(select(Finding)).scalars() if f.status in ("open", "overdue")
        }


def _snapshot_count(store, run_id: int) -> int:
    with store.session() as s:
        return s.execute(
            select(func.count()).select_from(Snapshot).where(Snapshot.run_id == run_id)
        ).scalar_one()


def _assert_consistent(store) -> None:
    """Whole snapshots only, no duplicates, no orphans, an intact file."""
    with store.session() as s:
        assert s.execute(text("PRAGMA integrity_check")).scalar_one() == "ok"
        assert s.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
        dup = s.execute(
            select(Snapshot.run_id, Snapshot.portal_id, Snapshot.unit_id, Snapshot.target, func.count())
            .group_by(Snapshot.run_id, Snapshot.portal_id, Snapshot.unit_id, Snapshot.target)
            .having(func.count() > 1)
        ).all()
        assert dup == []
        per_snap = dict(s.execute(select(Entry.snapshot_id, func.count()).group_by(Entry.snapshot_id)).all())
        for snap_id, expected in s.execute(select(Snapshot.id, Snapshot.entries_count)):
            assert per_snap.get(snap_id, 0) == expected, f"snapshot {snap_id}: entries written apart from it"
        snap_ids = set(s.execute(select(Snapshot.id)).scalars())
        assert set(per_snap) <= snap_ids, "entries without their snapshot"
        assert set(s.execute(select(Article.snapshot_id)).scalars()) <= snap_ids, (
            "articles without their snapshot"
        )


@pytest.fixture(scope="module")
def nights(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("crash")
    store = Store(f"sqlite:///{tmp}/crash.db")
    net1 = build_network(DAY1)
    with net1.serve() as running:
        sites, reg = _registry(running, tmp / "night1.yml")
        crawl1 = stages.crawl(store, sites, reg, DAY1, settings=FAST)
        stages.check(store, DAY1, CATALOG)
    truth = net1.ground_truth()
    fixable = [t for t in truth if t["rule"] in ("column.stale", "column.blank") and t["column"]][:3]
    net2 = build_network(DAY2, variant=Variant(fix=[(t["portal"], t["unit"], t["column"]) for t in fixable]))
    yield {"store": store, "tmp": tmp, "crawl1": crawl1, "net2": net2, "fixable": fixable}
    store.dispose()


class ParentDied(Exception):
    """Raised by the launcher to end stages.crawl as a dying parent would: without finishing the run."""


def _killed_crawl(store, sites, reg, tmp: Path, after: int, finish: bool = True) -> int:
    """stages.crawl itself, its subprocess SIGKILLed (by the launcher it is given) once `after` snapshots
    are stored.

    With finish=False the parent 'dies' as well: the launcher raises, so the run is never finished.
    """
    seen: dict = {}

    def launch_then_kill(store, registry_path, run_id, *args):
        proc = stages.start_crawl_process(store, registry_path, run_id, *args)
        seen["run_id"], seen["proc"] = run_id, proc
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None and _snapshot_count(store, run_id) < after:
            time.sleep(0.05)
        assert proc.poll() is None, f"the crawl ended before {after} snapshots"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        if not finish:
            proc.communicate()
            raise ParentDied
        return proc

    if finish:
        with pytest.raises(stages.StageFailed):
            stages.crawl(store, sites, reg, DAY2, settings=FAST, launch=launch_then_kill)
    else:
        with pytest.raises(ParentDied):
            stages.crawl(store, sites, reg, DAY2, settings=FAST, launch=launch_then_kill)
    assert seen["proc"].returncode == -signal.SIGKILL
    return seen["run_id"]


def test_sigkill_at_several_points_closes_nothing_and_the_next_run_completes(nights):
    store, tmp = nights["store"], nights["tmp"]
    before = _open_findings(store)
    assert len(before) > 20
    with nights["net2"].serve() as running:
        sites, reg = _registry(running, tmp / "night2.yml")
        killed = []
        for after in KILL_AFTER:
            run_id = _killed_crawl(store, sites, reg, tmp, after)
            killed.append(run_id)
            written = _snapshot_count(store, run_id)
            assert written >= after
            _assert_consistent(store)
            with store.session() as s:
                run = s.get(Run, run_id)
                assert run.status == "failed" and "抓取进程被信号 9 终止" in run.error
                assert run.counts["requests"] == 0  # no stats from a killed process; the snapshots tell
            # a check now reads night 1 (the newest finished crawl), never the partial one
            check_id = stages.check(store, DAY2, CATALOG)
            with store.session() as s:
                assert s.get(Run, check_id).crawl_run_id == nights["crawl1"]
            now_open = _open_findings(store)  # (a day later, night 1's data may open a new finding or two)
            assert set(before) <= set(now_open), f"a finding was closed after the kill at {after} snapshots"
            with store.session() as s:
                assert (
                    s.execute(
                        select(func.count())
                        .select_from(Finding)
                        .where(Finding.status == "rectified", Finding.id.in_(before))
                    ).scalar_one()
                    == 0
                )

        # the parent dies too: its run stays 'running' until the next crawl sweeps it
        orphan = _killed_crawl(store, sites, reg, tmp, 5, finish=False)
        with store.session() as s:
            assert s.get(Run, orphan).status == "running"
        final = stages.crawl(store, sites, reg, DAY2, settings=FAST)
        with store.session() as s:
            assert s.get(Run, orphan).status == "abandoned"
            crawl = s.get(Run, final)
            assert crawl.status == "ok"
            units = sum(v for k, v in crawl.counts.items() if k.startswith("entry_"))
            assert units == len([u for p in reg.portals for u in p.units])
        stages.check(store, DAY2, CATALOG)
    _assert_consistent(store)
    after_findings = _open_findings(store)
    # the complete night closed what was fixed, and only after it
    with store.session() as s:
        closed = (
            s.execute(select(Finding).where(Finding.id.in_(set(before) - set(after_findings))))
            .scalars()
            .all()
        )
        keys = {(f.rule, f.portal_id, f.unit_id, f.column_id) for f in closed}
    fixed = {(t["rule"], t["portal"], t["unit"], t["column"]) for t in nights["fixable"]}
    assert fixed <= keys, (fixed, keys)
    assert all(f.status == "rectified" for f in closed)
    # the killed runs left no snapshot that a later stage reads as a night's crawl
    with store.session() as s:
        used = set(s.execute(select(Run.crawl_run_id).where(Run.stage == "check")).scalars())
    assert not used & set(killed)


def test_reports_render_while_a_crawl_writes(nights):
    """WAL: the daily report renders (and reads the same finished night) while a crawl subprocess writes."""
    store, tmp = nights["store"], nights["tmp"]
    with nights["net2"].serve() as running:
        sites, reg = _registry(running, tmp / "night3.yml")
        stages.sync_registry(store, reg)  # (new ports: the report names them)
        quiet = render_daily(store, DAY2, tmp / "before", CATALOG).read_text(encoding="utf-8")
        run_id = records.start_run(store, "crawl", DAY2 + timedelta(days=1))
        stats = Path(tempfile.mkdtemp(dir=tmp)) / "stats.json"
        proc = stages.start_crawl_process(
            store, sites, run_id, DAY2 + timedelta(days=1), stats, settings=FAST
        )
        renders, seen_counts = 0, set()
        try:
            deadline = time.monotonic() + 60
            while proc.poll() is None and time.monotonic() < deadline and _snapshot_count(store, run_id) == 0:
                time.sleep(0.05)  # until the crawl is writing
            while proc.poll() is None and time.monotonic() < deadline and renders < 6:
                seen_counts.add(_snapshot_count(store, run_id))
                html = render_daily(store, DAY2, tmp / f"during{renders}", CATALOG).read_text(
                    encoding="utf-8"
                )
                assert html == quiet  # the running crawl is not a finished night: the report is unchanged
                renders += 1
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.communicate(timeout=30)
    assert renders >= 2 and max(seen_counts) > 0, (renders, seen_counts)  # it really was writing meanwhile
    _assert_consistent(store)
