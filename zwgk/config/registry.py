"""The registry: which portals and units to watch (docs/design.md 'Registry').

Validated on load. Every problem (unknown key, bad URL, duplicate id, unknown profile or column)
is reported as BadInput naming the file and line, so the CLI exits 2 and nothing runs on a
half-understood configuration.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from zwgk.config.problems import problem
from zwgk.config.yamlines import load_located
from zwgk.errors import BadInput

ID_RE = r"^[a-z0-9-]+$"
RegistryId = Annotated[str, Field(pattern=ID_RE)]


def default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _check_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"不是 http(s) 网址：{value!r}")
    return value.strip()


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Unit(_Strict):
    """One 信息公开单位 of a portal."""

    id: RegistryId
    name: str = Field(min_length=1)
    profile: str
    entry: str
    columns: dict[str, str] = Field(default_factory=dict)
    # what people call the unit (发改局, 区卫健局 …): found by the index's search besides its name
    short_names: list[str] = Field(default_factory=list)

    _url = field_validator("entry")(classmethod(lambda cls, v: _check_url(v)))

    @field_validator("columns")
    @classmethod
    def _column_urls(cls, value: dict[str, str]) -> dict[str, str]:
        return {k: _check_url(v) for k, v in value.items()}


class Portal(_Strict):
    """One government website and the units whose columns it carries."""

    id: RegistryId
    name: str = Field(min_length=1)
    home: str
    site_code: str | None = None  # 网站标识码, when known
    obey_robots: bool = True  # the supervising authority may override robots.txt for its own sites
    # Render script-built lists in a browser (zwgk.crawler.render; needs the `render` extra and
    # /usr/bin/chromium): a column still a js-shell after its data endpoints is read from the
    # rendered DOM. Without them the column stays js-shell, with a note saying why.
    render_js: bool = False
    units: list[Unit] = Field(min_length=1)

    _url = field_validator("home")(classmethod(lambda cls, v: _check_url(v)))


class Registry(_Strict):
    """The whole registry file."""

    portals: list[Portal] = Field(min_length=1)
    allow_hosts: list[str] = Field(default_factory=list)
    # Further ports on which registry hosts on private addresses may be reached (beyond the ports
    # their registry URLs name, and 80/443 for allow_hosts).
    allow_ports: list[Annotated[int, Field(ge=1, le=65535)]] = Field(default_factory=list)

    def hosts(self) -> set[str]:
        """Hosts named anywhere in the registry (they may sit on private/loopback addresses)."""
        found = {h.lower() for h in self.allow_hosts}
        for portal in self.portals:
            urls = [portal.home] + [u.entry for u in portal.units]
            urls += [c for u in portal.units for c in u.columns.values()]
            found.update((urlsplit(x).hostname or "").lower() for x in urls)
        return found - {""}

    def endpoints(self) -> set[str]:
        """'host:port' of every registry URL (and of `allow_ports` on registry hosts): the only ports
        on which a registry host sitting on a private or loopback address may be reached."""
        found = set()
        for portal in self.portals:
            urls = [portal.home] + [u.entry for u in portal.units]
            urls += [c for u in portal.units for c in u.columns.values()]
            for url in urls:
                parts = urlsplit(url)
                if parts.hostname:
                    found.add(f"{parts.hostname.lower()}:{parts.port or default_port(parts.scheme)}")
        found |= {f"{h.lower()}:{p}" for h in self.allow_hosts for p in (80, 443)}
        found |= {f"{h}:{p}" for h in self.hosts() for p in self.allow_ports}
        return found

    def unit(self, portal_id: str, unit_id: str) -> Unit:
        """Look up a unit by registry ids."""
        for portal in self.portals:
            if portal.id == portal_id:
                for unit in portal.units:
                    if unit.id == unit_id:
                        return unit
        raise KeyError((portal_id, unit_id))


def load_registry(path: str | Path, profiles: set[str], column_ids: set[str]) -> Registry:
    """Load and validate a registry file against the catalog's profiles and column ids."""
    doc = load_located(path)
    if not isinstance(doc.data, dict):
        raise BadInput("登记表应为含 portals 列表的映射", path=str(path), line=1)
    try:
        registry = Registry.model_validate(doc.data)
    except ValidationError as exc:
        # An unknown key (a typo such as 'profle') is named first: it is usually why a required key
        # is 'missing' too, and the message should name the typo.
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        err = errors[0]
        loc = tuple(err["loc"])
        where = ".".join(str(p) for p in loc)
        msg = problem(err)
        if err["type"] == "string_pattern_mismatch":
            msg = f"编号只能由小写字母、数字和连字符组成，而不是 {err.get('input')!r}"
        more = f"（另有 {len(exc.errors()) - 1} 处问题）" if len(exc.errors()) > 1 else ""
        raise BadInput(f"{where}: {msg}{more}", path=str(path), line=doc.line_of(loc)) from None

    seen_portals: dict[str, int] = {}
    for pi, portal in enumerate(registry.portals):
        if portal.id in seen_portals:
            raise BadInput(
                f"网站编号 {portal.id!r} 重复", path=str(path), line=doc.line_of(("portals", pi, "id"))
            )
        seen_portals[portal.id] = pi
        seen_units: set[str] = set()
        for ui, unit in enumerate(portal.units):
            loc = ("portals", pi, "units", ui)
            if unit.id in seen_units:
                raise BadInput(
                    f"网站 {portal.id!r} 中单位编号 {unit.id!r} 重复",
                    path=str(path),
                    line=doc.line_of((*loc, "id")),
                )
            seen_units.add(unit.id)
            if unit.profile not in profiles:
                raise BadInput(
                    f"未知的单位类型 {unit.profile!r}（可用：{', '.join(sorted(profiles))}）",
                    path=str(path),
                    line=doc.line_of((*loc, "profile")),
                )
            for col in unit.columns:
                if col not in column_ids:
                    raise BadInput(
                        f"未知的栏目编号 {col!r}（目录中的编号：{', '.join(sorted(column_ids))}）",
                        path=str(path),
                        line=doc.line_of((*loc, "columns", col)),
                    )
    for hi, host in enumerate(registry.allow_hosts):
        if not re.fullmatch(r"[A-Za-z0-9.\-:\[\]]+", host):
            raise BadInput(
                f"allow_hosts：不是主机名 {host!r}",
                path=str(path),
                line=doc.line_of(("allow_hosts", hi)),
            )
    return registry
