"""Which database, and how its address may be shown: resolution and redaction of database URLs.

A PostgreSQL URL may carry a password. It is needed to connect and nowhere else: run records,
the run lock, `zwgk status`, logs, notifications and reports show the redacted form
(`postgresql://user:***@host/db`), and the crawl subprocess receives the URL in its environment,
never on its command line (visible to every user in `ps`).

The password need not be typed at all: `ZWGK_DB` (environment), `ZWGK_DB_FILE` (a file holding
the URL, e.g. mode 0600, the convention of container secrets) or libpq's own `~/.pgpass` with a
URL that names no password.
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from zwgk.errors import BadInput

DEFAULT_DB = "sqlite:///zwgk.db"
ENV_URL = "ZWGK_DB"
ENV_FILE = "ZWGK_DB_FILE"
ENV_REDIS = "ZWGK_REDIS"  # the crawl subprocess's Redis URL (distributed crawls), also kept out of argv

# scheme://user:password@ — the only place a URL carries a secret (query strings of database URLs
# may too: `?password=`; both are masked in free text).
_USERINFO = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.\-]*://[^\s:/@]*:)(?P<secret>[^\s@/]+)(?P<at>@)")
_QUERY_SECRET = re.compile(r"(?P<head>[?&](?:password|passwd|pwd)=)(?P<secret>[^\s&]+)", re.IGNORECASE)


def configured_db(db: str | None) -> str | None:
    """The database the operator asked for: `--db`, else $ZWGK_DB, else the file $ZWGK_DB_FILE names."""
    if db:
        return db
    if os.environ.get(ENV_URL):
        return os.environ[ENV_URL]
    path = os.environ.get(ENV_FILE)
    if path:
        try:
            text = Path(path).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInput(f"{ENV_FILE}：无法读取数据库地址文件（{exc}）", path=path) from None
        if not text:
            raise BadInput(f"{ENV_FILE}：数据库地址文件是空的", path=path)
        return text.splitlines()[0].strip()
    return None


def normalise_url(db: str | None) -> str:
    """A SQLAlchemy URL for what the operator gave: a URL, or a bare file path (a SQLite file)."""
    db = configured_db(db)
    if not db:
        return DEFAULT_DB
    if "://" not in db:
        return f"sqlite:///{Path(db).resolve()}"
    if db.startswith(("postgres://", "postgresql://")):
        # Prefer psycopg 3, the maintained driver, when the URL names no driver.
        return "postgresql+psycopg://" + db.split("://", 1)[1]
    return db


def redact(url: str | None) -> str:
    """The URL as it may be shown: the password (and any `password=` query value) as ***."""
    if not url:
        return ""
    try:
        shown = make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        shown = url
    return redact_text(shown)


def redact_text(text: str | None) -> str:
    """Free text (an error, a command line, a log line) with every URL password masked."""
    if not text:
        return text or ""
    text = _USERINFO.sub(lambda m: m["head"] + "***" + m["at"], text)
    return _QUERY_SECRET.sub(lambda m: m["head"] + "***", text)


def has_secret(url: str | None) -> bool:
    return bool(url) and redact_text(url) != url


class RedactSecrets(logging.Filter):
    """A handler filter: log lines never carry a URL password, whoever formatted them."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact_text(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True
