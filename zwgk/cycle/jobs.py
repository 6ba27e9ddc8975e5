"""The scheduled jobs: what runs at each cron firing (zwgk/scheduler.py only wires them).

Every job opens the store itself (jobs run in the scheduler's worker threads; each gets its own
connections), takes as-of = today in Asia/Shanghai from its `clock` keyword (the wall clock unless
one is passed), and leaves a run record whatever happens, so `zwgk status` shows a skipped or
failed night instead of silence. The crawl itself runs in a subprocess (stages.crawl), so a
crashed crawl never takes the scheduler with it.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from zwgk.beijing import BEIJING
from zwgk.cycle.records import recorded
from zwgk.errors import BadInput, StageFailed
from zwgk.reports.kinds import DATED_KINDS

log = logging.getLogger(__name__)

SHANGHAI = BEIJING  # the scheduler's zone: as-of dates are Beijing calendar days
Clock = Callable[[], datetime]


def shanghai_now() -> datetime:
    return datetime.now(SHANGHAI)


def today(clock: Clock | None = None) -> date:
    """The as-of date: the calendar day in Asia/Shanghai, whatever the host's time zone."""
    now = (clock or shanghai_now)()
    return (now.astimezone(SHANGHAI) if now.tzinfo else now).date()


def _open_store(db: str | None, mode: str = "write"):
    """The scheduler created and migrated the database at start; the nightly job may create it."""
    from zwgk.store.db import Store

    return Store(db, mode=mode)


# The scheduled jobs by the names an operator reads (the ids are schedule.yml's).
JOB_NAMES = {
    "nightly": "夜间监测",
    "daily_report": "日调度报告",
    "weekly_report": "周通报",
    "monthly_report": "月考核",
    "probe": "可用性探测",
}


# -- the jobs --------------------------------------------------------------------------------------
def _notify_config(notify: str | None, registry=None):
    if not notify:
        return None
    from zwgk.cycle.notify import load_notify_config

    return load_notify_config(notify, registry)


def alert_safely(store, day: date, cfg, extra: list[str] | None = None) -> None:
    """Tell the operator about this day's run problems; a failing alert is logged, never raised."""
    if cfg is None:
        return
    from zwgk.cycle.notify import check_and_alert

    try:
        check_and_alert(store, day, cfg, extra=extra)
    except Exception:
        log.exception("operator alert for %s could not be sent or recorded", day)


def nightly(
    sites: str,
    db: str | None = None,
    out: str | None = None,
    catalog: str | None = None,
    lock_max_age_hours: float = 24,
    notify: str | None = None,
    full_on: str | None = None,
    time_limit_minutes: float = 300,
    keep_pages_nights: int = 30,
    clock: Clock | None = None,
    **_ignored,
) -> dict | None:
    """Crawl every portal, then check: the night's work. Skipped (and recorded) if a run holds the lock.

    `out` is accepted for a uniform job signature; the dispatch is rendered by daily_report.
    With `notify` (a notifications YAML), the operator hears of a failed, skipped or thin night.
    `full_on` (a weekday: mon … sun) makes that night's crawl a full re-crawl (`zwgk crawl --full`):
    every page re-read and every link re-checked, whatever the incremental crawl could reuse.
    `keep_pages_nights` (0: keep everything): after the check, page archives older than that many
    nights are cleared, except the evidence of open findings (zwgk/store/retention.py).
    """
    from zwgk.config.catalog import load_catalog
    from zwgk.config.registry import load_registry
    from zwgk.cycle.night import run_cycle
    from zwgk.cycle.runlock import LockHeld

    day = today(clock)
    store = _open_store(db, "create")
    try:
        try:
            cat = load_catalog(catalog)
            reg = load_registry(sites, set(cat.profiles), cat.column_ids())
            cfg = _notify_config(notify, reg)
        except BadInput as exc:
            with recorded(store, "nightly", day) as rec:
                rec.status, rec.error = "failed", f"配置有误: {exc}"
            raise
        try:
            full = bool(full_on) and day.strftime("%a").lower()[:3] == str(full_on).lower()[:3]
            result = run_cycle(
                store,
                sites,
                reg,
                cat,
                day,
                catalog_path=catalog,
                full=full,
                lock_max_age=timedelta(hours=lock_max_age_hours),
                lock_command=f"zwgk schedule: nightly {day}",
                time_limit=timedelta(minutes=time_limit_minutes),
            )
        except LockHeld as exc:
            log.warning("nightly %s skipped: %s", day, exc)
            with recorded(store, "nightly", day) as rec:
                rec.status, rec.error = "skipped", str(exc)
            alert_safely(store, day, cfg, [f"夜间抓取被跳过：{exc}"])
            return None
        except Exception as exc:
            # A failed stage is in its run record, which the alert reads; anything else is named here.
            alert_safely(
                store,
                day,
                cfg,
                []
                if isinstance(exc, StageFailed)
                else [f"夜间任务异常：{type(exc).__name__}: {str(exc)[:300]}"],
            )
            raise
        alert_safely(store, day, cfg)  # a finished night can still have covered too little
        done = {"crawl_run": result.crawl_id, "check_run": result.check_id}
        if keep_pages_nights:
            done["pruned_pages"] = _prune_safely(store, keep_pages_nights)
        return done
    finally:
        store.dispose()


def record_not_run(store, job_id: str, scheduled: datetime, reason: str, notify: str | None = None) -> str:
    """A firing the scheduler did not run (the previous one still running, or missed beyond its
    grace time): recorded as a skipped run and told to the operator, never only a log line."""
    when = scheduled.astimezone(SHANGHAI) if scheduled.tzinfo else scheduled
    message = f"{JOB_NAMES.get(job_id, job_id)}（计划于 {when:%Y-%m-%d %H:%M}）未运行：{reason}"
    log.warning("%s: %s", job_id, message)
    stage = job_id if job_id in ("nightly", "probe") else "report"
    with recorded(store, stage, when.date(), job=job_id) as rec:
        rec.status, rec.error = "skipped", message
    try:
        cfg = _notify_config(notify)
    except BadInput:
        log.exception("notifications file %s unreadable: the skipped %s is only recorded", notify, job_id)
        return message
    alert_safely(store, when.date(), cfg, [message])
    return message


def probe(
    sites: str,
    db: str | None = None,
    catalog: str | None = None,
    notify: str | None = None,
    timeout_seconds: float = 15,
    concurrency: int = 8,
    **_ignored,
) -> dict:
    """One round of availability visits (站点无法访问 over ≥ 20 visits a day). A failing visit is
    data for the week's rate, not an alert: the operator hears of a site down from the night."""
    from zwgk.config.catalog import load_catalog
    from zwgk.config.registry import load_registry
    from zwgk.cycle.probes import run_probes

    cat = load_catalog(catalog)
    reg = load_registry(sites, set(cat.profiles), cat.column_ids())
    store = _open_store(db)
    try:
        results = run_probes(store, reg, timeout=timeout_seconds, concurrency=concurrency)
    finally:
        store.dispose()
    failed = [r for r in results if not r.ok]
    if failed:
        log.info("probe: %d of %d pages failed", len(failed), len(results))
    return {"probes": len(results), "failed": len(failed)}


def _prune_safely(store, keep_nights: int) -> int | None:
    """Retention after a finished night; a failure is logged (the night's work is already kept)."""
    from zwgk.cycle.runlock import CYCLE, LockHeld, run_lock
    from zwgk.store.retention import MIN_KEEP_NIGHTS, prune_pages

    try:
        with run_lock(store, CYCLE, command=f"zwgk schedule: prune pages ({keep_nights} nights)"):
            result = prune_pages(store, max(MIN_KEEP_NIGHTS, int(keep_nights)))
    except LockHeld as exc:
        log.info("page archives not pruned tonight: %s", exc)
        return None
    except Exception:
        log.exception("page archives could not be pruned")
        return None
    log.info(
        "pruned %d page archives (%d bytes); %d left",
        result.pages_deleted,
        result.bytes_deleted,
        result.pages_left,
    )
    return result.pages_deleted


def _report_function(module: str, name: str) -> Callable | None:
    """Look a renderer up at run time: reports written later need no scheduler change."""
    try:
        mod = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            return None
        raise  # the module exists but one of its own imports is broken: that is an error
    return getattr(mod, name, None)


# kind -> (module, function, 中文名): every dated report kind (zwgk/reports/kinds.py) is a job
REPORTS = {k.id: (*k.renderer, k.label) for k in DATED_KINDS}


def render_report(
    kind: str,
    db: str | None = None,
    out: str | None = None,
    catalog: str | None = None,
    lock_wait_minutes: float = 240,
    lock_max_age_hours: float = 24,
    clock: Clock | None = None,
    report_config: str | None = None,
) -> str | None:
    """Render one report as of today, after any running crawl finishes, and record the outcome.

    `report_config`: the report settings file (issuer, 主送, 文号, contact …) of `zwgk schedule --report-config`.

    The report waits for the run lock so that the morning dispatch never reads a half-done night.
    """
    from zwgk.config.catalog import load_catalog
    from zwgk.cycle.runlock import CYCLE, run_lock
    from zwgk.reports.config import load_report_config

    module, name, title = REPORTS[kind]
    day = today(clock)
    store = _open_store(db)
    try:
        with recorded(store, "report", day, report=kind) as rec:
            render = _report_function(module, name)
            if render is None:
                rec.status = "unavailable"
                rec.error = f"{title}报告功能在此安装中不可用"
                log.warning("%s report for %s not rendered: %s", kind, day, rec.error)
                return None
            out_dir = Path(out or "reports")
            out_dir.mkdir(parents=True, exist_ok=True)
            with run_lock(
                store,
                CYCLE,
                wait=True,
                timeout=lock_wait_minutes * 60,
                max_age=timedelta(hours=lock_max_age_hours),
                command=f"zwgk schedule: {kind} report {day}",
            ):
                path = render(store, day, out_dir, load_catalog(catalog), load_report_config(report_config))
            rec.counts["path"] = str(path)
            return str(path)
    finally:
        store.dispose()


def daily_report(
    db: str | None = None, out: str | None = None, catalog: str | None = None, notify: str | None = None, **kw
) -> str | None:
    """日调度 at 07:30; with `notify`, then each unit its list, the supervisor the summary, the operator alerts."""
    cfg = _notify_config(notify, _registry_or_none(kw.get("sites"), catalog))
    try:
        path = render_report("daily", db, out, catalog, **_report_kw(kw))
    except Exception as exc:
        if cfg is not None:
            store = _open_store(db)
            try:
                alert_safely(
                    store,
                    today(kw.get("clock")),
                    cfg,
                    [f"日调度报告生成失败：{type(exc).__name__}: {str(exc)[:300]}"],
                )
            finally:
                store.dispose()
        raise
    if cfg is not None and path is not None:
        notify_daily(db, catalog, cfg, today(kw.get("clock")))
    return path


def _registry_or_none(sites: str | None, catalog: str | None):
    """The registry, to check the notification file's unit ids against (None when it cannot be read)."""
    if not sites:
        return None
    from zwgk.config.catalog import load_catalog
    from zwgk.config.registry import load_registry

    try:
        cat = load_catalog(catalog)
        return load_registry(sites, set(cat.profiles), cat.column_ids())
    except BadInput:
        return None


def notify_daily(db: str | None, catalog: str | None, cfg, day: date | None = None) -> dict | None:
    """Send the day's notifications (zwgk.cycle.notify.dispatch_daily); a failure is logged, never raised."""
    from zwgk.config.catalog import load_catalog
    from zwgk.cycle.notify import dispatch_daily

    day = day or today()
    store = _open_store(db)
    try:
        return dispatch_daily(store, day, load_catalog(catalog), cfg)
    except Exception:
        log.exception("notifications for %s failed", day)
        return None
    finally:
        store.dispose()


def weekly_report(
    db: str | None = None, out: str | None = None, catalog: str | None = None, **kw
) -> str | None:
    """周通报 on Mondays."""
    return render_report("weekly", db, out, catalog, **_report_kw(kw))


def monthly_report(
    db: str | None = None, out: str | None = None, catalog: str | None = None, **kw
) -> str | None:
    """月考核 on the 1st."""
    return render_report("monthly", db, out, catalog, **_report_kw(kw))


def _report_kw(kw: dict) -> dict:
    # The scheduler hands every job the same keywords (sites …); reports use only these.
    return {
        k: kw[k] for k in ("lock_wait_minutes", "lock_max_age_hours", "clock", "report_config") if k in kw
    }
