"""Helpers shared by the weekly, monthly and unit reports: file names, navigation, writing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from zwgk.findings.checked import UNCHECKED_LABEL
from zwgk.findings.history import severity_rank
from zwgk.reports.kinds import DATED_KINDS, INDEX_LABEL

SEVERITY_WEIGHT = {"veto": 10, "major": 3, "minor": 1}
GRADE_COLORS = {"优秀": "#00703c", "良好": "#1d70b8", "合格": "#b1b4b6", "不合格": "#d4351c"}


def month_key(d: date) -> str:
    return f"{d.year:04d}-{d.month:02d}"


def report_files(as_of: date) -> dict[str, str]:
    """File names (relative to the output folder) of the reports of one as-of date."""
    month = month_key(assessed_month(as_of))
    files = {"index": "index.html"}
    files.update({k.id: k.file.format(kind=k.id, date=as_of.isoformat(), month=month) for k in DATED_KINDS})
    return files


def assessed_month(as_of: date) -> date:
    """The month a 月考核 rendered on `as_of` assesses (its first day): the month before on the 1st
    (the scheduler renders it then, when the month is complete), otherwise the month to date."""
    if as_of.day == 1:
        prev = date(as_of.year - (as_of.month == 1), (as_of.month - 2) % 12 + 1, 1)
        return prev
    return as_of.replace(day=1)


NAV_LABELS = [("index", INDEX_LABEL), *((k.id, k.label) for k in DATED_KINDS)]


def nav(out_dir: Path, as_of: date, current: str, root: str = "", planned=()) -> list[tuple[str, str, bool]]:
    """Links to the reports of the same date that exist, or are being written (`current`, `planned`)."""
    files = report_files(as_of)
    items = []
    for kind, label in NAV_LABELS:
        name = files[kind]
        if kind == current or kind in planned or (Path(out_dir) / name).is_file():
            items.append((label, root + name, kind == current))
    return items


def write_html(path: Path, html: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path


def export_links(links: dict[str, str], root: str = "") -> list[tuple[str, str]]:
    out = [("Word 文档", root + links["docx"])] if "docx" in links else []
    out += [("Excel 表格", root + links["xlsx"]), ("JSON 数据", root + links["json"])]
    out += [(f"CSV：{k.split(':', 1)[1]}", root + v) for k, v in links.items() if k.startswith("csv:")]
    return out


def weighted_open(states) -> int:
    return sum(SEVERITY_WEIGHT.get(s.finding.severity, 1) for s in states)


def by_severity(states):
    return sorted(states, key=lambda s: (severity_rank(s.finding.severity), s.finding.first_seen))


def signed(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    if abs(value) < 10**-digits / 2:
        return "持平"
    text = f"{abs(value):.{digits}f}".rstrip("0").rstrip(".")
    return ("↑" if value > 0 else "↓") + text


def _line_value(line: str, value) -> str:
    if value is None:
        return "—"
    if line == "unreachable":
        return f"≥{value:.0%}（检测失败比例）"
    if line == "home_stale":
        return f"超过 {value} 天"
    return f"≥{value} 个"


def rules_view(catalog, scoring) -> dict:
    """The rule catalog (zwgk/rules/docs.py rules_table + veto_table) as the reports show it:
    「监测规则与否决线」 in the monthly report and on rules.html."""
    from zwgk.rules.docs import rules_table, veto_table
    from zwgk.rules.registry import all_rules

    titles = {r.id: r.title for r in all_rules()}
    rules = rules_table(catalog, scoring)
    kinds = {k: v.name for k, v in catalog.kinds.items()}
    veto = [
        {
            **v,
            "threshold_text": _line_value(v["line"], v["threshold"]),
            "warn_text": _line_value(v["line"], v["warn"]) if v["warn"] is not None else "—",
            "rules_text": "、".join(titles.get(r, r) for r in v["rules"]) or "—",
            "kinds_text": "、".join(kinds.get(k, k) for k in v["kinds"]),
        }
        for v in veto_table(scoring)
    ]
    return {"rules": rules, "veto": veto}


class RankedUnit:
    """What a ranking row of the weekly and monthly reports shows beyond its fields (mixed into
    their dataclasses, which carry `change`, `grade` and `checked`)."""

    change: float | None
    grade: str
    checked: bool

    @property
    def change_text(self) -> str:
        return signed(self.change)

    @property
    def grade_shown(self) -> str:
        """The grade a reader sees: 未能检查 for a unit whose columns could not be checked."""
        return self.grade if self.checked else UNCHECKED_LABEL


def mean_score(values: list[float | None]) -> float | None:
    """The average of the scores there are (None: a unit not assessed, 未能检查), one decimal; None
    if there are none. Every average a report shows is this one."""
    scored = [v for v in values if v is not None]
    return round(sum(scored) / len(scored), 1) if scored else None
