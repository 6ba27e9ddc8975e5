"""Alembic environment: run migrations on the connection `zwgk` hands over, or on a URL.

SQLite gets batch mode (copy-and-move) because it cannot ALTER most things in place. On
PostgreSQL a transaction-level advisory lock serialises two processes that open a fresh
database at the same moment (a scheduler and a manual run on different machines).
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection

from zwgk.store.migrations import include_name
from zwgk.store.schema import Base

# Any constant shared by all zwgk processes; pg advisory locks are per database.
_PG_MIGRATION_LOCK = 0x7A77676B  # 'zwgk'


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_name=include_name,
        compare_type=True,
        render_as_batch=connection.dialect.name == "sqlite",
    )


def run_online(connection: Connection) -> None:
    _configure(connection)
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_MIGRATION_LOCK})
        context.run_migrations()


def main() -> None:
    config = context.config
    if context.is_offline_mode():
        context.configure(
            url=config.get_main_option("sqlalchemy.url"),
            target_metadata=Base.metadata,
            include_name=include_name,
            literal_binds=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connection = config.attributes.get("connection")
    if connection is not None:
        run_online(connection)
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.begin() as conn:
            run_online(conn)
    finally:
        engine.dispose()


main()
