"""The JSON API (`/api/v1`, described at /api/openapi.json): the workspace's reads and actions for
the county's OA or 一网通办, authenticated by per-account bearer tokens (`zwgk users token`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel, Field

from zwgk.cycle import recheck as rechecks
from zwgk.findings.numbers import finding_number
from zwgk.rules.registry import rule_titles
from zwgk.store.schema import Recheck
from zwgk.web import accounts, actions, workspace
from zwgk.web.context import Api, E, address, owned_finding, owned_unit, today

router = APIRouter(prefix="/api/v1")


class TextIn(BaseModel):
    text: str = Field(..., min_length=1, max_length=4000, description="整改情况或误报理由")


class DecisionIn(BaseModel):
    accept: bool = Field(..., description="true 采纳，false 不予采纳")
    note: str = Field("", max_length=4000, description="审核意见（不予采纳时必填）")


@router.get("/me", tags=["账号"], summary="当前账号")
def me(who: Api) -> dict[str, Any]:
    a = who.account
    return {
        "login": a.login,
        "name": a.display_name,
        "role": a.role,
        "portal_id": a.portal_id,
        "unit_id": a.unit_id,
    }


@router.get("/units", tags=["单位"], summary="可查看的单位及其待整改数、得分")
def units(env: E, who: Api) -> list[dict[str, Any]]:
    with env.store.session() as s:
        rows = workspace.units_overview(s, env.catalog, today())
    return [r for r in rows if accounts.may_read(who.account, r["portal_id"], r["unit_id"])]


@router.get("/units/{portal_id}/{unit_id}", tags=["单位"], summary="单位概况与问题清单")
def unit(env: E, who: Api, portal_id: str, unit_id: str) -> dict[str, Any]:
    owned_unit(who, portal_id, unit_id)
    with env.store.session() as s:
        summary = workspace.unit_summary(s, portal_id, unit_id, env.catalog, today())
        cards = workspace.unit_findings(s, portal_id, unit_id, env.catalog, today())
    return {**summary, "findings": [c.as_dict() for c in cards]}


@router.get("/findings/{number}", tags=["问题"], summary="问题详情、复查与申请记录")
def finding(env: E, who: Api, number: str) -> dict[str, Any]:
    with env.store.session() as s:
        f = owned_finding(s, who, number)
        return {
            **workspace.card(s, f, env.catalog, today(), rule_titles()).as_dict(),
            "history": workspace.history(f),
            "rechecks": workspace.rechecks_of(s, f),
            "submissions": [workspace.submission_dict(x) for x in workspace.submissions_of(s, f)],
        }


@router.post("/findings/{number}/recheck", tags=["问题"], summary="申请复查", status_code=202)
def recheck(request: Request, env: E, who: Api, number: str) -> dict[str, Any]:
    rc = actions.recheck(env, who, number, address(request))
    return {"recheck": rc.id, "state": rc.state, "label": rechecks.STATE_LABEL[rc.state]}


@router.get("/rechecks/{rid}", tags=["问题"], summary="复查结果")
def recheck_state(env: E, who: Api, rid: int) -> dict[str, Any]:
    with env.store.session() as s:
        rc = s.get(Recheck, rid)
        if rc is None:
            raise HTTPException(404, "没有该复查")
        if not accounts.may_read(who.account, rc.portal_id, rc.unit_id):
            raise HTTPException(403, "无权访问其他单位的复查")
        return {"finding": finding_number(rc.finding_id), **(workspace.recheck_dict(rc) or {})}


@router.post("/findings/{number}/feedback", tags=["问题"], summary="整改反馈", status_code=201)
def feedback(request: Request, env: E, who: Api, number: str, body: TextIn) -> dict[str, Any]:
    return workspace.submission_dict(
        actions.submit(env, who, number, "feedback", body.text, address(request))
    )


@router.post("/findings/{number}/dispute", tags=["问题"], summary="申请误报复核", status_code=201)
def dispute(request: Request, env: E, who: Api, number: str, body: TextIn) -> dict[str, Any]:
    return workspace.submission_dict(actions.submit(env, who, number, "dispute", body.text, address(request)))


@router.get("/submissions", tags=["审核"], summary="待审核的整改反馈与误报申请")
def submissions(env: E, who: Api) -> list[dict[str, Any]]:
    with env.store.session() as s:
        rows = workspace.queue(s)
    return [r for r in rows if accounts.may_read(who.account, r["portal_id"], r["unit_id"])]


@router.post("/submissions/{sid}/decision", tags=["审核"], summary="审核（监管人员）")
def decision(request: Request, env: E, who: Api, sid: int, body: DecisionIn) -> dict[str, Any]:
    return actions.decide(env, who, sid, body.accept, body.note, address(request))
