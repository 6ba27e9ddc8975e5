"""`zwgk inspect URL --json`: fetch one page from a loopback portal and show what the crawler sees."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import pytest

from zwgk_demonet import build_network

AS_OF = date(2026, 11, 23)


@pytest.fixture(scope="module")
def running():
    with build_network(AS_OF).serve() as net:
        yield net


def _inspect(url: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "zwgk.cli", "inspect", url, "--json", "--as-of", AS_OF.isoformat()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_inspect_list_page_with_pagination(running):
    base = running.base_urls["qinglan"]  # the TRS portal served in GBK
    network = build_network(AS_OF)
    portal = next(p for p in network.portals if p.id == "qinglan")
    column = next(
        c
        for u in portal.units
        for c in u.columns.values()
        if c.state == "ok" and len(c.entries) > c.per_page and c.entries[0].list_date
    )
    data = _inspect(base.rstrip("/") + column.path)
    assert data["kind"] == "list" and data["status"] == 200
    assert data["encoding"].lower() in ("gb18030", "gbk", "gb2312")
    assert len(data["entries"]) == column.per_page
    assert data["entries"][0]["title"] == column.entries[0].title
    assert data["entries"][0]["date"] == column.entries[0].date.isoformat()
    assert data["next_pages"][0].endswith("index_1.html")
    assert data["page_count"] >= 2


def test_inspect_unreachable_exits_1(running):
    proc = subprocess.run(
        [sys.executable, "-m", "zwgk.cli", "inspect", running.base_urls["songling"], "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["error"]


def test_inspect_entry_page_shows_its_column_map(running):
    """On a unit's 信息公开 page, inspect lists the catalog columns its links name and how they matched."""
    network = build_network(AS_OF)
    unit = network.unit("baishi", "fgj")
    data = _inspect(running.base_urls["baishi"].rstrip("/") + unit.entry_path)
    found = {cid: c["url"] for cid, c in data["columns"].items()}
    for cid, col in unit.columns.items():
        if col.linked:
            assert found[cid].endswith(col.path), cid
        else:
            assert cid not in found or not found[cid].endswith(col.path or "-"), cid
    assert all(c["how"] and 0 < c["confidence"] <= 1 for c in data["columns"].values())
