"""Sending: each message through Apprise, retried with a bounded back-off, and one run record per
dispatch (sent, failed, attempts) — a failed send is recorded, never raised."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from zwgk.cycle.records import finish_run, start_run
from zwgk.store.dburl import redact_text

from .config import MAX_DELAY, NotifyConfig, Recipient, _apprise
from .messages import Message, for_platform

log = logging.getLogger(__name__)


# -- sending ---------------------------------------------------------------------------------------
Sender = Callable[[Recipient, Message], bool]


def apprise_send(recipient: Recipient, message: Message) -> bool:
    """One attempt through Apprise (its own retry off: we retry and record)."""
    apprise = _apprise()
    ap = apprise.Apprise()
    if not ap.add(recipient.url):
        return False
    message = for_platform(recipient, message)
    # Plain text: nothing in a message is interpreted as markup by the receiving client. A
    # connection string quoted by an error (operator alerts) never leaves with its password.
    return bool(
        ap.notify(
            title=redact_text(message.title),
            body=redact_text(message.body),
            body_format=apprise.NotifyFormat.TEXT,
        )
    )


@dataclass
class Delivery:
    audience: str
    key: str
    recipient: str  # label
    ok: bool
    attempts: int
    error: str | None = None


def deliver(
    recipient: Recipient,
    message: Message,
    config: NotifyConfig,
    send: Sender | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> Delivery:
    """Send with bounded retries; never raises."""
    send = send or apprise_send
    attempts, error = 0, None
    for attempt in range(config.retries + 1):
        attempts += 1
        try:
            if send(recipient, message):
                return Delivery(message.audience, message.key, recipient.label, True, attempts)
            error = "发送失败（接收方未确认）"
        except Exception as exc:  # a plugin bug or a network error must not end the run
            error = f"{type(exc).__name__}: {str(exc)[:200]}"
        if attempt < config.retries:
            sleep(min(config.retry_delay * (2**attempt), MAX_DELAY))
    log.warning(
        "notification to %s (%s) failed after %d attempts: %s", recipient.label, message.key, attempts, error
    )
    return Delivery(message.audience, message.key, recipient.label, False, attempts, error)


def send_messages(
    store,
    as_of: date,
    kind: str,
    pairs: list[tuple[Recipient, Message]],
    config: NotifyConfig,
    send: Sender | None = None,
    sleep: Callable[[float], None] = time.sleep,
    extra: dict | None = None,
) -> int:
    """Deliver every (recipient, message), recording one Run(stage='notify'); returns its id. Never raises
    for a failed send (a broken store still raises: there is nowhere to record)."""
    run_id = start_run(store, "notify", as_of, {"kind": kind})
    results = [deliver(r, m, config, send, sleep) for r, m in pairs]
    failed = [d for d in results if not d.ok]
    counts: dict[str, Any] = {
        "kind": kind,
        "messages": len(results),
        "sent": len(results) - len(failed),
        "failed": len(failed),
        "attempts": sum(d.attempts for d in results),
        "recipients": sorted({d.key for d in results if d.ok}),
        **(extra or {}),
    }
    status = "ok" if not failed else ("failed" if len(failed) == len(results) else "partial")
    error = "\n".join(f"{d.key} → {d.recipient}: {d.error}（{d.attempts} 次尝试）" for d in failed) or None
    finish_run(store, run_id, status, counts, error)
    return run_id
