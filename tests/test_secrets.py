"""A database password appears on no surface (issue 13): a whole night on PostgreSQL with a password
in its URL, then every output channel grepped for it — terminal output of every command, the crawl
subprocess's command line while it runs, run records and the run lock, the scheduler's stored jobs,
crawl logs, reports and exports, and the notifications received.

PostgreSQL here trusts 127.0.0.1, so the password is accepted and ignored: the URL is exactly what
an operator would type, and the server does not care.
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import threading
import time
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from tests.test_migrations import pg_url  # noqa: F401 — fixture
from tests.test_notify import Hooks
from zwgk_demonet import build_network

pytestmark = pytest.mark.slow
AS_OF = date(2026, 11, 23)


class CmdlineWatch:
    """Polls every process's command line while a run goes on; keeps those of crawl subprocesses."""

    def __init__(self):
        self.crawl_cmdlines: list[str] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self.stop.is_set():
            for proc in Path("/proc").glob("[0-9]*"):
                try:
                    argv = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
                except OSError:
                    continue
                if "zwgk.crawler.run" in argv:
                    self.crawl_cmdlines.append(argv)
            time.sleep(0.05)


def _dump_database(url: str) -> str:
    """Every row of every table as text (bytea as hex), plus the scheduler's pickled jobs unpickled."""
    engine = create_engine(url)
    parts: list[str] = []
    try:
        with engine.connect() as conn:
            for table in inspect(conn).get_table_names():
                for (row,) in conn.execute(text(f'SELECT row_to_json(t)::text FROM "{table}" t')):
                    parts.append(row)
            if inspect(conn).has_table("apscheduler_jobs"):
                for (state,) in conn.execute(text("SELECT job_state FROM apscheduler_jobs")):
                    parts.append(repr(pickle.loads(state)))
                    parts.append(bytes(state).decode("latin-1"))
    finally:
        engine.dispose()
    return "\n".join(parts)


def test_a_database_password_is_on_no_surface(pg_url, tmp_path):  # noqa: F811
    secret = "Pw" + uuid.uuid4().hex[:12]
    url = pg_url.replace("postgres@", f"postgres:{secret}@", 1)
    assert secret in url
    logs, out = tmp_path / "logs", tmp_path / "reports"
    env = {**os.environ, "ZWGK_LOG_DIR": str(logs)}
    hooks = Hooks()
    hooks.thread.start()
    said: list[str] = []

    def zwgk(
        *args: str, use_env: bool = False, db_url: str | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess:
        cmd_env = {**env, "ZWGK_DB": url} if use_env else env
        db = [] if use_env else ["--db", db_url or url]
        proc = subprocess.run(
            [sys.executable, "-m", "zwgk.cli", *args, *db],
            capture_output=True,
            text=True,
            timeout=timeout,
            env=cmd_env,
        )
        said.extend([proc.stdout, proc.stderr])
        return proc

    try:
        with build_network(AS_OF).serve() as running:
            sites = running.write_registry(tmp_path / "sites.yml")
            units = [f"{p['id']}/{u['id']}" for p in running.registry()["portals"] for u in p["units"]][:3]
            notify_yml = tmp_path / "notify.yml"
            notify_yml.write_text(
                json.dumps(
                    {
                        "retry_delay": 0,
                        "supervisor": [hooks.url("/sup")],
                        "operator": [hooks.url("/ops")],
                        "units": {u: hooks.url(f"/u/{u}") for u in units},
                    }
                ),
                encoding="utf-8",
            )
            watch = CmdlineWatch()
            watch.thread.start()
            try:
                run = zwgk(
                    "run", "--sites", str(sites), "--as-of", AS_OF.isoformat(), "--out", str(out),
                    "--notify", str(notify_yml),
                )  # fmt: skip
            finally:
                watch.stop.set()
                watch.thread.join()
        assert run.returncode == 0, run.stderr[-3000:]

        # A night that failed with the URL in its error, and the operator's alert about it.
        from zwgk.cycle import jobs
        from zwgk.cycle.notify import load_notify_config
        from zwgk.cycle.records import recorded
        from zwgk.store.db import Store

        store = Store(url, mode="write")
        with pytest.raises(RuntimeError), recorded(store, "nightly", AS_OF):
            raise RuntimeError(f"could not connect to {url}")
        jobs.alert_safely(store, AS_OF, load_notify_config(notify_yml), [f"夜间任务异常：{url}"])
        store.dispose()

        for args in (["status"], ["status", "--json"], ["scores", "--json", "--as-of", AS_OF.isoformat()]):
            assert zwgk(*args, use_env=True).returncode == 0
        assert zwgk("report", "all", "--as-of", AS_OF.isoformat(), "--out", str(out)).returncode == 0
        export = tmp_path / "findings.csv"
        assert zwgk("export", "findings", "--format", "csv", "-o", str(export), use_env=True).returncode == 0
        assert zwgk("db", "check").returncode == 0
        bad = zwgk("status", db_url=url.rsplit("/", 1)[0] + "/no_such_db")  # a failure quoting the URL
        assert bad.returncode == 2

        sched = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "zwgk.cli",
                "schedule",
                "--sites",
                str(sites),
                "--db",
                url,
                "--out",
                str(out),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _has_jobs(pg_url):
            time.sleep(0.2)
        sched.send_signal(signal.SIGTERM)
        s_out, s_err = sched.communicate(timeout=60)
        said.extend([s_out, s_err])
        assert "调度器已启动" in s_err, s_err[-2000:]

        status_json = json.loads(said[said.index(next(s for s in said if s.startswith("{")))])
        files = [p for p in tmp_path.rglob("*") if p.is_file()]
        surfaces = {
            "terminal": "\n".join(said),
            "crawl command lines": "\n".join(watch.crawl_cmdlines),
            "database rows": _dump_database(pg_url),
            "files (reports, exports, logs)": "\n".join(
                p.read_bytes().decode("utf-8", "replace") for p in files
            ),
            "notifications": json.dumps(hooks.posts, ensure_ascii=False),
        }
    finally:
        hooks.server.shutdown()
        hooks.server.server_close()

    # Each channel was really exercised …
    assert watch.crawl_cmdlines, "no crawl subprocess was seen running"
    assert list(logs.glob("crawl-*.log")) and any("抓取日志" in s for s in said)
    assert (out / "index.html").exists() and export.stat().st_size > 100
    assert any(r["error"] and "could not connect" in r["error"] for r in status_json["runs"])
    assert {p for p, _ in hooks.posts} >= {"/sup", "/ops"}
    assert "postgres:***@" in surfaces["terminal"] and "postgres:***@" in surfaces["database rows"]
    # … and the password is on none of them.
    for name, content in surfaces.items():
        assert secret not in content, f"the database password leaked into {name}"


def _has_jobs(url: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return inspect(conn).has_table("apscheduler_jobs") and bool(
                conn.execute(text("SELECT count(*) FROM apscheduler_jobs")).scalar()
            )
    finally:
        engine.dispose()
