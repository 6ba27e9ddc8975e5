"""What every `zwgk` command module shares: consoles, option types, as-of parsing, exit mapping.

Its own module so that the command modules (cli, cli_ops, cli_review, cli_reports) all import
downwards from here instead of from each other.
"""

from __future__ import annotations

import os
import sys
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from zwgk.beijing import BEIJING
from zwgk.beijing import today as beijing_today
from zwgk.errors import BadInput, StageFailed
from zwgk.inert import plain
from zwgk.store.dburl import redact_text


def _console(stderr: bool = False) -> Console:
    # Piped or under cron there is no terminal width: a wide virtual one, so tables are never cut.
    stream = sys.stderr if stderr else sys.stdout
    wide = None if stream.isatty() or os.environ.get("COLUMNS") else 200
    return Console(stderr=stderr, soft_wrap=True, width=wide)


err = _console(stderr=True)  # progress and run lines (silenced by --quiet)
out = _console()  # results (silenced by --quiet)
alarm = _console(stderr=True)  # errors: never silenced


def set_verbosity(quiet: bool, verbose: bool) -> None:
    """--quiet: nothing but errors (cron mails only a failed night); --verbose: the log at INFO."""
    import logging

    if quiet:
        out.quiet = err.quiet = True
    level = logging.ERROR if quiet else logging.INFO if verbose else logging.WARNING
    logging.basicConfig(level=level)
    logging.getLogger().setLevel(level)
    from zwgk.store.dburl import RedactSecrets

    formatter = logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s: %(message)s", "%Y-%m-%d %H:%M:%S 北京时间"
    )
    formatter.converter = lambda secs: datetime.fromtimestamp(secs, BEIJING).timetuple()  # type: ignore[method-assign]
    for handler in logging.getLogger().handlers:
        handler.setFormatter(formatter)
        handler.addFilter(RedactSecrets())


DbOpt = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="数据库：SQLAlchemy 地址或 SQLite 文件（默认取环境变量 ZWGK_DB、ZWGK_DB_FILE，否则 ./zwgk.db）",
    ),
]
NoMigrateOpt = Annotated[
    bool,
    typer.Option(
        "--no-migrate", help="数据库结构落后时不自动升级，而是报错退出（由运维先运行 zwgk db upgrade）"
    ),
]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="监测日期 YYYY-MM-DD（默认：北京时间今天）")]
CatalogOpt = Annotated[str | None, typer.Option("--catalog", help="本地区栏目目录（YAML，覆盖内置目录）")]
OutOpt = Annotated[Path, typer.Option("--out", help="报告输出目录")]
ReportConfigOpt = Annotated[
    str | None,
    typer.Option(
        "--report-config", help="报告设置文件（YAML：发文机关、主送、文号、联系人等，默认用内置设置）"
    ),
]
TimeLimitOpt = Annotated[
    float,
    typer.Option(
        "--time-limit",
        min=1,
        help="抓取时限（分钟，默认 300）：到时停止抓取，已抓取的部分照常检查，未抓取的单位记为未能检查",
    ),
]

ProcessesOpt = Annotated[
    int,
    typer.Option(
        "--processes",
        min=0,
        help="本机抓取进程数（各进程分担不同网站；默认 0：按处理器核数，最多 4 个）",
    ),
]


def time_limit(minutes: float):
    """--time-limit minutes as the crawl's limit."""
    from datetime import timedelta

    return timedelta(minutes=minutes)


def today_shanghai() -> date:
    return beijing_today()


def parse_as_of(value: str | None) -> date:
    if not value:
        return today_shanghai()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadInput(f"--as-of：不是 YYYY-MM-DD 格式的日期：{value!r}") from None


class Fmt(StrEnum):
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


def say_error(label: str, message: object) -> None:
    """An error line: the label styled, the message (which may quote a file or a page) never as markup."""
    alarm.print(label, style="bold red", end="", highlight=False)
    alarm.print(f": {plain(redact_text(str(message)), keep_lines=True)}", markup=False, highlight=False)


def _fail(exc: BaseException) -> typer.Exit:
    if isinstance(exc, BadInput):
        say_error("错误（输入有误）", exc)
        return typer.Exit(2)
    if isinstance(exc, StageFailed):
        say_error("运行失败", exc)
        return typer.Exit(1)
    raise exc


def _catalog(path: str | None):
    from zwgk.config.catalog import load_catalog

    return load_catalog(path)


def _registry(path: str, catalog):
    from zwgk.config.registry import load_registry

    return load_registry(path, set(catalog.profiles), catalog.column_ids())


def _store(db: str | None, mode: str = "read", migrate: bool = True):
    """The store as the command may open it (zwgk/store/db.py MODES): read-only commands default."""
    from zwgk.store.db import Store

    return Store(db, mode=mode, migrate=migrate)


def _lock(store):
    """The run lock (zwgk/cycle/runlock.py): a held lock raises LockHeld, a StageFailed → exit 1."""
    from zwgk.cycle.runlock import CYCLE, run_lock

    return run_lock(store, CYCLE)


def _log_level() -> str:
    return "INFO" if sys.stderr.isatty() else "WARNING"
