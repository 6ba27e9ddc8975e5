"""The workspace's actions — 申请复查, 整改反馈 / 误报 claims, the supervisor's decision — once, for
the pages and the API alike: authorization, the change, and its line in the audit log."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException

from zwgk.cycle import recheck as rechecks
from zwgk.errors import BadInput
from zwgk.findings.numbers import finding_number
from zwgk.store.schema import Recheck, Submission
from zwgk.web import accounts, uploads, workspace
from zwgk.web.context import Env, Who, owned_finding, owned_submission, supervisor_only, today


def recheck(env: Env, who: Who, number: str, address: str) -> Recheck:
    with env.store.session() as s:
        f = owned_finding(s, who, number, act=True)
        if env.registry is None:
            raise HTTPException(503, "服务未配置登记表，无法复查")
        try:
            rc = rechecks.request(s, f, who.login, per_hour=env.config.recheck_per_hour)
        except rechecks.RecheckRefused as exc:
            accounts.audit(s, who.login, "recheck_refused", number, address, why=str(exc))
            raise HTTPException(429 if exc.rate else 409, str(exc)) from None
        accounts.audit(s, who.login, "recheck", number, address, recheck=rc.id)
        s.flush()
        s.expunge(rc)
        return rc


def submit(env: Env, who: Who, number: str, kind: str, text: str, address: str, upload=None) -> Submission:
    """整改反馈 ('feedback', maybe with a file) or a 误报 claim ('dispute')."""
    with env.store.session() as s:
        f = owned_finding(s, who, number, act=True)
        stored = None
        try:
            if upload is not None:
                name, data = upload
                key, kind_of = uploads.store(env.config.uploads, name, data)
                stored = (uploads.safe_name(name), key, len(data), kind_of)
            sub = workspace.submit(s, f, kind, text, who.login, stored)
        except BadInput as exc:
            raise HTTPException(400, str(exc)) from None
        accounts.audit(s, who.login, kind, number, address, submission=sub.id, file=bool(stored))
        s.flush()
        s.expunge(sub)
        return sub


def decide(env: Env, who: Who, sid: int, accept: bool, note: str, address: str) -> dict[str, Any]:
    supervisor_only(who)
    with env.store.session() as s:
        sub = owned_submission(s, who, sid)
        try:
            out = workspace.decide(s, sub, accept, who.login, note, today(), env.config.recheck_per_hour)
        except workspace.AlreadyDecided as exc:
            raise HTTPException(409, str(exc)) from None
        except BadInput as exc:
            raise HTTPException(400, str(exc)) from None
        action = "accept" if accept else "reject"
        accounts.audit(s, who.login, action, finding_number(sub.finding_id), address, submission=sid, **out)
        return {"submission": workspace.submission_dict(sub), **out}
