"""`zwgk schedule`: APScheduler wiring only — cron triggers (Asia/Shanghai) that call zwgk.jobs.

Jobs live in a persistent SQLAlchemyJobStore in the monitored database itself, so a firing
missed while the scheduler was down (a reboot at 00:55) still runs when it comes back, within
`misfire_grace_time`. The YAML config is the truth about which jobs exist: on start, jobs whose
definition is unchanged keep their stored next run time, changed ones are replaced, and jobs no
longer configured are removed. Each job runs at most once at a time (`max_instances=1`) and
missed firings collapse into one (`coalesce=True`); overlap with other schedulers or a manual
`zwgk run` is prevented by the run lock the jobs take (zwgk/cycle/runlock.py).
"""

from __future__ import annotations

import logging
import os
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.util import ref_to_obj

from zwgk.config.yamlines import load_located
from zwgk.errors import BadInput

log = logging.getLogger(__name__)

DEFAULT_CONFIG = Path(__file__).resolve().parent / "data" / "schedule.yml"
JOBSTORE_TABLE = "apscheduler_jobs"
_TOP_KEYS = {"timezone", "misfire_grace_time", "lock_max_age_hours", "report_lock_wait_minutes", "jobs"}
_JOB_KEYS = {"func", "cron", "kwargs", "misfire_grace_time"}


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: str  # 'module:function', resolved by APScheduler at each firing
    trigger: CronTrigger
    kwargs: dict[str, Any] = field(default_factory=dict)
    misfire_grace_time: int = 3600


@dataclass(frozen=True)
class ScheduleConfig:
    path: Path
    timezone: ZoneInfo
    jobs: list[JobSpec]
    lock_max_age_hours: float = 24
    report_lock_wait_minutes: float = 240


def load_config(path: str | Path | None = None) -> ScheduleConfig:
    """Read and validate a schedule file; any problem is BadInput naming the file and line."""
    doc = load_located(path or DEFAULT_CONFIG)
    src = str(doc.path)

    def bad(msg: str, *loc) -> BadInput:
        return BadInput(msg, path=src, line=doc.line_of(loc))

    data = doc.data
    if not isinstance(data, dict) or not isinstance(data.get("jobs"), dict) or not data["jobs"]:
        raise bad("调度设置应为映射，且含非空的 jobs")
    for key in data:
        if key not in _TOP_KEYS:
            raise bad(f"未知字段 {key!r}（可用：{', '.join(sorted(_TOP_KEYS))}）", key)
    try:
        tz = ZoneInfo(str(data.get("timezone", "Asia/Shanghai")))
    except (ZoneInfoNotFoundError, ValueError):
        raise bad(f"未知的时区 {data.get('timezone')!r}", "timezone") from None
    grace = _number(data.get("misfire_grace_time", 3600), bad, "misfire_grace_time")
    jobs = [_job(job_id, spec, tz, int(grace), bad) for job_id, spec in data["jobs"].items()]
    return ScheduleConfig(
        path=doc.path,
        timezone=tz,
        jobs=jobs,
        lock_max_age_hours=_number(data.get("lock_max_age_hours", 24), bad, "lock_max_age_hours"),
        report_lock_wait_minutes=_number(
            data.get("report_lock_wait_minutes", 240), bad, "report_lock_wait_minutes"
        ),
    )


def _number(value, bad, *loc) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise bad(f"{loc[-1]} 应为非负数，而不是 {value!r}", *loc)
    return value


def _job(job_id: str, spec: Any, tz: ZoneInfo, grace: int, bad) -> JobSpec:
    if not isinstance(spec, dict):
        raise bad(f"任务 {job_id!r} 应为含 func 和 cron 的映射", "jobs", job_id)
    for key in spec:
        if key not in _JOB_KEYS:
            raise bad(
                f"任务 {job_id!r} 中有未知字段 {key!r}（可用：{', '.join(sorted(_JOB_KEYS))}）",
                "jobs",
                job_id,
                key,
            )
    func = spec.get("func")
    if not isinstance(func, str) or ":" not in func:
        raise bad(f"任务 {job_id!r}：func 应写作“模块:函数”", "jobs", job_id, "func")
    try:
        if not callable(ref_to_obj(func)):
            raise LookupError(f"{func} is not callable")
    except (LookupError, ImportError, ValueError) as exc:
        raise bad(f"任务 {job_id!r}：找不到 {func}：{exc}", "jobs", job_id, "func") from None
    cron = spec.get("cron")
    if not isinstance(cron, dict) or not cron:
        raise bad(
            f"任务 {job_id!r}：cron 应为定时字段的映射，例如 {{hour: 1, minute: 0}}",
            "jobs",
            job_id,
            "cron",
        )
    try:
        trigger = CronTrigger(timezone=tz, **{str(k): v for k, v in cron.items()})
    except (TypeError, ValueError) as exc:
        raise bad(f"任务 {job_id!r}：定时字段有误：{exc}", "jobs", job_id, "cron") from None
    kwargs = spec.get("kwargs") or {}
    if not isinstance(kwargs, dict):
        raise bad(f"任务 {job_id!r}：kwargs 应为映射", "jobs", job_id, "kwargs")
    own_grace = int(_number(spec.get("misfire_grace_time", grace), bad, "jobs", job_id, "misfire_grace_time"))
    return JobSpec(job_id, func, trigger, dict(kwargs), own_grace)


def job_kwargs(config: ScheduleConfig, spec: JobSpec, params: dict[str, Any]) -> dict[str, Any]:
    """What a job is called with: the command's parameters, the lock settings, the job's own kwargs."""
    kw = {
        **params,
        "lock_max_age_hours": config.lock_max_age_hours,
        "lock_wait_minutes": config.report_lock_wait_minutes,
    }
    kw.update(spec.kwargs)
    return kw


def _same(job, spec: JobSpec, kwargs: dict) -> bool:
    return (
        job.func_ref == spec.func
        and repr(job.trigger) == repr(spec.trigger)
        and job.kwargs == kwargs
        and job.misfire_grace_time == spec.misfire_grace_time
        and job.max_instances == 1
        and job.coalesce
    )


def build_scheduler(
    config: ScheduleConfig,
    engine,
    params: dict[str, Any],
    scheduler: BaseScheduler | None = None,
    executor=None,
) -> BaseScheduler:
    """A scheduler (BlockingScheduler unless given) whose job store holds exactly the configured jobs.

    `engine` is the store's engine (zwgk.store.db.make_engine), so the job table lives beside the data.
    """
    scheduler = scheduler or BlockingScheduler()
    scheduler.configure(
        timezone=config.timezone,
        executors={"default": executor or ThreadPoolExecutor(4)},
        job_defaults={"max_instances": 1, "coalesce": True},
    )
    jobstore = SQLAlchemyJobStore(engine=engine, tablename=JOBSTORE_TABLE)
    jobstore.start(scheduler, "default")  # creates its table; lets us read what is stored
    stored = {job.id: job for job in jobstore.get_all_jobs()}
    wanted = {spec.id for spec in config.jobs}
    for job_id in sorted(set(stored) - wanted):
        log.info("removing job %s: no longer in %s", job_id, config.path)
        jobstore.remove_job(job_id)
    for spec in config.jobs:
        kwargs = job_kwargs(config, spec, params)
        if spec.id in stored and _same(stored[spec.id], spec, kwargs):
            continue  # keeps its stored next run time: a missed firing is still caught up
        scheduler.add_job(
            spec.func,
            spec.trigger,
            id=spec.id,
            name=spec.id,
            kwargs=kwargs,
            jobstore="default",
            replace_existing=True,
            max_instances=1,
            coalesce=True,
            misfire_grace_time=spec.misfire_grace_time,
        )
    scheduler.add_jobstore(jobstore, "default")
    scheduler.add_listener(_not_run_recorder(engine, params), EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
    return scheduler


def _not_run_recorder(engine, params: dict[str, Any]):
    """A listener that records (and alerts) every firing APScheduler declines to run."""

    def on_not_run(event) -> None:
        from zwgk.cycle.jobs import record_not_run
        from zwgk.store.db import Store

        if event.code == EVENT_JOB_MAX_INSTANCES:
            reason, when = "上一次运行仍未结束", event.scheduled_run_times[0]
        else:
            reason, when = "错过了计划时间（调度器当时未运行或超过允许的延迟）", event.scheduled_run_time
        try:
            store = Store(engine.url.render_as_string(hide_password=False), mode="write", migrate=False)
            try:
                record_not_run(store, event.job_id, when, reason, params.get("notify"))
            finally:
                store.dispose()
        except Exception:
            log.exception("the skipped %s at %s could not be recorded", event.job_id, when)

    return on_not_run


def install_signal_handlers(scheduler: BaseScheduler, on_stop=None) -> None:
    """SIGTERM/SIGINT: stop taking jobs, end a running crawl (recorded 'partial', kept), let the
    running job record its end, and exit — within seconds, as systemd expects; a second signal aborts.

    A finished job has recorded its run and released the run lock; an aborted one leaves a lock
    whose pid is dead, which the next run breaks.
    """
    from zwgk.cycle.stages import stop_crawls

    state = {"stopping": False}

    def handler(signum, _frame):
        name = signal.Signals(signum).name
        if state["stopping"]:
            log.warning("%s again: aborting running jobs", name)
            os._exit(128 + signum)
        state["stopping"] = True
        if on_stop:
            on_stop(name)
        stop_crawls()
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def next_runs(scheduler: BaseScheduler) -> list[tuple[str, Any]]:
    return sorted(
        ((job.id, job.next_run_time) for job in scheduler.get_jobs()),
        key=lambda item: (item[1] is None, item[1] or 0),
    )
