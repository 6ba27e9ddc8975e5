"""The report kinds, once: what rendering, the CLI, the navigation and the index iterate.

A new kind is one line here (and its renderer in `render_all`): the `report` command's summary,
every page's navigation and the index's list of reports follow.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ReportKind:
    id: str  # the file-name stem and the `zwgk report` sub-command
    label: str  # what a reader sees: 日调度, 周通报 …
    blurb: str = ""  # the index's one-line description
    dated: bool = True  # one page per as-of date, linked from every page's navigation


REPORT_KINDS: tuple[ReportKind, ...] = (
    ReportKind("daily", "日调度", "每日待整改问题与证据"),
    ReportKind("weekly", "周通报", "正式通报、排名与点名"),
    ReportKind("monthly", "月考核", "月度得分、等级与趋势"),
    ReportKind("units", "单位页面与目录", dated=False),
)
KIND_IDS: tuple[str, ...] = tuple(k.id for k in REPORT_KINDS)
DATED_KINDS: tuple[ReportKind, ...] = tuple(k for k in REPORT_KINDS if k.dated)
# The index page is the unit pages' entry point; the navigation names it so.
INDEX_LABEL = "目录与单位"
