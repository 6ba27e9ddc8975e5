"""The workspace's pages: sign-in, a unit's findings, one finding with its forms, the supervisor's
queue, and the rendered reports. Plain HTML forms (no script), each with the session's CSRF token."""

from __future__ import annotations

import re
import secrets
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse

from zwgk.beijing import shown
from zwgk.cycle.runlock import CYCLE, current_holder
from zwgk.errors import BadInput
from zwgk.findings.numbers import finding_number
from zwgk.reports.units import unit_file
from zwgk.rules.registry import rule_titles
from zwgk.store.schema import Account
from zwgk.web import accounts, actions, uploads, workspace
from zwgk.web.context import (
    LOGIN_COOKIE,
    SESSION_COOKIE,
    Browser,
    E,
    Env,
    address,
    check_csrf,
    local_path,
    owned_finding,
    owned_submission,
    owned_unit,
    today,
)

router = APIRouter(include_in_schema=False)
Csrf = Annotated[str | None, Form()]
EVIDENCE_RE = re.compile(r"^evidence/(ZW-\d{6,})\.html$")


# What a page says after an action, by code: a notice is never text taken from the address (a
# crafted link could otherwise put any sentence on the workspace's page). Errors are shown in place.
NOTICES = {
    "recheck": "已申请复查，结果约一分钟后在本页显示",
    "feedback": "整改反馈已提交，待监管人员审核",
    "dispute": "误报复核申请已提交，待监管人员审核",
    "accepted": "已采纳",
    "accepted-recheck": "已采纳，已安排复查",
    "rejected": "已不予采纳",
}


def _back(number: str, done: str) -> RedirectResponse:
    return RedirectResponse(f"/findings/{quote(number)}?done={done}", status_code=303)


@router.get("/")
def home(who: Browser):
    if who.account.role == "unit":
        return RedirectResponse(f"/units/{who.account.portal_id}/{who.account.unit_id}", status_code=303)
    return RedirectResponse("/supervisor", status_code=303)


@router.get("/index.html")
def index_alias(who: Browser):
    """The evidence pages' 返回目录 link."""
    return home(who)


@router.get("/healthz")
def healthz():
    return {"ok": True}


def _login_form(env: Env, next_path: str, login: str = "", status: int = 200, flash: str | None = None):
    token = secrets.token_urlsafe(24)
    response = env.page(
        "login.html.j2",
        status=status,
        title="登录",
        me=None,
        login_csrf=token,
        next=local_path(next_path),
        login=login,
        flash=flash,
        flash_kind="err",
    )
    env.set_cookie(response, LOGIN_COOKIE, token, max_age=1800)
    return response


@router.get("/login")
def login_page(env: E, next: str = "/"):
    return _login_form(env, next)


@router.post("/login")
def login(
    request: Request,
    env: E,
    login: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf: Csrf = None,
    next: Annotated[str, Form()] = "/",
):
    where = address(request)
    if not accounts.same(request.cookies.get(LOGIN_COOKIE), csrf):
        raise HTTPException(403, "登录页面已失效，请刷新后重试")
    wait = env.throttle.blocked(login, where)
    if wait:
        with env.store.session() as s:
            accounts.audit(s, login, "login_throttled", None, where)
        raise HTTPException(429, f"登录失败次数过多，请 {wait // 60 + 1} 分钟后再试")
    with env.store.session() as s:
        account = accounts.authenticate(s, login, password)
        if account is None:
            env.throttle.failed(login, where)
            accounts.audit(s, login, "login_failed", None, where)
            return _login_form(env, next, login, status=401, flash="登录名或密码不正确")
        env.throttle.succeeded(login, where)
        token, _row = accounts.new_session(s, account, env.config.session_hours)
        accounts.audit(s, login, "login", None, where)
    response = RedirectResponse(local_path(next), status_code=303)
    env.set_cookie(response, SESSION_COOKIE, token, max_age=int(env.config.session_hours * 3600))
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


@router.post("/logout")
def logout(request: Request, env: E, who: Browser, csrf: Csrf = None):
    check_csrf(who, csrf)
    with env.store.session() as s:
        accounts.end_session(s, request.cookies.get(SESSION_COOKIE))
        accounts.audit(s, who.login, "logout", None, address(request))
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


@router.get("/units/{portal_id}/{unit_id}")
def unit_page(env: E, who: Browser, portal_id: str, unit_id: str):
    owned_unit(who, portal_id, unit_id)
    with env.store.session() as s:
        summary = workspace.unit_summary(s, portal_id, unit_id, env.catalog, today())
        cards = workspace.unit_findings(s, portal_id, unit_id, env.catalog, today())
    report = None
    reports = env.config.reports
    if reports is not None and (reports / unit_file(portal_id, unit_id)).is_file():
        report = f"/reports/{unit_file(portal_id, unit_id)}"
    counted = [c for c in cards if c.status in ("open", "overdue") and not c.dismissed]
    return env.page(
        "unit.html.j2",
        title=summary["name"],
        me=who.account,
        csrf=who.csrf,
        unit=summary,
        cards=cards,
        open_count=len(counted),
        overdue_count=sum(c.status == "overdue" for c in counted),
        report_href=report,
    )


@router.get("/findings/{number}")
def finding_page(env: E, who: Browser, number: str, done: str | None = None):
    return _finding_page(env, who, number, NOTICES.get(done or ""))


def _finding_page(
    env: Env, who, number: str, notice: str | None, error: str | None = None, status: int = 200
):
    with env.store.session() as s:
        f = owned_finding(s, who, number)
        c = workspace.card(s, f, env.catalog, today(), rule_titles())
        waiting = bool(c.recheck and c.recheck["waiting"])
        return env.page(
            "finding.html.j2",
            title=c.number,
            me=who.account,
            csrf=who.csrf,
            c=c,
            rechecks=workspace.rechecks_of(s, f),
            submissions=[workspace.submission_dict(x) for x in workspace.submissions_of(s, f)],
            events=workspace.history(f),
            can_act=accounts.may_act(who.account, f.portal_id, f.unit_id),
            per_hour=env.config.recheck_per_hour,
            accepted=uploads.ACCEPTED,
            refresh=5 if waiting else None,
            refresh_url=f"/findings/{c.number}",
            flash=error or notice,
            flash_kind="err" if error else "ok",
            status=status,
        )


@router.get("/findings/{number}/evidence")
def evidence_page(env: E, who: Browser, number: str):
    with env.store.session() as s:
        f = owned_finding(s, who, number)
        try:
            html = workspace.evidence_html(s, f, env.catalog, today())
        except BadInput as exc:
            raise HTTPException(404, str(exc)) from None
    return HTMLResponse(html)


@router.post("/findings/{number}/recheck")
def recheck_form(request: Request, env: E, who: Browser, number: str, csrf: Csrf = None):
    check_csrf(who, csrf)
    try:
        actions.recheck(env, who, number, address(request))
    except HTTPException as exc:
        if exc.status_code in (409, 429, 503):
            return _finding_page(env, who, number, None, str(exc.detail), exc.status_code)
        raise
    return _back(number, "recheck")


@router.post("/findings/{number}/feedback")
async def feedback_form(
    request: Request,
    env: E,
    who: Browser,
    number: str,
    text: Annotated[str, Form()],
    csrf: Csrf = None,
    file: Annotated[UploadFile | None, File()] = None,
):
    check_csrf(who, csrf)
    upload = None
    if file is not None and file.filename:
        upload = (file.filename, await file.read(uploads.MAX_BYTES + 1))
    try:
        actions.submit(env, who, number, "feedback", text, address(request), upload)
    except HTTPException as exc:
        if exc.status_code == 400:
            return _finding_page(env, who, number, None, str(exc.detail), exc.status_code)
        raise
    return _back(number, "feedback")


@router.post("/findings/{number}/dispute")
def dispute_form(
    request: Request, env: E, who: Browser, number: str, text: Annotated[str, Form()], csrf: Csrf = None
):
    check_csrf(who, csrf)
    try:
        actions.submit(env, who, number, "dispute", text, address(request))
    except HTTPException as exc:
        if exc.status_code == 400:
            return _finding_page(env, who, number, None, str(exc.detail), exc.status_code)
        raise
    return _back(number, "dispute")


@router.get("/submissions/{sid}/file")
def attachment(request: Request, env: E, who: Browser, sid: int):
    """An attachment, only ever as a download (never shown inline)."""
    with env.store.session() as s:
        sub = owned_submission(s, who, sid)
        path = uploads.path_of(env.config.uploads, sub.file_key or "")
        if path is None:
            raise HTTPException(404, "没有附件")
        accounts.audit(
            s, who.login, "download", finding_number(sub.finding_id), address(request), submission=sid
        )
        name = uploads.safe_name(sub.file_name or "附件")
    return FileResponse(
        path,
        media_type="application/octet-stream",
        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"},
    )


@router.get("/supervisor")
def supervisor_page(env: E, who: Browser, done: str | None = None):
    return _supervisor_page(env, who, NOTICES.get(done or ""))


def _supervisor_page(env: Env, who, notice: str | None, error: str | None = None, status: int = 200):
    if who.account.role == "unit":
        raise HTTPException(403, "仅监管人员和领导可以查看")
    holder = current_holder(env.store, CYCLE)
    lock = f"运行锁被占用：{holder.command or ''}（自 {shown(holder.started_at)} 起）" if holder else None
    with env.store.session() as s:
        return env.page(
            "supervisor.html.j2",
            title="监管工作台",
            me=who.account,
            csrf=who.csrf,
            queue=workspace.queue(s),
            decided=workspace.decided(s),
            runs=workspace.run_status(s),
            coverage=workspace.coverage(s),
            units=workspace.units_overview(s, env.catalog, today()),
            lock=lock,
            can_decide=who.account.role == "supervisor",
            flash=error or notice,
            flash_kind="err" if error else "ok",
            status=status,
        )


@router.post("/submissions/{sid}/decision")
def decision_form(
    request: Request,
    env: E,
    who: Browser,
    sid: int,
    decision: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
    csrf: Csrf = None,
):
    check_csrf(who, csrf)
    try:
        out = actions.decide(env, who, sid, decision == "accept", note, address(request))
    except HTTPException as exc:
        if exc.status_code in (400, 409):
            return _supervisor_page(env, who, None, str(exc.detail), exc.status_code)
        raise
    done = ("accepted-recheck" if out.get("recheck") else "accepted") if decision == "accept" else "rejected"
    return RedirectResponse(f"/supervisor?done={done}", status_code=303)


@router.get("/reports/{path:path}")
def reports(env: E, who: Browser, path: str):
    """The rendered reports: everything for a supervisor or leader; for a unit account its own unit
    page and its own findings' evidence pages only."""
    if env.config.reports is None:
        raise HTTPException(404, "服务未配置报告目录")
    root = env.config.reports.resolve()
    target = (root / path).resolve()
    if root not in target.parents or not target.is_file():
        raise HTTPException(404, "没有该报告")
    rel = target.relative_to(root).as_posix()
    if who.account.role == "unit" and not _unit_may_see(env, who.account, rel):
        raise HTTPException(403, "单位账号只能查看本单位的报告页和证据")
    return FileResponse(target)


def _unit_may_see(env: Env, account: Account, rel: str) -> bool:
    if rel == unit_file(account.portal_id or "", account.unit_id or ""):
        return True
    m = EVIDENCE_RE.match(rel)
    if m:
        with env.store.session() as s:
            f = workspace.find(s, m.group(1))
            return f is not None and (f.portal_id, f.unit_id) == (account.portal_id, account.unit_id)
    return False
