"""Engine and session handling: a SQLite file by default, any SQLAlchemy URL by `--db`."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from zwgk.errors import BadInput
from zwgk.store.schema import Page

DEFAULT_DB = "sqlite:///zwgk.db"


def normalise_url(db: str | None) -> str:
    """Accept a SQLAlchemy URL or a bare file path (taken as a SQLite file)."""
    if not db:
        return DEFAULT_DB
    if "://" not in db:
        return f"sqlite:///{Path(db).resolve()}"
    if db.startswith(("postgres://", "postgresql://")):
        # Prefer psycopg 3, the maintained driver, when the URL names no driver.
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    return db


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    # WAL lets reports read a consistent snapshot while a crawl writes; foreign keys on.
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_folder(engine: Engine) -> Path | None:
    """The directory a SQLite file database lives in (None for in-memory databases)."""
    database = engine.url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return Path(database).resolve().parent


def make_engine(db: str | None) -> Engine:
    """Create the engine and bring the schema to the newest migration (a new database gets it all)."""
    url = normalise_url(db)
    try:
        engine = create_engine(url, future=True)
    except (ArgumentError, ImportError, ValueError) as exc:
        raise BadInput(f"--db: cannot use database URL {db!r}: {exc}") from None
    if engine.dialect.name == "sqlite":
        folder = _sqlite_folder(engine)
        if folder is not None and not folder.is_dir():
            raise BadInput(f"--db: the folder of the SQLite file does not exist: {folder}")
        event.listen(engine, "connect", _sqlite_pragmas)
    # Alembic, not create_all: existing databases must receive later schema changes too.
    from zwgk.store.migrations import upgrade_to_head

    try:
        upgrade_to_head(engine)
    except OperationalError as exc:
        if engine.dialect.name != "sqlite":
            raise
        raise BadInput(f"--db: cannot open the SQLite database {engine.url.database}: {exc.orig}") from None
    return engine


class Store:
    """Session factory plus small helpers shared by every stage."""

    def __init__(self, db: str | None = None):
        self.url = normalise_url(db)
        self.engine = make_engine(db)
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
