"""Validation problems of a configuration file said in plain Chinese.

pydantic's messages are English ("Input should be a valid integer"); an operator in a county office
reads the file and line plus what is wrong with the value there. The field names stay as written in
the file, since those are what the operator has to find and correct.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_BY_TYPE = {
    "extra_forbidden": "未知字段 {field!r}",
    "missing": "缺少必填字段 {field!r}",
    "string_type": "应为文字",
    "int_type": "应为整数",
    "int_parsing": "应为整数",
    "int_from_float": "应为整数",
    "float_type": "应为数字",
    "float_parsing": "应为数字",
    "bool_type": "应为 true 或 false",
    "bool_parsing": "应为 true 或 false",
    "list_type": "应为列表",
    "dict_type": "应为映射",
    "model_type": "应为映射",
    "date_type": "应为 YYYY-MM-DD 格式的日期",
    "date_parsing": "应为 YYYY-MM-DD 格式的日期",
    "date_from_datetime_parsing": "应为 YYYY-MM-DD 格式的日期",
    "string_pattern_mismatch": "格式不符：{input!r}",
    "greater_than_equal": "应不小于 {ge}",
    "greater_than": "应大于 {gt}",
    "less_than_equal": "应不大于 {le}",
    "less_than": "应小于 {lt}",
    "too_short": "项数太少",
    "too_long": "项数太多",
    "literal_error": "取值应为 {expected} 之一",
    "enum": "取值应为 {expected} 之一",
}


def problem(err: Mapping[str, Any]) -> str:
    """One pydantic error as a Chinese phrase; a validator's own message (already Chinese) as is."""
    kind = err.get("type", "")
    if kind == "value_error":
        return str(err.get("ctx", {}).get("error") or err.get("msg", ""))
    template = _BY_TYPE.get(kind)
    if template is None:
        return str(err.get("msg", ""))
    loc = err.get("loc") or ("",)
    fields = {"field": loc[-1], "input": err.get("input"), **(err.get("ctx") or {})}
    try:
        return template.format(**fields)
    except (KeyError, IndexError):
        return str(err.get("msg", ""))
