"""`zwgk discover` on the demo network (original templates and a generated skin) against its truth."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from urllib.parse import urlsplit

import pytest

from zwgk.config.catalog import load_catalog
from zwgk.config.registry import load_registry
from zwgk.crawler.discover import discover, write_overrides
from zwgk_demonet import build_network, interact

AS_OF = date(2026, 11, 23)
CATALOG = load_catalog()


def _where(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.mark.parametrize("skin", [None, 7, 12])
def test_discover_matches_the_truth(tmp_path, skin):
    network = build_network(AS_OF, skin=skin)
    with network.serve() as running:
        sites = running.write_registry(tmp_path / "sites.yml")
        registry = load_registry(sites, set(CATALOG.profiles), CATALOG.column_ids())
        maps = discover(registry, CATALOG)
        out = tmp_path / "confirmed.yml"
        write_overrides(sites, maps, out)
    by_unit = {(m.portal, m.unit): m for m in maps}
    checked = 0
    for portal in network.portals:
        if getattr(portal, "challenge", False):
            continue
        for unit in portal.units:
            m = by_unit[(portal.id, unit.id)]
            if not portal.reachable or unit.entry_status >= 400:
                assert m.status == "unreachable", (portal.id, unit.id, m.status)
                continue
            assert m.status == "ok", (portal.id, unit.id, m.note)
            found = {c.column: _where(c.url) for c in m.columns if c.url}
            expected = {cid: col.path for cid, col in unit.columns.items() if col.linked}
            missing = {cid for cid, col in unit.columns.items() if not col.linked}
            if unit.profile == "government":  # the portal's 政务咨询 channel (zwgk_demonet/interact.py)
                if portal.consult == "none":
                    missing.add("zwzx")
                else:
                    expected["zwzx"] = interact.LIST_PATH
            assert found == expected, (portal.id, unit.id)
            assert set(m.missing) == missing
            assert all(0 < c.confidence <= 1 and c.how for c in m.columns if c.url)
            checked += 1
    assert checked >= 20
    confirmed = load_registry(out, set(CATALOG.profiles), CATALOG.column_ids())  # a valid registry again
    pinned = {(p.id, u.id): u.columns for p in confirmed.portals for u in p.units}
    m = next(m for m in maps if m.status == "ok")
    assert pinned[(m.portal, m.unit)] == {c.column: c.url for c in m.columns if c.url}


def test_discover_command_json_and_unknown_portal(tmp_path):
    network = build_network(AS_OF, skin=3)
    with network.serve() as running:
        sites = running.write_registry(tmp_path / "sites.yml")
        cmd = [
            sys.executable,
            "-m",
            "zwgk.cli",
            "discover",
            "--sites",
            str(sites),
            "--portal",
            "qinglan",
            "--json",
        ]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        bad = subprocess.run([*cmd[:-3], "--portal", "nosuch"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert {r["portal"] for r in rows} == {"qinglan"} and len(rows) == 7
    assert bad.returncode == 2 and "nosuch" in bad.stderr
