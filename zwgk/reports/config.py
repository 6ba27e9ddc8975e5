"""Report settings (`zwgk/reports/data/reports.yml`, overridable with `--config FILE`).

A jurisdiction's file replaces the keys it names, section by section; the others keep the
defaults. Errors are bad input (exit code 2) naming the file and line.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from zwgk.config.yamlines import load_located, load_mapping, refuse_unknown_keys
from zwgk.errors import BadInput

DEFAULT_CONFIG = Path(__file__).parent / "data" / "reports.yml"
SECTIONS = ("weekly", "monthly", "units", "contact")


@lru_cache(maxsize=1)
def _defaults() -> dict[str, Any]:
    return yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8")) or {}


def load_report_config(path: str | Path | None = None) -> dict[str, Any]:
    """The defaults, with `path`'s sections merged over them."""
    config = copy.deepcopy(_defaults())
    if path is None:
        return config
    src = Path(path)
    data = load_mapping(src, "报告设置文件")
    refuse_unknown_keys(load_located(src), _defaults(), "报告设置文件")
    for key, value in data.items():
        if key in SECTIONS:
            if not isinstance(value, dict):
                raise BadInput(f"{key} 应为映射", path=str(src))
            config[key] = {**config.get(key, {}), **value}
        else:
            config[key] = value
    for section, key in (
        ("weekly", "name_overdue_min"),
        ("weekly", "name_max"),
        ("weekly", "name_items"),
        ("weekly", "rectify_working_days"),
        ("weekly", "typical_rules"),
        ("weekly", "typical_examples"),
        ("monthly", "trend_months"),
        ("units", "history_weeks"),
    ):
        try:
            config[section][key] = max(1, int(config[section][key]))
        except (TypeError, ValueError):
            raise BadInput(f"{section}.{key} 应为整数", path=str(src)) from None
    return config
