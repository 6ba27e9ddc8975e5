"""Each crawl's log, kept beside the database and rotated, so a night can be read the next morning.

The crawl runs in a subprocess (zwgk/cycle/stages.py); what it wrote to stderr — Scrapy's log at
the chosen level, tracebacks of a failure — is saved as one file per crawl run and named in the
run record (`counts["log"]`), which `zwgk status` shows. The newest KEEP files are kept.

Where: $ZWGK_LOG_DIR, else a `logs` folder beside a SQLite database file, else the user's state
folder ($XDG_STATE_HOME/zwgk/logs, by default ~/.local/state/zwgk/logs).
"""

from __future__ import annotations

import logging
import os
from datetime import date
from pathlib import Path

from zwgk.store.dburl import redact_text

log = logging.getLogger(__name__)

KEEP = 60  # two months of nights
ENV_DIR = "ZWGK_LOG_DIR"


def log_dir(db_url: str) -> Path:
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR])
    prefix = "sqlite:///"
    if db_url.startswith(prefix) and ":memory:" not in db_url:
        return Path(db_url[len(prefix) :]).resolve().parent / "logs"
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "zwgk" / "logs"


def keep_crawl_log(db_url: str, run_id: int, as_of: date, text: str | None) -> Path | None:
    """Write the crawl's log (passwords masked) and drop the oldest beyond KEEP; None if it cannot.

    A log that cannot be written (full disk, no permission) is a line in our own log, never the
    end of the night: the run record still holds the error's last lines.
    """
    folder = log_dir(db_url)
    path = folder / f"crawl-{run_id:06d}-{as_of.isoformat()}.log"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path.write_text(redact_text(text or ""), encoding="utf-8", errors="replace")
        for old in sorted(folder.glob("crawl-*.log"))[:-KEEP]:
            old.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("crawl log not kept (%s): %s", path, exc)
        return None
    return path
