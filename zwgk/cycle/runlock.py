"""The run lock: two schedulers, or a scheduler and a manual `zwgk run`, never crawl at once.

The lock is a row in the `locks` table, inserted in its own transaction: the primary key makes
the insert succeed for exactly one contender, on SQLite and on PostgreSQL alike, so processes on
different machines sharing one database exclude each other too (a lock file would not).

A holder that died without releasing leaves its row behind. Such a row is broken (with a
warning) when its pid is dead on this host, or when it is older than `max_age` (a holder on
another machine cannot be probed). Breaking deletes the row only if it still carries the stale
holder's token, so two contenders breaking the same stale lock cannot both win.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from zwgk.beijing import shown
from zwgk.cycle.records import utcnow
from zwgk.errors import StageFailed
from zwgk.store.db import Store
from zwgk.store.dburl import redact_text
from zwgk.store.schema import Lock

log = logging.getLogger(__name__)

CYCLE = "cycle"  # the one lock crawl, check, run and the scheduled jobs share
DEFAULT_MAX_AGE = timedelta(hours=24)


class LockHeld(StageFailed):
    """Another process holds the lock: the CLI exits 1 with this message."""

    def __init__(self, name: str, holder: Lock):
        self.name, self.holder_pid, self.holder_host = name, holder.holder_pid, holder.holder_host
        self.since = holder.started_at
        what = f": {holder.command}" if holder.command else ""
        super().__init__(
            f"另一任务正在运行（运行锁 {name}，自 {shown(holder.started_at, '%Y-%m-%d %H:%M:%S')} 起，"
            f"主机 {holder.holder_host} 上的进程 {holder.holder_pid}{what}），请待其结束后再试"
        )


@dataclass(frozen=True)
class Held:
    name: str
    token: str
    started_at: datetime


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this host (EPERM means it does)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False
    return True


def stale_reason(holder: Lock, now: datetime, max_age: timedelta, host: str) -> str | None:
    """Why a held lock may be broken, or None when its holder may still be running.

    A holder on this host is probed: never broken while its process lives, however long it has run
    (the crawl's time limit ends a long night; breaking the lock would let a second night start
    beside it). Only a holder on another machine, which cannot be probed, is judged by age."""
    if holder.holder_host == host:
        if holder.holder_pid != os.getpid() and not pid_alive(holder.holder_pid):
            return f"its holder pid {holder.holder_pid} is no longer running on {host}"
        return None
    if now - holder.started_at > max_age:
        return f"it is older than the maximum age {max_age}"
    return None


def _command_line() -> str:
    return redact_text(" ".join(["zwgk", *sys.argv[1:]]))[:500] if sys.argv else "zwgk"


def try_acquire(
    store: Store,
    name: str = CYCLE,
    max_age: timedelta = DEFAULT_MAX_AGE,
    command: str | None = None,
    clock: Callable[[], datetime] = utcnow,
) -> Held:
    """Take the lock once (breaking a stale one); raise LockHeld when a live holder has it."""
    host = socket.gethostname()
    for _ in range(3):  # insert; on conflict maybe break a stale row and insert again
        token, now = uuid.uuid4().hex, clock()
        try:
            with store.session() as session:
                session.add(
                    Lock(
                        name=name,
                        token=token,
                        holder_pid=os.getpid(),
                        holder_host=host,
                        started_at=now,
                        command=command or _command_line(),
                    )
                )
            return Held(name, token, now)
        except IntegrityError:
            pass
        with store.session() as session:
            holder = session.get(Lock, name)
            if holder is None:
                continue  # released meanwhile: try again
            reason = stale_reason(holder, clock(), max_age, host)
            if reason is None:
                raise LockHeld(name, holder)
            gone = session.execute(delete(Lock).where(Lock.name == name, Lock.token == holder.token))
            if gone.rowcount:
                log.warning(
                    "breaking stale run lock %r held since %s by pid %s on %s: %s",
                    name,
                    holder.started_at,
                    holder.holder_pid,
                    holder.holder_host,
                    reason,
                )
    with store.session() as session:
        holder = session.get(Lock, name)
    if holder is not None:
        raise LockHeld(name, holder)
    raise StageFailed(f"无法取得运行锁 {name}（一直被其他进程交替占用）")


def release(store: Store, held: Held) -> None:
    """Drop our own row (never another holder's, should ours have been broken as stale)."""
    with store.session() as session:
        session.execute(delete(Lock).where(Lock.name == held.name, Lock.token == held.token))


@contextmanager
def run_lock(
    store: Store,
    name: str = CYCLE,
    wait: bool = False,
    timeout: float | None = None,
    max_age: timedelta = DEFAULT_MAX_AGE,
    poll: float = 2.0,
    command: str | None = None,
) -> Iterator[Held]:
    """Hold the named lock for the block. With wait, poll until free (or `timeout` seconds pass)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        try:
            held = try_acquire(store, name, max_age, command)
            break
        except LockHeld:
            if not wait or (deadline is not None and time.monotonic() >= deadline):
                raise
            time.sleep(poll)
    try:
        yield held
    finally:
        release(store, held)


def current_holder(store: Store, name: str = CYCLE) -> Lock | None:
    with store.session() as session:
        return session.get(Lock, name)
