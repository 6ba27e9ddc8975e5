"""Report spreadsheet cells as a person in an office reads them (the XLSX and CSV beside each report).

The JSON beside them keeps the machine values (`open`, `veto`, `column.stale`, true) for programs;
the spreadsheets say 待整改, 否决级, 栏目不更新, 是 — and carry real dates and clickable addresses.
Rule ids give way to the rule's title; nested values become a line of text, never JSON.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from zwgk.rules.model import Severity

FINDING_STATUS = {"open": "待整改", "overdue": "逾期未整改", "rectified": "已销号"}
COLUMN_STATUS = {
    "ok": "正常",
    "missing": "缺失",
    "unreachable": "无法访问",
    "antibot": "被反爬虫拦截",
    "js-shell": "脚本生成",
    "unrecognized": "未能识别",
    "truncated": "部分抓取",
    "error": "出错",
}
LEVEL = {"veto": "达到否决线", "warning": "预警", "ok": "正常", "unknown": "无法判断"}
PROFILE = {"government": "政府", "department": "部门", "township": "乡镇/街道"}
URL_KEYS = ("url", "page", "newest_url", "href")
PERCENT_KEYS = ("share", "diversity_share", "target")  # fractions: shown 50.0%
# The rows of the summary tables (项目 column): what each count is.
ITEM = {
    "open": "待整改问题",
    "new": "新发现",
    "still_open": "仍未整改",
    "rectified": "已销号",
    "overdue": "逾期未整改",
    "dismissed": "复核为误报",
    "veto": "否决级问题",
    "due": "到期或销号问题",
    "on_time": "按期销号",
    "rate": "按期整改率（%）",
    "avg_score": "单位平均得分",
    "units_failing": "不合格单位",
}
RULE_ID = re.compile(r"^[a-z]+\.[a-z_]+$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2})?$")


def _titles() -> dict[str, str]:
    from zwgk.rules.registry import rule_titles

    return rule_titles()


def _severity(value: str) -> str:
    try:
        return Severity(value).label
    except ValueError:
        return value


def plain(value: Any, titles: dict[str, str]) -> Any:
    """A scalar as read: booleans 是/否, rule ids as titles, None as empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, str) and RULE_ID.match(value) and value in titles:
        return titles[value]
    return value


def text_of(value: Any, titles: dict[str, str], header) -> str:
    """A nested value (list, mapping) as one line of text."""
    if isinstance(value, dict):
        return "，".join(
            f"{header(k)}：{text_of(v, titles, header)}" for k, v in value.items() if v not in (None, "")
        )
    if isinstance(value, (list, tuple)):
        sep = "；" if any(isinstance(v, dict) for v in value) else "、"
        return sep.join(text_of(v, titles, header) for v in value)
    out = plain(value, titles)
    return out.isoformat() if isinstance(out, (date, datetime)) else str(out)


def cell(key: str, value: Any, titles: dict[str, str], header) -> Any:
    """The value of column `key` as the spreadsheet shows it."""
    if isinstance(value, (dict, list, tuple)):
        return text_of(value, titles, header)
    if isinstance(value, str):
        if key == "severity":
            return _severity(value)
        if key == "status":
            return FINDING_STATUS.get(value) or COLUMN_STATUS.get(value, value)
        if key == "level":
            return LEVEL.get(value, value)
        if key == "profile":
            return PROFILE.get(value, value)
        if key == "item":
            return ITEM.get(value, value)
        if ISO_DATE.match(value):
            return date.fromisoformat(value)
        if ISO_TIME.match(value):
            return datetime.fromisoformat(value).replace(tzinfo=None)  # shown as stored: Beijing time
    return plain(value, titles)


def people_rows(rows: list[dict[str, Any]], header) -> tuple[list[str], list[list[Any]]]:
    """(keys, rows of cells) for a spreadsheet: a rule-id column is left out where the rows carry
    the rule's title, and turned into the title where they do not."""
    titles = _titles()
    keys: list[str] = []
    for row in rows:
        keys.extend(k for k in row if k not in keys)
    has_title = any(k in keys for k in ("title", "rule_title"))
    ids = {
        k for k in ("rule", "id") if k in keys and all(RULE_ID.match(str(r.get(k) or "x.y")) for r in rows)
    }
    if has_title:
        keys = [k for k in keys if k not in ids]
    return keys, [[cell(k, r.get(k), titles, header) for k in keys] for r in rows]
