"""Operations commands (schedule, status, db …), registered onto the main `zwgk` app.

Kept apart from cli.py so that running the monitor unattended — the scheduler, the run records,
the database migrations — can grow without touching the stage commands.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.text import Text

from zwgk.beijing import iso as beijing_iso
from zwgk.beijing import to_beijing
from zwgk.cli.common import DbOpt, NoMigrateOpt, ReportConfigOpt, err, out, say_error
from zwgk.cli.runs import counts_text, job_label, stage_label, status_label
from zwgk.errors import BadInput

db_app = typer.Typer(
    no_args_is_help=True, help="数据库：init 建立、upgrade 升级、check 检查、revision 新建迁移（开发用）"
)


def register(app: typer.Typer) -> None:
    """Add the operations commands to `app`."""
    app.command("schedule", help="在前台运行调度器：夜间抓取与检查、日调度、周通报、月考核。")(schedule)
    app.command("status", help="最近的运行记录、下次运行时间、运行锁，以及最近一次抓取覆盖了多少单位。")(
        status
    )
    app.command("probe", help="可用性探测：访问一次每个网站首页和各单位信息公开页面，记录能否访问。")(probe)
    app.add_typer(db_app, name="db")


def _bad(exc: BadInput) -> typer.Exit:
    say_error("错误（输入有误）", exc)
    return typer.Exit(2)


# -- schedule ------------------------------------------------------------------------------------
def schedule(
    sites: Annotated[str, typer.Option("--sites", help="登记表文件（YAML）")],
    db: DbOpt = None,
    out_dir: Annotated[Path, typer.Option("--out", help="报告输出目录")] = Path("reports"),
    catalog: Annotated[
        str | None, typer.Option("--catalog", help="本地区栏目目录（YAML，覆盖内置目录）")
    ] = None,
    config: Annotated[
        str | None, typer.Option("--config", help="调度时间表（YAML，默认用内置时间表）")
    ] = None,
    notify: Annotated[
        str | None,
        typer.Option(
            "--notify", help="通知配置文件（YAML）：向各单位发送问题清单、向主管发送汇总、向运维发送告警"
        ),
    ] = None,
    report_config: ReportConfigOpt = None,
    no_migrate: NoMigrateOpt = False,
):
    """Run the scheduler in the foreground: nightly crawl+check, daily/weekly/monthly reports."""
    from zwgk.config.catalog import load_catalog
    from zwgk.config.registry import load_registry
    from zwgk.scheduler import build_scheduler, install_signal_handlers, load_config, next_runs
    from zwgk.store.db import make_engine, normalise_url
    from zwgk.store.dburl import ENV_URL, has_secret

    # The scheduler's own log (jobs started, finished, missed) at INFO unless --quiet; the root
    # handler, with its password filter, is set up by the `zwgk` callback.
    if not err.quiet:
        logging.getLogger().setLevel(logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    try:
        cfg = load_config(config)
        cat = load_catalog(catalog)
        reg = load_registry(sites, set(cat.profiles), cat.column_ids())  # fail now, not at 01:00
        if notify:
            from zwgk.cycle.notify import load_notify_config

            load_notify_config(notify, reg)
        if report_config:
            from zwgk.reports.config import load_report_config

            load_report_config(report_config)  # a bad file fails now, not at the Monday notice
        url = _absolute_db_url(normalise_url(db))
        engine = make_engine(url, "create", migrate=not no_migrate)
    except BadInput as exc:
        raise _bad(exc) from None
    # Absolute paths: the jobs are stored and may run after a restart from another directory.
    # A URL with a password is not stored with the jobs: they find it in this process's
    # environment ($ZWGK_DB), set again by every `zwgk schedule` start.
    if has_secret(url):
        os.environ[ENV_URL] = url
    params = {
        "sites": str(Path(sites).resolve()),
        "db": None if has_secret(url) else url,
        "out": str(out_dir.resolve()),
        "catalog": str(Path(catalog).resolve()) if catalog else None,
    }
    if notify:  # only when given: stored jobs of schedulers without notifications stay unchanged
        params["notify"] = str(Path(notify).resolve())
    if report_config:  # likewise
        params["report_config"] = str(Path(report_config).resolve())
    scheduler = build_scheduler(cfg, engine, params)
    install_signal_handlers(
        scheduler,
        on_stop=lambda name: err.print(
            f"收到 {name}：不再启动新任务，正在中止抓取，等待当前任务记录结果（再次发送将立即退出）",
            highlight=False,
        ),
    )
    from apscheduler.events import EVENT_SCHEDULER_STARTED

    def started(_event) -> None:
        lines = [f"  {job_label(job_id)}  {_shanghai(when)}" for job_id, when in next_runs(scheduler)]
        err.print(f"调度器已启动（配置 {cfg.path}），下次运行:\n" + "\n".join(lines), highlight=False)

    scheduler.add_listener(started, EVENT_SCHEDULER_STARTED)
    scheduler.start()  # blocks until SIGTERM/SIGINT
    engine.dispose()
    err.print("调度器已停止", highlight=False)


def _absolute_db_url(url: str) -> str:
    """sqlite:///relative.db → an absolute path, so a stored job finds the same file after a restart."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and ":memory:" not in url:
        return prefix + str(Path(url[len(prefix) :]).resolve())
    return url


def _shanghai(when: datetime | None) -> str:
    if when is None:
        return "（已暂停）"
    return to_beijing(when).strftime("%Y-%m-%d %H:%M %Z")


# -- probe ---------------------------------------------------------------------------------------
def probe(
    sites: Annotated[str, typer.Option("--sites", help="登记表文件（YAML）")],
    db: DbOpt = None,
    catalog: Annotated[
        str | None, typer.Option("--catalog", help="本地区栏目目录（YAML，覆盖内置目录）")
    ] = None,
    only: Annotated[str | None, typer.Option(help="只探测这些网站（网站编号，逗号分隔）")] = None,
    timeout: Annotated[float, typer.Option(min=1, help="每次访问的超时（秒）")] = 15,
):
    """Visit every portal home and unit entry page once and store the result (站点无法访问 is judged
    over a week of such visits, ≥ 20 a day: the scheduler's `probe` job makes them)."""
    from zwgk.cli.common import _catalog, _registry, _store
    from zwgk.cycle.probes import run_probes

    try:
        reg = _registry(sites, _catalog(catalog))
        store = _store(db, mode="create")
    except BadInput as exc:
        raise _bad(exc) from None
    try:
        results = run_probes(store, reg, timeout=timeout, only=set(only.split(",")) if only else None)
    finally:
        store.dispose()
    failed = [r for r in results if not r.ok]
    out.print(f"探测 {len(results)} 个页面，{len(failed)} 个无法访问", highlight=False)
    for r in failed:
        where = "首页" if r.target == "home" else "信息公开页面"
        out.print(Text(f"  {r.portal}/{r.unit} {where} {r.url}：{r.error}"), highlight=False)
    raise typer.Exit(0)


# -- status --------------------------------------------------------------------------------------
def status(
    db: DbOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 格式输出")] = False,
    limit: Annotated[int, typer.Option(help="显示最近多少次运行")] = 10,
):
    """Recent runs, next scheduled times, the run lock, and how much of the registry the last crawl reached."""
    try:
        from zwgk.store.db import Store

        store = Store(db, mode="read")
    except BadInput as exc:
        raise _bad(exc) from None
    try:
        data = collect_status(store, limit)
    finally:
        store.dispose()
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        _print_status(data)


def collect_status(store, limit: int = 10) -> dict[str, Any]:
    """Everything `zwgk status` shows, as plain data (the --json output)."""
    from sqlalchemy import inspect, select, text

    from zwgk.cycle.runlock import CYCLE, current_holder
    from zwgk.scheduler import JOBSTORE_TABLE
    from zwgk.store.coverage import crawl_coverage, last_crawl
    from zwgk.store.schema import Run

    with store.session() as session:
        runs = session.execute(select(Run).order_by(Run.id.desc()).limit(limit)).scalars().all()
        rows = [_run_row(r) for r in runs]
        crawl = last_crawl(session)
        coverage = None
        if crawl is not None:
            coverage = {
                "run_id": crawl.id,
                "as_of": crawl.as_of.isoformat(),
                "status": crawl.status,
                **crawl_coverage(session, crawl.id),
            }
        next_jobs = None
        if inspect(session.connection()).has_table(JOBSTORE_TABLE):
            stored = session.execute(
                text(f"SELECT id, next_run_time FROM {JOBSTORE_TABLE} ORDER BY next_run_time")
            ).all()
            next_jobs = [_next_row(job_id, ts) for job_id, ts in stored]
    holder = current_holder(store, CYCLE)
    lock = (
        None
        if holder is None
        else {
            "name": holder.name,
            "holder_pid": holder.holder_pid,
            "holder_host": holder.holder_host,
            "started_at": beijing_iso(holder.started_at),
            "command": holder.command,
        }
    )
    return {"runs": rows, "coverage": coverage, "next_runs": next_jobs, "lock": lock}


def _run_row(r) -> dict[str, Any]:
    duration = (r.finished_at - r.started_at).total_seconds() if r.finished_at and r.started_at else None
    return {
        "id": r.id,
        "stage": r.stage,
        "as_of": r.as_of.isoformat(),
        "started_at": _utc_iso(r.started_at),
        "finished_at": _utc_iso(r.finished_at),
        "duration_s": duration,
        "status": r.status,
        "counts": dict(r.counts or {}),
        "error": r.error,
    }


def _utc_iso(when: datetime | None) -> str | None:
    """Run times (stored naive UTC) in the JSON: Beijing time with its +08:00 offset."""
    return beijing_iso(when)


def _local(iso: str | None, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    return to_beijing(datetime.fromisoformat(iso)).strftime(fmt) if iso else "…"


def _next_row(job_id: str, ts: float | None) -> dict[str, Any]:
    when = None if ts is None else datetime.fromtimestamp(ts, UTC)
    return {
        "id": job_id,
        "next_run_utc": when.isoformat() if when else None,
        "next_run_shanghai": _shanghai(when) if when else None,
    }


def _print_status(data: dict[str, Any]) -> None:
    # One line per run rather than a wide table: readable in an 80-column SSH session and in logs.
    out.print("最近运行（北京时间）：" if data["runs"] else "尚无运行记录")
    for r in data["runs"]:
        took = "" if r["duration_s"] is None else f"（{r['duration_s']:.0f} 秒）"
        end = _local(r["finished_at"], "%H:%M:%S")
        out.print(
            f"  #{r['id']:<5} {stage_label(r['stage'])}  监测日期 {r['as_of']}  "
            f"{_local(r['started_at'])} → {end}{took}  {status_label(r['status'])}  {counts_text(r['counts'])}",
            highlight=False,
        )
        error = (r["error"] or "").strip().splitlines()
        if error:
            out.print(f"         错误: {error[-1][:200]}", highlight=False, markup=False)
        if r["counts"].get("log"):
            out.print(f"         抓取日志: {r['counts']['log']}", highlight=False, markup=False)
    cov = data["coverage"]
    if cov is None:
        out.print("尚无抓取记录")
    else:
        out.print(
            f"最近一次抓取（第 {cov['run_id']} 次，监测日期 {cov['as_of']}，{status_label(cov['status'])}）"
            f"覆盖 {cov['units_reached']}/{cov['units_total']} 个单位、"
            f"{cov['portals_reached']}/{cov['portals_total']} 个网站",
            highlight=False,
        )
        if cov["units_missed"]:
            missed = cov["units_missed"]
            out.print(
                f"  未覆盖的单位: {', '.join(missed[:20])}{' …' if len(missed) > 20 else ''}",
                highlight=False,
            )
    if data["next_runs"] is None:
        out.print("调度器未配置（此数据库上尚未运行过 zwgk schedule）")
    else:
        for job in data["next_runs"]:
            out.print(
                f"下次运行: {job_label(job['id'])}  {job['next_run_shanghai'] or '（已暂停）'}",
                highlight=False,
            )
    lock = data["lock"]
    if lock:
        out.print(
            f"运行锁 {lock['name']} 被占用：主机 {lock['holder_host']} 上的进程 {lock['holder_pid']}，"
            f"自 {_local(lock['started_at'])} 起（{lock['command'] or ''}）",
            highlight=False,
        )


# -- db --------------------------------------------------------------------------------------------
@db_app.command(
    "init", help="建立数据库（SQLite 文件，或在已有的 PostgreSQL 数据库中建表），结构为最新版本。"
)
def db_init(db: DbOpt = None):
    """Create the database (a SQLite file, or the tables in an existing PostgreSQL database) at the newest schema."""
    _migrate(db)


@db_app.command("upgrade", help="把数据库结构升级到最新版本（数据库不存在时与 init 相同）。")
def db_upgrade(db: DbOpt = None):
    """Upgrade the database schema to the newest migration (creates it when missing, like init)."""
    _migrate(db)


def _migrate(db: str | None) -> None:
    from zwgk.store.db import make_engine
    from zwgk.store.dburl import normalise_url, redact
    from zwgk.store.migrations import head_revision

    try:
        url = normalise_url(db)
        before = _revision(url)
        make_engine(url, "create").dispose()
    except BadInput as exc:
        raise _bad(exc) from None
    head = head_revision()
    if before == head:
        out.print(f"数据库已是最新结构（{head}）：{redact(url)}", highlight=False)
    elif before is None:
        out.print(f"数据库已建立（结构版本 {head}）：{redact(url)}", highlight=False)
    else:
        out.print(f"数据库已升级（{before} → {head}）：{redact(url)}", highlight=False)


def _revision(url: str) -> str | None:
    """The database's schema revision without creating anything (None: missing or empty)."""
    from sqlalchemy import create_engine
    from sqlalchemy.exc import OperationalError

    from zwgk.store.dburl import redact, redact_text
    from zwgk.store.migrations import current_revision

    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///") :]
        if path and path != ":memory:" and not Path(path).is_file():
            return None
    probe = create_engine(url)
    try:
        with probe.connect() as conn:
            return current_revision(conn)
    except OperationalError as exc:
        raise BadInput(f"--db：无法打开数据库 {redact(url)}：{redact_text(str(exc.orig))}") from None
    finally:
        probe.dispose()


@db_app.command("check", help="检查数据库结构：落后于本程序或与程序定义不一致时退出码为 1。")
def db_check(db: DbOpt = None):
    """Exit 1 when the database is behind the newest migration, or differs from schema.py."""
    from sqlalchemy import create_engine

    from zwgk.store.dburl import normalise_url, redact
    from zwgk.store.migrations import head_revision, known_revision, schema_diff

    try:
        url = normalise_url(db)
        current = _revision(url)
    except BadInput as exc:
        raise _bad(exc) from None
    head, shown = head_revision(), redact(url)
    if current is None:
        err.print(f"数据库不存在或尚未初始化：{shown}（请运行 zwgk db init）", highlight=False)
        raise typer.Exit(2)
    if current != head:
        newer = not known_revision(current)
        err.print(
            f"数据库结构版本 {current}，本程序为 {head}："
            + ("数据库比本程序新，请升级 zwgk-monitor" if newer else "数据库落后，请运行 zwgk db upgrade"),
            highlight=False,
        )
        raise typer.Exit(1)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            diff = schema_diff(conn)
    finally:
        engine.dispose()
    if diff:
        for item in diff:
            err.print(f"  {item}", highlight=False)
        err.print(
            'schema.py differs from the migrations: write one with `zwgk db revision -m "…"`', highlight=False
        )
        raise typer.Exit(1)
    out.print(f"数据库结构为最新（{head}），与程序一致：{shown}", highlight=False)


@db_app.command(
    "prune",
    help="清理过期的页面存档：只保留最近若干晚的页面和未整改问题的证据页面，数据库不再随每晚增长。",
)
def db_prune(
    db: DbOpt = None,
    keep_nights: Annotated[
        int, typer.Option("--keep-nights", min=2, help="保留最近多少次抓取的全部页面存档（至少 2）")
    ] = 30,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只统计将清理多少，不做改动")] = False,
):
    """Clear stored page bodies beyond the last nights, keeping every open finding's evidence."""
    from zwgk.cli.common import _store
    from zwgk.cycle.runlock import CYCLE, LockHeld, run_lock
    from zwgk.store.retention import prune_pages

    try:
        store = _store(db, mode="write")
    except BadInput as exc:
        raise _bad(exc) from None
    try:
        if dry_run:
            result = prune_pages(store, keep_nights, dry_run=True)
        else:
            with run_lock(store, CYCLE, command=f"zwgk db prune --keep-nights {keep_nights}"):
                result = prune_pages(store, keep_nights)
    except LockHeld as exc:
        err.print(f"未清理：{exc}", highlight=False)
        raise typer.Exit(1) from None
    finally:
        store.dispose()
    verb = "将清理" if dry_run else "已清理"
    out.print(
        f"{verb} {result.pages_deleted} 个页面存档（{_mib(result.bytes_deleted)}），"
        f"保留 {result.pages_left} 个（{_mib(result.bytes_left)}）：最近 {len(result.kept_runs)} 次抓取的全部页面"
        + (
            f"，以及 {len(result.evidence_runs)} 次更早抓取中未整改问题的证据页面"
            if result.evidence_runs
            else ""
        )
        + f"；更早抓取的链接检查记录中{'将' if dry_run else '已'}删去 {result.links_dropped} 条正常或未检查的链接"
        f"（{result.thinned_rows} 个页面），无法访问的链接记录全部保留",
        highlight=False,
    )


def _mib(size: int) -> str:
    return f"{size / 1048576:.1f} MB"


@db_app.command("revision", help="（开发用）根据 schema.py 自动生成新的数据库迁移。")
def db_revision(message: Annotated[str, typer.Option("-m", "--message", help="本次结构变更的说明")]):
    """Autogenerate a new migration from schema.py (into zwgk/store/migrations/versions; review it)."""
    from zwgk.store.migrations import new_revision

    path = new_revision(message)
    if path is None:
        out.print("数据库结构没有变化，无需新的迁移", highlight=False)
    else:
        out.print(f"已生成迁移文件：{path}（请审阅后与结构改动一起提交）", highlight=False)
