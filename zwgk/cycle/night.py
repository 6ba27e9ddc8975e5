"""The night's work, written once: crawl, check and — when asked — render, under the run lock.

`zwgk run`, the scheduler's nightly job and `zwgk demo` all call `run_cycle`; they differ only in
what they do around it (the CLI prints each run, the job alerts the operator, the demo scores the
result against its ground truth), never in the steps or their order.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from zwgk.config.catalog import Catalog
from zwgk.config.registry import Registry
from zwgk.cycle import stages
from zwgk.cycle.records import recorded
from zwgk.cycle.runlock import CYCLE, DEFAULT_MAX_AGE, run_lock
from zwgk.errors import StageFailed
from zwgk.reports import render_all
from zwgk.reports.kinds import KIND_IDS
from zwgk.store.db import Store

# progress(stage, None) as a stage starts, progress(stage, run_id) once it has finished
Progress = Callable[[str, int | None], None]


@dataclass(frozen=True)
class CycleResult:
    crawl_id: int
    check_id: int
    reports: dict[str, Path] = field(default_factory=dict)  # kind → path, when rendered


def run_cycle(
    store: Store,
    sites: str | Path,
    registry: Registry,
    catalog: Catalog,
    as_of: date,
    *,
    catalog_path: str | None = None,
    full: bool = False,
    out_dir: Path | None = None,
    lock_max_age: timedelta = DEFAULT_MAX_AGE,
    lock_command: str | None = None,
    progress: Progress | None = None,
    time_limit: timedelta = stages.DEFAULT_TIME_LIMIT,
    report_config: dict | None = None,
    processes: int | None = None,
) -> CycleResult:
    """Crawl every registered portal, check the night, and with `out_dir` render every report.

    The run lock is held throughout, so a report never reads a half-done night. `full` re-reads
    everything (no conditional requests, every link re-checked). A failing stage raises StageFailed
    (its run record says why); a held lock raises LockHeld. The crawl ends at `time_limit` at the
    latest ('partial': what was stored is checked and reported, units not reached are 未能检查).
    `processes`: crawl processes sharing the portals (None: one per core, stages.default_processes).
    """
    note = progress or (lambda stage, run_id: None)
    with run_lock(store, CYCLE, max_age=lock_max_age, command=lock_command):
        note("crawl", None)
        crawl_id = stages.crawl(
            store,
            sites,
            registry,
            as_of,
            catalog_path,
            settings={"ZWGK_FULL": "True"} if full else None,
            time_limit=time_limit,
            processes=processes,
        )
        note("crawl", crawl_id)
        note("check", None)
        check_id = stages.check(store, as_of, catalog)
        note("check", check_id)
        reports: dict[str, Path] = {}
        if out_dir is not None:
            reports = render_reports(store, as_of, out_dir, catalog, report_config)
    return CycleResult(crawl_id, check_id, reports)


def render_reports(
    store: Store, as_of: date, out_dir: Path, catalog: Catalog, config: dict | None = None, kinds=KIND_IDS
) -> dict[str, Path]:
    """render_all under a 'report' run record. A folder that cannot be written (full disk, a file
    in the way, no permission) is a recorded failure and StageFailed (exit 1), never a traceback."""
    try:
        with recorded(store, "report", as_of, report="all" if kinds == KIND_IDS else ",".join(kinds)) as rec:
            paths = render_all(store, as_of, out_dir, catalog, config, kinds=kinds)
            rec.counts["path"] = str(Path(out_dir).resolve())
            return paths
    except OSError as exc:
        raise StageFailed(
            f"报告无法写入 {out_dir}：{exc.strerror or exc}（{getattr(exc, 'filename', '') or ''}）"
        ) from None
