"""Evidence as plain Chinese: the helpers each rule's `evidence_lines` and the reports share.

Crawled text in evidence is untrusted: control characters are dropped and length is capped here;
HTML escaping is the templates' job.
"""

from __future__ import annotations

import re
from typing import Any

CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

FIELD_LABELS = {
    "source": "依据",
    "document": "文件",
    "due": "应公开日期",
    "deadline": "期限",
    "title": "信息标题",
    "policy_title": "政策标题",
    "policy_date": "政策发布日期",
    "category": "类别",
    "missing": "缺少要素",
    "count": "数量",
    "url": "地址",
    "status": "状态",
    "reason": "原因",
    "kind": "类型",
    "value": "数值",
}


def clip(text: Any, limit: int = 160) -> str:
    """The text without control characters, cut to `limit` characters with an ellipsis."""
    s = CTRL.sub("", str(text))
    return s if len(s) <= limit else s[: limit - 1] + "…"


def plain(value: Any, limit: int = 160) -> str:
    """A value as plain Chinese text: lists joined with 、, mappings as 键：值 — never a JSON dump."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        parts = [
            f"{FIELD_LABELS.get(str(k), k)}：{plain(v, 60)}"
            for k, v in value.items()
            if v not in (None, "", [], {})
        ]
        return clip("；".join(parts), limit)
    if isinstance(value, (list, tuple, set)):
        return clip("、".join(plain(v, 60) for v in value if v not in (None, "", [], {})), limit)
    return clip(value, limit)
