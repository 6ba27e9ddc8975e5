"""What every request of the workspace needs, and who is asking.

`Env` holds the store, catalog, registry, templates and the sign-in throttle of one served app;
`browser` and `api_caller` are the two ways in (a session cookie for pages, a bearer token for the
API — never both, so a page elsewhere cannot act through the API with a visitor's cookie); the
`owned_*` helpers are the one place where a unit account is kept to its own unit.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from jinja2 import Environment, PackageLoader, select_autoescape

from zwgk.beijing import today as beijing_today
from zwgk.config.catalog import Catalog, load_catalog
from zwgk.config.registry import Registry, load_registry
from zwgk.cycle import recheck as rechecks
from zwgk.store.db import Store
from zwgk.store.schema import Account, Finding, Submission
from zwgk.web import accounts, workspace

SESSION_COOKIE = "zwgk_session"
LOGIN_COOKIE = "zwgk_login"


@dataclass
class ServeConfig:
    db_url: str
    sites: str | None = None  # the registry: needed to run rechecks
    catalog: str | None = None
    reports: Path | None = None  # the reports folder the scheduler renders into
    uploads: Path = Path("zwgk-uploads")
    secure_cookies: bool = True
    session_hours: float = accounts.SESSION_HOURS
    recheck_per_hour: int = rechecks.PER_HOUR
    worker: bool = True  # run queued rechecks in this process
    worker_poll: float = 2.0


class Env:
    """One served app's store, catalog, registry, templates and sign-in throttle."""

    def __init__(self, config: ServeConfig):
        self.config = config
        self.store = Store(config.db_url, mode="write")
        self.catalog: Catalog = load_catalog(config.catalog)
        self.registry: Registry | None = (
            load_registry(config.sites, set(self.catalog.profiles), self.catalog.column_ids())
            if config.sites
            else None
        )
        self.throttle = accounts.Throttle()
        self.templates = Environment(
            loader=PackageLoader("zwgk.web", "templates"),
            autoescape=select_autoescape(["j2", "html"], default_for_string=True),
        )
        self.stop = threading.Event()
        self.worker: threading.Thread | None = None

    def page(self, name: str, status: int = 200, **ctx: Any) -> HTMLResponse:
        me = ctx.get("me")
        ctx.setdefault("role_label", accounts.role_label(me) if me else "")
        return HTMLResponse(self.templates.get_template(name).render(**ctx), status_code=status)

    def set_cookie(self, response: Response, name: str, value: str, max_age: int) -> None:
        response.set_cookie(
            name,
            value,
            max_age=max_age,
            path="/",
            httponly=True,
            samesite="lax",
            secure=self.config.secure_cookies,
        )


def env_of(request: Request) -> Env:
    return request.app.state.env


E = Annotated[Env, Depends(env_of)]


class Unauthenticated(Exception):
    """No valid session: pages send the browser to the sign-in page."""


@dataclass
class Who:
    """The signed-in account (a detached copy) and, for a browser session, its CSRF token."""

    account: Account
    csrf: str | None

    @property
    def login(self) -> str:
        return self.account.login


def browser(request: Request, env: E) -> Who:
    with env.store.session() as s:
        found = accounts.session_account(s, request.cookies.get(SESSION_COOKIE))
        if found is None:
            raise Unauthenticated()
        account, sess = found
        s.expunge(account)
        return Who(account, sess.csrf)


def api_caller(request: Request, env: E) -> Who:
    auth = request.headers.get("Authorization", "")
    token = auth[7:].strip() if auth.lower().startswith("bearer ") else None
    with env.store.session() as s:
        account = accounts.token_account(s, token)
        if account is None:
            raise HTTPException(401, "令牌无效或已停用", headers={"WWW-Authenticate": "Bearer"})
        s.expunge(account)
        return Who(account, None)


Browser = Annotated[Who, Depends(browser)]
Api = Annotated[Who, Depends(api_caller)]


def check_csrf(who: Who, token: str | None) -> None:
    if not accounts.same(who.csrf, token):
        raise HTTPException(403, "表单已失效，请刷新页面后重试")


def owned_finding(s, who: Who, number: str, act: bool = False) -> Finding:
    """The finding if `who` may read it (or act on it); 404 / 403 otherwise."""
    f = workspace.find(s, number)
    if f is None:
        raise HTTPException(404, "没有该问题")
    if not accounts.may_read(who.account, f.portal_id, f.unit_id):
        raise HTTPException(403, "无权访问其他单位的问题")
    if act and not accounts.may_act(who.account, f.portal_id, f.unit_id):
        raise HTTPException(403, "当前账号只能查看，不能办理")
    return f


def owned_unit(who: Who, portal_id: str, unit_id: str) -> None:
    if not accounts.may_read(who.account, portal_id, unit_id):
        raise HTTPException(403, "无权访问其他单位")


def owned_submission(s, who: Who, sid: int) -> Submission:
    sub = s.get(Submission, sid)
    if sub is None:
        raise HTTPException(404, "没有该申请")
    if not accounts.may_read(who.account, sub.portal_id, sub.unit_id):
        raise HTTPException(403, "无权访问其他单位的申请")
    return sub


def supervisor_only(who: Who) -> None:
    if who.account.role != "supervisor":
        raise HTTPException(403, "仅监管人员可以审核")


def address(request: Request) -> str:
    return request.client.host if request.client else ""


def local_path(value: str | None) -> str:
    """A redirect target after sign-in: a path on this server, else '/' (no open redirect)."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


def today() -> date:
    return beijing_today()
