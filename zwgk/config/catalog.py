"""The standard catalog (标准目录): columns each kind of unit must keep and their update limits.

The base catalog is data (`data/catalog.yml`); a jurisdiction may override it with its own file:
kinds' thresholds, column names/aliases/profiles, marker phrases and deadlines are merged by key,
new columns are appended. Code never holds a threshold.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from zwgk.config.problems import problem
from zwgk.config.workdays import WorkCalendar, load_holiday_file, merged, parse_years
from zwgk.config.yamlines import load_located
from zwgk.errors import BadInput

BASE_CATALOG = Path(__file__).parents[1] / "rules" / "data" / "catalog.yml"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Kind(_Strict):
    name: str
    max_age_days: int | None = None
    # False for kinds judged by their own rules (互动交流: interact.*), not by the column ones
    # (missing, blank, placeholder, undated, stale): an empty 信箱 list is no 空白栏目.
    column_rules: bool = True


class Profile(_Strict):
    name: str


class Column(_Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    aliases: list[str] = Field(default_factory=list)
    kind: str
    profiles: list[str]
    requires_metadata: bool = False
    # Where the column is looked for: `entry` (the unit's 信息公开 page, the default) or `home` (the
    # portal home and its navigation, and the hub pages it links: 互动交流 channels live there).
    find_on: Literal["entry", "home"] = "entry"
    # Link texts containing any of these are never this column (网上信访 is no 政务咨询 channel).
    exclude: list[str] = Field(default_factory=list)

    @property
    def names(self) -> list[str]:
        """Standard name first, then aliases (the order discovery prefers)."""
        return [self.name, *self.aliases]


class Periodic(_Strict):
    """A document that must appear by a date each year (定期公开事项), judged by `doc.overdue`.

    The deadline is `due` (MM-DD) of each year Y; the document required by it is the one of year
    Y + `year_offset` (last year's 年报: -1; this year's 重大行政决策事项目录: 0). An entry of the
    column whose title matches one of `patterns` ({year} replaced by that year) satisfies it.
    """

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    column: str
    profiles: list[str]
    due: str = Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")
    year_offset: int = -1
    patterns: list[str]
    source: str = ""

    def deadline_in(self, year: int) -> date:
        month, day = (int(p) for p in self.due.split("-"))
        if (month, day) == (2, 29) and not calendar.isleap(year):
            day = 28
        return date(year, month, day)

    def latest_due(self, as_of: date) -> tuple[date, int] | None:
        """(deadline, document year) of the latest deadline strictly before `as_of`."""
        for year in (as_of.year, as_of.year - 1):
            deadline = self.deadline_in(year)
            if deadline < as_of:
                return deadline, year + self.year_offset
        return None  # pragma: no cover - one of the two years always qualifies

    def regexes(self, doc_year: int) -> list[re.Pattern[str]]:
        return [re.compile(p.replace("{year}", str(doc_year))) for p in self.patterns]


class Interpretation(_Strict):
    """三同步 (`interp.missing`): which 政策文件 entries are policies, and how soon a 解读 must follow."""

    policy_column: str = "zcwj"
    interp_column: str = "zcjd"
    working_days: int = Field(default=5, ge=0)
    window_days: int = Field(default=365, ge=1)
    # A title naming a document in 《…》 is a policy; so is one matching a pattern below. The
    # pattern's named group `doc` (or the whole match) is the document's name.
    policy_patterns: list[str] = Field(default_factory=list)
    # Titles of interpretation forms beyond plain text (图解, 视频 …): the diversity metric.
    diverse_forms: list[str] = Field(default_factory=list)
    diverse_target: float = 0.3
    min_name_chars: int = 4

    @cached_property
    def policy_res(self) -> list[re.Pattern[str]]:
        return [re.compile(p) for p in self.policy_patterns]

    model_config = ConfigDict(extra="forbid", ignored_types=(cached_property,))


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


class Discovery(_Strict):
    """When a unit's column tree counts as recognised (crawler abstains below it)."""

    # A readable entry page that yields fewer than this share of the unit's required columns is
    # `unrecognized` (a crawl problem), not a row of 栏目缺失: precision before recall.
    min_found_share: float = Field(default=0.5, ge=0, le=1)


IdentityMark = Literal["site_code", "icp", "conac"]
IDENTITY_MARKS: tuple[IdentityMark, ...] = ("site_code", "icp", "conac")


class SiteIdentity(_Strict):
    """The marks a portal home must show at its foot (site.identity): which ones, and the form of a
    valid 网站标识码 (10 digits, or bm + 8 digits for a 国务院部门)."""

    required: list[IdentityMark] = Field(default_factory=lambda: list(IDENTITY_MARKS))
    code_pattern: str = r"^(\d{10}|bm\d{8})$"


class Interaction(_Strict):
    """互动回应差 (interact.*): which column holds the messages, the hub pages that lead to it from
    the home, and the reply limit: a valid message of the last `lookback_days` unanswered (or
    answered) more than `reply_months` calendar months after it was left."""

    column: str = "zwzx"
    hubs: list[str] = Field(default_factory=lambda: ["互动交流", "政民互动", "互动平台", "公众参与"])
    reply_months: int = Field(default=3, ge=1, le=24)
    lookback_days: int = Field(default=365, ge=30, le=3660)


class SiteTls(_Strict):
    """When an https portal's certificate is a finding (site.tls): invalid or expired, or expiring
    within `warn_days` days of the monitoring date."""

    warn_days: int = Field(default=30, ge=0, le=365)


class Catalog(_Strict):
    version: int = 1
    kinds: dict[str, Kind]
    profiles: dict[str, Profile]
    columns: list[Column]
    blank_markers: list[str] = Field(default_factory=list)
    placeholder_patterns: list[str] = Field(default_factory=list)
    # Rectification deadline per severity, in working days (zwgk/config/workdays.py). The file may
    # say `deadlines: {working_days: {...}, escalate: {...}}` or the flat `deadlines: {major: 5}`;
    # either way `deadlines` holds the working days and `escalate` the ladder (_split_deadlines).
    deadlines: dict[str, int] = Field(default_factory=dict)
    # Escalation ladder of overdue findings (升级督办): severity → the severity it escalates to.
    escalate: dict[str, str] = Field(default_factory=lambda: {"minor": "major", "major": "veto"})
    periodic: list[Periodic] = Field(default_factory=list)
    interpretation: Interpretation = Field(default_factory=Interpretation)
    # Holidays for years chinesecalendar does not know (or local corrections): inline, and/or a
    # file (`holidays_file`, relative to the catalog file that names it).
    holidays: dict[int, dict[str, Any]] = Field(default_factory=dict)
    holidays_file: str | None = None
    metadata_fields: MetadataFields = Field(default_factory=MetadataFields)
    # Extra misspellings a jurisdiction adds to the base dictionary (rules/data/typos.yml).
    typos: list[Typo] = Field(default_factory=list)
    discovery: Discovery = Field(default_factory=Discovery)
    site_identity: SiteIdentity = Field(default_factory=SiteIdentity)
    site_tls: SiteTls = Field(default_factory=SiteTls)
    interaction: Interaction = Field(default_factory=Interaction)

    model_config = ConfigDict(extra="forbid", ignored_types=(cached_property,))

    @model_validator(mode="before")
    @classmethod
    def _split_deadlines(cls, data: Any) -> Any:
        """`deadlines: {working_days: {...}, escalate: {...}}` → `deadlines` + `escalate`. Plain
        severity keys beside them (a flat override merged into the nested base) set working days."""
        if not isinstance(data, dict) or not isinstance(data.get("deadlines"), dict):
            return data
        raw = dict(data["deadlines"])
        if "working_days" not in raw and "escalate" not in raw:
            return data
        days = raw.pop("working_days", None) or {}
        ladder = raw.pop("escalate", None)
        out = dict(data)
        out["deadlines"] = {**days, **raw} if isinstance(days, dict) else days
        if ladder is not None:
            out.setdefault("escalate", ladder)
        return out

    def escalated_severity(self, severity: str) -> str:
        """The severity an overdue finding of `severity` escalates to (itself when not on the ladder)."""
        return self.escalate.get(severity, severity)

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

    def column_rules_apply(self, column_id: str) -> bool:
        """Do the column rules (missing, blank, placeholder, undated, stale) judge this column?"""
        try:
            kind = self.kinds.get(self.column(column_id).kind)
        except KeyError:
            return True
        return kind is None or kind.column_rules

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

    @cached_property
    def calendar(self) -> WorkCalendar:
        """Working-day calendar: the holiday file, then inline `holidays`, then chinesecalendar."""
        file_years = load_holiday_file(self.holidays_file) if self.holidays_file else {}
        return merged(file_years, parse_years(self.holidays))

    def deadline_days(self, severity: str) -> int:
        return int(self.deadlines.get(severity, self.deadlines.get("default", 10)))

    def periodic_for(self, profile: str) -> list[Periodic]:
        return [p for p in self.periodic if profile in p.profiles]


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in override.items():
        if key in ("columns", "periodic"):
            by_id = {c["id"]: dict(c) for c in out.get(key, [])}
            order = [c["id"] for c in out.get(key, [])]
            for col in value or []:
                if not isinstance(col, dict) or "id" not in col:
                    raise ValueError(f"覆盖的 {key} 每一项都需要 id")
                if col["id"] in by_id:
                    by_id[col["id"]].update(col)
                else:
                    by_id[col["id"]] = dict(col)
                    order.append(col["id"])
            out[key] = [by_id[i] for i in order]
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
            raise BadInput("目录覆盖文件应为映射", path=str(override), line=1)
        try:
            data = _merge(data, source.data)
        except ValueError as exc:
            raise BadInput(str(exc), path=str(override)) from None
    for src in (base, source) if source is not base else (base,):
        if isinstance(src.data, dict) and src.data.get("holidays_file"):
            hf = Path(str(src.data["holidays_file"]))
            data["holidays_file"] = str(hf if hf.is_absolute() else Path(src.path).parent / hf)
    try:
        catalog = Catalog.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        raise BadInput(
            f"{'.'.join(map(str, loc))}：{problem(err)}", path=str(source.path), line=source.line_of(loc)
        ) from None
    for col in catalog.columns:
        if col.kind not in catalog.kinds:
            raise BadInput(f"栏目 {col.id}：未知的栏目类别 {col.kind!r}", path=str(source.path))
        for prof in col.profiles:
            if prof not in catalog.profiles:
                raise BadInput(f"栏目 {col.id}：未知的单位类型 {prof!r}", path=str(source.path))
    ids = catalog.column_ids()
    for per in catalog.periodic:
        if per.column not in ids:
            raise BadInput(f"定期文件 {per.id}：未知的栏目 {per.column!r}", path=str(source.path))
        for prof in per.profiles:
            if prof not in catalog.profiles:
                raise BadInput(f"定期文件 {per.id}：未知的单位类型 {prof!r}", path=str(source.path))
    for pattern in [
        *catalog.placeholder_patterns,
        *catalog.interpretation.policy_patterns,
        *(p for per in catalog.periodic for p in per.patterns),
    ]:
        try:
            re.compile(pattern.replace("{year}", "2000"))
        except re.error as exc:
            raise BadInput(f"匹配式有误 {pattern!r}：{exc}", path=str(source.path)) from None
    try:
        parse_years(catalog.holidays)
        if catalog.holidays_file:
            load_holiday_file(catalog.holidays_file)
    except ValueError as exc:
        raise BadInput(str(exc), path=str(source.path)) from None
    return catalog
