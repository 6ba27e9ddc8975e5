"""The report kinds, once: what rendering, the CLI, the navigation and the index iterate.

A new kind is one line here, its module `zwgk/reports/<id>.py` with `render_<id>(store, as_of,
out_dir, catalog, config=None, ctx=None)` and its template: `render_all`, the `report` command's
summary, the scheduler's report jobs, every page's navigation and the index's list follow.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportKind:
    id: str  # the file-name stem and the `zwgk report` sub-command
    label: str  # what a reader sees: 日调度, 周通报 …
    blurb: str = ""  # the index's one-line description
    dated: bool = True  # one page per as-of date, linked from every page's navigation
    # A dated kind's file name: {date} is the as-of date, {month} the month a 月考核 assesses.
    file: str = "{kind}-{date}.html"

    @property
    def renderer(self) -> tuple[str, str]:
        """(module, function) that renders this kind: zwgk.reports.<id>.render_<id>."""
        return f"zwgk.reports.{self.id}", f"render_{self.id}"


REPORT_KINDS: tuple[ReportKind, ...] = (
    ReportKind("daily", "日调度", "每日待整改问题与证据"),
    ReportKind("weekly", "周通报", "正式通报、排名与点名"),
    ReportKind("monthly", "月考核", "月度得分、等级与趋势", file="monthly-{month}.html"),
    ReportKind("units", "单位页面与目录", dated=False),
)
KIND_IDS: tuple[str, ...] = tuple(k.id for k in REPORT_KINDS)
DATED_KINDS: tuple[ReportKind, ...] = tuple(k for k in REPORT_KINDS if k.dated)
# The index page is the unit pages' entry point; the navigation names it so.
INDEX_LABEL = "目录与单位"
