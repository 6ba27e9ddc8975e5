"""Alembic migrations for the store, configured in code (no alembic.ini to find or misplace).

`make_engine` brings a database to head where its mode allows (zwgk/store/db.py MODES): commands
that write migrate with a logged line, commands that only read refuse a database that is behind.
The schema is never created with `create_all`, so the migration history is the one truth about
what a database contains.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

MIGRATIONS_DIR = Path(__file__).resolve().parent

# Tables in the same database that other software owns (APScheduler's job store): the
# migrations neither create nor drop them, and autogenerate does not report them.
FOREIGN_TABLES = frozenset({"apscheduler_jobs"})


def include_name(name: str | None, type_: str, _parent_names: dict) -> bool:
    """Alembic filter: leave tables owned by other software alone."""
    return not (type_ == "table" and name in FOREIGN_TABLES)


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """An Alembic Config pointing at this package; a live connection wins over a URL."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("path_separator", "os")
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def known_revision(revision: str) -> bool:
    """Whether this release knows the revision (a database written by a newer release does not)."""
    from alembic.util import CommandError

    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def upgrade_to_head(engine: Engine) -> bool:
    """Bring the database to the newest revision; returns True when something was applied.

    Cheap when already at head (one SELECT from alembic_version), so every open may call it.
    """
    head = head_revision()
    with engine.connect() as conn:
        if current_revision(conn) == head:
            return False
    with engine.begin() as conn:
        command.upgrade(alembic_config(connection=conn), "head")
    return True


def schema_diff(connection: Connection) -> list:
    """What autogenerate would still write: empty when the migrations match schema.py."""
    from zwgk.store.schema import Base

    ctx = MigrationContext.configure(connection, opts={"include_name": include_name, "compare_type": True})
    return compare_metadata(ctx, Base.metadata)


def new_revision(message: str) -> Path | None:
    """Autogenerate the next revision from schema.py; None when there is nothing to migrate.

    Compared against a scratch SQLite database at head, so no real database is needed. Ids are
    sequential ('0002', …) so that the history reads in order.
    """
    import re
    import tempfile

    from sqlalchemy import create_engine

    with tempfile.TemporaryDirectory(prefix="zwgk-rev-") as tmp:
        engine = create_engine(f"sqlite:///{tmp}/scratch.db")
        try:
            upgrade_to_head(engine)
            with engine.begin() as conn:
                if not schema_diff(conn):
                    return None
                numbers = [
                    int(m.group(1))
                    for f in (MIGRATIONS_DIR / "versions").glob("*.py")
                    if (m := re.match(r"(\d{4})_", f.name))
                ]
                rev_id = f"{max(numbers, default=0) + 1:04d}"
                script = command.revision(
                    alembic_config(connection=conn), message=message, autogenerate=True, rev_id=rev_id
                )
        finally:
            engine.dispose()
    return Path(script.path)
