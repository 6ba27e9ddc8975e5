"""Each report's numbers as files beside its HTML: one XLSX workbook (a sheet per table, pandas +
openpyxl), one JSON document and one CSV per table (UTF-8 with BOM, for Excel)."""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

from zwgk.reports.exports import _ILLEGAL_XLSX, _display_width, _flat, write_rows
from zwgk.reports.sheets import PERCENT_KEYS, URL_KEYS, people_rows
from zwgk.reports.views import safe_href


def _cell(value: Any) -> Any:
    """An XLSX cell: dates stay dates (a real date in Excel), text loses what XLSX cannot hold."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime(value.year, value.month, value.day)
    value = _flat(value)
    return _ILLEGAL_XLSX.sub("", value) if isinstance(value, str) else value


# XLSX sheets are read by people: Chinese column headers. JSON and CSV keep the English keys
# (the contract's names, docs/design.md 'Findings export' / 'Columns export').
HEADERS = {
    "number": "问题编号",
    "portal": "网站",
    "unit": "单位",
    "unit_name": "单位名称",
    "name": "名称",
    "column": "栏目",
    "rule": "规则",
    "rule_title": "问题类型",
    "title": "问题类型",
    "severity": "等级",
    "message": "问题描述",
    "url": "页面地址",
    "first_seen": "首次发现",
    "last_seen": "最近发现",
    "deadline": "整改期限",
    "overdue_days": "逾期天数",
    "status": "状态",
    "new": "新发现",
    "evidence": "证据",
    "rectified_on": "销号日期",
    "days": "整改用时（天）",
    "item": "项目",
    "count": "数量",
    "this_week": "本周",
    "last_week": "上周",
    "rank": "名次",
    "profile": "类别",
    "score": "得分",
    "grade": "等级",
    "veto": "否决",
    "veto_lines": "否决项",
    "open": "待整改",
    "overdue": "逾期",
    "prev_score": "上期得分",
    "prev_grade": "上月等级",
    "change": "变化",
    "reasons": "点名原因",
    "examples": "示例",
    "in_body": "正文点名",
    "problems": "点名问题",
    "units": "涉及单位",
    "points": "扣分",
    "findings": "问题",
    "page": "页面",
    "newest": "最新信息日期",
    "entries": "信息条数",
    "week": "周",
    "opened": "新发现",
    "rectified": "已销号",
    "checked": "是否完成检查",
    "reviewed_by": "复核人",
    "review_reason": "复核理由",
    "reviewed_on": "复核日期",
    "line": "指标",
    "level": "级别",
    "value": "数值",
    "threshold": "否决线",
    "warn": "预警线",
    "age_days": "未更新天数",
    "limit_days": "时限（天）",
    "share": "多样化解读占比",
    "diversity_share": "多样化解读占比",
    "diverse": "多样化解读条数",
    "total": "解读总数",
    "target": "目标占比",
    "meets_target": "是否达标",
    "id": "规则编号",
    "severity_label": "等级名称",
    "source": "依据",
    "thresholds": "阈值",
    "deadline_workdays": "整改时限（工作日）",
    "deductions": "扣分明细",
}


def header(key: str) -> str:
    return HEADERS.get(key, key)


def _labels(names: list[str]) -> list[str]:
    """Chinese column headers, made unique where two keys share one."""
    labels = [header(k) for k in names]
    return [f"{lab}（{k}）" if labels.count(lab) > 1 else lab for lab, k in zip(labels, names, strict=True)]


def _csv_value(key: str, value: Any) -> Any:
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if key in PERCENT_KEYS and isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value * 100:.1f}%"
    return value


def _write_csv(rows: list[dict[str, Any]], path: Path) -> None:
    """A report table as CSV for people (Chinese headers and values; UTF-8 with BOM for Excel); the
    JSON beside it keeps the machine values."""
    names, cells = people_rows(rows, header)
    table = [
        {
            label: (v.isoformat() if isinstance(v, (date, datetime)) else v)
            for label, v in zip(_labels(names), row, strict=True)
        }
        for row in cells
    ]
    write_rows(table, "csv", path, fields=_labels(names))


def write_bundle(
    out_dir: Path,
    stem: str,
    tables: dict[str, list[dict[str, Any]]],
    meta: dict[str, Any],
    sheet_names: dict[str, str] | None = None,
) -> dict[str, str]:
    """Write `stem.xlsx`, `data/stem.json` and `data/stem-<table>.csv`; return {format: relative path}."""
    import pandas as pd
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    out_dir = Path(out_dir)
    data_dir = out_dir / "data"
    data_dir.mkdir(parents=True, exist_ok=True)
    links = {"xlsx": f"{stem}.xlsx", "json": f"data/{stem}.json"}
    doc = {**meta, "tables": tables}
    tmp = data_dir / f"{stem}.json.tmp"
    tmp.write_text(json.dumps(doc, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    tmp.replace(data_dir / f"{stem}.json")
    for name, rows in tables.items():
        _write_csv(rows, data_dir / f"{stem}-{name}.csv")
        links[f"csv:{(sheet_names or {}).get(name, name)}"] = f"data/{stem}-{name}.csv"  # labelled in Chinese
    path = out_dir / f"{stem}.xlsx"
    tmp_x = out_dir / f".{stem}.xlsx.tmp"
    with pd.ExcelWriter(tmp_x, engine="openpyxl") as writer:
        for name, rows in tables.items():
            names, cells = people_rows(rows, header)
            names = names or ["—"]
            labels = _labels(names)
            frame = pd.DataFrame([[_cell(v) for v in row] for row in cells], columns=labels, dtype=object)
            sheet_name = (sheet_names or {}).get(name, name)[:31]
            frame.to_excel(writer, index=False, sheet_name=sheet_name)
            sheet = writer.sheets[sheet_name]
            for row in sheet.iter_rows(min_row=2):
                for c in row:
                    if c.data_type == "f":  # crawled text starting with '=' stays text
                        c.data_type = "s"
                    key = names[c.column - 1]
                    if isinstance(c.value, datetime):
                        c.number_format = (
                            "yyyy-mm-dd" if not (c.value.hour or c.value.minute) else "yyyy-mm-dd hh:mm"
                        )
                    elif key in PERCENT_KEYS and isinstance(c.value, (int, float)):
                        c.number_format = "0.0%"
                    elif key in URL_KEYS and isinstance(c.value, str) and safe_href(c.value):
                        c.hyperlink = c.value  # http(s) only: a crawled javascript: link stays text
                        c.style = "Hyperlink"
            for c in sheet[1]:
                c.font = Font(bold=True)
                c.alignment = Alignment(vertical="center")
            sheet.freeze_panes = "A2"
            if cells:
                sheet.auto_filter.ref = sheet.dimensions
            for idx, key in enumerate(names, start=1):
                widths = [_display_width(header(key))] + [
                    _display_width(str(row[idx - 1])) for row in cells[:300]
                ]
                sheet.column_dimensions[get_column_letter(idx)].width = min(max(widths) + 2, 60)
    tmp_x.replace(path)
    return links
