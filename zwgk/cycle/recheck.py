"""复查 on request: one finding's unit re-read now, and the finding closed only on what was seen.

A department that fixed its column should not wait for the night to learn whether the fix counts.
A recheck is queued (zwgk serve's 申请复查, the API, or accepting a 整改反馈), then run by a worker:
- behind the run lock (zwgk/cycle/runlock.py), so it never overlaps the nightly crawl or another
  recheck — while the night runs it simply waits in the queue;
- by the same crawler, address policy and registry as the night (a subprocess of
  zwgk.crawler.run), restricted to the finding's unit (ZWGK_ONLY_UNITS) and reading everything
  again (no conditional requests, every link re-checked). Only the registry's own pages and what
  they link are fetched: nobody can hand the recheck an address;
- checked with the night's rules; the finding is then
  - 销号 (rectified) when the rules no longer raise it and the page was seen (the lifecycle's own
    `observed_fixed`, so a failed fetch never closes it),
  - still present (with what the rules saw), or
  - not seen (the crawler could not look: the finding stays exactly as it was).
The crawl is recorded as a run of stage 'recheck': the nightly reports and the next night's
incremental crawl read only 'crawl' runs, so a one-unit recheck never stands in for a night.

Requests are rate-limited per unit (`per_hour`) and one finding has at most one recheck waiting.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select, update

from zwgk.beijing import today as beijing_today
from zwgk.config.catalog import Catalog
from zwgk.config.registry import Registry
from zwgk.cycle import stages
from zwgk.cycle.records import finish_run, start_run, utcnow
from zwgk.cycle.runlock import CYCLE, current_holder, run_lock
from zwgk.errors import BadInput, StageFailed
from zwgk.findings.lifecycle import OPEN_STATUSES, fingerprint, observed_fixed, rectify
from zwgk.findings.numbers import finding_number
from zwgk.findings.observations import unit_observations
from zwgk.rules.engine import check_units
from zwgk.rules.model import CheckContext
from zwgk.rules.registry import link_rules
from zwgk.store.db import Store
from zwgk.store.schema import Finding, FindingEvent, Recheck

log = logging.getLogger(__name__)

PER_HOUR = 6  # rechecks a unit may request in an hour
TIME_LIMIT = timedelta(minutes=3)  # one unit's crawl; the answer is expected in about a minute
WAITING = ("queued", "running")
STATE_LABEL = {
    "queued": "排队中",
    "running": "复查中",
    "rectified": "已销号",
    "present": "问题仍存在",
    "unseen": "未能复查",
    "closed": "无需复查",
    "failed": "复查失败",
}


class RecheckRefused(BadInput):
    """A recheck that may not be queued now (rate, a closed finding): the message says why."""

    def __init__(self, message: str, rate: bool = False):
        super().__init__(message)
        self.rate = rate  # refused by the hourly cap (try later), not by the finding's state


class NotQueued(StageFailed):
    """The recheck is no longer waiting (another worker took it)."""


def request(
    session, finding: Finding, by: str, per_hour: int = PER_HOUR, now: datetime | None = None
) -> Recheck:
    """Queue a recheck of `finding` (or return the one already waiting for it)."""
    now = now or utcnow()
    if finding.status not in OPEN_STATUSES:
        raise RecheckRefused(f"问题 {finding_number(finding.id)} 已销号，无需复查")
    waiting = session.execute(
        select(Recheck).where(Recheck.finding_id == finding.id, Recheck.state.in_(WAITING))
    ).scalar_one_or_none()
    if waiting is not None:
        return waiting
    recent = session.execute(
        select(func.count())
        .select_from(Recheck)
        .where(
            Recheck.portal_id == finding.portal_id,
            Recheck.unit_id == finding.unit_id,
            Recheck.requested_at > now - timedelta(hours=1),
        )
    ).scalar_one()
    if recent >= per_hour:
        raise RecheckRefused(
            f"本单位一小时内已申请复查 {recent} 次（上限 {per_hour} 次），请稍后再试", rate=True
        )
    row = Recheck(
        finding_id=finding.id,
        portal_id=finding.portal_id,
        unit_id=finding.unit_id,
        requested_by=by,
        requested_at=now,
        state="queued",
    )
    session.add(row)
    session.flush()
    return row


@dataclass(frozen=True)
class Outcome:
    recheck_id: int
    state: str
    note: str
    run_id: int | None


def sweep_stale(store: Store) -> int:
    """Rechecks left 'running' by a process that died (a server killed mid-recheck): failed, so the
    unit may ask again. A recheck runs only while holding the run lock, so with the lock free every
    'running' one is a leftover. Returns how many were swept."""
    if current_holder(store, CYCLE) is not None:
        return 0
    with store.session() as session:
        swept = session.execute(
            update(Recheck)
            .where(Recheck.state == "running")
            .values(state="failed", note="复查未完成（服务中断），请重新申请", finished_at=utcnow())
        ).rowcount
    if swept:
        stages.sweep_stale_runs(store)
    return swept


def next_queued(store: Store) -> int | None:
    with store.session() as session:
        return session.execute(
            select(Recheck.id).where(Recheck.state == "queued").order_by(Recheck.id).limit(1)
        ).scalar_one_or_none()


def run_one(
    store: Store,
    registry_path: str | Path,
    registry: Registry,
    catalog: Catalog,
    recheck_id: int,
    catalog_path: str | None = None,
    launch: stages.Launcher = stages.start_crawl_process,
    lock_timeout: float | None = None,
    poll: float = 2.0,
    as_of: date | None = None,
) -> Outcome:
    """Run one queued recheck to its answer (waiting for the run lock first)."""
    with store.session() as session:
        rc = session.get(Recheck, recheck_id)
        if rc is None or rc.state != "queued":
            raise NotQueued(f"复查 {recheck_id} 不在队列中")
        number = finding_number(rc.finding_id)
        unit_key = (rc.portal_id, rc.unit_id)
    with run_lock(store, CYCLE, wait=True, timeout=lock_timeout, poll=poll, command=f"zwgk 复查 {number}"):
        with store.session() as session:
            claimed = session.execute(
                update(Recheck)
                .where(Recheck.id == recheck_id, Recheck.state == "queued")
                .values(state="running", started_at=utcnow())
            ).rowcount
        if not claimed:
            raise NotQueued(f"复查 {recheck_id} 已被其他进程处理")
        day = as_of or beijing_today()
        try:
            run_id = _crawl_unit(store, registry_path, registry, day, unit_key, catalog_path, launch)
        except StageFailed as exc:
            return _finish(store, recheck_id, "failed", f"复查抓取失败：{exc}", None)
        return _judge(store, recheck_id, run_id, day, catalog)


def _crawl_unit(store, registry_path, registry, day, unit_key, catalog_path, launch) -> int:
    stages.sync_registry(store, registry)
    run_id = start_run(store, "recheck", day, {"unit": f"{unit_key[0]}/{unit_key[1]}"})
    settings = {
        "ZWGK_FULL": "True",
        "ZWGK_ONLY_UNITS": f"{unit_key[0]}/{unit_key[1]}",
        "ZWGK_RECHECK_RULES": ",".join(link_rules()),
        "CLOSESPIDER_TIMEOUT": stages.spider_time_limit(TIME_LIMIT),
    }
    with tempfile.TemporaryDirectory(prefix="zwgk-recheck-") as tmp:
        stats_path = Path(tmp) / "stats.json"
        try:
            proc = launch(
                store, registry_path, run_id, day, stats_path, catalog_path, unit_key[0], "INFO", settings
            )
        except Exception as exc:
            finish_run(store, run_id, "failed", {}, f"{type(exc).__name__}: {exc}")
            raise StageFailed(str(exc)) from None
        stderr, killed = stages.wait_process(proc, TIME_LIMIT.total_seconds() + 30)
        cut = "复查抓取超过时限被中止" if killed else None
        return stages.finish_crawl(store, run_id, proc.returncode, stderr, stats_path, day, cut)


def _judge(store: Store, recheck_id: int, run_id: int, day: date, catalog: Catalog) -> Outcome:
    with store.session() as session:
        rc = session.get(Recheck, recheck_id)
        finding = session.get(Finding, rc.finding_id)
        key = (rc.portal_id, rc.unit_id)
        unit = next((u for u in unit_observations(session, run_id) if (u.portal, u.unit) == key), None)
        if finding.status not in OPEN_STATUSES:
            state, note = "closed", f"该问题已于 {finding.rectified_on} 销号"
        elif unit is None:
            state, note = "unseen", "复查未能读取该单位的页面，问题保持不变"
        else:
            drafts = {
                fingerprint(d): d for d in check_units([unit], CheckContext(as_of=day, catalog=catalog))
            }
            draft = drafts.get(finding.fingerprint)
            if draft is not None:
                state, note = "present", f"复查仍发现该问题：{draft.message}"
                finding.events.append(FindingEvent(run_id=run_id, on=day, event="rechecked", note=note))
            elif observed_fixed(finding, unit, catalog):
                state, note = "rectified", "申请复查未再发现该问题，予以销号"
                rectify(finding, day, run_id, catalog, note)
            else:
                state = "unseen"
                note = "复查未能看到该问题所在的页面（页面无法访问或未能识别），问题保持不变"
    return _finish(store, recheck_id, state, note, run_id)


def _finish(store: Store, recheck_id: int, state: str, note: str, run_id: int | None) -> Outcome:
    with store.session() as session:
        rc = session.get(Recheck, recheck_id)
        rc.state, rc.note, rc.run_id, rc.finished_at = state, note, run_id, utcnow()
    log.info("recheck %s: %s (%s)", recheck_id, state, note)
    return Outcome(recheck_id, state, note, run_id)


def drain(
    store: Store,
    registry_path: str | Path,
    registry: Registry,
    catalog: Catalog,
    catalog_path: str | None = None,
    stop: Callable[[], bool] = lambda: False,
    **kwargs,
) -> list[Outcome]:
    """Run every queued recheck, oldest first (the serve worker calls this in a loop)."""
    sweep_stale(store)
    done = []
    while not stop():
        rid = next_queued(store)
        if rid is None:
            break
        try:
            done.append(run_one(store, registry_path, registry, catalog, rid, catalog_path, **kwargs))
        except NotQueued:
            continue  # taken by another worker meanwhile
        except StageFailed as exc:  # the lock wait timed out: the recheck stays queued
            log.warning("recheck %s not run: %s", rid, exc)
            break
    return done
