"""`zwgk report weekly|monthly|units|all`, registered onto the `report` group of the main app."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from zwgk.cli.common import AsOfOpt, CatalogOpt, DbOpt, OutOpt, _catalog, _fail, _store, out, parse_as_of
from zwgk.errors import BadInput, StageFailed
from zwgk.reports.kinds import KIND_IDS, REPORT_KINDS

ConfigOpt = Annotated[str | None, typer.Option("--config", help="报告设置文件（YAML，默认用内置设置）")]

LABELS = {k.id: k.label for k in REPORT_KINDS}


def register(report_app: typer.Typer) -> None:
    report_app.command("weekly", help="周通报：上周概况、整改率、排名和点名通报。")(weekly)
    report_app.command("monthly", help="月考核：各单位月度得分与等级、排名、变化和趋势。")(monthly)
    report_app.command("units", help="单位页面（每个单位一页）和带离线搜索的索引页。")(units)
    report_app.command("all", help="监测日期的全部报告：日调度、周通报、月考核、单位页面和索引页。")(
        all_reports
    )


def _run(kinds: tuple[str, ...], db, as_of, out_dir, catalog, config) -> None:
    from zwgk.cycle.night import render_reports
    from zwgk.reports.config import load_report_config

    try:
        day, cat, cfg = parse_as_of(as_of), _catalog(catalog), load_report_config(config)
        store = _store(db)
        try:
            paths = render_reports(store, day, out_dir, cat, cfg, kinds=kinds)
        finally:
            store.dispose()
    except (BadInput, StageFailed) as exc:
        raise _fail(exc) from None
    for kind, path in paths.items():
        out.print(f"{LABELS[kind]}: {path}", highlight=False)


def weekly(
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    out_dir: OutOpt = Path("reports"),
    catalog: CatalogOpt = None,
    config: ConfigOpt = None,
):
    """周通报: the week's formal notice — coverage, totals, rectification rate, ranking, named units."""
    _run(("weekly",), db, as_of, out_dir, catalog, config)


def monthly(
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    out_dir: OutOpt = Path("reports"),
    catalog: CatalogOpt = None,
    config: ConfigOpt = None,
):
    """月考核: each unit's month score and grade, ranking, change, trend, the rules that cost most."""
    _run(("monthly",), db, as_of, out_dir, catalog, config)


def units(
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    out_dir: OutOpt = Path("reports"),
    catalog: CatalogOpt = None,
    config: ConfigOpt = None,
):
    """Unit pages (one per unit) and the index with an offline search."""
    _run(("units",), db, as_of, out_dir, catalog, config)


def all_reports(
    db: DbOpt = None,
    as_of: AsOfOpt = None,
    out_dir: OutOpt = Path("reports"),
    catalog: CatalogOpt = None,
    config: ConfigOpt = None,
):
    """Every report of the date: daily, weekly, monthly, unit pages and the index."""
    _run(KIND_IDS, db, as_of, out_dir, catalog, config)
