"""Reports: 日调度 daily, 周通报 weekly, 月考核 monthly, unit pages and the index (HTML + XLSX/CSV/JSON).

`render_all` renders all four for one as-of date from one shared context: each stored row is read
once, and only for the windows the reports show (see zwgk/reports/context.py).
"""

from __future__ import annotations

import importlib
from datetime import date, timedelta
from pathlib import Path

from zwgk.reports.kinds import KIND_IDS, REPORT_KINDS


def render_all(
    store, as_of: date, out_dir: Path, catalog, config: dict | None = None, kinds: tuple[str, ...] = KIND_IDS
) -> dict[str, Path]:
    """Render the reports of `as_of` into `out_dir`; return {kind: path}. The index comes last so
    that it links every report written."""
    from zwgk.reports.common import assessed_month
    from zwgk.reports.config import load_report_config
    from zwgk.reports.context import ReportContext, week_start
    from zwgk.reports.views import previous_check_date

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    config = config or load_report_config()
    weeks = int(config["units"]["history_weeks"])
    paths: dict[str, Path] = {}
    with store.session() as session:
        prev = previous_check_date(session, as_of)
        since = min(
            as_of - timedelta(days=20),  # the week before last (周通报's comparison)
            assessed_month(as_of),
            week_start(as_of) - timedelta(weeks=weeks - 1),
            prev or as_of,
        )
        ctx = ReportContext(session, catalog, cache_dir=out_dir / ".cache", since=since)
        # Pages link the other reports of the night, including those written after them.
        ctx.memo["planned"] = {"index" if k == "units" else k for k in kinds}
        for kind in REPORT_KINDS:  # in their order: the index (units) comes last
            if kind.id in kinds:
                module, name = kind.renderer
                render = getattr(importlib.import_module(module), name)
                paths[kind.id] = render(store, as_of, out_dir, catalog, config, ctx=ctx)
    return paths
