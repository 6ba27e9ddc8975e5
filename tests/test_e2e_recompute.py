"""Over the demo network's multi-night history (a fix, a broken unit, findings going overdue and
escalating), every number the reports show is recomputed from the exports: `export findings`,
`export columns` and `zwgk scores --json` (unit_scores)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, timedelta

import lxml.html
import pytest

from zwgk.config.catalog import load_catalog
from zwgk.config.registry import load_registry
from zwgk.cycle import stages
from zwgk.findings.scores import unit_scores
from zwgk.reports import render_all
from zwgk.reports.exports import columns_rows, findings_rows
from zwgk.store.db import Store
from zwgk_demonet import Variant, build_network

pytestmark = pytest.mark.slow
CATALOG = load_catalog()
NIGHTS = [date(2026, 11, 23), date(2026, 11, 30), date(2026, 12, 14)]


def _t(el) -> str:
    return re.sub(r"\s+", " ", el.text_content()).strip()


def _num(text: str) -> float | None:
    return None if text in ("—", "") else float(text)


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("recompute")
    store = Store(f"sqlite:///{tmp}/r.db")
    truth = build_network(NIGHTS[0]).ground_truth()
    columns = [t for t in truth if t["column"] and t["rule"].startswith("column.")]
    fixed = columns[0]
    broken = next(t for t in columns if (t["portal"], t["unit"]) != (fixed["portal"], fixed["unit"]))
    variant = Variant(
        fix=[(fixed["portal"], fixed["unit"], fixed["column"])],
        break_units=[(broken["portal"], broken["unit"])],
    )
    for i, day in enumerate(NIGHTS):
        network = build_network(day, variant=variant if i else None)
        with network.serve() as running:
            sites = running.write_registry(tmp / f"night{i}.yml")
            registry = load_registry(sites, set(CATALOG.profiles), CATALOG.column_ids())
            stages.crawl(store, sites, registry, day)
            stages.check(store, day, CATALOG)
    day = NIGHTS[-1]
    paths = render_all(store, day, tmp / "out", CATALOG)
    with store.session() as s:
        data = {
            "findings": findings_rows(s, day),
            "columns": columns_rows(s, day, CATALOG),
            "scores": unit_scores(s, day, CATALOG),
            # the 周通报 of Monday 12-14 reports the week ending Sunday 12-13
            "week_scores": unit_scores(s, day - timedelta(days=1), CATALOG),
        }
    yield tmp, paths, data
    store.dispose()


def test_the_history_has_what_the_numbers_must_survive(history):
    _, _, data = history
    statuses = Counter(f["status"] for f in data["findings"])
    assert statuses["rectified"] >= 1 and statuses["overdue"] >= 1 and statuses["open"] >= 1
    assert any(s["grade"] is None for s in data["scores"])  # a unit not checked on the last night
    assert any(f["severity"] == "veto" and f["evidence"].get("original_severity") for f in data["findings"])


def test_daily_lists_exactly_the_open_findings_of_the_export(history):
    _, paths, data = history
    daily = lxml.html.fromstring(paths["daily"].read_text(encoding="utf-8"))
    shown = Counter(tr.get("data-number") for tr in daily.xpath("//tr[contains(@class,'finding')]"))
    counted = {
        f["number"]
        for f in data["findings"]
        if f["status"] in ("open", "overdue") and (f["review"] or {}).get("state") != "false_positive"
    }
    assert set(shown) == counted and all(n == 1 for n in shown.values())
    severities = {
        tr.get("data-number"): tr.get("data-severity")
        for tr in daily.xpath("//tr[contains(@class,'finding')]")
    }
    assert severities == {f["number"]: f["severity"] for f in data["findings"] if f["number"] in counted}
    late = sum(1 for f in data["findings"] if f["number"] in counted and f["status"] == "overdue")
    assert int(_t(daily.get_element_by_id("total-overdue"))) >= late > 0


def test_weekly_and_monthly_scores_grades_and_averages(history):
    _, paths, data = history
    scores = {f"{s['portal']}/{s['unit']}": s for s in data["week_scores"]}
    weekly = lxml.html.fromstring(paths["weekly"].read_text(encoding="utf-8"))
    rows = weekly.xpath("//table[@id='ranking-table']/tbody/tr")
    shown = {r.get("data-unit"): _num(_t(r.xpath("td[contains(@class,'score-cell')]")[0])) for r in rows}
    assert shown == {k: s["score"] for k, s in scores.items()}
    assessed = [s["score"] for s in scores.values() if s["score"] is not None]
    assert float(_t(weekly.get_element_by_id("avg-score"))) == round(sum(assessed) / len(assessed), 1)
    scores = {f"{s['portal']}/{s['unit']}": s for s in data["scores"]}  # the month to date: 12-14
    monthly = lxml.html.fromstring(paths["monthly"].read_text(encoding="utf-8"))
    tiles = {el.get("data-grade"): int(_t(el)) for el in monthly.xpath("//span[@data-grade]")}
    grades = Counter(s["grade"] or "未能检查" for s in scores.values())
    assert {g: n for g, n in tiles.items() if n} == dict(grades)


def test_unit_pages_scores_and_columns(history):
    tmp, _, data = history
    scores = {(s["portal"], s["unit"]): s for s in data["scores"]}
    for page in (tmp / "out" / "units").glob("*.html"):
        portal, unit = page.stem.split("--")
        doc = lxml.html.fromstring(page.read_text(encoding="utf-8"))
        assert _num(_t(doc.get_element_by_id("unit-score"))) == scores[(portal, unit)]["score"]
        mine = {c["column"]: c for c in data["columns"] if (c["portal"], c["unit"]) == (portal, unit)}
        for r in doc.xpath("//table[@id='columns-table']/tbody/tr"):
            cell = r.xpath("td[contains(@class,'col-score')]/span[@class='score']")
            assert (_num(_t(cell[0])) if cell else None) == mine[r.get("data-column")]["score"]
