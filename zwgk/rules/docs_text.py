"""Limits as a person reads them on the rules page: 5% not 0.05, a pattern as words not a regex."""

from __future__ import annotations

import re


def percent(rate: float | None) -> str | None:
    """0.05 → '5%' (None stays None)."""
    if rate is None:
        return None
    return f"{rate * 100:g}%"


def readable_pattern(pattern: str) -> str:
    """A title pattern of the catalog as words: '暂无.{0,20}(的)?说明' → '暂无……（的）说明'."""
    text = re.sub(r"\.[*+?]|\.\{\d*,?\d*\}|\[\^?[^\]]*\][*+?]?|\\[dsw][*+?]?", "……", pattern)
    text = re.sub(r"\(([^()|]*)\)\?", r"（\1）", text)
    text = re.sub(r"\(([^()]*)\)", lambda m: "／".join(m.group(1).split("|")), text)
    text = re.sub(r"[\^$\\]", "", text)
    return re.sub(r"(……)+", "……", text)
