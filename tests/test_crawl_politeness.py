"""Politeness per host, as the README promises: at most CONCURRENT_REQUESTS_PER_DOMAIN (4) requests at
once to a portal, however many columns, articles and processes a night has. Counted by the portal's
server itself (a distant one: 50 ms an answer), on 127.0.0.1."""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest

from zwgk.config.catalog import load_catalog
from zwgk.config.registry import load_registry
from zwgk.cycle import stages
from zwgk.store.db import Store
from zwgk_demonet import build_network
from zwgk_demonet import network as demonet

pytestmark = pytest.mark.slow
AS_OF = date(2026, 11, 23)
CATALOG = load_catalog()
PORTAL = "qinglan"


def _busiest(tmp_path, monkeypatch) -> int:
    """The most requests the portal's server was answering at once during a crawl of it."""
    network = build_network(AS_OF)
    lock = threading.Lock()
    now, peak = [0], [0]
    serve = demonet._Handler._serve

    def slow(handler, *args, **kwargs):
        with lock:
            now[0] += 1
            peak[0] = max(peak[0], now[0])
        try:
            time.sleep(0.05)  # a distant server: the per-host limit, not CPU, bounds the crawl
            return serve(handler, *args, **kwargs)
        finally:
            with lock:
                now[0] -= 1

    monkeypatch.setattr(demonet._Handler, "_serve", slow)
    store = Store(f"sqlite:///{tmp_path}/polite.db")
    with network.serve() as running:
        sites = running.write_registry(tmp_path / "sites.yml")
        registry = load_registry(sites, set(CATALOG.profiles), CATALOG.column_ids())
        stages.crawl(
            store,
            sites,
            registry,
            AS_OF,
            only=PORTAL,
            settings={"ZWGK_CHECK_LINKS": "False"},
        )
    monkeypatch.undo()
    return peak[0]


def test_never_more_than_four_requests_at_once_to_a_portal(tmp_path, monkeypatch):
    busiest = _busiest(tmp_path, monkeypatch)
    print(f"most requests at once to the portal: {busiest}")
    assert 1 < busiest <= 4
