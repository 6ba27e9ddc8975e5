"""Read the base catalog (zwgk/rules/data/catalog.yml) as plain data: the demo network never copies it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

_REPO_CATALOG = Path(__file__).resolve().parents[1] / "zwgk" / "rules" / "data" / "catalog.yml"


@dataclass(frozen=True)
class CatalogColumn:
    id: str
    name: str
    aliases: tuple[str, ...]
    kind: str
    profiles: tuple[str, ...]
    max_age_days: int | None


@dataclass(frozen=True)
class Catalog:
    columns: tuple[CatalogColumn, ...]
    blank_markers: tuple[str, ...]
    placeholder_patterns: tuple[str, ...]
    kinds: dict

    def column(self, cid: str) -> CatalogColumn:
        for col in self.columns:
            if col.id == cid:
                return col
        raise KeyError(cid)

    def required(self, profile: str) -> list[CatalogColumn]:
        """Columns the profile must have, in catalog order."""
        return [c for c in self.columns if profile in c.profiles]

    def is_placeholder(self, title: str) -> bool:
        return any(re.search(p, title) for p in self.placeholder_patterns)

    def has_blank_marker(self, text: str) -> bool:
        return any(m in text for m in self.blank_markers)


def _read_text() -> str:
    try:
        from importlib.resources import files

        return files("zwgk.rules").joinpath("data/catalog.yml").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return _REPO_CATALOG.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def load_catalog() -> Catalog:
    data = yaml.safe_load(_read_text())
    kinds = data["kinds"]
    cols = tuple(
        CatalogColumn(
            id=c["id"],
            name=c["name"],
            aliases=tuple(c.get("aliases") or ()),
            kind=c["kind"],
            profiles=tuple(c.get("profiles") or ()),
            max_age_days=kinds[c["kind"]].get("max_age_days"),
        )
        for c in data["columns"]
        # portal-wide channels (政务咨询) are not in a unit's column tree: interact.py lays them out
        if c.get("find_on", "entry") == "entry"
    )
    return Catalog(
        columns=cols,
        blank_markers=tuple(data.get("blank_markers") or ()),
        placeholder_patterns=tuple(data.get("placeholder_patterns") or ()),
        kinds=kinds,
    )
