"""Accounts, sign-in sessions, API tokens and the audit log of the workspace.

Three roles, because the 政务公开办 and the departments it supervises need different rights:
- supervisor (监管人员): every unit; accepts or rejects units' 整改反馈 and 误报 claims;
- unit (单位账号): its own unit only — reads its findings and evidence, reports 整改, asks for a
  recheck or a 误报 review;
- leader (领导（只读）): reads everything, acts on nothing.

Passwords are kept as argon2id hashes (argon2-cffi, the reference implementation's binding);
session cookies and API tokens are random and stored only as their sha256, so a copy of the
database signs nobody in. A session ends at its expiry, on sign-out, or when its account is
disabled or its password reset. Failed sign-ins are throttled per account and address.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import threading
import time
from collections import deque
from datetime import timedelta
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from zwgk.cycle.records import utcnow
from zwgk.errors import BadInput
from zwgk.store.schema import Account, ApiToken, AuditEntry, Unit, WebSession

ROLES = {"supervisor": "监管人员", "unit": "单位账号", "leader": "领导（只读）"}
SESSION_HOURS = 8  # a working day; sign in again the next morning
MIN_PASSWORD = 10
LOGIN_RE = re.compile(r"^[A-Za-z0-9_.@-]{2,64}$")
_HASHER = PasswordHasher()
# Verified when an account does not exist, so the answer takes as long as for a wrong password.
_DUMMY = _HASHER.hash(secrets.token_hex(8))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise BadInput(f"密码至少 {MIN_PASSWORD} 位")
    if len(set(password)) < 4:
        raise BadInput("密码过于简单")


def add_account(
    session: Session,
    login: str,
    display_name: str,
    role: str,
    password: str,
    portal_id: str | None = None,
    unit_id: str | None = None,
) -> Account:
    """A new account; a unit account must name a unit the registry has (portal and unit id)."""
    if not LOGIN_RE.match(login or ""):
        raise BadInput("登录名只能由字母、数字和 _ . @ - 组成（2 至 64 位）")
    if role not in ROLES:
        raise BadInput("角色应为 supervisor（监管人员）、unit（单位账号）或 leader（领导只读）")
    if session.execute(select(Account).where(Account.login == login)).scalar_one_or_none() is not None:
        raise BadInput(f"登录名 {login} 已存在")
    if role == "unit":
        if not portal_id or not unit_id:
            raise BadInput("单位账号须指定所属单位（门户编号/单位编号）")
        unit = session.execute(
            select(Unit).where(Unit.portal_id == portal_id, Unit.unit_id == unit_id)
        ).scalar_one_or_none()
        if unit is None:
            raise BadInput(
                f"登记表中没有单位 {portal_id}/{unit_id}（先运行一次抓取或 zwgk db init 同步登记表）"
            )
        display_name = display_name or unit.name
    else:
        portal_id = unit_id = None
    check_password_strength(password)
    now = utcnow()
    account = Account(
        login=login,
        display_name=display_name or login,
        role=role,
        portal_id=portal_id,
        unit_id=unit_id,
        password_hash=_HASHER.hash(password),
        disabled=False,
        created_at=now,
        password_changed_at=now,
    )
    session.add(account)
    session.flush()
    return account


def get_account(session: Session, login: str) -> Account:
    account = session.execute(select(Account).where(Account.login == login)).scalar_one_or_none()
    if account is None:
        raise BadInput(f"没有登录名为 {login} 的账号")
    return account


def set_password(session: Session, account: Account, password: str) -> None:
    """A new password; every session and token of the account ends."""
    check_password_strength(password)
    account.password_hash = _HASHER.hash(password)
    account.password_changed_at = utcnow()
    end_sessions(session, account)


def set_disabled(session: Session, account: Account, disabled: bool = True) -> None:
    account.disabled = disabled
    if disabled:
        end_sessions(session, account)


def end_sessions(session: Session, account: Account) -> None:
    session.execute(delete(WebSession).where(WebSession.account_id == account.id))
    for token in session.execute(select(ApiToken).where(ApiToken.account_id == account.id)).scalars():
        token.revoked = True


def authenticate(session: Session, login: str, password: str) -> Account | None:
    """The account when the password is right and the account enabled; None otherwise (the same
    work is done for an unknown login, so timing does not tell which logins exist)."""
    account = session.execute(select(Account).where(Account.login == login)).scalar_one_or_none()
    try:
        _HASHER.verify(account.password_hash if account else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    if account is None or account.disabled:
        return None
    if _HASHER.check_needs_rehash(account.password_hash):
        account.password_hash = _HASHER.hash(password)
    return account


def new_session(session: Session, account: Account, hours: float = SESSION_HOURS) -> tuple[str, WebSession]:
    """(cookie token, row): a new sign-in session."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    row = WebSession(
        token_hash=_digest(token),
        account_id=account.id,
        csrf=secrets.token_urlsafe(24),
        created_at=now,
        expires_at=now + timedelta(hours=hours),
    )
    session.add(row)
    session.execute(delete(WebSession).where(WebSession.expires_at < now))  # expired ones go
    return token, row


def session_account(session: Session, token: str | None) -> tuple[Account, WebSession] | None:
    if not token:
        return None
    row = session.get(WebSession, _digest(token))
    if row is None or row.expires_at <= utcnow():
        return None
    account = session.get(Account, row.account_id)
    if account is None or account.disabled or account.password_changed_at > row.created_at:
        return None
    return account, row


def end_session(session: Session, token: str | None) -> None:
    if token:
        session.execute(delete(WebSession).where(WebSession.token_hash == _digest(token)))


def new_api_token(session: Session, account: Account, label: str) -> str:
    """A bearer token for the JSON API, shown once; only its sha256 is kept."""
    token = "zwgk_" + secrets.token_urlsafe(32)
    session.add(
        ApiToken(
            account_id=account.id,
            token_hash=_digest(token),
            label=label or "API",
            created_at=utcnow(),
            revoked=False,
        )
    )
    return token


def token_account(session: Session, token: str | None) -> Account | None:
    if not token:
        return None
    row = session.execute(select(ApiToken).where(ApiToken.token_hash == _digest(token))).scalar_one_or_none()
    if row is None or row.revoked:
        return None
    account = session.get(Account, row.account_id)
    if account is None or account.disabled or account.password_changed_at > row.created_at:
        return None
    row.last_used_at = utcnow()
    return account


def same(a: str | None, b: str | None) -> bool:
    return bool(a) and bool(b) and hmac.compare_digest(str(a), str(b))


def audit(
    session: Session,
    login: str | None,
    action: str,
    target: str | None = None,
    address: str | None = None,
    **detail: Any,
) -> None:
    session.add(
        AuditEntry(at=utcnow(), login=login, action=action, target=target, detail=detail, address=address)
    )


class Throttle:
    """At most `limit` failed sign-ins per (login, address) within `window` seconds: then refused
    until the oldest failure leaves the window. In memory: one serve process guards itself."""

    def __init__(self, limit: int = 5, window: float = 900.0):
        self.limit, self.window = limit, window
        self._failures: dict[tuple[str, str], deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: tuple[str, str], now: float) -> deque[float]:
        q = self._failures.setdefault(key, deque())
        while q and now - q[0] > self.window:
            q.popleft()
        return q

    def blocked(self, login: str, address: str) -> int:
        """Seconds to wait (0: may try)."""
        now = time.monotonic()
        with self._lock:
            q = self._recent((login.lower(), address), now)
            return int(self.window - (now - q[0])) + 1 if len(q) >= self.limit else 0

    def failed(self, login: str, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent((login.lower(), address), now).append(now)

    def succeeded(self, login: str, address: str) -> None:
        with self._lock:
            self._failures.pop((login.lower(), address), None)


def role_label(account: Account) -> str:
    return ROLES.get(account.role, account.role)


def may_read(account: Account, portal_id: str, unit_id: str) -> bool:
    """Whether the account may see this unit's findings, evidence and submissions."""
    if account.role in ("supervisor", "leader"):
        return True
    return account.role == "unit" and (account.portal_id, account.unit_id) == (portal_id, unit_id)


def may_act(account: Account, portal_id: str, unit_id: str) -> bool:
    """Whether the account may report 整改, ask for a recheck or a 误报 review for this unit."""
    if account.role == "supervisor":
        return True
    return account.role == "unit" and (account.portal_id, account.unit_id) == (portal_id, unit_id)


def listed(session: Session) -> list[dict[str, Any]]:
    rows = []
    for a in session.execute(select(Account).order_by(Account.login)).scalars():
        rows.append(
            {
                "login": a.login,
                "name": a.display_name,
                "role": role_label(a),
                "unit": f"{a.portal_id}/{a.unit_id}" if a.role == "unit" else "",
                "disabled": a.disabled,
                "created_at": a.created_at,
            }
        )
    return rows
