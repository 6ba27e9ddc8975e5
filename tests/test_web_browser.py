"""The rectification loop in Debian's chromium, against `zwgk serve` and the demo network on loopback.

A unit signs in and sees only its own findings; the department repairs a column (the test serves
the repaired page), reports 整改 and asks for a recheck; within the test's time the finding is 销号
with the page before and after on its evidence page. The supervisor sees the 整改反馈 in the queue
and the closed finding; a 误报 claim the supervisor accepts stops counting in the unit's score.
Every request the browser makes goes to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import re
import socket
import threading
import time
from datetime import date
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from tests.test_reports_browser import ARGS, ARTIFACTS, CHROMIUM, _unavailable
from zwgk.config.catalog import load_catalog
from zwgk.config.registry import load_registry
from zwgk.cycle import stages
from zwgk.findings.numbers import finding_number
from zwgk.store.db import Store
from zwgk.store.schema import Finding
from zwgk.web import accounts
from zwgk.web.app import create_app
from zwgk.web.context import ServeConfig
from zwgk_demonet import build_network
from zwgk_demonet.spec import Variant

pytestmark = [pytest.mark.slow, pytest.mark.browser]
AS_OF = date(2026, 11, 23)
CATALOG = load_catalog()
PASSWORD = "单位密码-2026-abc"
COLUMN_RULES = ("column.blank", "column.placeholder", "column.stale", "column.undated")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def serving(config: ServeConfig):
    """`zwgk serve`'s app under uvicorn on a free loopback port, in a thread; yields its base URL."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(config), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.started, "zwgk serve did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)


@pytest.fixture(scope="module")
def chromium():
    """One Playwright and one browser for the module (the sync API runs one event loop per thread)."""
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is absent (run `make test`, which installs Debian's chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def served(tmp_path_factory, chromium):
    tmp = tmp_path_factory.mktemp("webui")
    network = build_network(AS_OF, anchor=AS_OF)
    store = Store(f"sqlite:///{tmp}/ui.db")
    truth = network.ground_truth()
    by_unit: dict[tuple[str, str], list[dict]] = {}
    for t in truth:
        if t["rule"] in COLUMN_RULES and t["column"]:
            by_unit.setdefault((t["portal"], t["unit"]), []).append(t)
    (pid, unit), rows = next((k, v) for k, v in sorted(by_unit.items()) if len({r["column"] for r in v}) >= 2)
    with network.serve() as running:
        sites = running.write_registry(tmp / "sites.yml")
        registry = load_registry(sites, set(CATALOG.profiles), CATALOG.column_ids())
        stages.crawl(store, sites, registry, AS_OF, only=pid)
        stages.check(store, AS_OF, CATALOG)
        with store.session() as s:
            accounts.add_account(s, "dept", "", "unit", PASSWORD, pid, unit)
            accounts.add_account(s, "office", "政务公开办", "supervisor", PASSWORD)
            mine = s.execute(
                select(Finding).where(Finding.portal_id == pid, Finding.unit_id == unit)
            ).scalars()
            numbers = {finding_number(f.id): (f.column_id, f.rule) for f in mine}
            others = {
                finding_number(f.id)
                for f in s.execute(select(Finding).where(Finding.unit_id != unit)).scalars()
            }
        fix, dispute = rows[0], next(r for r in rows if r["column"] != rows[0]["column"])
        target = next(n for n, (c, r) in numbers.items() if (c, r) == (fix["column"], fix["rule"]))
        disputed = next(n for n, (c, r) in numbers.items() if (c, r) == (dispute["column"], dispute["rule"]))
        config = ServeConfig(
            db_url=store.url,
            sites=str(sites),
            uploads=tmp / "uploads",
            secure_cookies=False,
            worker=True,
            worker_poll=0.5,
        )
        ARTIFACTS.mkdir(exist_ok=True)
        with serving(config) as base:
            yield {
                "browser": chromium,
                "base": base,
                "running": running,
                "network": network,
                "pid": pid,
                "unit": unit,
                "fix": fix,
                "target": target,
                "disputed": disputed,
                "numbers": set(numbers),
                "others": others,
                "store": store,
            }


class Session:
    """A browser context that records every request and lets only 127.0.0.1 through."""

    def __init__(self, served):
        self.context = served["browser"].new_context(service_workers="block")
        self.requests: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.base = served["base"]

    def _route(self, route):
        url = route.request.url
        self.requests.append(url)
        if urlsplit(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    def login(self, login: str):
        self.page.goto(f"{self.base}/login")
        self.page.fill("#login", login)
        self.page.fill("#password", PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state()

    def outside(self) -> list[str]:
        return [u for u in self.requests if urlsplit(u).hostname != "127.0.0.1"]


def test_unit_fixes_asks_for_recheck_and_sees_it_closed_with_before_and_after(served):
    unit = Session(served)
    unit.login("dept")
    page = unit.page
    assert f"/units/{served['pid']}/{served['unit']}" in page.url
    listed = set(page.eval_on_selector_all("tr[data-number]", "rows => rows.map(r => r.dataset.number)"))
    assert served["target"] in listed and listed <= served["numbers"] and not listed & served["others"]

    # the department repairs the column (the demo portal now serves it repaired)
    fix = served["fix"]
    served["running"].switch(
        build_network(
            AS_OF, anchor=AS_OF, variant=Variant(fix=[(served["pid"], served["unit"], fix["column"])])
        )
    )
    try:
        page.click(f"a[href='/findings/{served['target']}']")
        page.fill("#feedback-text", "已更新栏目内容，请复查")
        page.click("form[action$='/feedback'] button[type=submit]")
        page.wait_for_load_state()
        assert "整改反馈已提交" in page.inner_text(".flash")
        started = time.monotonic()
        page.click("#recheck-button")
        page.wait_for_load_state()
        assert "已申请复查" in page.inner_text("main")
        # the page refreshes itself while the recheck runs; wait for the answer
        page.wait_for_selector("#rechecks tr[data-state='rectified']", timeout=150_000)
        took = time.monotonic() - started
    finally:
        served["running"].switch(served["network"])
    assert "已销号" in page.inner_text("h2")
    page.screenshot(path=str(ARTIFACTS / "workspace-finding-rectified.png"), full_page=True)
    page.click("#evidence-link")
    page.wait_for_load_state()
    assert page.locator("#archive-before").count() == 1 and page.locator("#archive-after").count() == 1
    assert "整改后的页面未保存" not in page.inner_text("#archive-after")
    assert "整改前的页面未保存" not in page.inner_text("#archive-before")
    assert page.locator("script").count() == 0
    page.screenshot(path=str(ARTIFACTS / "workspace-evidence-before-after.png"), full_page=True)
    assert not unit.outside(), unit.outside()
    print(f"recheck answered in {took:.1f} s")

    # the supervisor sees the 整改反馈 and the closed finding
    office = Session(served)
    office.login("office")
    assert "/supervisor" in office.page.url
    queue = office.page.inner_text("#queue")
    assert served["target"] in queue and "已更新栏目内容，请复查" in queue
    office.page.goto(f"{served['base']}/findings/{served['target']}")
    assert "已销号" in office.page.inner_text("h2")
    assert not office.outside()


def test_accepted_false_positive_claim_stops_counting(served):
    unit = Session(served)
    unit.login("dept")
    page = unit.page
    before = _open_count(page)
    page.goto(f"{served['base']}/findings/{served['disputed']}")
    page.fill("#dispute-text", "本栏目按规定不适用于本单位")
    page.click("form[action$='/dispute'] button[type=submit]")
    page.wait_for_load_state()
    assert "误报复核申请已提交" in page.inner_text(".flash")

    office = Session(served)
    office.login("office")
    row = office.page.locator("#queue tr", has_text="本栏目按规定不适用于本单位")
    row.locator("input[name=note]").fill("核实：该栏目不适用")
    row.locator("button[value=accept]").click()
    office.page.wait_for_load_state()
    assert "已采纳" in office.page.inner_text(".flash")

    page.goto(f"{served['base']}/units/{served['pid']}/{served['unit']}")
    assert _open_count(page) == before - 1
    row = page.locator(f"tr[data-number='{served['disputed']}']")
    assert "已复核为误报" in row.inner_text()
    with served["store"].session() as s:
        from zwgk.beijing import today
        from zwgk.findings.scores import unit_scores

        score = next(r for r in unit_scores(s, today(), CATALOG) if r["unit"] == served["unit"])
        assert score["dismissed_findings"] >= 1
    assert not unit.outside() and not office.outside()


def _open_count(page) -> int:
    text = page.inner_text("table.kv")
    return int(re.search(r"待整改问题\s*(\d+)\s*条", text).group(1))


# ------------------------------------------------------------------ crawled content stays inert
@pytest.fixture(scope="module")
def hostile(tmp_path_factory, chromium):
    """The reports' hostile unit (script, onerror and javascript: in its crawled titles, messages,
    links and pages) served in the workspace, with a unit account of its own and a supervisor."""
    from tests.reports_fixtures import D6, build_scenario
    from tests.test_reports_browser import add_hostile_unit

    tmp = tmp_path_factory.mktemp("webhostile")
    store = Store(f"sqlite:///{tmp}/h.db")
    build_scenario(store, CATALOG)
    add_hostile_unit(store, CATALOG, D6)
    with store.session() as s:
        accounts.add_account(s, "evil", "", "unit", PASSWORD, "jiyang", "evil")
        accounts.add_account(s, "office", "政务公开办", "supervisor", PASSWORD)
        numbers = [
            finding_number(f.id)
            for f in s.execute(select(Finding).where(Finding.unit_id == "evil")).scalars()
        ]
    config = ServeConfig(db_url=store.url, uploads=tmp / "uploads", secure_cookies=False, worker=False)
    with serving(config) as base:
        yield {"browser": chromium, "base": base, "numbers": numbers}


PAYLOAD = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'


def test_hostile_crawled_content_and_submissions_stay_inert(hostile):
    assert hostile["numbers"], "the hostile unit has findings"
    unit = Session(hostile)
    dialogs: list[str] = []
    unit.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    unit.login("evil")
    pages = ["/units/jiyang/evil"]
    for number in hostile["numbers"]:
        pages += [f"/findings/{number}", f"/findings/{number}/evidence"]
    for path in pages:
        unit.page.goto(hostile["base"] + path)
        assert unit.page.evaluate("window.__pwned") is None, path
        assert unit.page.locator("script").count() == 0, path
        assert unit.page.locator("[onerror], [onload], [onclick]").count() == 0, path
        hrefs = unit.page.eval_on_selector_all("a[href]", "as => as.map(a => a.getAttribute('href'))")
        assert not [h for h in hrefs if h.strip().lower().startswith("javascript:")], (path, hrefs)
    # a unit's own text (a 误报 claim) shown to the supervisor is escaped too
    unit.page.goto(f"{hostile['base']}/findings/{hostile['numbers'][0]}")
    unit.page.fill("#dispute-text", PAYLOAD)
    unit.page.click("form[action$='/dispute'] button[type=submit]")
    office = Session(hostile)
    office.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    office.login("office")
    assert PAYLOAD in office.page.inner_text("#queue")
    assert office.page.evaluate("window.__pwned") is None
    assert office.page.locator("script").count() == 0
    assert dialogs == []
    assert not unit.outside() and not office.outside()
