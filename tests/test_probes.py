"""站点无法访问 judged as the national check judges it: a week of visits, ≥ 20 a day, 5 % failing vetoes.

A loopback portal is visited by the real probe round (urllib, the registry's URLs) at simulated
times — 20 rounds a day for seven days, the clock handed to `run_probes` — and answers HTTP 503 on
a schedule of rounds. With 6 % of the week's visits failing its home veto line is hit, with 4 % it
is 预警, and before 100 visits nothing is decided, whatever the rate. The portal vetoes read the
stored probes through the same path the reports use (zwgk.findings.scores.portal_vetoes).
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.reports_fixtures import Builder
from zwgk.config.catalog import load_catalog
from zwgk.config.registry import load_registry
from zwgk.cycle.probes import run_probes
from zwgk.findings.scores import portal_vetoes
from zwgk.store.db import Store
from zwgk.store.schema import Probe

AS_OF = date(2026, 11, 23)
ROUNDS_A_DAY = 20


class _Portal(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.server.down:
            self.send_error(503)
            return
        body = "<html><body><p>主办：探测县人民政府</p></body></html>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def portal(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
    server.down = False
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    sites = tmp_path / "sites.yml"
    sites.write_text(
        f"portals:\n  - id: tc\n    name: 探测县人民政府\n    home: {base}/\n    units:\n"
        f"      - {{id: gov, name: 探测县人民政府, profile: government, entry: {base}/xxgk/}}\n",
        encoding="utf-8",
    )
    catalog = load_catalog()
    registry = load_registry(sites, set(catalog.profiles), catalog.column_ids())
    store = Store(f"sqlite:///{tmp_path}/p.db", mode="create")
    with store.session() as s:  # the night's crawl the vetoes hang on (its home fetch: one more visit)
        b = Builder(s, catalog)
        b.portal("tc", "探测县人民政府", f"{base}/")
        b.unit("tc", "gov", "探测县人民政府", "government", f"{base}/xxgk/")
        crawl = b.run("crawl", AS_OF)
        b.snapshot(crawl, "tc", "gov", "home", url=f"{base}/")
        b.snapshot(crawl, "tc", "gov", "entry", url=f"{base}/xxgk/")
    yield server, registry, store, catalog
    store.dispose()
    server.shutdown()
    server.server_close()


def _week(server, registry, store, days: int, down_rounds: set[int]) -> int:
    """`days` days ending on AS_OF, 20 rounds a day (every 72 minutes from 00:10 Beijing); the
    server answers 503 in the listed rounds. Returns the rounds made."""
    rounds = 0
    for d in range(days):
        day = AS_OF - timedelta(days=days - 1 - d)
        for r in range(ROUNDS_A_DAY):
            beijing = datetime.combine(day, datetime.min.time()) + timedelta(minutes=10 + 72 * r)
            server.down = rounds in down_rounds
            run_probes(store, registry, timeout=5, clock=lambda at=beijing: at - timedelta(hours=8))
            rounds += 1
    server.down = False
    return rounds


def _line(store, catalog) -> dict:
    with store.session() as s:
        [report] = portal_vetoes(s, AS_OF, catalog)
    return next(line for line in report["lines"] if line["line"] == "unreachable")


@pytest.mark.parametrize(
    ("share", "level"),
    [(0.064, "veto"), (0.043, "warning"), (0.0, "ok")],
)
def test_a_week_of_probes_decides_the_home_line(portal, share, level):
    server, registry, store, catalog = portal
    total = 7 * ROUNDS_A_DAY
    down = set(range(3, total, max(1, round(1 / share)))) if share else set()
    down = set(sorted(down)[: round(total * share)])
    rounds = _week(server, registry, store, 7, down)
    line = _line(store, catalog)
    visits = rounds + 1  # and the night's home fetch
    assert line["level"] == level, line
    assert f"近 7 天 {visits} 次检测中 {len(down)} 次无法访问" in line["message"], line["message"]
    if down:
        assert "最近失败" in line["message"] and "HTTP 503" in line["message"]
        failed = line["items"][0]["failed"]
        assert len(failed) == len(down) and all(f["at"].endswith("+08:00") for f in failed)
    with store.session() as s:
        stored = s.query(Probe).filter(Probe.target == "home").count()
    assert stored == rounds


def test_nothing_is_decided_before_enough_visits(portal):
    server, registry, store, catalog = portal
    _week(server, registry, store, 3, set(range(0, 60, 6)))  # 60 visits, 10 failing (16 %)
    line = _line(store, catalog)
    assert line["level"] == "unknown" and "检测次数不足" in line["message"], line


def test_an_unanswering_page_is_a_failed_visit_within_its_timeout():
    from zwgk.crawler.probe import visit

    ok, status, error, elapsed = visit("http://127.0.0.1:9/", timeout=2)
    assert not ok and status is None and error == "连接被拒绝" and elapsed < 2000
