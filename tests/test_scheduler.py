"""The scheduler, driven through virtual nights without sleeping.

APScheduler reads the time with `datetime.now` in its scheduler and executor modules; the tests
swap that for a fake clock and call the scheduler's own job processing at each next fire time,
mostly with a synchronous executor (whose jobs cannot overlap by construction, so the overlap
itself is tested with a real thread pool: a long night holding the run lock at 07:30). The production wiring (zwgk.scheduler.build_scheduler, the built-in
schedule.yml, the SQLAlchemy job store) is used unchanged; only the config's job targets point
at recorders here.
"""

from __future__ import annotations

import functools
import itertools
import os
import signal
import subprocess
import sys
import threading
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_MISSED
from apscheduler.executors.debug import DebugExecutor
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.schedulers.base import BaseScheduler

from zwgk.cycle import jobs
from zwgk.errors import BadInput
from zwgk.scheduler import DEFAULT_CONFIG, build_scheduler, job_kwargs, load_config
from zwgk.store.db import Store, make_engine
from zwgk.store.schema import Run

SH = jobs.SHANGHAI
REPO = Path(__file__).resolve().parents[1]


# -- a virtual clock and a scheduler without a loop of its own --------------------------------------
class FakeClock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta

    def __reduce__(self):
        # The job store pickles each job's keywords: the clock is stored as a reference to CLOCK.
        return "CLOCK"


class ManualScheduler(BaseScheduler):
    """Processes jobs only when the test says so (no thread, no timer)."""

    def wakeup(self):
        pass

    def shutdown(self, wait=True):
        super().shutdown(wait)


CLOCK = FakeClock(datetime(2026, 2, 28, 12, 0, tzinfo=SH))
CALLS: list[dict] = []
DURATION = {
    "nightly": timedelta(hours=2),
    "daily_report": timedelta(minutes=5),
    "weekly_report": timedelta(minutes=10),
    "monthly_report": timedelta(minutes=20),
}
RELEASE = threading.Event()


def _record(name: str, kwargs: dict) -> None:
    start = CLOCK.now
    CLOCK.advance(DURATION[name])  # the job 'takes' this long on the virtual clock
    CALLS.append(
        {
            "job": name,
            "as_of": jobs.today(kwargs["clock"]),
            "start": start,
            "end": CLOCK.now,
            "kwargs": kwargs,
        }
    )


def record_nightly(**kw):
    _record("nightly", kw)


def record_daily(**kw):
    _record("daily_report", kw)


def record_weekly(**kw):
    _record("weekly_report", kw)


def record_monthly(**kw):
    _record("monthly_report", kw)


def blocking_nightly(**kw):
    CALLS.append({"job": "nightly", "start": CLOCK.now})
    RELEASE.wait(30)


RECORDERS = {
    "nightly": "record_nightly",
    "daily_report": "record_daily",
    "weekly_report": "record_weekly",
    "monthly_report": "record_monthly",
}


@pytest.fixture
def fake_time(monkeypatch):
    """Point APScheduler's notion of now at CLOCK (the jobs are handed CLOCK in PARAMS)."""
    import apscheduler.executors.base as executors_base
    import apscheduler.schedulers.base as schedulers_base

    class FakeDatetime(datetime):
        @classmethod
        def now(cls, tz=None):
            return CLOCK.now.astimezone(tz) if tz else CLOCK.now.replace(tzinfo=None)

    monkeypatch.setattr(schedulers_base, "datetime", FakeDatetime)
    monkeypatch.setattr(executors_base, "datetime", FakeDatetime)
    CLOCK.now = datetime(2026, 2, 28, 12, 0, tzinfo=SH)  # Saturday; 3月1日 Sunday, 3月2日 Monday
    CALLS.clear()
    RELEASE.clear()
    return CLOCK


def recorder_config(tmp_path: Path, targets: dict[str, str] | None = None, **overrides) -> Path:
    """The built-in schedule with the same cron fields, each job's func pointed at a recorder."""
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    # The hourly probe job has its own test (test_builtin_probe_job_visits_twenty_times_a_day):
    # here it would only add 24 calls a day between the jobs whose order is checked.
    data["jobs"].pop("probe", None)
    for job_id, spec in data["jobs"].items():
        spec["func"] = f"tests.test_scheduler:{(targets or RECORDERS)[job_id]}"
    data.update(overrides)
    path = tmp_path / "schedule.yml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


# What `zwgk schedule` passes every job, and the virtual clock the jobs read the day from.
PARAMS = {
    "sites": "/srv/zwgk/sites.yml",
    "db": None,
    "out": "/srv/zwgk/reports",
    "catalog": None,
    "clock": CLOCK,
}


def start(tmp_path: Path, config: Path, executor=None) -> tuple[ManualScheduler, object]:
    engine = make_engine(f"sqlite:///{tmp_path}/sched.db")
    sched = build_scheduler(
        load_config(config), engine, PARAMS, scheduler=ManualScheduler(), executor=executor or DebugExecutor()
    )
    sched.start()
    return sched, engine


def run_until(sched: BaseScheduler, end: datetime) -> None:
    """Jump from fire time to fire time until `end`, letting the scheduler run what is due."""
    while True:
        due = [job.next_run_time for job in sched.get_jobs() if job.next_run_time]
        if not due or min(due) > end:
            break
        CLOCK.now = max(CLOCK.now, min(due))
        sched._process_jobs()
    CLOCK.now = max(CLOCK.now, end)


def _not_run(tmp_path: Path) -> list[tuple[str, date, str]]:
    """The skipped runs the scheduler recorded in its database."""
    store = Store(f"sqlite:///{tmp_path}/sched.db", mode="read")
    try:
        with store.session() as s:
            runs = s.query(Run).filter(Run.status == "skipped").order_by(Run.id)
            return [(r.stage, r.as_of, r.error) for r in runs]
    finally:
        store.dispose()


# -- tests ---------------------------------------------------------------------------------------
def test_built_in_schedule():
    cfg = load_config()
    assert {j.id: j.func for j in cfg.jobs} == {
        "nightly": "zwgk.jobs:nightly",
        "daily_report": "zwgk.jobs:daily_report",
        "weekly_report": "zwgk.jobs:weekly_report",
        "monthly_report": "zwgk.jobs:monthly_report",
        "probe": "zwgk.jobs:probe",
    }
    assert str(cfg.timezone) == "Asia/Shanghai"
    assert all(j.misfire_grace_time > 0 for j in cfg.jobs)


def test_builtin_probe_job_visits_twenty_times_a_day():
    """站点无法访问 is judged over ≥ 20 visits a day: the built-in schedule's probe job fires that often."""
    probe = next(spec for spec in load_config(None).jobs if spec.id == "probe")
    day = datetime(2026, 3, 2, tzinfo=SH)
    fires, when = [], day
    while True:
        when = probe.trigger.get_next_fire_time(None, when + timedelta(seconds=1))
        if when is None or when >= day + timedelta(days=1):
            break
        fires.append(when)
    assert len(fires) >= 20, fires
    assert probe.func == "zwgk.jobs:probe"


def test_two_nights_a_monday_and_a_first_of_month(tmp_path, fake_time):
    sched, engine = start(tmp_path, recorder_config(tmp_path))
    try:
        run_until(sched, datetime(2026, 3, 2, 12, 0, tzinfo=SH))
    finally:
        sched.shutdown()
        engine.dispose()
    got = [(c["job"], c["start"].strftime("%m-%d %H:%M"), c["as_of"]) for c in CALLS]
    assert got == [
        ("nightly", "03-01 01:00", date(2026, 3, 1)),
        ("daily_report", "03-01 07:30", date(2026, 3, 1)),
        ("monthly_report", "03-01 08:00", date(2026, 3, 1)),
        ("nightly", "03-02 01:00", date(2026, 3, 2)),
        ("daily_report", "03-02 07:30", date(2026, 3, 2)),
        ("weekly_report", "03-02 08:00", date(2026, 3, 2)),
    ]
    for before, after in itertools.pairwise(CALLS):
        assert after["start"] >= before["end"], f"{after['job']} overlapped {before['job']}"
    kw = CALLS[0]["kwargs"]
    assert kw["sites"] == PARAMS["sites"] and kw["out"] == PARAMS["out"]
    assert kw["lock_max_age_hours"] == 24 and kw["lock_wait_minutes"] == 240


def test_a_running_job_is_not_started_twice(tmp_path, fake_time):
    """max_instances=1: a nightly still running when the next night fires is skipped, not doubled."""
    targets = {**RECORDERS, "nightly": "blocking_nightly"}
    sched, engine = start(tmp_path, recorder_config(tmp_path, targets), executor=ThreadPoolExecutor(4))
    skipped = []
    sched.add_listener(lambda ev: skipped.append(ev.job_id), EVENT_JOB_MAX_INSTANCES)
    try:
        CLOCK.now = datetime(2026, 3, 1, 1, 0, tzinfo=SH)
        sched._process_jobs()  # night 1 starts and keeps running
        CLOCK.now = datetime(2026, 3, 2, 1, 0, tzinfo=SH)
        sched._process_jobs()  # night 2 fires while night 1 runs
        assert skipped.count("nightly") == 1
    finally:
        RELEASE.set()
        sched.shutdown(wait=True)
        engine.dispose()
    assert [c["job"] for c in CALLS if c["job"] == "nightly"] == ["nightly"]
    # the operator sees it: a skipped run on record, not only a log line
    assert [r for r in _not_run(tmp_path) if r[0] == "nightly"] == [
        ("nightly", date(2026, 3, 2), "夜间监测（计划于 2026-03-02 01:00）未运行：上一次运行仍未结束")
    ]


def test_missed_night_is_caught_up_once_after_restart(tmp_path, fake_time):
    """The job store keeps next run times: a scheduler down at 01:00 and back at 01:40 still crawls."""
    config = recorder_config(tmp_path)
    sched, engine = start(tmp_path, config)
    run_until(sched, datetime(2026, 3, 1, 0, 50, tzinfo=SH))
    sched.shutdown()
    engine.dispose()
    CLOCK.now = datetime(2026, 3, 1, 1, 40, tzinfo=SH)  # down over 01:00, back within the grace time
    sched, engine = start(tmp_path, config)
    try:
        sched._process_jobs()
        assert [(c["job"], c["start"].strftime("%H:%M")) for c in CALLS] == [("nightly", "01:40")]
    finally:
        sched.shutdown()
        engine.dispose()


def test_missed_beyond_grace_time_is_not_run(tmp_path, fake_time):
    config = recorder_config(tmp_path, misfire_grace_time=600)
    sched, engine = start(tmp_path, config)
    run_until(sched, datetime(2026, 3, 1, 0, 50, tzinfo=SH))
    sched.shutdown()
    engine.dispose()
    CLOCK.now = datetime(2026, 3, 1, 3, 0, tzinfo=SH)  # two hours late: past a 10-minute grace
    sched, engine = start(tmp_path, config)
    missed = []
    sched.add_listener(lambda ev: missed.append(ev.job_id), EVENT_JOB_MISSED)
    try:
        sched._process_jobs()
        assert CALLS == [] and missed == ["nightly"]
        assert [(stage, day) for stage, day, _ in _not_run(tmp_path)] == [("nightly", date(2026, 3, 1))]
        assert "错过了计划时间" in _not_run(tmp_path)[0][2]
        run_until(sched, datetime(2026, 3, 1, 7, 31, tzinfo=SH))
        assert [c["job"] for c in CALLS] == ["daily_report"]
    finally:
        sched.shutdown()
        engine.dispose()


def test_config_is_the_truth_about_stored_jobs(tmp_path, fake_time):
    config = recorder_config(tmp_path)
    sched, engine = start(tmp_path, config)
    sched.shutdown()
    engine.dispose()
    data = yaml.safe_load(config.read_text(encoding="utf-8"))
    del data["jobs"]["weekly_report"]
    data["jobs"]["nightly"]["cron"] = {"hour": 2, "minute": 15}
    config.write_text(yaml.safe_dump(data), encoding="utf-8")
    sched, engine = start(tmp_path, config)
    try:
        stored = {j.id: j.next_run_time for j in sched.get_jobs()}
        assert set(stored) == {"nightly", "daily_report", "monthly_report"}
        assert stored["nightly"] == datetime(2026, 3, 1, 2, 15, tzinfo=SH)
    finally:
        sched.shutdown()
        engine.dispose()


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("jobs:\n  nightly:\n    func: zwgk.jobs:nightly\n    cron: {hour: 25}\n", 4, "定时字段有误"),
        ("jobs:\n  nightly:\n    func: zwgk.jobs:no_such_job\n    cron: {hour: 1}\n", 3, "找不到"),
        (
            "timezone: Asia/Nowhere\njobs:\n  nightly:\n    func: zwgk.jobs:nightly\n    cron: {hour: 1}\n",
            1,
            "未知的时区",
        ),
        (
            "jobs:\n  nightly:\n    func: zwgk.jobs:nightly\n    cron: {hour: 1}\n    when: later\n",
            5,
            "未知字段",
        ),
    ],
)
def test_bad_config_names_file_and_line(tmp_path, text, line, fragment):
    path = tmp_path / "bad.yml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadInput) as exc:
        load_config(path)
    assert f"{path}:{line}:" in str(exc.value) and fragment in str(exc.value)


# -- the production jobs' own records ------------------------------------------------------------------
def test_missing_report_is_recorded_as_not_available(tmp_path, fake_time, monkeypatch):
    monkeypatch.setitem(jobs.REPORTS, "weekly", ("zwgk.reports.no_such_module", "render_weekly", "周通报"))
    CLOCK.now = datetime(2026, 3, 2, 8, 0, tzinfo=SH)
    db = f"sqlite:///{tmp_path}/r.db"
    Store(db).dispose()  # `zwgk schedule` creates the database before any job runs
    assert jobs.weekly_report(db=db, out=str(tmp_path / "out"), clock=CLOCK) is None
    store = Store(db)
    try:
        with store.session() as session:
            run = session.query(Run).one()
        assert (run.stage, run.status, run.as_of, run.counts["report"]) == (
            "report",
            "unavailable",
            date(2026, 3, 2),
            "weekly",
        )
        assert "不可用" in run.error and "周通报" in run.error
    finally:
        store.dispose()


def fake_render(store, as_of, out_dir, catalog, config):
    assert config["issuer"]  # the report settings (built-in unless --report-config names a file)
    path = Path(out_dir) / f"fake-{as_of}.html"
    path.write_text("ok", encoding="utf-8")
    return path


def test_report_job_renders_and_records(tmp_path, fake_time, monkeypatch):
    monkeypatch.setitem(jobs.REPORTS, "monthly", ("tests.test_scheduler", "fake_render", "月考核"))
    CLOCK.now = datetime(2026, 3, 1, 8, 0, tzinfo=SH)
    db = f"sqlite:///{tmp_path}/r.db"
    Store(db).dispose()  # `zwgk schedule` creates the database before any job runs
    path = jobs.monthly_report(db=db, out=str(tmp_path / "out"), clock=CLOCK)
    assert path and Path(path).name == "fake-2026-03-01.html"
    store = Store(db)
    try:
        with store.session() as session:
            run = session.query(Run).one()
        assert (run.status, run.counts["path"]) == ("ok", path)
    finally:
        store.dispose()


def test_scheduled_weekly_notice_carries_the_report_settings(tmp_path, fake_time):
    """`zwgk schedule --report-config FILE` hands the file to the report jobs: the Monday notice carries
    the county's issuer, 文号 and 主送 and is numbered in the database."""
    from tests.reports_fixtures import build_scenario
    from zwgk.config.catalog import load_catalog

    settings = tmp_path / "reports.yml"
    settings.write_text(
        "issuer: 济阳区人民政府办公室\nrecipients: 各街道办事处，区政府各部门\ndoc_prefix: 济阳政办\n",
        encoding="utf-8",
    )
    db = f"sqlite:///{tmp_path}/w.db"
    store = Store(db)
    build_scenario(store, load_catalog())
    store.dispose()
    CLOCK.now = datetime(2024, 3, 11, 8, 0, tzinfo=SH)  # the Monday after the scenario's week
    kw = job_kwargs(load_config(None), next(j for j in load_config(None).jobs if j.id == "weekly_report"), {})
    path = jobs.weekly_report(
        db=db, out=str(tmp_path / "out"), clock=CLOCK, report_config=str(settings), **_lock_kw(kw)
    )
    html = Path(path).read_text("utf-8")
    assert (
        "济阳区人民政府办公室" in html
        and "济阳政办〔2024〕1号" in html
        and "各街道办事处，区政府各部门：" in html
    )
    assert "2024年3月4日至2024年3月10日" in html


def _lock_kw(kw: dict) -> dict:
    return {k: kw[k] for k in ("lock_wait_minutes", "lock_max_age_hours") if k in kw}


def test_nightly_is_skipped_and_recorded_while_another_run_holds_the_lock(tmp_path, fake_time):
    from zwgk.cycle.runlock import LockHeld, run_lock

    sites = tmp_path / "sites.yml"
    sites.write_text(
        "portals:\n  - id: demo\n    name: 演示区人民政府\n    home: http://127.0.0.1:9/\n"
        "    units:\n      - id: gov\n        name: 演示区人民政府\n        profile: government\n"
        "        entry: http://127.0.0.1:9/xxgk/\n",
        encoding="utf-8",
    )
    db = f"sqlite:///{tmp_path}/n.db"
    store = Store(db)
    try:
        with run_lock(store, command="zwgk run (manual)"):
            CLOCK.now = datetime(2026, 3, 1, 1, 0, tzinfo=SH)
            assert jobs.nightly(str(sites), db=db, clock=CLOCK) is None
            with pytest.raises(LockHeld):
                jobs.render_report("daily", db=db, out=str(tmp_path), lock_wait_minutes=0, clock=CLOCK)
        with store.session() as session:
            runs = session.query(Run).order_by(Run.id).all()
        assert [(r.stage, r.status) for r in runs] == [("nightly", "skipped"), ("report", "failed")]
        assert "另一任务正在运行" in runs[0].error and "zwgk run (manual)" in runs[0].error
    finally:
        store.dispose()


def test_nightly_with_a_bad_registry_is_recorded(tmp_path, fake_time):
    sites = tmp_path / "sites.yml"
    sites.write_text("portals: 3\n", encoding="utf-8")
    db = f"sqlite:///{tmp_path}/b.db"
    with pytest.raises(BadInput):
        jobs.nightly(str(sites), db=db)
    store = Store(db)
    try:
        with store.session() as session:
            run = session.query(Run).one()
        assert (run.stage, run.status) == ("nightly", "failed") and str(sites) in run.error
    finally:
        store.dispose()


# -- a real thread pool: the morning report waits for a night that runs long ----------------------------
NIGHT_HOLDS_LOCK = threading.Event()  # the nightly stand-in has the run lock
REPORT_WAITING = threading.Event()  # the daily report found the lock held and is polling
NIGHT_MAY_END = threading.Event()  # the test lets the night finish


def long_nightly(db=None, **kw):
    """Stand-in for jobs.nightly: takes the run lock at 01:00 and holds it past 07:30 (fake clock)."""
    from zwgk.cycle.runlock import CYCLE, run_lock

    store = Store(db)
    try:
        with (
            jobs.recorded(store, "nightly", jobs.today(CLOCK)),
            run_lock(store, CYCLE, command="test: long night"),
        ):
            start = CLOCK.now
            NIGHT_HOLDS_LOCK.set()
            if not NIGHT_MAY_END.wait(15):
                raise TimeoutError("the test never let the night end")
            CLOCK.now = datetime(2026, 3, 3, 7, 50, tzinfo=SH)  # the night ran 20 minutes into the morning
            CALLS.append({"job": "nightly", "start": start, "end": CLOCK.now, "kwargs": kw})
    finally:
        store.dispose()


def fake_daily_render(store, as_of, out_dir, catalog, config):
    """The daily renderer's place in jobs.REPORTS: records when it ran and who held the lock then."""
    from zwgk.cycle.runlock import current_holder

    holder = current_holder(store)
    start = CLOCK.now
    CLOCK.advance(DURATION["daily_report"])
    CALLS.append(
        {
            "job": "daily_report",
            "as_of": as_of,
            "start": start,
            "end": CLOCK.now,
            "holder": holder.command if holder else None,
        }
    )
    return fake_render(store, as_of, out_dir, catalog, config)


def test_daily_report_waits_for_a_nightly_holding_the_lock(tmp_path, fake_time, monkeypatch):
    """Threads, not a synchronous executor: at 07:30 the nightly still holds the run lock, so the real
    jobs.daily_report (with a fake renderer) waits for it and renders only after the night ended."""
    from zwgk.cycle import runlock

    for event in (NIGHT_HOLDS_LOCK, REPORT_WAITING, NIGHT_MAY_END):
        event.clear()
    monkeypatch.setitem(jobs.REPORTS, "daily", ("tests.test_scheduler", "fake_daily_render", "日调度"))
    real_try_acquire = runlock.try_acquire

    def watched_try_acquire(*args, **kwargs):
        try:
            return real_try_acquire(*args, **kwargs)
        except runlock.LockHeld:
            REPORT_WAITING.set()
            raise

    monkeypatch.setattr(runlock, "try_acquire", watched_try_acquire)
    monkeypatch.setattr(runlock, "run_lock", functools.partial(runlock.run_lock, poll=0.1))  # wait briefly

    db = f"sqlite:///{tmp_path}/sched.db"  # the job store and the data in one database, as in production
    data = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    data["jobs"]["nightly"]["func"] = "tests.test_scheduler:long_nightly"
    data["jobs"].pop("probe")  # hourly visits of /srv/zwgk/sites.yml's portals: not this test's subject
    for job_id, target in (("weekly_report", "record_weekly"), ("monthly_report", "record_monthly")):
        data["jobs"][job_id]["func"] = f"tests.test_scheduler:{target}"
    assert data["jobs"]["daily_report"]["func"] == "zwgk.jobs:daily_report"  # the real job
    config = tmp_path / "schedule.yml"
    config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    CLOCK.now = datetime(2026, 3, 2, 12, 0, tzinfo=SH)  # Monday noon: Tuesday 01:00 and 07:30 are next
    engine = make_engine(db)
    params = {**PARAMS, "db": db, "out": str(tmp_path / "reports")}
    sched = build_scheduler(
        load_config(config), engine, params, scheduler=ManualScheduler(), executor=ThreadPoolExecutor(4)
    )
    refused = []
    sched.add_listener(lambda ev: refused.append(ev.job_id), EVENT_JOB_MAX_INSTANCES | EVENT_JOB_MISSED)
    sched.start()
    try:
        run_until(sched, datetime(2026, 3, 3, 0, 59, tzinfo=SH))
        CLOCK.now = datetime(2026, 3, 3, 1, 0, tzinfo=SH)
        sched._process_jobs()  # the nightly starts in a worker thread …
        assert NIGHT_HOLDS_LOCK.wait(10), "the nightly stand-in did not take the lock"
        CLOCK.now = datetime(2026, 3, 3, 7, 30, tzinfo=SH)
        sched._process_jobs()  # … and still runs when the daily report fires
        assert REPORT_WAITING.wait(10), "the daily report did not meet the held lock"
        assert [c["job"] for c in CALLS] == [], "something finished while the night held the lock"
        NIGHT_MAY_END.set()
    finally:
        NIGHT_MAY_END.set()
        sched.shutdown(wait=True)  # waits for both worker threads
        engine.dispose()

    assert refused == []
    assert [c["job"] for c in CALLS] == ["nightly", "daily_report"]
    night, report = CALLS
    assert (
        night["start"] == datetime(2026, 3, 3, 1, 0, tzinfo=SH) and night["end"].strftime("%H:%M") == "07:50"
    )
    assert report["start"] >= night["end"], "the daily report started before the night ended"
    assert report["holder"] == "zwgk schedule: daily report 2026-03-03"  # it rendered under its own lock
    assert report["as_of"] == date(2026, 3, 3)
    store = Store(db)
    try:
        with store.session() as session:
            runs = [
                (r.stage, r.status, (r.counts or {}).get("report"))
                for r in session.query(Run).order_by(Run.id)
            ]
        assert runs == [("nightly", "ok", None), ("report", "ok", "daily")]  # each recorded once
        assert runlock.current_holder(store) is None
    finally:
        store.dispose()
    assert (tmp_path / "reports" / "fake-2026-03-03.html").exists()


# -- the real command, stopped by a signal ---------------------------------------------------------------
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_schedule_command_stops_cleanly_on_signal(tmp_path, sig):
    sites = tmp_path / "sites.yml"
    sites.write_text(
        "portals:\n  - id: demo\n    name: 演示区人民政府\n    home: http://127.0.0.1:9/\n"
        "    units:\n      - id: gov\n        name: 演示区人民政府\n        profile: government\n"
        "        entry: http://127.0.0.1:9/xxgk/\n",
        encoding="utf-8",
    )
    cmd = [
        sys.executable,
        "-m",
        "zwgk.cli",
        "schedule",
        "--sites",
        str(sites),
        "--db",
        str(tmp_path / "s.db"),
        "--out",
        str(tmp_path / "reports"),
    ]
    proc = subprocess.Popen(
        cmd,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    lines = []
    try:
        for line in proc.stderr:
            lines.append(line)
            if "调度器已启动" in line:
                break
        else:
            pytest.fail("scheduler did not start:\n" + "".join(lines))
        proc.send_signal(sig)
        rest = proc.communicate(timeout=30)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, "".join(lines) + rest
    assert "调度器已停止" in rest
