"""`zwgk discover`: onboarding a portal — each unit's column map as the crawler finds it.

For every unit of the registry (or of one portal) the home page and the unit's 信息公开 entry page
are fetched (nothing else), the entry page is compared with the home page (extract/template.py) and
the catalog columns its profile requires are matched on what remains, exactly as the nightly crawl
does. The result says, per column, the link found, how it was matched and how sure the match is, and
which required columns were not found; a unit whose tree could not be read is `unrecognized`. With
`--write` the map becomes registry `columns:` overrides for an operator to confirm.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from zwgk.config.catalog import Catalog
from zwgk.config.registry import Portal, Registry
from zwgk.config.yamlines import load_located
from zwgk.crawler.extract import decode_body
from zwgk.crawler.extract.columns import (
    CONFIDENCE,
    MATCH_HOW,
    discover_column_map,
    find_channel,
    tree_unrecognized,
)
from zwgk.crawler.extract.dom import parse_html
from zwgk.crawler.extract.kind import detect_challenge
from zwgk.crawler.extract.template import Template, signatures
from zwgk.crawler.inspect_page import Fetched, fetch


@dataclass
class ColumnFound:
    column: str
    name: str
    url: str | None = None
    text: str | None = None
    how: str = ""
    confidence: float = 0.0


@dataclass
class UnitMap:
    portal: str
    unit: str
    name: str
    entry: str
    status: str  # ok | unreachable | antibot | unrecognized
    note: str | None = None
    columns: list[ColumnFound] = field(default_factory=list)

    @property
    def missing(self) -> list[str]:
        return [c.column for c in self.columns if c.url is None]

    def to_dict(self) -> dict:
        return {
            "portal": self.portal,
            "unit": self.unit,
            "name": self.name,
            "entry": self.entry,
            "status": self.status,
            "note": self.note,
            "missing": self.missing,
            "columns": [vars(c) for c in self.columns],
        }


def _page(fetched: Fetched):
    text, _ = decode_body(fetched.body, fetched.url, fetched.content_type)
    return text, parse_html(text, fetched.url)


def _problem(fetched: Fetched) -> tuple[str, str] | None:
    if fetched.error or fetched.status == 0:
        return "unreachable", f"无法访问：{fetched.error}"
    text, parsed = _page(fetched)
    challenge, _ = detect_challenge(text, parsed.doc, fetched.status, extracted=False)
    if challenge:
        return "antibot", "被反爬虫验证拦截"
    if fetched.status >= 400:
        return "unreachable", f"返回 HTTP {fetched.status}"
    return None


def discover_portal(portal: Portal, catalog: Catalog, allow_hosts: set[str]) -> list[UnitMap]:
    """The column map of every unit of one portal."""
    names = catalog.discovery_names()
    home = fetch(portal.home, allowed=allow_hosts)
    home_sigs: list[str] = []
    if _problem(home) is None:
        _, parsed = _page(home)
        home_sigs = signatures(parsed.doc, parsed.base_url)
    channels = _channels(home, catalog, allow_hosts) if _problem(home) is None else {}
    out = []
    for unit in portal.units:
        wanted = [c.id for c in catalog.required_columns(unit.profile)]
        on_home = [c for c in wanted if catalog.column(c).find_on == "home"]
        wanted = [c for c in wanted if c not in on_home]
        umap = UnitMap(portal.id, unit.id, unit.name, unit.entry, "ok")
        out.append(umap)
        fetched = home if unit.entry == portal.home else fetch(unit.entry, allowed=allow_hosts)
        problem = _problem(fetched)
        if problem is not None:
            umap.status, umap.note = problem
            continue
        text, _ = _page(fetched)
        template = Template.of(shared=home_sigs) if unit.entry != portal.home else None
        found = discover_column_map(text, fetched.url, {c: names[c] for c in wanted}, template=template)
        for cid in wanted:
            col = ColumnFound(cid, catalog.column(cid).name)
            if cid in unit.columns:
                col.url, col.how, col.confidence = unit.columns[cid], "登记表指定", 1.0
            elif cid in found:
                link, score = found[cid]
                col.url, col.text, col.how, col.confidence = (
                    link.url,
                    link.text,
                    MATCH_HOW[score],
                    CONFIDENCE[score],
                )
            umap.columns.append(col)
        blind = tree_unrecognized(
            [c for c in wanted if c not in unit.columns],
            {c.column for c in umap.columns if c.url},
            catalog.discovery.min_found_share,
        )
        if blind:
            umap.status, umap.note = "unrecognized", blind
        for cid in on_home:  # portal-wide channels (政务咨询): found from the home, as the crawl does
            col = ColumnFound(cid, catalog.column(cid).name)
            if cid in unit.columns:
                col.url, col.how, col.confidence = unit.columns[cid], "登记表指定", 1.0
            elif cid in channels:
                col.url, col.text, col.how, col.confidence = channels[cid]
            umap.columns.append(col)
    return out


def _channels(home: Fetched, catalog: Catalog, allow_hosts: set[str]) -> dict[str, tuple]:
    """{column id: (url, text, how, confidence)} of the `find_on: home` columns, from the home or
    behind its 互动交流 hub (at most two hub pages fetched)."""
    text, _ = _page(home)
    out: dict[str, tuple] = {}
    for column in (c for c in catalog.columns if c.find_on == "home"):
        link, hubs = find_channel(text, home.url, column.names, column.exclude, catalog.interaction.hubs)
        how = "门户首页的链接"
        for hub in hubs[:2] if link is None else []:
            fetched = fetch(hub.url, allowed=allow_hosts)
            if _problem(fetched) is None:
                link, _ = find_channel(_page(fetched)[0], fetched.url, column.names, column.exclude)
                how = f"门户首页「{hub.text}」页面的链接"
            if link is not None:
                break
        if link is not None:
            out[column.id] = (link.url, link.text, how, 0.8)
    return out


def discover(registry: Registry, catalog: Catalog, portal_id: str | None = None) -> list[UnitMap]:
    allowed = registry.hosts()
    return [
        m for p in registry.portals if portal_id in (None, p.id) for m in discover_portal(p, catalog, allowed)
    ]


def write_overrides(sites: Path, maps: list[UnitMap], out: Path) -> None:
    """The registry again, with each unit's found columns as `columns:` overrides (existing ones kept)."""
    doc = load_located(sites).data or {}
    by_unit = {(m.portal, m.unit): m for m in maps}
    for portal in doc.get("portals") or []:
        for unit in portal.get("units") or []:
            umap = by_unit.get((portal.get("id"), unit.get("id")))
            if umap is None or umap.status != "ok":
                continue
            columns = dict(unit.get("columns") or {})
            for col in umap.columns:
                if col.url and col.column not in columns:
                    columns[col.column] = col.url
            if columns:
                unit["columns"] = columns
    header = "# zwgk discover: column map as found — confirm each URL before use\n"
    out.write_text(header + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
