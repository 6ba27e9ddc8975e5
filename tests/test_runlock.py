"""The run lock: contenders in separate processes, stale locks, and the CLI's exit 1.

Run on SQLite and on a real PostgreSQL database (the lock must work across machines that share
one database, which only a database lock can do).
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.test_migrations import pg_url  # noqa: F401 — fixture
from zwgk.cycle.runlock import CYCLE, LockHeld, current_holder, release, run_lock, try_acquire
from zwgk.store.db import Store
from zwgk.store.schema import Lock

REPO = Path(__file__).resolve().parents[1]
CONTENDER_DEADLINE_S = 120  # a contender exits on its own after this, whatever the test does

CONTENDER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from zwgk.cycle.runlock import LockHeld, run_lock
    from zwgk.store.db import Store
    url, go, done = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    deadline = time.monotonic() + float(sys.argv[4])  # never outlive a test that died meanwhile
    store = Store(url)
    while not go.exists():
        if time.monotonic() > deadline:
            sys.exit("TIMEOUT waiting for the start signal")
        time.sleep(0.01)
    try:
        with run_lock(store, "cycle", command="contender"):
            print("WON", flush=True)
            while not done.exists():
                if time.monotonic() > deadline:
                    sys.exit("TIMEOUT holding the lock: the test never said done")
                time.sleep(0.02)
    except LockHeld as exc:
        print("LOST", exc, flush=True)
        sys.exit(1)
""")

DIE_HOLDING = textwrap.dedent("""
    import os, sys
    from zwgk.cycle.runlock import try_acquire
    from zwgk.store.db import Store
    try_acquire(Store(sys.argv[1]), "cycle", command="crashed run")
    os._exit(0)  # dies without releasing
""")


def _env() -> dict:
    return {**os.environ, "PYTHONPATH": str(REPO)}


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path}/lock.db"
    else:
        url = request.getfixturevalue("pg_url")
    Store(url).dispose()  # schema in place before the contenders race
    return url


def test_two_processes_contend_one_wins(db_url, tmp_path):
    go, done = tmp_path / "go", tmp_path / "done"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CONTENDER, db_url, str(go), str(done), str(CONTENDER_DEADLINE_S)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        for _ in range(4)
    ]
    try:
        time.sleep(1.0)  # let them all import and wait at the start line
        go.touch()
        deadline = time.monotonic() + 60
        while sum(p.poll() is not None for p in procs) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        done.touch()
        results = [p.communicate(timeout=60) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    outs = [o for o, _ in results]
    assert sum(o.startswith("WON") for o in outs) == 1, results
    losers = [o for o in outs if o.startswith("LOST")]
    assert len(losers) == 3, results
    for line in losers:
        assert "另一任务正在运行（运行锁 cycle，自" in line and "contender" in line
    assert sorted(p.returncode for p in procs) == [0, 1, 1, 1]


def test_stale_lock_of_a_dead_pid_is_broken(db_url, caplog):
    proc = subprocess.run(
        [sys.executable, "-c", DIE_HOLDING, db_url], capture_output=True, text=True, env=_env()
    )
    assert proc.returncode == 0, proc.stderr
    store = Store(db_url)
    try:
        dead = current_holder(store)
        assert dead is not None and dead.command == "crashed run" and dead.holder_host == socket.gethostname()
        with caplog.at_level(logging.WARNING, logger="zwgk.cycle.runlock"), run_lock(store) as held:
            holder = current_holder(store)
            assert holder.holder_pid == os.getpid() and holder.token == held.token
        assert "breaking stale run lock" in caplog.text and f"pid {dead.holder_pid}" in caplog.text
        assert current_holder(store) is None
    finally:
        store.dispose()


def _foreign(store: Store, age: timedelta) -> None:
    with store.session() as session:
        session.add(
            Lock(
                name=CYCLE,
                token="t-elsewhere",
                holder_pid=1,
                holder_host="another-machine",
                started_at=datetime.now(UTC).replace(tzinfo=None) - age,
                command="zwgk run",
            )
        )


def test_lock_held_on_another_machine_is_respected_until_max_age(db_url, caplog):
    store = Store(db_url)
    try:
        _foreign(store, timedelta(hours=1))
        with pytest.raises(LockHeld) as exc:
            try_acquire(store, max_age=timedelta(hours=24))
        assert "主机 another-machine 上的进程 1" in str(exc.value)
        with caplog.at_level(logging.WARNING, logger="zwgk.cycle.runlock"):
            held = try_acquire(store, max_age=timedelta(minutes=30))
        assert "older than the maximum age" in caplog.text
        release(store, held)
    finally:
        store.dispose()


def test_a_live_holder_on_this_host_is_never_broken_however_old(tmp_path):
    """A long night (a crawl past 24 h) keeps its lock: the report job may not break it and start
    beside it. Only a dead pid frees it on this host."""
    store = Store(f"sqlite:///{tmp_path}/old.db")
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        with store.session() as session:
            session.add(
                Lock(
                    name=CYCLE,
                    token="t-long-night",
                    holder_pid=sleeper.pid,
                    holder_host=socket.gethostname(),
                    started_at=datetime.now(UTC).replace(tzinfo=None) - timedelta(days=3),
                    command="zwgk run",
                )
            )
        with pytest.raises(LockHeld):
            try_acquire(store, max_age=timedelta(hours=1))
        sleeper.kill()
        sleeper.wait()
        release(store, try_acquire(store, max_age=timedelta(hours=1)))  # the dead holder's lock is broken
    finally:
        if sleeper.poll() is None:
            sleeper.kill()
        store.dispose()


def test_release_never_drops_another_holders_lock(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/r.db")
    try:
        held = try_acquire(store)
        with store.session() as session:  # ours was broken as stale and someone else took it
            session.get(Lock, CYCLE).token = "someone-else"
        release(store, held)
        assert current_holder(store).token == "someone-else"
    finally:
        store.dispose()


def test_wait_takes_the_lock_when_the_holder_finishes(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/w.db")
    try:
        first = try_acquire(store)
        threading.Timer(0.5, release, (store, first)).start()
        started = time.monotonic()
        with run_lock(store, wait=True, timeout=20, poll=0.05) as held:
            assert held.token != first.token
        assert time.monotonic() - started >= 0.4
        with run_lock(store):  # released again
            pass
    finally:
        store.dispose()


def test_cli_exits_1_when_another_run_holds_the_lock(tmp_path):
    from zwgk.cli import app

    db = f"sqlite:///{tmp_path}/c.db"
    store = Store(db)
    try:
        with run_lock(store, command="zwgk schedule: nightly"):
            result = CliRunner().invoke(app, ["check", "--db", db, "--as-of", "2026-03-01"])
        assert result.exit_code == 1, result.output
        assert "另一任务正在运行（运行锁 cycle，自" in result.output
        assert "zwgk schedule: nightly" in result.output
    finally:
        store.dispose()
