"""The served workspace (`zwgk serve`): the rectification loop closed by the departments themselves.

FastAPI over the project's store: pages for people (zwgk/web/pages.py, plain forms, no script), a
JSON API for the county's OA (zwgk/web/api.py, OpenAPI at /api/openapi.json), and a worker thread
running queued rechecks behind the run lock (zwgk/cycle/recheck.py).

Security, because this runs on a government network:
- every route states who may use it (zwgk/web/context.py): a unit account reads and acts on its
  own unit only; a leader reads everything and acts on nothing;
- sessions live in the database (zwgk/web/accounts.py); the cookie is HttpOnly, SameSite=Lax and
  Secure unless the operator serves plain http on loopback; each form carries the session's CSRF
  token, the sign-in form its own (double-submit); sign-ins are throttled per login and address;
- the API takes bearer tokens only, never the cookie; `next` after sign-in is a local path only;
- crawled content reaches the workspace only through the reports' inert evidence pages; all text
  is escaped; every page carries a Content-Security-Policy without script;
- uploads are checked, stored outside the reports folder, and only ever sent as downloads;
- a recheck fetches only the finding's registry unit: no address from a request is ever fetched.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from zwgk.cycle import recheck as rechecks
from zwgk.web import api, pages
from zwgk.web.context import Env, ServeConfig, Unauthenticated

log = logging.getLogger(__name__)

CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)
# The reports keep their own, stricter policy in a meta tag (hashed scripts); this only frames it.
REPORTS_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
    "form-action 'none'; frame-ancestors 'none'; base-uri 'none'"
)
ERROR_TITLES = {
    400: "请求有误",
    401: "请先登录",
    403: "无权访问",
    404: "未找到",
    409: "无法办理",
    429: "操作过于频繁",
}


def create_app(config: ServeConfig) -> FastAPI:
    env = Env(config)

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if config.worker and env.registry is not None:
            env.worker = threading.Thread(target=work, args=(env,), name="zwgk-recheck", daemon=True)
            env.worker.start()
        yield
        env.stop.set()
        if env.worker is not None:
            env.worker.join(timeout=10)

    app = FastAPI(
        title="zwgk-monitor 工作台 API",
        version="1",
        description="政务公开监测工作台的接口：单位问题清单、整改反馈、申请复查、误报复核与审核。"
        "以 `Authorization: Bearer <令牌>` 认证（令牌由 `zwgk users token` 签发）。",
        docs_url=None,  # the Swagger page loads its script from a CDN: nothing leaves the machine
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.env = env
    app.include_router(pages.router)
    app.include_router(api.router)

    @app.middleware("http")
    async def headers(request: Request, call_next):
        response = await call_next(request)
        reports = request.url.path.startswith("/reports/")
        response.headers.setdefault("Content-Security-Policy", REPORTS_CSP if reports else CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers.setdefault("Cache-Control", "no-store")
        return response

    @app.exception_handler(Unauthenticated)
    async def to_login(request: Request, _exc: Unauthenticated):
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        return env.page(
            "message.html.j2",
            status=exc.status_code,
            title=ERROR_TITLES.get(exc.status_code, "出错了"),
            message=exc.detail if isinstance(exc.detail, str) else "",
            me=None,
        )

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, _exc: RequestValidationError):
        if request.url.path.startswith("/api/"):
            return JSONResponse({"detail": "请求内容不完整或格式有误"}, status_code=422)
        return env.page(
            "message.html.j2", status=400, title="请求有误", message="请求内容不完整或格式有误", me=None
        )

    return app


def work(env: Env, drain: Callable[..., Any] = rechecks.drain) -> None:
    """The recheck worker: run what is queued, then look again every few seconds."""
    while not env.stop.is_set():
        try:
            drain(
                env.store,
                env.config.sites,
                env.registry,
                env.catalog,
                env.config.catalog,
                stop=env.stop.is_set,
                poll=env.config.worker_poll,
                lock_timeout=30,  # then look at `stop` again; the recheck stays queued
            )
        except Exception:  # a worker that dies leaves every later recheck queued forever
            log.exception("recheck worker")
        env.stop.wait(env.config.worker_poll)
