"""The `zwgk` command line (docs/design.md 'CLI'). Exit codes: 0 ok, 1 run failed, 2 bad input."""

from __future__ import annotations

import json
import sys
from contextlib import nullcontext
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table
from rich.text import Text

from zwgk.cli.common import (
    AsOfOpt,
    CatalogOpt,
    DbOpt,
    Fmt,
    NoMigrateOpt,
    OutOpt,
    ProcessesOpt,
    ReportConfigOpt,
    TimeLimitOpt,
    _catalog,
    _fail,
    _lock,
    _registry,
    _store,
    err,
    out,
    parse_as_of,
    say_error,
    set_verbosity,
    time_limit,
)
from zwgk.cli.runs import counts_text, stage_label, status_label
from zwgk.errors import BadInput, StageFailed
from zwgk.inert import plain

app = typer.Typer(add_completion=False, no_args_is_help=True, help="政务公开栏目监测 zwgk-monitor")
report_app = typer.Typer(
    no_args_is_help=True,
    help="生成报告：daily 日调度、weekly 周通报、monthly 月考核、units 单位页面、all 全部",
)
export_app = typer.Typer(no_args_is_help=True, help="导出结果（供其他系统读取）：findings 问题、columns 栏目")
app.add_typer(report_app, name="report")
app.add_typer(export_app, name="export")


def _version(value: bool) -> None:
    if value:
        from zwgk import __version__

        out.print(f"zwgk-monitor {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="显示版本号后退出")
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="只输出错误（适合 cron：成功时不产生邮件）")
    ] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="输出详细日志")] = False,
) -> None:
    """政务公开栏目监测 zwgk-monitor"""
    set_verbosity(quiet, verbose)


# -- stages -------------------------------------------------------------------------------------
@app.command(
    help="抓取登记表中的全部网站，每个页面保存一份快照。默认增量抓取（未变的页面不再读取），--full 全量重抓。"
)
def crawl(
    sites: Annotated[str, typer.Option("--sites", help="登记表文件（YAML）")],
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    catalog: CatalogOpt = None,
    only: Annotated[str | None, typer.Option(help="只抓取这些网站（网站编号，逗号分隔）")] = None,
    full: Annotated[
        bool,
        typer.Option("--full", help="全量重抓（不沿用上次抓取的缓存校验）"),
    ] = False,
    redis: Annotated[
        str | None,
        typer.Option("--redis", help="分布式抓取：与其他抓取进程共用此 Redis 中的请求队列"),
    ] = None,
    workers: Annotated[int, typer.Option(help="与 --redis 同用：本机启动的抓取进程数")] = 2,
    limit: TimeLimitOpt = 300,
    processes: ProcessesOpt = 0,
):
    """Crawl every registered portal and store one snapshot per page.

    Incremental by default: pages unchanged since the previous crawl (304 Not Modified) are not
    read again; `--full` forces a full re-crawl. With `--redis`, several crawl processes (here and
    on other machines) share the run's queue; use PostgreSQL (`--db`) so they share the store."""
    from zwgk.cycle import stages

    try:
        day, cat = parse_as_of(as_of), _catalog(catalog)
        reg = _registry(sites, cat)
        store = _store(db, "create")
        with _lock(store), err.status("抓取中…") if sys.stderr.isatty() else nullcontext():
            run_id = stages.crawl(
                store,
                sites,
                reg,
                day,
                catalog,
                only=only,
                settings={"ZWGK_FULL": "True"} if full else None,
                redis_url=redis,
                workers=workers,
                time_limit=time_limit(limit),
                processes=processes or None,
            )
        _print_run(store, run_id)
    except (BadInput, StageFailed) as exc:
        raise _fail(exc) from None


@app.command(help="对最近一次抓取运行检查规则，更新整改事项。")
def check(db: DbOpt = None, as_of: AsOfOpt = None, catalog: CatalogOpt = None):
    """Run the rules over the latest crawl and update the rectification items."""
    from zwgk.cycle import stages

    try:
        day, cat = parse_as_of(as_of), _catalog(catalog)
        store = _store(db, "write")
        with _lock(store):
            run_id = stages.check(store, day, cat)
        _print_run(store, run_id)
    except (BadInput, StageFailed) as exc:
        raise _fail(exc) from None


@app.command(help="夜间全流程：抓取、检查并生成全部报告（日调度、周通报、月考核、单位页面）。")
def run(
    sites: Annotated[str, typer.Option("--sites", help="登记表文件（YAML）")],
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    out_dir: OutOpt = Path("reports"),
    catalog: CatalogOpt = None,
    notify: Annotated[
        str | None,
        typer.Option(
            "--notify", help="通知配置文件（YAML）：向各单位发送问题清单、向主管发送汇总、向运维发送告警"
        ),
    ] = None,
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="全量重抓（不沿用上次抓取的缓存校验，重新检查每个链接）",
        ),
    ] = False,
    report_config: ReportConfigOpt = None,
    no_migrate: NoMigrateOpt = False,
    limit: TimeLimitOpt = 300,
    processes: ProcessesOpt = 0,
):
    """Crawl, check and render the reports (daily, weekly, monthly, unit pages): the nightly cycle.

    Incremental by default (unchanged pages cost one conditional request; their link results are
    re-checked when older than ZWGK_LINK_RECHECK_DAYS); `--full` re-reads everything."""
    from zwgk.cycle.night import run_cycle

    cfg = store = None
    try:
        day, cat = parse_as_of(as_of), _catalog(catalog)
        reg = _registry(sites, cat)
        if notify:
            from zwgk.cycle.notify import load_notify_config

            cfg = load_notify_config(notify, reg)
        from zwgk.reports.config import load_report_config

        settings = load_report_config(report_config)
        store = _store(db, "create", migrate=not no_migrate)
        status = err.status("抓取中…") if sys.stderr.isatty() else None

        def progress(stage: str, run_id: int | None) -> None:
            if stage == "crawl" and run_id is None and status is not None:
                status.start()
            if run_id is not None:
                if status is not None:
                    status.stop()
                _print_run(store, run_id)

        result = run_cycle(
            store,
            sites,
            reg,
            cat,
            day,
            catalog_path=catalog,
            full=full,
            out_dir=out_dir,
            progress=progress,
            time_limit=time_limit(limit),
            report_config=settings,
            processes=processes or None,
        )
        out.print(f"报告目录（周通报、月考核、单位页面）: {result.reports['units']}", highlight=False)
        out.print(f"日调度报告: {result.reports['daily']}", highlight=False)
        if cfg is not None:
            _notify(store, day, cat, cfg)
    except (BadInput, StageFailed) as exc:
        if cfg is not None and store is not None and isinstance(exc, StageFailed):
            from zwgk.cycle.jobs import alert_safely

            alert_safely(store, day, cfg)
        raise _fail(exc) from None


def _notify(store, day: date, cat, cfg) -> None:
    """Send the day's notifications; failed sends are recorded (zwgk status), never fatal."""
    from zwgk.cycle.notify import dispatch_daily
    from zwgk.store.schema import Run

    ids = dispatch_daily(store, day, cat, cfg)
    with store.session() as session:
        for run_id in filter(None, ids.values()):
            r = session.get(Run, run_id)
            err.print(
                f"通知 第 {r.id} 次运行（{r.counts.get('kind')}）：{status_label(r.status)}，"
                f"已发送 {r.counts.get('sent')}，发送失败 {r.counts.get('failed')}",
                highlight=False,
            )


def _render_daily(store, day: date, out_dir: Path, cat) -> Path:
    from zwgk.cycle.night import render_reports

    return render_reports(store, day, out_dir, cat, kinds=("daily",))["daily"]


def _print_run(store, run_id: int) -> None:
    from zwgk.store.schema import Run

    with store.session() as session:
        r = session.get(Run, run_id)
        err.print(
            f"{stage_label(r.stage)} 第 {r.id} 次运行（监测日期 {r.as_of}）：{status_label(r.status)}  "
            f"{counts_text(r.counts)}",
            highlight=False,
        )
        if r.counts.get("log"):
            err.print(f"  抓取日志: {r.counts['log']}", highlight=False, markup=False)


# -- reports and exports ---------------------------------------------------------------------------
@report_app.command("daily", help="日调度：各单位待整改问题、证据和整改期限。")
def report_daily(
    db: DbOpt = None, as_of: AsOfOpt = None, out_dir: OutOpt = Path("reports"), catalog: CatalogOpt = None
):
    """日调度: each unit's open findings, ranked, with evidence and deadlines."""
    try:
        day, cat = parse_as_of(as_of), _catalog(catalog)
        path = _render_daily(_store(db), day, out_dir, cat)
        out.print(f"日调度报告: {path}", highlight=False)
    except (BadInput, StageFailed) as exc:
        raise _fail(exc) from None


@export_app.command("findings", help="导出截至监测日期的全部问题及其状态（JSON、CSV 或 XLSX）。")
def export_findings(
    fmt: Annotated[Fmt, typer.Option("--format")] = Fmt.json,
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="输出文件（默认输出到屏幕）")] = None,
):
    """All findings with their status as of the date (JSON, CSV or XLSX)."""
    from zwgk.reports.exports import findings_rows, write_rows

    try:
        day = parse_as_of(as_of)
        if fmt == Fmt.xlsx and output is None:
            raise BadInput("--format xlsx 需要用 --output 指定文件")
        with _store(db).session() as session:
            rows = findings_rows(session, day)
        write_rows(rows, fmt.value, output)
    except BadInput as exc:
        raise _fail(exc) from None


@export_app.command("columns", help="导出各单位必设栏目：状态、信息条数、最新日期、得分、问题。")
def export_columns(
    fmt: Annotated[Fmt, typer.Option("--format")] = Fmt.json,
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    catalog: CatalogOpt = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="输出文件（默认输出到屏幕）")] = None,
):
    """Every unit's required columns: status, entries, newest date, score, findings."""
    from zwgk.reports.exports import columns_rows, write_rows

    try:
        day, cat = parse_as_of(as_of), _catalog(catalog)
        if fmt == Fmt.xlsx and output is None:
            raise BadInput("--format xlsx 需要用 --output 指定文件")
        with _store(db).session() as session:
            rows = columns_rows(session, day, cat)
        write_rows(rows, fmt.value, output)
    except BadInput as exc:
        raise _fail(exc) from None


@app.command(
    help="列出抓取程序找到的各单位栏目：链接、匹配方式、可信度（只访问网站首页和单位入口页，不保存）。"
)
def discover(
    sites: Annotated[str, typer.Option("--sites", help="登记表文件（YAML）")],
    portal: Annotated[str | None, typer.Option(help="只查看这个网站（网站编号）")] = None,
    write: Annotated[
        Path | None,
        typer.Option("--write", help="把找到的栏目地址写入一份新的登记表（需逐项确认）"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 格式输出")] = False,
    catalog: CatalogOpt = None,
    db: Annotated[str | None, typer.Option("--db", help="可以给出，但不使用：本命令不读数据库")] = None,
):
    """Each unit's column map as the crawler finds it: link, how it was matched, how sure.

    Fetches only the portal homes and the units' entry pages (nothing is stored)."""
    from zwgk.crawler.discover import discover as run_discover
    from zwgk.crawler.discover import write_overrides

    try:
        cat = _catalog(catalog)
        reg = _registry(sites, cat)
        if portal is not None and portal not in {p.id for p in reg.portals}:
            raise BadInput(f"登记表中没有网站 {portal}", path=sites)
        maps = run_discover(reg, cat, portal)
    except BadInput as exc:
        raise _fail(exc) from None
    if as_json:
        print(json.dumps([m.to_dict() for m in maps], ensure_ascii=False, indent=2))
    else:
        status = {
            "ok": "已识别",
            "unreachable": "无法访问",
            "antibot": "反爬虫拦截",
            "unrecognized": "目录未能识别",
        }
        for m in maps:
            _say(
                f"{m.portal}/{m.unit} {m.name}：{status.get(m.status, m.status)}"
                + (f"（{m.note}）" if m.note else "")
            )
            for c in m.columns:
                if c.url:
                    _say(f"  {c.name}：{c.url}　「{c.text or ''}」 {c.how}，可信度 {c.confidence:.1f}")
                else:
                    _say(f"  {c.name}：未找到")
    if write is not None:
        write_overrides(Path(sites), maps, write)
        out.print(f"已写出栏目对照（请逐项确认）：{write}", highlight=False)


# -- inspect, rules, demo ------------------------------------------------------------------------
@app.command(help="抓取一个网页，显示从中识别出的内容：页面类型、列表条目、后续页、公开要素。不读写数据库。")
def inspect(
    url: str,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 格式输出")] = False,
    file: Annotated[Path | None, typer.Option("--file", help="从这个文件读取页面（不联网）")] = None,
    content_type: Annotated[
        str | None, typer.Option(help="与 --file 同用：页面的内容类型（Content-Type）")
    ] = None,
    as_of: AsOfOpt = None,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="可以给出，但不使用：本命令不读数据库",
        ),
    ] = None,
):
    """Fetch one page and show what the crawler extracts: kind, entries, further pages, metadata.

    Reads and writes no database (`--db` is accepted and ignored, so every command takes it)."""
    from zwgk.crawler.inspect_page import inspect_url

    try:
        _web_address(url)
        day = parse_as_of(as_of)
        body = None
        if file is not None:
            try:
                body = file.read_bytes()
            except OSError as exc:
                raise BadInput(f"无法读取：{exc.strerror}", path=str(file)) from None
        data = inspect_url(url, day, body=body, content_type=content_type)
    except BadInput as exc:
        raise _fail(exc) from None
    if as_json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print_inspect(data)
    if data.get("error"):
        raise typer.Exit(1)


def _web_address(url: str) -> None:
    """inspect reads web pages only: http(s) with a host (never file:, ftp: or a bare word)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok:
        raise BadInput(f"不是网页地址（须以 http:// 或 https:// 开头）：{plain(url)[:200]}")


def _say(text: str) -> None:
    """A line that carries crawled text: no markup is interpreted, no control character reaches the terminal."""
    out.print(plain(text, keep_lines=True), highlight=False, markup=False)


def _cells(*values) -> list[Text]:
    return [Text(plain(v)) for v in values]


def _print_inspect(data: dict) -> None:
    if data.get("error"):
        err.print("无法获取 ", style="red", end="")
        _say(f"{data['url']}: {data['error']}")
        return
    _say(f"{data.get('title') or ''}  {data['final_url']}")
    _say(
        f"状态 HTTP {data.get('status')}  类型 {data['kind']}  编码 {data.get('encoding')}"
        f"  共 {data.get('page_count') or '?'} 页"
    )
    for note in data.get("notes") or []:
        _say(f"  · {note}")
    if data.get("placeholder"):
        _say(f"  占位文字: {data['placeholder']}")
    if data.get("entries"):
        table = Table("#", "日期", "标题", "链接", title=f"列表条目 {len(data['entries'])} 条")
        for i, e in enumerate(data["entries"], 1):
            table.add_row(*_cells(i, e.get("date") or "—", e["title"], e["url"]))
        out.print(table)
    if data.get("next_pages"):
        _say(f"后续页: {', '.join(data['next_pages'][:5])}{' …' if len(data['next_pages']) > 5 else ''}")
    if data.get("metadata"):
        table = Table("要素", "值", title="信息公开要素")
        for k, v in data["metadata"].items():
            table.add_row(*_cells(k, v))
        out.print(table)
    if data.get("publish_date"):
        _say(f"发布日期: {data['publish_date']}")
    if data.get("columns"):
        table = Table(
            "栏目", "链接文字", "链接", "匹配方式", title=f"页面上的目录栏目 {len(data['columns'])} 个"
        )
        for col in data["columns"].values():
            table.add_row(
                *_cells(col["name"], col["text"], col["url"], f"{col['how']}（{col['confidence']:.1f}）")
            )
        out.print(table)


@app.command(help="列出全部检查规则：名称、级别、整改时限、依据、阈值，以及单项否决线和预警线。")
def rules(
    catalog: CatalogOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 格式输出（即报告中的规则表）")] = False,
):
    """List every rule: id, title, severity, source, thresholds (from the catalog), and the veto lines."""
    from zwgk.rules.docs import rules_table, veto_table

    try:
        rows = rules_table(_catalog(catalog))
    except BadInput as exc:
        raise _fail(exc) from None
    if as_json:
        print(json.dumps({"rules": rows, "veto": veto_table()}, ensure_ascii=False, indent=2))
        return
    table = Table("规则编号", "名称", "级别", "整改时限", "依据", "阈值")
    for r in rows:
        table.add_row(
            r["id"],
            r["title"],
            r["severity_label"],
            f"{r['deadline_workdays']} 个工作日",
            r["source"],
            r["thresholds_text"] or "—",
        )
    out.print(table)
    vt = Table("否决项", "否决线", "预警线", "计入规则", title="单项否决与预警（scoring.yml veto）")
    for v in veto_table():
        vt.add_row(
            v["name"],
            str(v["threshold"]),
            "—" if v["warn"] is None else str(v["warn"]),
            "、".join(v["rules"]) or "—",
        )
    out.print(vt)


@app.command(help="在本机启动演示门户网络，运行完整流程，显示各规则的准确率和报告位置。")
def demo(
    as_of: AsOfOpt = None,
    out_dir: OutOpt = Path("demo-out"),
    db: DbOpt = None,
    seed: Annotated[int, typer.Option(help="演示网络的随机种子")] = 2026,
    skin: Annotated[int, typer.Option(help="使用第 N 套生成的网页模板（0：原始模板）")] = 0,
    nights: Annotated[
        int | None,
        typer.Option(
            "--nights", min=1, help="重放的监测晚数（每周一晚，截至监测日期；默认至少 4 晚并跨入上个月）"
        ),
    ] = None,
    serve: Annotated[
        bool,
        typer.Option("--serve", help="运行完毕后保持演示网络运行，并在本机启动工作台（Ctrl+C 停止）"),
    ] = False,
    port: Annotated[int, typer.Option("--port", help="--serve 时工作台的端口")] = 8080,
):
    """Start the demo portal network on loopback, replay several nights of the whole cycle, print where
    the reports are."""
    from zwgk.cli.demo import run_demo

    try:
        code = run_demo(
            parse_as_of(as_of),
            out_dir,
            db,
            seed,
            out,
            err,
            skin=skin,
            nights=nights,
            serve_port=port if serve else None,
        )
    except BadInput as exc:
        raise _fail(exc) from None
    raise typer.Exit(code)


def _register_extensions() -> None:
    """Commands kept in their own modules: operations (schedule, status …), review, the reports."""
    from zwgk.cli import ops, reports, review, serve

    ops.register(app)
    review.register(app)
    serve.register(app)
    reports.register(report_app)


_register_extensions()


def main() -> None:
    try:
        app()
    except BadInput as exc:  # raised outside a command's own handling
        say_error("错误（输入有误）", exc)
        sys.exit(2)
