"""`zwgk serve` (the workspace) and `zwgk users` (its accounts and API tokens).

zwgk serve --db URL --sites sites.yml --reports reports/ [--host 127.0.0.1 --port 8080]
zwgk users add LOGIN --role supervisor|unit|leader [--unit PORTAL/UNIT] [--name 名称] [--generate]
zwgk users import --sites sites.yml --out accounts.csv     # one unit account per registry unit
zwgk users list | disable LOGIN | enable LOGIN | reset LOGIN | token LOGIN [--label OA]

Passwords never travel on the command line (every user of the machine sees argv): they are asked
for at the terminal, read from standard input (--password-stdin), or generated and shown once.
"""

from __future__ import annotations

import csv
import ipaddress
import os
import secrets
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from zwgk.cli.common import CatalogOpt, DbOpt, _catalog, _fail, _registry, _store, err, out
from zwgk.errors import BadInput

users_app = typer.Typer(
    no_args_is_help=True,
    help="工作台账号：add 新建、import 按登记表批量新建单位账号、list 列出、disable 停用、enable 启用、"
    "reset 重置密码、token 签发接口令牌",
)


def _password(stdin: bool, generate: bool) -> tuple[str, bool]:
    """(password, generated)."""
    if generate:
        return secrets.token_urlsafe(12), True
    if stdin or not sys.stdin.isatty():
        line = sys.stdin.readline().rstrip("\n")
        if not line:
            raise BadInput("标准输入中没有密码")
        return line, False
    return typer.prompt("密码", hide_input=True, confirmation_prompt="再次输入密码"), False


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def register(app: typer.Typer) -> None:
    app.add_typer(users_app, name="users")

    @app.command(
        help="启动工作台（网页与接口）：单位查看本单位问题、整改反馈、申请复查、申请误报复核；监管人员审核。"
        "生产环境请置于反向代理（HTTPS）之后，见 deploy/README.md。"
    )
    def serve(
        db: DbOpt = None,
        sites: Annotated[
            str | None, typer.Option("--sites", help="登记表文件（YAML）：申请复查时按它抓取")
        ] = None,
        catalog: CatalogOpt = None,
        reports: Annotated[
            Path | None, typer.Option("--reports", help="报告目录（调度任务生成报告的目录），供网页查看")
        ] = None,
        uploads: Annotated[
            Path | None,
            typer.Option("--uploads", help="整改反馈附件的保存目录（默认：数据库旁的 zwgk-uploads）"),
        ] = None,
        host: Annotated[str, typer.Option("--host", help="监听地址")] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="监听端口")] = 8080,
        insecure_cookies: Annotated[
            bool,
            typer.Option(
                "--insecure-cookies",
                help="登录凭据也经 http 发送（仅限本机地址上直接访问时使用；经 HTTPS 反向代理时不要使用）",
            ),
        ] = False,
        recheck_per_hour: Annotated[
            int, typer.Option("--recheck-per-hour", min=1, help="每个单位每小时可申请复查的次数")
        ] = 6,
        session_hours: Annotated[
            float, typer.Option("--session-hours", min=0.1, help="登录有效时长（小时）")
        ] = 8,
    ) -> None:
        import uvicorn

        from zwgk.web.app import create_app
        from zwgk.web.context import ServeConfig

        try:
            if insecure_cookies and not _loopback(host):
                raise BadInput("--insecure-cookies 只能用于本机地址（127.0.0.1 / localhost）")
            store = _store(db, mode="write")
            folder = uploads or _default_uploads(store)
            config = ServeConfig(
                db_url=store.url,
                sites=sites,
                catalog=catalog,
                reports=reports,
                uploads=folder,
                secure_cookies=not insecure_cookies,
                session_hours=session_hours,
                recheck_per_hour=recheck_per_hour,
            )
            if sites:
                _registry(sites, _catalog(catalog))  # a bad registry stops here, with file and line
            application = create_app(config)
        except BadInput as exc:
            raise _fail(exc) from None
        if not sites:
            err.print("提示：未指定 --sites，申请复查不可用", highlight=False)
        err.print(f"工作台：http://{host}:{port}/ （Ctrl+C 停止）", highlight=False)
        uvicorn.run(
            application,
            host=host,
            port=port,
            proxy_headers=True,
            forwarded_allow_ips="127.0.0.1",
            log_level="warning",
            server_header=False,
        )


@users_app.command("add", help="新建账号。角色：supervisor 监管人员、unit 单位账号、leader 领导（只读）。")
def add(
    login: Annotated[str, typer.Argument(help="登录名")],
    role: Annotated[str, typer.Option("--role", help="supervisor | unit | leader")],
    unit: Annotated[str | None, typer.Option("--unit", help="单位账号所属单位：门户编号/单位编号")] = None,
    name: Annotated[str, typer.Option("--name", help="显示名称（单位账号默认用单位名称）")] = "",
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取密码")] = False,
    generate: Annotated[bool, typer.Option("--generate", help="生成随机密码并显示一次")] = False,
    db: DbOpt = None,
) -> None:
    from zwgk.web import accounts

    try:
        portal_id, unit_id = _unit(unit)
        password, generated = _password(password_stdin, generate)
        with _store(db, mode="write").session() as s:
            a = accounts.add_account(s, login, name, role, password, portal_id, unit_id)
            accounts.audit(s, None, "account_added", login, "命令行", role=role)
            label = accounts.role_label(a)
    except BadInput as exc:
        raise _fail(exc) from None
    out.print(f"已新建账号 {login}（{label}）", highlight=False)
    if generated:
        out.print(f"初始密码（只显示这一次）：{password}", highlight=False, markup=False)


@users_app.command("import", help="按登记表为每个单位新建单位账号（已有的跳过），初始密码写入 CSV 文件。")
def import_(
    sites: Annotated[str, typer.Option("--sites", help="登记表文件（YAML）")],
    out_file: Annotated[Path, typer.Option("--out", help="写出登录名与初始密码的 CSV 文件（仅本人可读）")],
    catalog: CatalogOpt = None,
    db: DbOpt = None,
) -> None:
    from sqlalchemy import select

    from zwgk.cycle.stages import sync_registry
    from zwgk.store.schema import Account
    from zwgk.web import accounts

    try:
        registry = _registry(sites, _catalog(catalog))
        store = _store(db, mode="write")
        sync_registry(store, registry)
        rows = []
        with store.session() as s:
            taken = set(s.execute(select(Account.login)).scalars())
            for p in registry.portals:
                for u in p.units:
                    login = f"{p.id}.{u.id}"
                    if login in taken:
                        continue
                    password = secrets.token_urlsafe(12)
                    accounts.add_account(s, login, u.name, "unit", password, p.id, u.id)
                    rows.append((login, u.name, password))
            accounts.audit(s, None, "accounts_imported", None, "命令行", count=len(rows))
        fd = os.open(out_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["登录名", "单位", "初始密码"])
            writer.writerows(rows)
    except BadInput as exc:
        raise _fail(exc) from None
    except OSError as exc:
        raise _fail(BadInput(f"无法写入 {out_file}：{exc.strerror or exc}")) from None
    out.print(f"新建单位账号 {len(rows)} 个，登录名与初始密码见 {out_file}", highlight=False)


@users_app.command("list", help="列出账号。")
def list_(db: DbOpt = None) -> None:
    from zwgk.beijing import shown
    from zwgk.web import accounts

    try:
        with _store(db).session() as s:
            rows = accounts.listed(s)
    except BadInput as exc:
        raise _fail(exc) from None
    table = Table("登录名", "名称", "角色", "单位", "状态", "建立时间（北京时间）")
    for r in rows:
        table.add_row(
            r["login"],
            r["name"],
            r["role"],
            r["unit"],
            "已停用" if r["disabled"] else "正常",
            shown(r["created_at"], label=False),
        )
    out.print(table)


def _change(login: str, db: str | None, action: str, what) -> None:
    from zwgk.web import accounts

    try:
        with _store(db, mode="write").session() as s:
            account = accounts.get_account(s, login)
            result = what(s, account)
            accounts.audit(s, None, action, login, "命令行")
    except BadInput as exc:
        raise _fail(exc) from None
    return result


@users_app.command("disable", help="停用账号（立即退出登录，接口令牌失效）。")
def disable(login: Annotated[str, typer.Argument(help="登录名")], db: DbOpt = None) -> None:
    from zwgk.web import accounts

    _change(login, db, "account_disabled", lambda s, a: accounts.set_disabled(s, a, True))
    out.print(f"已停用账号 {login}", highlight=False)


@users_app.command("enable", help="重新启用账号。")
def enable(login: Annotated[str, typer.Argument(help="登录名")], db: DbOpt = None) -> None:
    from zwgk.web import accounts

    _change(login, db, "account_enabled", lambda s, a: accounts.set_disabled(s, a, False))
    out.print(f"已启用账号 {login}", highlight=False)


@users_app.command("reset", help="重置密码（该账号的登录和接口令牌全部失效）。")
def reset(
    login: Annotated[str, typer.Argument(help="登录名")],
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="从标准输入读取密码")] = False,
    generate: Annotated[bool, typer.Option("--generate", help="生成随机密码并显示一次")] = False,
    db: DbOpt = None,
) -> None:
    from zwgk.web import accounts

    try:
        password, generated = _password(password_stdin, generate)
    except BadInput as exc:
        raise _fail(exc) from None
    _change(login, db, "password_reset", lambda s, a: accounts.set_password(s, a, password))
    out.print(f"已重置 {login} 的密码", highlight=False)
    if generated:
        out.print(f"新密码（只显示这一次）：{password}", highlight=False, markup=False)


@users_app.command("token", help="为账号签发接口令牌（供 OA、一网通办等系统调用接口），只显示一次。")
def token(
    login: Annotated[str, typer.Argument(help="登录名")],
    label: Annotated[str, typer.Option("--label", help="令牌用途")] = "接口",
    db: DbOpt = None,
) -> None:
    from zwgk.web import accounts

    value = _change(login, db, "token_issued", lambda s, a: accounts.new_api_token(s, a, label))
    out.print(value, highlight=False, markup=False)


def _unit(value: str | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    portal, sep, unit = value.partition("/")
    if not sep or not portal or not unit:
        raise BadInput("--unit 应为 门户编号/单位编号")
    return portal, unit


def _default_uploads(store) -> Path:
    """Beside a SQLite file; else ./zwgk-uploads."""
    database = store.engine.url.database if store.engine.url.get_backend_name() == "sqlite" else None
    if database and database != ":memory:" and not database.startswith("file:"):
        return Path(database).resolve().parent / "zwgk-uploads"
    return Path.cwd() / "zwgk-uploads"
