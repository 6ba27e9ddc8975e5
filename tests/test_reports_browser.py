"""Every report opened in Debian's chromium from file:// (Playwright): no network request, no console
error, no script from crawled text, the index filter and table sorting work; screenshots land in
test-artifacts/.

Chromium is never downloaded: `/usr/bin/chromium` (installed by `make test`). Without it these tests
skip locally with the reason, and fail under CI (CI=true).
"""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from tests.reports_fixtures import D6, Builder, build_scenario
from zwgk.config.catalog import load_catalog
from zwgk.reports import render_all
from zwgk.store.db import Store
from zwgk.store.schema import Run, Unit

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = Path(os.environ.get("ZWGK_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PWN = "window.__pwned=1"
HOSTILE_NAME = f"<script>{PWN}</script>恶意测试局"


def _unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"browser tests need chromium under CI: {reason}")
    pytest.skip(f"browser tests skipped: {reason}")


def add_hostile_unit(store, catalog, day: date) -> None:
    """A unit whose crawled titles, messages and links carry script, onerror and javascript: payloads."""
    img = f'<img src=x onerror="{PWN}">'
    with store.session() as s:
        b = Builder(s, catalog)
        b.unit("jiyang", "evil", HOSTILE_NAME, "department", f"javascript:{PWN}")
        crawl = s.query(Run).filter_by(stage="crawl", as_of=day).one()
        check = s.query(Run).filter_by(stage="check", as_of=day).one()
        base = "http://www.jiyang.example/xxgk/evil/"
        b.snapshot(crawl, "jiyang", "evil", "entry", url=base, body=f"<html>{img}</html>".encode())
        b.snapshot(
            crawl,
            "jiyang",
            "evil",
            "column:gzdt",
            url=f"javascript:{PWN}",
            entries=[(f"<script>{PWN}</script>动态", date(2023, 1, 1))],
            body=f"<html><script>{PWN}</script></html>".encode(),
        )
        b.fill_columns(crawl, "jiyang", "evil", "department", base, day)
        b.finding(
            "column.stale",
            "major",
            "jiyang",
            "evil",
            "gzdt",
            f"javascript:{PWN}",
            f"「工作动态」<script>{PWN}</script>{img}",
            {
                "newest": "2023-01-01",
                "newest_title": f"<script>{PWN}</script>",
                "titles": [img, f"<a href='javascript:{PWN}'>x</a>"],
            },
            events=[("opened", day)],
            runs={day: check},
        )
        b.finding(
            "text.typo",
            "veto",
            "jiyang",
            "evil",
            None,
            f" JavaScript:{PWN}",
            f"错别字{img}",
            {"text": f'"><svg onload="{PWN}">'},
            events=[("opened", day)],
            runs={day: check},
        )


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is absent (run `make test`, which installs Debian's chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install -e '.[dev]')")
    catalog = load_catalog()
    tmp = tmp_path_factory.mktemp("browser")
    store = Store(f"sqlite:///{tmp}/b.db")
    build_scenario(store, catalog)
    add_hostile_unit(store, catalog, D6)
    with store.session() as s:  # a registry short name no abbreviation rule derives (委 is not in the name)
        s.query(Unit).filter_by(portal_id="jiyang", unit_id="wsj").one().short_names = ["卫健委"]
    paths = render_all(store, D6, tmp / "out", catalog)
    # the 周通报 of the week holding D6 (and the hostile unit) is the next Monday's
    paths["weekly"] = render_all(store, date(2024, 3, 11), tmp / "out", catalog, kinds=("weekly",))["weekly"]
    store.dispose()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser, paths, tmp / "out"
        browser.close()


class Page:
    """A page with every non-file:// request aborted and recorded, console errors and dialogs kept."""

    def __init__(self, browser, path: Path, viewport=None):
        self.context = browser.new_context(
            viewport=viewport or {"width": 1280, "height": 900}, service_workers="block"
        )
        self.blocked: list[str] = []
        self.requests: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []

        def route(r):
            if r.request.url.startswith("file://"):
                r.continue_()
            else:
                self.blocked.append(r.request.url)
                r.abort()

        self.context.route("**/*", route)
        self.page = self.context.new_page()
        self.page.on("request", lambda req: self.requests.append(req.url))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

        def dialog(d):
            self.dialogs.append(d.message)
            d.dismiss()

        self.page.on("dialog", dialog)
        self.page.goto(path.as_uri())
        self.page.wait_for_load_state("load")

    def check_clean(self):
        assert self.blocked == [], f"network requests attempted: {self.blocked}"
        assert all(u.startswith("file://") for u in self.requests), self.requests
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.dialogs == []
        assert self.page.evaluate("window.__pwned") is None

    def shot(self, name: str):
        self.page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)

    def close(self):
        self.context.close()


@pytest.mark.parametrize("kind", ["daily", "weekly", "monthly", "units"])
def test_report_opens_offline_cleanly(site, kind):
    browser, paths, _ = site
    p = Page(browser, paths[kind])
    try:
        assert p.page.title()
        assert p.page.locator("h1").inner_text().strip()
        p.check_clean()
        p.shot(f"report-{kind}")
    finally:
        p.close()


def test_unit_page_opens_offline_and_sorts(site):
    browser, _, out = site
    p = Page(browser, out / "units" / "jiyang--fgj.html")
    try:
        p.check_clean()
        p.shot("report-unit-fgj")
        col = p.page.locator("#columns-table thead th", has_text="得分")
        col.click()
        scores = [int(s) for s in p.page.locator("#columns-table td.col-score span.score").all_inner_texts()]
        assert scores == sorted(scores)
        col.click()
        scores = [int(s) for s in p.page.locator("#columns-table td.col-score span.score").all_inner_texts()]
        assert scores == sorted(scores, reverse=True)
        p.check_clean()
    finally:
        p.close()


def test_hostile_unit_renders_inertly(site):
    browser, paths, out = site
    for path in (
        paths["daily"],
        paths["weekly"],
        paths["monthly"],
        paths["units"],
        out / "units" / "jiyang--evil.html",
    ):
        p = Page(browser, path)
        try:
            html = p.page.content()
            assert HOSTILE_NAME not in html
            assert p.page.locator("img").count() == 0
            assert p.page.locator("script").count() <= 1  # only the report's own (hashed) script
            assert p.page.locator("[onerror], [onload]").count() == 0
            hrefs = p.page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
            assert not [h for h in hrefs if "javascript" in h.lower()]
            # the hostile text is shown as text
            assert HOSTILE_NAME in p.page.inner_text("body")
            p.check_clean()
            if path.name == "jiyang--evil.html":
                p.shot("report-unit-hostile")
        finally:
            p.close()
    evidence = sorted((out / "evidence").glob("*.html"))
    assert evidence
    for path in evidence:  # the evidence pages, the hostile unit's among them: inert, nothing loaded
        p = Page(browser, path)
        try:
            assert p.page.locator("img, iframe, object, embed, svg").count() == 0
            assert p.page.locator("script").count() == 0
            assert p.page.locator("[onerror], [onload], [onclick]").count() == 0
            hrefs = p.page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
            assert not [h for h in hrefs if "javascript" in h.lower()]
            p.check_clean()
        finally:
            p.close()


def test_index_filter_finds_a_unit(site):
    browser, paths, _ = site
    p = Page(browser, paths["units"])
    try:
        rows = p.page.locator("#units-table tbody tr")
        total = rows.count()
        assert total == 7
        p.page.fill("#unit-filter", "发展和改革")
        visible = p.page.locator("#units-table tbody tr:visible")
        assert visible.count() == 1 and "区发展和改革局" in visible.inner_text()
        assert p.page.inner_text("#filter-count") == "1"
        for short in ("发改局", "发改"):  # as offices shorten 发展和改革局
            p.page.fill("#unit-filter", short)
            visible = p.page.locator("#units-table tbody tr:visible")
            assert visible.count() == 1 and "区发展和改革局" in visible.inner_text(), short
        p.page.fill("#unit-filter", "卫健委")  # the registry's short_names
        visible = p.page.locator("#units-table tbody tr:visible")
        assert visible.count() == 1 and "区卫生健康局" in visible.inner_text()
        p.page.fill("#unit-filter", "改发")  # the characters out of order: no abbreviation
        assert p.page.locator("#units-table tbody tr:visible").count() == 0
        p.page.fill("#unit-filter", "xz2")
        assert p.page.locator("#units-table tbody tr:visible").inner_text().startswith("崔寨街道")
        p.page.fill("#unit-filter", "")
        assert p.page.locator("#units-table tbody tr:visible").count() == total
        p.page.select_option("#grade-filter", "不合格")
        failing = p.page.locator("#units-table tbody tr:visible")
        assert failing.count() >= 1
        assert all("不合格" in t for t in failing.all_inner_texts())
        p.page.select_option("#grade-filter", "")
        p.page.fill("#unit-filter", "fgj")
        p.shot("report-index-filtered")
        p.page.locator("#units-table tbody tr:visible a").click()
        p.page.wait_for_load_state("load")
        assert p.page.url.endswith("units/jiyang--fgj.html")
        p.check_clean()
    finally:
        p.close()


def test_weekly_prints_on_a4(site):
    browser, paths, _ = site
    p = Page(browser, paths["weekly"])
    try:
        p.page.emulate_media(media="print")
        assert p.page.locator("nav.reports").is_hidden()
        pdf = p.page.pdf(prefer_css_page_size=True)
        (ARTIFACTS / "report-weekly.pdf").write_bytes(pdf)
        assert pdf.startswith(b"%PDF")
        # A4 portrait: 595 x 842 points
        assert b"/MediaBox [0 0 595" in pdf or b"/MediaBox [0 0 594" in pdf
        p.shot("report-weekly-print")
        p.check_clean()
    finally:
        p.close()
