"""Engine and session handling: a SQLite file by default, any SQLAlchemy URL by `--db`."""

from __future__ import annotations

import hashlib
import logging
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from zwgk.errors import BadInput
from zwgk.store.dburl import DEFAULT_DB, normalise_url, redact, redact_text
from zwgk.store.schema import Page

__all__ = ["DEFAULT_DB", "MODES", "Store", "get_page", "make_engine", "normalise_url", "put_page"]

log = logging.getLogger(__name__)

# How a command may open the database (docs/design.md 'Databases'):
#   read    it must exist and be at the newest schema (status, reports, exports): nothing is
#           created or changed, and a database that is missing or behind is an input error;
#   write   it must exist; a schema behind the newest is migrated, with a logged line;
#   create  a missing database is created (the first `zwgk run`, `db init`), then as `write`.
MODES = ("read", "write", "create")


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # WAL lets reports read a consistent snapshot while a crawl writes; foreign keys on.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_file(engine: Engine) -> Path | None:
    """The file a SQLite database lives in (None for in-memory databases)."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).resolve()


def make_engine(db: str | None, mode: str = "create", migrate: bool = True) -> Engine:
    """An engine on the database, its schema checked (and migrated) as `mode` allows."""
    if mode not in MODES:
        raise ValueError(f"unknown mode {mode!r}")
    url = normalise_url(db)
    shown = redact(url)
    try:
        engine = create_engine(url, future=True)
    except (ArgumentError, ImportError, ValueError) as exc:
        raise BadInput(f"--db：无法使用数据库地址 {shown}（{redact_text(str(exc))}）") from None
    if engine.dialect.name == "sqlite":
        file = _sqlite_file(engine)
        if file is not None and not file.parent.is_dir():
            raise BadInput(f"--db：SQLite 数据库文件所在的文件夹不存在：{file.parent}")
        if file is not None and mode != "create" and not (file.is_file() and file.stat().st_size):
            raise BadInput(
                f"数据库不存在：{file}。请检查 --db；新建数据库请运行 zwgk db init --db {file}（或首次 zwgk run）"
            )
        event.listen(engine, "connect", _sqlite_pragmas)
    try:
        _bring_to_head(engine, shown, mode, migrate)
    except OperationalError as exc:
        engine.dispose()
        raise BadInput(f"--db：无法打开数据库 {shown}：{redact_text(str(exc.orig))}") from None
    except BadInput:
        engine.dispose()
        raise
    return engine


def _bring_to_head(engine: Engine, shown: str, mode: str, migrate: bool) -> None:
    # Alembic, not create_all: existing databases must receive later schema changes too.
    from zwgk.store.migrations import current_revision, head_revision, known_revision, upgrade_to_head

    head = head_revision()
    with engine.connect() as conn:
        current = current_revision(conn)
    if current == head:
        return
    if current is not None and not known_revision(current):
        raise BadInput(
            f"数据库 {shown} 的结构版本 {current} 比本程序新：请升级 zwgk-monitor 后再使用这个数据库"
        )
    if current is None and mode != "create":
        raise BadInput(f"数据库 {shown} 尚未初始化：请先运行 zwgk db init --db …（或 zwgk run）")
    if mode == "read" or not migrate:
        raise BadInput(
            f"数据库 {shown} 的结构版本 {current or '（空）'} 落后于本程序（{head}）：请先运行 zwgk db upgrade --db …"
        )
    log.warning("数据库 %s：结构升级 %s → %s", shown, current or "（新建）", head)
    upgrade_to_head(engine)


class Store:
    """Session factory plus small helpers shared by every stage."""

    def __init__(self, db: str | None = None, mode: str = "create", migrate: bool = True):
        self.url = normalise_url(db)
        self.shown_url = redact(self.url)  # what records, logs and messages may carry
        self.engine = make_engine(self.url, mode, migrate)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed on success, rolled back on error (a crash never half-writes)."""
        with self._sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def put_page(session: Session, body: bytes, content_type: str | None) -> str:
    """Store a page body once (content-addressed) and return its sha256."""
    sha = hashlib.sha256(body).hexdigest()
    exists = session.execute(select(Page.sha256).where(Page.sha256 == sha)).first()
    if not exists:
        session.add(Page(sha256=sha, body=zlib.compress(body, 6), content_type=content_type, size=len(body)))
    return sha


def get_page(session: Session, sha: str) -> bytes | None:
    page = session.get(Page, sha)
    return zlib.decompress(page.body) if page else None
