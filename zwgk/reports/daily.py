"""日调度 (daily dispatch): the inspector's morning list of open findings, unit by unit."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from zwgk.reports.evidence import write_evidence
from zwgk.reports.render import render
from zwgk.reports.views import build_daily
from zwgk.rules.catalog import Catalog


def render_daily(store, as_of: date, out_dir: Path, catalog: Catalog) -> Path:
    """Write `out_dir/daily-YYYY-MM-DD.html` and its evidence files; return the HTML path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with store.session() as session:
        view = build_daily(session, as_of, catalog)
        written = {sha for sha in view.evidence_shas if write_evidence(session, sha, out_dir) is not None}
        for portal in view.portals:
            for unit in portal.units:
                for row in unit.rows:
                    if row.evidence_sha not in written:
                        row.evidence_sha = None  # never link a file that is not there
        html = render("daily.html.j2", v=view)
    path = out_dir / f"daily-{as_of.isoformat()}.html"
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path
