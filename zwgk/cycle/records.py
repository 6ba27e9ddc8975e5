"""Run records: one row per crawl, check, report, notification or skipped night.

Every step of the cycle leaves one, whatever happens, so `zwgk status` and the operator's alerts
show a failed or skipped night instead of silence. Times are stored naive UTC, like every stored
time (they are shown in Beijing time).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

from zwgk.store.db import Store
from zwgk.store.dburl import redact_text
from zwgk.store.schema import Run

# How run stages and outcomes read in Chinese (zwgk status, the workspace's run table).
STAGE_LABELS = {
    "crawl": "抓取",
    "check": "检查",
    "report": "报告",
    "notify": "通知",
    "nightly": "夜间任务",
    "probe": "探测",
    "recheck": "申请复查",
}

STATUS_LABELS = {
    "running": "运行中",
    "ok": "成功",
    "partial": "部分成功",
    "failed": "失败",
    "skipped": "已跳过",
    "unavailable": "功能不可用",
    "abandoned": "已中断",
}


def utcnow() -> datetime:
    """Now as stored: naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


def _redacted(value: Any) -> Any:
    """Counts as recorded: any string inside (an alert line, a path) with URL passwords masked."""
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(v) for v in value]
    return value


def start_run(store: Store, stage: str, as_of: date, counts: dict | None = None, **fields: Any) -> int:
    """Record a step as started ('running'); returns its run id (a crawl hands it to its workers)."""
    with store.session() as session:
        run = Run(
            stage=stage,
            as_of=as_of,
            started_at=utcnow(),
            status="running",
            counts=_redacted(dict(counts or {})),
            **fields,
        )
        session.add(run)
        session.flush()
        return run.id


def finish_run(store: Store, run_id: int, status: str, counts: dict, error: str | None = None) -> None:
    """Record how a step ended: its status, counts and error."""
    with store.session() as session:
        run = session.get(Run, run_id)
        # An error may quote a connection string: the password never reaches the record.
        run.status, run.counts, run.error, run.finished_at = (
            status,
            _redacted(counts),
            redact_text(error) or None,
            utcnow(),
        )


class RunRecord:
    """What the step inside `recorded` reports about itself (status 'ok' unless it sets another)."""

    def __init__(self, run_id: int, counts: dict) -> None:
        self.id, self.status, self.counts, self.error = run_id, "ok", dict(counts), None


@contextmanager
def recorded(store: Store, stage: str, as_of: date, **counts: Any) -> Iterator[RunRecord]:
    """A run record around a step: ok, or failed with the error, or what the step set."""
    rec = RunRecord(start_run(store, stage, as_of, counts), counts)
    try:
        yield rec
    except BaseException as exc:
        rec.status, rec.error = "failed", f"{type(exc).__name__}: {exc}"
        raise
    finally:
        finish_run(store, rec.id, rec.status, rec.counts, rec.error)
