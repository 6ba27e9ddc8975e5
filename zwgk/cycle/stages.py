"""The stages of the nightly cycle — crawl, check — as functions the CLI and scheduler call.

Each stage records a run (zwgk/cycle/records.py: start, end, status, counts, error) so that nothing fails silently.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from zwgk.config.catalog import Catalog
from zwgk.config.registry import Registry
from zwgk.cycle.crawllogs import keep_crawl_log
from zwgk.cycle.records import finish_run, start_run, utcnow
from zwgk.errors import StageFailed
from zwgk.findings.lifecycle import reconcile
from zwgk.findings.observations import latest_crawl_run, unit_observations
from zwgk.findings.scores import freeze_month_scores
from zwgk.rules.engine import check_units
from zwgk.rules.model import CheckContext
from zwgk.rules.registry import link_rules
from zwgk.rules.scoring import Scoring
from zwgk.store.db import Store
from zwgk.store.dburl import ENV_REDIS, ENV_URL, redact_text
from zwgk.store.schema import Portal, Run, Snapshot, Unit


def sync_registry(store: Store, registry: Registry) -> None:
    """Upsert the registry's portals and units (history of removed ones is kept)."""
    with store.session() as session:
        for p in registry.portals:
            row = session.get(Portal, p.id) or Portal(id=p.id)
            row.name, row.home, row.site_code = p.name, p.home, p.site_code
            session.add(row)
            for u in p.units:
                urow = session.execute(
                    select(Unit).where(Unit.portal_id == p.id, Unit.unit_id == u.id)
                ).scalar_one_or_none() or Unit(portal_id=p.id, unit_id=u.id)
                urow.name, urow.profile, urow.entry = u.name, u.profile, u.entry
                urow.short_names = list(u.short_names) or None
                session.add(urow)


STALE_RUN_AGE = timedelta(hours=24)


def sweep_stale_runs(store: Store, max_age: timedelta = STALE_RUN_AGE) -> list[int]:
    """Mark crawl, check and recheck runs left 'running' by a killed process as 'abandoned'; returns
    their ids.

    Crawl, check and recheck run only under the run lock (zwgk/cycle/runlock.py), so while the lock is free or
    held by this process no other crawl or check can be running: every 'running' one is a leftover.
    While another live process holds the lock only runs older than `max_age` are swept. An
    abandoned crawl is never read by check (only 'ok' and 'partial' crawls are), so a half-written
    night neither closes nor opens anything.
    """
    from zwgk.cycle.runlock import CYCLE, current_holder

    holder = current_holder(store, CYCLE)
    ours = holder is None or (holder.holder_pid == os.getpid() and holder.holder_host == socket.gethostname())
    now = utcnow()
    swept = []
    with store.session() as session:
        for run in session.execute(
            select(Run).where(Run.stage.in_(("crawl", "check", "recheck")), Run.status == "running")
        ).scalars():
            if ours or now - run.started_at > max_age:
                run.status, run.finished_at = "abandoned", now
                run.error = (
                    (run.error + "\n") if run.error else ""
                ) + "运行未正常结束（进程被终止）；下一次运行开始时标记为 abandoned"
                swept.append(run.id)
    return swept


def start_crawl_process(
    store: Store,
    registry_path: str | Path,
    run_id: int,
    as_of: date,
    stats_path: Path,
    catalog_path: str | None = None,
    only: str | None = None,
    log_level: str = "INFO",  # kept in the run's log file (crawllogs), never shown unasked
    settings: dict | None = None,
    extra_args: list[str] | None = None,
) -> subprocess.Popen:
    """Start `python -m zwgk.crawler.run` for an existing crawl Run (stdout/stderr piped, text).

    The database is given as $ZWGK_DB in the child's environment."""
    cmd = [
        sys.executable,
        "-m",
        "zwgk.crawler.run",
        "--registry",
        str(registry_path),
        "--run-id",
        str(run_id),
        "--as-of",
        as_of.isoformat(),
        "--stats-out",
        str(stats_path),
        "--log-level",
        log_level,
    ]
    if catalog_path:
        cmd += ["--catalog", str(catalog_path)]
    if only:
        cmd += ["--only", only]
    for name, value in (settings or {}).items():
        cmd += ["-s", f"{name}={value}"]
    # The database and Redis URLs travel in the environment, never on the command line (`ps`
    # shows argv to every user of the machine; either URL may carry a password).
    env = {**os.environ, ENV_URL: store.url}
    extra = list(extra_args or [])
    if "--redis" in extra:
        at = extra.index("--redis")
        env[ENV_REDIS] = extra[at + 1]
        extra[at : at + 2] = ["--redis-from-env"]
    cmd += extra
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


DEFAULT_TIME_LIMIT = timedelta(hours=5)  # a 01:00 crawl ends by 06:00: the 07:30 reports are on time
GRACE_S = 120  # after the spider's own time limit, how long the process may take to close


def spider_time_limit(limit: timedelta) -> int:
    """Scrapy's CLOSESPIDER_TIMEOUT for a crawl limit: the spider closes itself a little before the
    limit (stored snapshots are kept), so the hard kill at limit + grace is only a backstop."""
    seconds = limit.total_seconds()
    return max(1, int(seconds - min(GRACE_S, seconds * 0.1)))


def finish_crawl(
    store: Store,
    run_id: int,
    returncode: int,
    stderr: str | None,
    stats_path: Path,
    as_of: date | None = None,
    cut: str | None = None,
) -> int:
    """Record how the crawl process ended: 'ok'; 'partial' when it was cut at its time limit or lost
    items or met exceptions (what was stored is checked; units not reached are 未能检查); 'failed'
    (and StageFailed) when it did not run.

    The process's log is kept (zwgk/cycle/crawllogs.py) and named in the record's counts."""
    stats = json.loads(stats_path.read_text(encoding="utf-8")) if stats_path.exists() else {}
    counts = _crawl_counts(store, run_id, stats)
    kept = keep_crawl_log(store.url, run_id, as_of or date.today(), stderr)
    if kept is not None:
        counts["log"] = str(kept)
    if cut is not None:  # ended from outside (time limit, scheduler stopping): what was stored counts
        finish_run(store, run_id, "partial", counts, cut)
        if _STOPPING.is_set():
            raise StageFailed(cut)
        return run_id
    if returncode == 0 and stats:
        problems = _partial_problems(stats)
        if problems:
            finish_run(store, run_id, "partial", counts, "；".join(problems))
            return run_id
    if returncode != 0 or not stats:
        tail = redact_text(stderr or "").strip().splitlines()[-15:]
        if returncode < 0:
            tail.append(f"抓取进程被信号 {-returncode} 终止")
        finish_run(store, run_id, "failed", counts, "\n".join(tail) or f"退出码 {returncode}")
        raise StageFailed(f"抓取失败（退出码 {returncode}）：\n" + "\n".join(tail))
    finish_run(store, run_id, "ok", counts)
    return run_id


Launcher = Callable[..., subprocess.Popen]  # start_crawl_process's signature


def crawl(
    store: Store,
    registry_path: str | Path,
    registry: Registry,
    as_of: date,
    catalog_path: str | None = None,
    only: str | None = None,
    log_level: str = "INFO",  # kept in the run's log file (crawllogs), never shown unasked
    settings: dict | None = None,
    redis_url: str | None = None,
    workers: int = 1,
    launch: Launcher = start_crawl_process,
    time_limit: timedelta | None = DEFAULT_TIME_LIMIT,
    processes: int | None = 1,
) -> int:
    """Crawl every registered portal in a subprocess; returns the crawl run id.

    `processes` > 1 (None: one per core, at most MAX_PROCESSES) shares the portals among that many
    crawl processes on this machine, balanced by what each portal cost the previous night; they
    write the same run into the same store (SQLite in WAL mode takes their writes in turn). No
    Redis needed: a portal is crawled whole by one process, as politeness requires anyway.

    The night always ends: the spider closes itself at `time_limit` (CLOSESPIDER_TIMEOUT), and a
    process still alive `GRACE_S` later is killed; either way the run is 'partial' and what was
    stored is checked.

    With `redis_url`, `workers` crawl processes share the run's request queue (scrapy-redis);
    more workers may join from other machines with `python -m zwgk.crawler.run --redis URL
    --no-seed --run-id N` against the same database.

    `launch` starts each crawl process (start_crawl_process's arguments, returns the Popen): another
    launcher may run it elsewhere, or watch and end it. Should it raise, the exception propagates
    without the run being finished — as if this parent had died (the run stays 'running' until
    the next crawl sweeps it).
    """
    sync_registry(store, registry)
    sweep_stale_runs(store)
    run_id = start_run(store, "crawl", as_of)
    settings = dict(settings or {})
    settings.setdefault("ZWGK_RECHECK_RULES", ",".join(link_rules()))
    if time_limit is not None:
        settings.setdefault("CLOSESPIDER_TIMEOUT", spider_time_limit(time_limit))
    wait = time_limit.total_seconds() + GRACE_S if time_limit is not None else None
    if redis_url:
        return _crawl_distributed(
            store,
            registry_path,
            run_id,
            as_of,
            catalog_path,
            only,
            log_level,
            settings,
            redis_url,
            max(1, workers),
            launch,
            wait,
        )
    shards = portal_shards(store, registry, only, processes)
    if len(shards) > 1:
        settings.setdefault("ZWGK_RUN_PORTALS", sum(len(s) for s in shards))
        return _crawl_sharded(
            store, registry_path, run_id, as_of, catalog_path, shards, log_level, settings, launch, wait
        )
    with tempfile.TemporaryDirectory(prefix="zwgk-crawl-") as tmp:
        stats_path = Path(tmp) / "stats.json"
        proc = launch(
            store, registry_path, run_id, as_of, stats_path, catalog_path, only, log_level, settings
        )
        stderr, killed = wait_process(proc, wait)
        return finish_crawl(
            store, run_id, proc.returncode, stderr, stats_path, as_of, _cut_reason(killed, time_limit)
        )


# Crawl processes running in this process, so that a stopping scheduler can end them (stop_crawls).
_ACTIVE: set[subprocess.Popen] = set()
_STOPPING = threading.Event()


def stop_crawls() -> None:
    """End every running crawl now (SIGTERM: Scrapy closes within seconds, keeping what it stored);
    each is recorded 'partial' and its stage raises StageFailed, so the night stops there."""
    _STOPPING.set()
    for proc in list(_ACTIVE):
        if proc.poll() is None:
            proc.terminate()


def _cut_reason(killed: bool, time_limit: timedelta | None) -> str | None:
    if _STOPPING.is_set():
        return "调度器正在停止，抓取已中止；已抓取的部分保留"
    if killed and time_limit is not None:
        return f"抓取超过时限（{time_limit.total_seconds() / 60:g} 分钟）被中止；已抓取的部分照常检查"
    return None


def wait_process(proc: subprocess.Popen, timeout: float | None) -> tuple[str, bool]:
    """(stderr, killed): wait for a crawl process, ending it (SIGTERM, then SIGKILL) past `timeout`."""
    _ACTIVE.add(proc)
    try:
        try:
            return proc.communicate(timeout=timeout)[1], False
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                return proc.communicate(timeout=30)[1], True
            except subprocess.TimeoutExpired:
                proc.kill()
                return proc.communicate()[1], True
    finally:
        _ACTIVE.discard(proc)


def _crawl_distributed(
    store: Store,
    registry_path,
    run_id: int,
    as_of: date,
    catalog_path,
    only,
    log_level,
    settings,
    redis_url: str,
    workers: int,
    launch: Launcher = start_crawl_process,
    wait: float | None = None,
) -> int:
    """Seed the run from one process, then let `workers` processes drain the shared queue."""
    from zwgk.crawler import distributed

    with tempfile.TemporaryDirectory(prefix="zwgk-crawl-") as tmp:
        procs: list[tuple[subprocess.Popen, Path]] = []
        try:
            for i in range(workers):
                stats_path = Path(tmp) / f"stats-{i}.json"
                extra = ["--redis", redis_url] + (["--no-seed"] if i else [])
                procs.append(
                    (
                        launch(
                            store,
                            registry_path,
                            run_id,
                            as_of,
                            stats_path,
                            catalog_path,
                            only,
                            log_level,
                            settings,
                            extra,
                        ),
                        stats_path,
                    )
                )
                if i == 0:  # the others start once the seed has filled the queue (or ended)
                    deadline = time.monotonic() + 60
                    while (
                        procs[0][0].poll() is None
                        and time.monotonic() < deadline
                        and not distributed.is_seeded(redis_url, run_id, store.url)
                    ):
                        time.sleep(0.05)
            results, killed = _wait_all(procs, wait)
        finally:
            for proc, _ in procs:
                if proc.poll() is None:
                    proc.kill()
            distributed.cleanup(redis_url, run_id, store.url)
        merged_path, code, stderr, merged = _merged(results, Path(tmp))
        limit = timedelta(seconds=wait - GRACE_S) if wait is not None else None
        run = finish_crawl(store, run_id, code, stderr, merged_path, as_of, _cut_reason(killed, limit))
        with store.session() as session:
            row = session.get(Run, run_id)
            row.counts = {
                **row.counts,
                "workers": merged["workers"],
                "worker_requests": merged["worker_requests"],
            }
        return run


MAX_PROCESSES = 4  # crawl processes per machine by default: beyond, politeness bounds a night, not CPU


def default_processes() -> int:
    """Crawl processes for this machine: $ZWGK_CRAWL_PROCESSES, else one per core (at most 4)."""
    configured = os.environ.get("ZWGK_CRAWL_PROCESSES", "").strip()
    if configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, min(os.cpu_count() or 1, MAX_PROCESSES))


def portal_shards(
    store: Store, registry: Registry, only: str | None, processes: int | None
) -> list[list[str]]:
    """The night's portals in at most `processes` groups of about equal cost: each portal weighs
    what it cost the previous crawl (its requests), a portal not yet crawled the average; the
    heaviest portal goes to the lightest group first (LPT), so one large portal never waits
    behind the others."""
    wanted = set(only.split(",")) if only else None
    portals = [p.id for p in registry.portals if wanted is None or p.id in wanted]
    n = min(len(portals), processes if processes is not None else default_processes())
    if n <= 1:
        return [portals] if portals else []
    with store.session() as session:
        last = session.execute(
            select(Run.counts)
            .where(Run.stage == "crawl", Run.status.in_(("ok", "partial")))
            .order_by(Run.id.desc())
            .limit(1)
        ).scalar_one_or_none()
    cost = dict((last or {}).get("requests_by_portal") or {})
    known = [cost[p] for p in portals if p in cost]
    default = sum(known) / len(known) if known else 1
    groups: list[tuple[float, list[str]]] = [(0.0, []) for _ in range(n)]
    for pid in sorted(portals, key=lambda p: -cost.get(p, default)):
        load, members = min(groups, key=lambda g: g[0])
        groups.remove((load, members))
        groups.append((load + cost.get(pid, default), [*members, pid]))
    return [members for _, members in groups if members]


def _crawl_sharded(
    store: Store,
    registry_path,
    run_id: int,
    as_of: date,
    catalog_path,
    shards: list[list[str]],
    log_level,
    settings,
    launch: Launcher,
    wait: float | None,
) -> int:
    """One crawl process per group of portals, all writing the same run."""
    with tempfile.TemporaryDirectory(prefix="zwgk-crawl-") as tmp:
        procs: list[tuple[subprocess.Popen, Path]] = []
        try:
            for i, shard in enumerate(shards):
                stats_path = Path(tmp) / f"stats-{i}.json"
                proc = launch(
                    store,
                    registry_path,
                    run_id,
                    as_of,
                    stats_path,
                    catalog_path,
                    ",".join(shard),
                    log_level,
                    settings,
                )
                procs.append((proc, stats_path))
            results, killed = _wait_all(procs, wait)
        finally:
            for proc, _ in procs:
                if proc.poll() is None:
                    proc.kill()
        merged_path, code, stderr, merged = _merged(results, Path(tmp))
        limit = timedelta(seconds=wait - GRACE_S) if wait is not None else None
        run = finish_crawl(store, run_id, code, stderr, merged_path, as_of, _cut_reason(killed, limit))
        with store.session() as session:
            row = session.get(Run, run_id)
            row.counts = {
                **row.counts,
                "processes": len(shards),
                "worker_requests": merged["worker_requests"],
            }
        return run


def _wait_all(
    procs: list[tuple[subprocess.Popen, Path]], wait: float | None
) -> tuple[list[tuple[subprocess.Popen, str, str, Path]], bool]:
    """Wait for every crawl process at once (one thread each: a process whose log pipe nobody
    reads would stall), ending those still running at `wait` seconds from now."""
    ends = time.monotonic() + wait if wait is not None else None

    def one(item: tuple[subprocess.Popen, Path]) -> tuple[str, bool]:
        left = None if ends is None else max(1.0, ends - time.monotonic())
        return wait_process(item[0], left)

    with ThreadPoolExecutor(max_workers=max(1, len(procs))) as pool:
        outcomes = list(pool.map(one, procs))
    results = [(proc, "", err, path) for (proc, path), (err, _) in zip(procs, outcomes, strict=True)]
    return results, any(k for _, k in outcomes)


# Stats where the night's figure is the largest of its processes', not their sum.
MAX_STATS = ("elapsed_time_seconds", "memusage/max", "memusage/startup")


def _merged(results: list[tuple[subprocess.Popen, str, str, Path]], tmp: Path) -> tuple[Path, int, str, dict]:
    """The processes' Scrapy stats as one (numbers summed, times and memory the largest; a finish
    reason other than 'finished' wins), their exit code and their logs; no stats file when one
    process failed or wrote none."""
    merged: dict = {"workers": len(results), "worker_requests": []}
    failed = [r for r in results if r[0].returncode != 0]
    for _proc, _out, _err, path in results:
        stats = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        merged["worker_requests"].append(stats.get("downloader/request_count", 0))
        for key, value in stats.items():
            if key in MAX_STATS:
                merged[key] = max(merged.get(key, 0), value)
            elif isinstance(value, int | float) and not isinstance(value, bool):
                merged[key] = merged.get(key, 0) + value
            elif key == "finish_reason" and value != "finished":
                merged[key] = value
            else:
                merged.setdefault(key, value)
    merged_path = tmp / "stats.json"
    if not failed and all(p.exists() for *_, p in results):
        merged_path.write_text(json.dumps(merged, ensure_ascii=False, default=str), encoding="utf-8")
    code = failed[0][0].returncode if failed else 0
    stderr = "\n".join(err for _, _, err, _ in results if err)
    return merged_path, code, stderr, merged


def _partial_problems(stats: dict) -> list[str]:
    """Why a crawl that ended normally is still incomplete, from its Scrapy stats."""
    problems = []
    if stats.get("finish_reason") == "closespider_timeout":
        problems.append("抓取达到时限，未抓取的单位未能检查")
    errors = sum(v for k, v in stats.items() if k.startswith("spider_exceptions/"))
    errors += stats.get("zwgk/callback_failed", 0)
    if errors:
        problems.append(f"{errors} 个页面处理出错（详见抓取日志）")
    dropped = stats.get("item_dropped_count", 0) + stats.get("zwgk/store_failed", 0)
    if dropped:
        problems.append(f"{dropped} 条抓取结果未能保存（详见抓取日志）")
    return problems


def _crawl_counts(store: Store, run_id: int, stats: dict) -> dict:
    with store.session() as session:
        rows = session.execute(
            select(Snapshot.target, Snapshot.status, func.count())
            .where(Snapshot.run_id == run_id)
            .group_by(Snapshot.target, Snapshot.status)
        ).all()
    counts: dict = {
        "requests": stats.get("downloader/request_count", 0),
        "responses": stats.get("downloader/response_count", 0),
        "elapsed_s": round(float(stats.get("elapsed_time_seconds", 0) or 0), 2),
        # exceptions raised in spider callbacks: 0 on a sound night, whatever the sites did
        "spider_exceptions": sum(v for k, v in stats.items() if k.startswith("spider_exceptions/"))
        + stats.get("zwgk/callback_failed", 0),
    }
    if stats.get("zwgk/store_failed"):
        counts["store_failed"] = stats["zwgk/store_failed"]
    by_portal = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("zwgk/requests/")}
    if by_portal:
        counts["requests_by_portal"] = by_portal
    # links left unchecked by a budget (per page, per portal): reported, and tried the next night
    cut = {k.rsplit("/", 1)[1]: v for k, v in stats.items() if k.startswith("zwgk/links/cut/")}
    counts["links_cut"] = sum(cut.values()) + stats.get("zwgk/links/skipped_page_cap", 0)
    if cut:
        counts["links_cut_by_portal"] = cut
    for target, status, n in rows:
        kind = "column" if target.startswith("column:") else target
        key = f"{kind}_{status}"
        counts[key] = counts.get(key, 0) + n
    return counts


def check(store: Store, as_of: date, catalog: Catalog, scoring: Scoring | None = None) -> int:
    """Run the rules over the latest crawl on or before `as_of` and update the findings.

    On the 1st of a month, the month just ended is closed: its month-end unit scores are frozen
    (zwgk/findings/scores.py freeze_month_scores) so that the published assessment keeps its numbers.
    """
    with store.session() as session:
        crawl_run = latest_crawl_run(session, as_of)
        if crawl_run is None:
            raise StageFailed(f"{as_of.isoformat()} 及以前没有完成的抓取：请先运行 zwgk crawl")
        crawl_id = crawl_run.id
    sweep_stale_runs(store)
    run_id = start_run(store, "check", as_of, crawl_run_id=crawl_id)
    try:
        with store.session() as session:
            units = unit_observations(session, crawl_id)
            drafts = check_units(units, CheckContext(as_of=as_of, catalog=catalog))
            result = reconcile(session, drafts, units, as_of, run_id, catalog)
            counts = result.counts()
            counts["units"] = len(units)
            counts["drafts"] = len(drafts)
            if as_of.day == 1:
                counts["frozen_scores"] = len(
                    freeze_month_scores(session, as_of - timedelta(days=1), catalog, scoring)
                )
    except Exception as exc:
        finish_run(store, run_id, "failed", {}, f"{type(exc).__name__}: {exc}")
        raise
    finish_run(store, run_id, "ok", counts)
    return run_id
