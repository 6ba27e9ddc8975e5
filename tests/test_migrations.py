"""Migrations: an empty SQLite or PostgreSQL database upgraded to head equals schema.py.

The autogenerate diff must be empty: when someone changes schema.py without writing a revision,
this test fails and says how to write one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from zwgk.store.db import Store, make_engine
from zwgk.store.migrations import FOREIGN_TABLES, current_revision, head_revision, schema_diff
from zwgk.store.schema import Base

PG_ADMIN_URL = os.environ.get("ZWGK_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
MISSING_REVISION = (
    "schema.py and the migrations differ — a schema change needs a new Alembic revision: "
    'run `zwgk db revision -m "what changed"`, review the file under '
    "zwgk/store/migrations/versions/ and commit it. Differences: {diff}"
)


def _pg_up() -> bool:
    try:
        engine = create_engine(PG_ADMIN_URL)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


def ensure_postgres() -> None:
    """Start the local cluster when it is down; fail (never skip) when it cannot be reached."""
    if _pg_up():
        return
    versions = (
        sorted(p.name for p in Path("/etc/postgresql").iterdir()) if Path("/etc/postgresql").is_dir() else []
    )
    if versions:
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"],
            capture_output=True,
            text=True,
            check=False,
        )
        for _ in range(50):
            if _pg_up():
                return
            time.sleep(0.2)
    pytest.fail(
        f"PostgreSQL is required at {PG_ADMIN_URL} and could not be started "
        f"(pg_ctlcluster --skip-systemctl-redirect <version> main start)"
    )


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    ensure_postgres()
    name = f"zwgk_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _tables(engine) -> dict[str, set[str]]:
    insp = inspect(engine)
    return {
        t: {c["name"] for c in insp.get_columns(t)}
        for t in insp.get_table_names()
        if t != "alembic_version" and t not in FOREIGN_TABLES
    }


def _expected() -> dict[str, set[str]]:
    return {name: {c.name for c in table.columns} for name, table in Base.metadata.tables.items()}


def _assert_matches_schema(engine) -> None:
    with engine.connect() as conn:
        assert current_revision(conn) == head_revision()
        diff = schema_diff(conn)
    got, want = _tables(engine), _expected()
    missing = {t: sorted(want[t] - got.get(t, set())) for t in want if want[t] - got.get(t, set())}
    extra = {t: sorted(got[t] - want.get(t, set())) for t in got if got[t] - want.get(t, set())}
    assert not missing and not extra, MISSING_REVISION.format(diff=f"missing {missing}, extra {extra}")
    assert diff == [], MISSING_REVISION.format(diff=diff)


def test_empty_sqlite_upgrades_to_schema(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/new.db")
    try:
        _assert_matches_schema(engine)
    finally:
        engine.dispose()


def test_empty_postgresql_upgrades_to_schema(pg_url):
    engine = make_engine(pg_url)
    try:
        assert engine.dialect.name == "postgresql"
        _assert_matches_schema(engine)
    finally:
        engine.dispose()


def test_pre_migration_database_is_adopted(tmp_path):
    """A database made by create_all before migrations existed gets the missing tables, keeps its rows."""
    url = f"sqlite:///{tmp_path}/old.db"
    old = create_engine(url)
    Base.metadata.create_all(old, tables=[t for n, t in Base.metadata.tables.items() if n != "locks"])
    with old.begin() as conn:
        conn.execute(text("INSERT INTO portals (id, name, home) VALUES ('p', 'P', 'http://p/')"))
    old.dispose()
    store = Store(url)
    try:
        _assert_matches_schema(store.engine)
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM portals")).scalar() == 1
    finally:
        store.dispose()


def test_opening_again_is_a_no_op(tmp_path):
    url = f"sqlite:///{tmp_path}/again.db"
    Store(url).dispose()
    from zwgk.store.migrations import upgrade_to_head

    engine = create_engine(url)
    try:
        assert upgrade_to_head(engine) is False
    finally:
        engine.dispose()


def test_downgrade_to_base_and_back(tmp_path):
    from alembic import command

    from zwgk.store.migrations import alembic_config

    engine = make_engine(f"sqlite:///{tmp_path}/down.db")
    try:
        with engine.begin() as conn:
            command.downgrade(alembic_config(connection=conn), "base")
        assert _tables(engine) == {}
        with engine.begin() as conn:
            command.upgrade(alembic_config(connection=conn), "head")
        _assert_matches_schema(engine)
    finally:
        engine.dispose()


# One row of each kind a database made by the first schema holds, written with plain SQL (not the
# models, which follow head). Values exercise what a migration could lose: CJK text, JSON, dates.
FIRST_SCHEMA_ROWS = [
    (
        "runs",
        {
            "id": 1,
            "stage": "crawl",
            "as_of": date(2026, 11, 2),
            "started_at": datetime(2026, 11, 1, 17, 0),
            "finished_at": datetime(2026, 11, 1, 18, 0),
            "status": "ok",
            "crawl_run_id": None,
            "counts": '{"requests": 12, "entry_ok": 1}',
            "error": None,
        },
    ),
    (
        "runs",
        {
            "id": 2,
            "stage": "check",
            "as_of": date(2026, 11, 2),
            "started_at": datetime(2026, 11, 1, 18, 1),
            "finished_at": datetime(2026, 11, 1, 18, 2),
            "status": "ok",
            "crawl_run_id": 1,
            "counts": '{"opened": 1}',
            "error": None,
        },
    ),
    (
        "portals",
        {
            "id": "jiyang",
            "name": "济阳区人民政府",
            "home": "http://www.jiyang.example/",
            "site_code": "3701250001",
        },
    ),
    (
        "units",
        {
            "id": 1,
            "portal_id": "jiyang",
            "unit_id": "fgj",
            "name": "区发展和改革局",
            "profile": "department",
            "entry": "http://www.jiyang.example/xxgk/fgj/",
        },
    ),
    (
        "snapshots",
        {
            "id": 1,
            "run_id": 1,
            "portal_id": "jiyang",
            "unit_id": "fgj",
            "target": "column:gzdt",
            "column_id": "gzdt",
            "url": "http://www.jiyang.example/xxgk/fgj/gzdt/",
            "final_url": None,
            "link_text": "工作动态",
            "status": "ok",
            "http_status": 200,
            "error": None,
            "page_kind": "list",
            "entries_count": 1,
            "dated_count": 1,
            "newest": date(2026, 9, 1),
            "pages_crawled": 1,
            "placeholder": None,
            "page_sha256": None,
            "fetched_at": datetime(2026, 11, 1, 17, 30),
            "details": '{"notes": ["第一版"]}',
        },
    ),
    (
        "entries",
        {
            "id": 1,
            "snapshot_id": 1,
            "position": 0,
            "title": "区发展和改革局关于第1项工作的通知",
            "url": "http://www.jiyang.example/xxgk/fgj/gzdt/a1.html",
            "date": date(2026, 9, 1),
            "date_source": "list",
        },
    ),
    (
        "findings",
        {
            "id": 1,
            "fingerprint": "f" * 64,
            "rule": "column.stale",
            "severity": "major",
            "portal_id": "jiyang",
            "unit_id": "fgj",
            "column_id": "gzdt",
            "url": "http://www.jiyang.example/xxgk/fgj/gzdt/",
            "message": "工作动态 已 62 天未更新",
            "evidence": '{"newest": "2026-09-01", "days": 62}',
            "first_seen": date(2026, 11, 2),
            "last_seen": date(2026, 11, 2),
            "status": "open",
            "deadline": date(2026, 11, 9),
            "rectified_on": None,
            "first_run_id": 2,
            "last_run_id": 2,
        },
    ),
    (
        "finding_events",
        {
            "id": 1,
            "finding_id": 1,
            "run_id": 2,
            "on": date(2026, 11, 2),
            "event": "opened",
            "note": "首次发现",
        },
    ),
]


def _insert_first_schema_rows(engine) -> None:
    with engine.begin() as conn:
        for table, row in FIRST_SCHEMA_ROWS:
            cols = ", ".join(f'"{c}"' for c in row)
            conn.execute(
                text(f"INSERT INTO {table} ({cols}) VALUES ({', '.join(':' + c for c in row)})"), row
            )


def _assert_first_schema_rows_survive(engine) -> None:
    with engine.connect() as conn:
        for table, row in FIRST_SCHEMA_ROWS:
            got = (
                conn.execute(text(f"SELECT * FROM {table} WHERE id = :id"), {"id": row["id"]})
                .mappings()
                .one()
            )
            for column, value in row.items():
                stored = got[column]
                if isinstance(value, str) and value.startswith("{"):  # JSON: compare as data
                    stored = json.loads(stored) if isinstance(stored, str) else stored
                    assert stored == json.loads(value), (table, column, stored)
                elif isinstance(value, date | datetime) and isinstance(stored, str):  # SQLite keeps ISO text
                    want = value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
                    assert stored[: len(want)] == want, (table, column, stored, want)
                else:
                    assert stored == value, (table, column, stored, value)
        per_table = {
            t: conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()
            for t in {t for t, _ in FIRST_SCHEMA_ROWS}
        }
    assert per_table == {
        "runs": 2,
        "portals": 1,
        "units": 1,
        "snapshots": 1,
        "entries": 1,
        "findings": 1,
        "finding_events": 1,
    }


def _upgrade_from_0001_keeps_rows(url: str) -> None:
    from alembic import command

    from zwgk.store.migrations import alembic_config, upgrade_to_head

    engine = create_engine(url)  # not make_engine: that would upgrade to head at once
    try:
        with engine.begin() as conn:
            command.upgrade(alembic_config(connection=conn), "0001")
        with engine.connect() as conn:
            assert current_revision(conn) == "0001"
        _insert_first_schema_rows(engine)
        assert upgrade_to_head(engine) is True  # what `zwgk db upgrade` and opening the store do
        _assert_matches_schema(engine)
        _assert_first_schema_rows_survive(engine)
    finally:
        engine.dispose()
    store = Store(url)  # and the application reads them through the models
    try:
        from zwgk.store.schema import Finding, FindingEvent

        with store.session() as session:
            finding = session.get(Finding, 1)
            assert (finding.status, finding.evidence["days"], finding.deadline) == (
                "open",
                62,
                date(2026, 11, 9),
            )
            assert [e.event for e in session.query(FindingEvent).filter_by(finding_id=1)] == ["opened"]
    finally:
        store.dispose()


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_upgrade_from_0001_keeps_rows(backend, tmp_path, request):
    """The documented upgrade path: a database of the first revision, with data, brought to head."""
    url = f"sqlite:///{tmp_path}/first.db" if backend == "sqlite" else request.getfixturevalue("pg_url")
    _upgrade_from_0001_keeps_rows(url)


NEW_REVISION = """
import shutil, sys
from pathlib import Path
import sqlalchemy as sa
import zwgk.store.migrations as migrations
from zwgk.store.schema import Base
copy = Path(sys.argv[1]) / "migrations"
shutil.copytree(migrations.MIGRATIONS_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
migrations.MIGRATIONS_DIR = copy
assert migrations.new_revision("nothing") is None
Base.metadata.tables["runs"].append_column(sa.Column("host", sa.String(255)))
print(migrations.new_revision("runs.host"))
"""


def test_db_revision_writes_the_next_numbered_revision(tmp_path):
    """`zwgk db revision` (in a child process: it changes the metadata and a copy of the scripts)."""
    proc = subprocess.run(
        [sys.executable, "-c", NEW_REVISION, str(tmp_path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])},
    )
    assert proc.returncode == 0, proc.stderr
    path = Path(proc.stdout.strip().splitlines()[-1])
    numbers = [
        int(p.name[:4])
        for p in (Path(__file__).resolve().parents[1] / "zwgk/store/migrations/versions").glob(
            "[0-9][0-9][0-9][0-9]_*.py"
        )
    ]
    assert path.parent == tmp_path / "migrations" / "versions"
    assert path.name.startswith(f"{max(numbers) + 1:04d}_")
    body = path.read_text(encoding="utf-8")
    assert "add_column" in body and "'host'" in body and f"down_revision = {head_revision()!r}" in body
