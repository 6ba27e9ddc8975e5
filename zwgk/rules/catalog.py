"""The standard catalog (标准目录): columns each kind of unit must keep and their update limits.

The base catalog is data (`data/catalog.yml`); a jurisdiction may override it with its own file:
kinds' thresholds, column names/aliases/profiles, marker phrases and deadlines are merged by key,
new columns are appended. Code never holds a threshold.
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from zwgk.config.yamlines import load_located
from zwgk.errors import BadInput

BASE_CATALOG = Path(__file__).parent / "data" / "catalog.yml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Kind(_Strict):
    name: str
    max_age_days: int | None = None


class Profile(_Strict):
    name: str


class Column(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    aliases: list[str] = Field(default_factory=list)
    kind: str
    profiles: list[str]
    requires_metadata: bool = False

    @property
    def names(self) -> list[str]:
        """Standard name first, then aliases (the order discovery prefers)."""
        return [self.name, *self.aliases]


class MetadataField(_Strict):
    """One required metadata element of a disclosure article and the labels that satisfy it."""

    name: str
    labels: list[str] = Field(min_length=1)


class MetadataFields(_Strict):
    """Required 信息公开 metadata (要素): a default set, optionally replaced per column id."""

    default: list[MetadataField] = Field(default_factory=list)
    columns: dict[str, list[MetadataField]] = Field(default_factory=dict)
    present_values: list[str] = Field(default_factory=lambda: ["无"])  # values that count as present


class Typo(_Strict):
    """A known serious misspelling (严重错别字): `wrong` is matched literally, or `pattern` as a regex."""

    wrong: str
    right: str
    category: str
    pattern: str | None = None


class Catalog(_Strict):
    version: int = 1
    kinds: dict[str, Kind]
    profiles: dict[str, Profile]
    columns: list[Column]
    blank_markers: list[str] = Field(default_factory=list)
    placeholder_patterns: list[str] = Field(default_factory=list)
    deadlines: dict[str, int] = Field(default_factory=dict)
    metadata_fields: MetadataFields = Field(default_factory=MetadataFields)
    # Extra misspellings a jurisdiction adds to the base dictionary (rules/data/typos.yml).
    typos: list[Typo] = Field(default_factory=list)

    model_config = ConfigDict(extra="forbid", ignored_types=(cached_property,))

    def column(self, column_id: str) -> Column:
        for col in self.columns:
            if col.id == column_id:
                return col
        raise KeyError(column_id)

    def column_ids(self) -> set[str]:
        return {c.id for c in self.columns}

    def required_columns(self, profile: str) -> list[Column]:
        """Columns a unit of this profile must have, in catalog order."""
        return [c for c in self.columns if profile in c.profiles]

    def max_age_days(self, column_id: str) -> int | None:
        return self.kinds[self.column(column_id).kind].max_age_days

    def discovery_names(self) -> dict[str, list[str]]:
        """{column id: [name, aliases...]} for column discovery on entry pages."""
        return {c.id: c.names for c in self.columns}

    def required_metadata(self, column_id: str) -> list[MetadataField]:
        """Metadata an article of this column must carry; [] when the column needs none."""
        try:
            col = self.column(column_id)
        except KeyError:
            return []
        if not col.requires_metadata:
            return []
        return self.metadata_fields.columns.get(column_id, self.metadata_fields.default)

    @cached_property
    def placeholder_res(self) -> list[re.Pattern[str]]:
        return [re.compile(p) for p in self.placeholder_patterns]


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if key == "columns":
            by_id = {c["id"]: dict(c) for c in out.get("columns", [])}
            order = [c["id"] for c in out.get("columns", [])]
            for col in value or []:
                if not isinstance(col, dict) or "id" not in col:
                    raise ValueError("each overriding column needs an 'id'")
                if col["id"] in by_id:
                    by_id[col["id"]].update(col)
                else:
                    by_id[col["id"]] = dict(col)
                    order.append(col["id"])
            out["columns"] = [by_id[i] for i in order]
        elif isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def load_catalog(override: str | Path | None = None) -> Catalog:
    """The base catalog, merged with a jurisdiction's override file when given."""
    base = load_located(BASE_CATALOG)
    data = base.data
    source = base
    if override is not None:
        source = load_located(override)
        if not isinstance(source.data, dict):
            raise BadInput("a catalog override must be a mapping", path=str(override), line=1)
        try:
            data = _merge(data, source.data)
        except ValueError as exc:
            raise BadInput(str(exc), path=str(override)) from None
    try:
        catalog = Catalog.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        raise BadInput(f"{'.'.join(map(str, loc))}: {err['msg']}", path=str(source.path),
                       line=source.line_of(loc)) from None
    for col in catalog.columns:
        if col.kind not in catalog.kinds:
            raise BadInput(f"column {col.id}: unknown kind {col.kind!r}", path=str(source.path))
        for prof in col.profiles:
            if prof not in catalog.profiles:
                raise BadInput(f"column {col.id}: unknown profile {prof!r}", path=str(source.path))
    return catalog
