"""周通报, 月考核, unit pages and index: the numbers shown equal the exports and the scores; settings;
exports per report; any as-of date; the score cache."""

from __future__ import annotations

import json
import re
from datetime import date

import lxml.html
import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from tests.reports_fixtures import D3, D6, build_scenario
from zwgk.config.catalog import load_catalog
from zwgk.findings.scores import unit_scores
from zwgk.reports import render_all
from zwgk.reports.config import load_report_config
from zwgk.reports.exports import columns_rows, findings_rows
from zwgk.store.db import Store
from zwgk.store.schema import Finding


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def rendered(tmp_path_factory, catalog):
    tmp = tmp_path_factory.mktemp("all")
    store = Store(f"sqlite:///{tmp}/t.db")
    build_scenario(store, catalog)
    paths = render_all(store, D6, tmp / "out", catalog)
    with store.session() as s:
        data = {
            "findings": findings_rows(s, D6),
            "columns": columns_rows(s, D6, catalog),
            "scores": unit_scores(s, D6, catalog),
        }
    yield store, tmp, paths, data
    store.dispose()


def _doc(path):
    return lxml.html.parse(str(path)).getroot()


def _t(el) -> str:
    return re.sub(r"\s+", " ", el.text_content()).strip()


def test_render_all_writes_every_report(rendered):
    _, tmp, paths, _ = rendered
    out = tmp / "out"
    assert {k: p.name for k, p in paths.items()} == {
        "daily": "daily-2024-03-06.html",
        "weekly": "weekly-2024-03-06.html",
        "monthly": "monthly-2024-03.html",
        "units": "index.html",
    }
    assert len(list((out / "units").glob("*.html"))) == 6
    for stem in ("daily-2024-03-06", "weekly-2024-03-06", "monthly-2024-03", "units-2024-03-06"):
        assert (out / f"{stem}.xlsx").is_file() and (out / "data" / f"{stem}.json").is_file()
        assert list((out / "data").glob(f"{stem}-*.csv"))
    wb = load_workbook(out / "weekly-2024-03-06.xlsx")
    assert wb.sheetnames == ["概况", "排名", "点名", "典型问题", "预警", "网站否决项"]
    # every page links the other reports of the night and only local files
    for page in [*out.glob("*.html"), *(out / "units").glob("*.html")]:
        doc = _doc(page)
        navs = doc.xpath("//nav[@class='reports']//a/text()")
        assert navs == ["目录与单位", "日调度", "周通报", "月考核"], page
        for href in doc.xpath("//@href"):
            if href.startswith("#"):  # a place on the same page, which exists
                assert doc.xpath(f"//*[@id='{href[1:]}']"), (page.name, href)
                continue
            assert href.startswith(
                ("http://www.jiyang.example/", "../", "units/", "data/", "evidence/")
            ) or re.match(r"^[a-z0-9-]+\.(html|xlsx|docx)$", href), (page.name, href)
            if not href.startswith("http"):
                assert (page.parent / href).exists(), (page.name, href)


def _score(cell) -> float | None:
    """A score cell as a number; None for the 「—」 of a unit not assessed."""
    text = _t(cell)
    return None if text == "—" else float(text)


def test_weekly_numbers_equal_exports_and_scores(rendered, catalog):
    """The notice of Monday 2024-03-11 reports the calendar week 03-04..03-10 (checks of 03-05 and 03-06):
    its figures are the findings and scores as of that Sunday."""
    store, tmp, _, _ = rendered
    monday, sunday = date(2024, 3, 11), date(2024, 3, 10)
    paths = render_all(store, monday, tmp / "week", catalog, kinds=("weekly",))
    with store.session() as s:
        data = {
            "findings": findings_rows(s, sunday),
            "columns": columns_rows(s, sunday, catalog),
            "scores": unit_scores(s, sunday, catalog),
        }
    doc = _doc(paths["weekly"])
    assert "2024年3月4日至2024年3月10日" in _t(doc.get_element_by_id("period"))
    open_rows = [f for f in data["findings"] if f["status"] in ("open", "overdue")]
    assert int(_t(doc.get_element_by_id("total-open"))) == len(open_rows) == 7
    overdue = [f for f in open_rows if f["status"] == "overdue" or f["deadline"] < sunday.isoformat()]
    assert int(_t(doc.get_element_by_id("total-overdue"))) == len(overdue)
    with store.session() as s:
        rectified = s.execute(
            select(Finding).where(Finding.rectified_on.between(date(2024, 3, 4), sunday))
        ).all()
    assert int(_t(doc.get_element_by_id("total-rectified"))) == len(rectified) == 2
    assert int(_t(doc.get_element_by_id("cov-checks"))) == 2  # 03-05 and 03-06
    assert int(_t(doc.get_element_by_id("cov-columns"))) == len(data["columns"])
    assert int(_t(doc.get_element_by_id("cov-units"))) == len(
        {(c["portal"], c["unit"]) for c in data["columns"]}
    )
    scores = {f"{s['portal']}/{s['unit']}": s for s in data["scores"]}
    rows = doc.xpath("//table[@id='ranking-table']/tbody/tr")
    assert len(rows) == len(scores)
    shown = {r.get("data-unit"): _score(r.xpath("td[contains(@class,'score-cell')]")[0]) for r in rows}
    assert shown == {k: s["score"] for k, s in scores.items()}
    assert {k for k, v in shown.items() if v is None} == {"jiyang/wsj", "jiyang/jyj"}  # 未能检查: no score
    per_unit_open = dict.fromkeys(scores, 0)
    for f in open_rows:
        per_unit_open[f"{f['portal']}/{f['unit']}"] += 1
    assert {
        r.get("data-unit"): int(_t(r.xpath("td[contains(@class,'open-cell')]")[0])) for r in rows
    } == per_unit_open
    # ranking: by score, veto units last among the checked ones; units not checked (未能检查) after them
    order = [r.get("data-unit") for r in rows if r.get("data-checked") == "true"]
    assert order[-1] == "jiyang/xz2"  # 严重错别字 → 否决
    assert sorted(r.get("data-unit") for r in rows if r.get("data-checked") == "false") == [
        "jiyang/jyj",
        "jiyang/wsj",
    ]
    named = doc.xpath("//ol[@id='named-list']/li")
    # xz2: a veto-level typo; fgj and wsj: findings past their deadline by Sunday (wsj's kept open while
    # its site is unreachable)
    assert {li.get("data-unit") for li in named} == {"jiyang/xz2", "jiyang/fgj", "jiyang/wsj"}
    for li in named:  # each named unit has a concrete 整改期限 after the notice's date, and its problems
        deadline = date.fromisoformat(li.get("data-deadline"))
        assert deadline > monday and f"整改期限：{deadline.year}年{deadline.month}月{deadline.day}日" in _t(
            li
        )
        numbers = li.xpath(".//li/@data-number")
        unit_open = [f for f in open_rows if f"{f['portal']}/{f['unit']}" == li.get("data-unit")]
        assert numbers and len(numbers) == min(load_report_config()["weekly"]["name_items"], len(unit_open))
    # 5 working days after Monday 2024-03-11: Monday 03-18
    assert _t(doc.get_element_by_id("feedback-deadline")) == "2024年3月18日"
    # the fixture's rendering of 03-06 issued week 02-26..03-03 as 第1期; this week is the next issue
    assert _t(doc.get_element_by_id("issue-no")).startswith("2024年第2期")
    # re-rendered on another day of the same week, the notice keeps its number; the earlier week too
    again = render_all(store, date(2024, 3, 13), tmp / "again", catalog, kinds=("weekly",))
    assert _t(_doc(again["weekly"]).get_element_by_id("issue-no")).startswith("2024年第2期")
    first = render_all(store, D6, tmp / "first", catalog, kinds=("weekly",))
    assert _t(_doc(first["weekly"]).get_element_by_id("issue-no")).startswith("2024年第1期")
    # a week without any check is not issued: no number taken
    empty = render_all(store, date(2024, 4, 1), tmp / "empty", catalog, kinds=("weekly",))
    assert "不编期号" in _t(_doc(empty["weekly"]).get_element_by_id("issue-no"))
    later = render_all(store, date(2024, 3, 4), tmp / "later", catalog, kinds=("weekly",))
    assert _t(_doc(later["weekly"]).get_element_by_id("issue-no")).startswith("2024年第1期")
    assessed = [s["score"] for s in data["scores"] if s["score"] is not None]
    avg = round(sum(assessed) / len(assessed), 1)
    assert float(_t(doc.get_element_by_id("avg-score"))) == avg
    # the JSON export carries the same ranking
    exported = json.loads((paths["weekly"].parent / "data" / "weekly-2024-03-11.json").read_text("utf-8"))
    assert {f"{r['portal']}/{r['unit']}": r["score"] for r in exported["tables"]["ranking"]} == shown


def test_monthly_numbers_equal_scores(rendered):
    _, _, paths, data = rendered
    doc = _doc(paths["monthly"])
    rows = doc.xpath("//table[@id='monthly-table']/tbody/tr")
    shown = {r.get("data-unit"): _score(r.xpath("td[contains(@class,'score-cell')]")[0]) for r in rows}
    assert shown == {f"{s['portal']}/{s['unit']}": s["score"] for s in data["scores"]}
    grades = {el.get("data-grade"): int(_t(el)) for el in doc.xpath("//span[@data-grade]")}
    # units whose entry page could not be checked (jyj unreachable, wsj anti-bot) get no grade: 未能检查
    unchecked = {"jyj", "wsj"}
    expected = {
        g: sum(1 for s in data["scores"] if s["grade"] == g and s["unit"] not in unchecked)
        for g in ("优秀", "良好", "合格", "不合格")
    }
    assert grades == {**expected, "未能检查": 2}
    costs = {
        r.get("data-rule"): float(_t(r.xpath("td")[1]))
        for r in doc.xpath("//table[@id='costs-table']/tbody/tr")
    }
    total: dict[str, float] = {}
    for s in data["scores"]:
        for d in s["deductions"]:
            total[d["rule"]] = total.get(d["rule"], 0) + d["deducted"]
    assert costs == {k: round(v, 1) for k, v in total.items() if v > 0}


def test_unit_pages_equal_columns_export(rendered):
    _, tmp, _, data = rendered
    for page in (tmp / "out" / "units").glob("*.html"):
        portal, unit = page.stem.split("--")
        doc = _doc(page)
        mine = {c["column"]: c for c in data["columns"] if (c["portal"], c["unit"]) == (portal, unit)}
        rows = doc.xpath("//table[@id='columns-table']/tbody/tr")
        assert {r.get("data-column") for r in rows} == set(mine), page.name
        for r in rows:
            c = mine[r.get("data-column")]
            cell = r.xpath("td[contains(@class,'col-score')]")[0]
            if c["score"] is None:
                assert _t(cell) == "未能检查"
            else:
                assert int(_t(cell.xpath("span[@class='score']")[0])) == c["score"]
            assert _t(r.xpath("td[contains(@class,'col-newest')]")[0]) == (c["newest"] or "—")
            entries = _t(r.xpath("td[contains(@class,'col-entries')]")[0])
            assert entries == ("—" if c["entries"] is None else str(c["entries"]))
            assert r.xpath("td[@data-status]")[0].get("data-status") == c["status"]
        open_here = [
            f
            for f in data["findings"]
            if (f["portal"], f["unit"]) == (portal, unit) and f["status"] in ("open", "overdue")
        ]
        assert int(_t(doc.get_element_by_id("unit-open"))) == len(open_here)
        assert len(doc.xpath("//table[@id='open-table']/tbody/tr")) == len(open_here)
        score = next((s for s in data["scores"] if (s["portal"], s["unit"]) == (portal, unit)), None)
        if score:
            assert _score(doc.get_element_by_id("unit-score")) == score["score"]
        for href in doc.xpath("//a[@class='evidence']/@href"):
            assert (page.parent / href).is_file()


def test_index_lists_every_unit_with_search_keys(rendered):
    _, _, paths, _ = rendered
    doc = _doc(paths["units"])
    rows = doc.xpath("//table[@id='units-table']/tbody/tr")
    assert len(rows) == 6
    fgj = doc.xpath("//tr[@data-unit='jiyang/fgj']")[0]
    assert "区发展和改革局" in fgj.get("data-search") and "fgj" in fgj.get("data-search")
    csp = doc.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+';", csp) and "default-src 'none'" in csp
    assert len(doc.xpath("//script")) == 1 and not doc.xpath("//script/@src")
    # Every dated report kind is listed with its description and linked (zwgk/reports/kinds.py).
    text = _t(doc)
    for label, blurb in (
        ("日调度", "每日待整改问题与证据"),
        ("周通报", "正式通报、排名与点名"),
        ("月考核", "月度得分、等级与趋势"),
    ):
        assert label in text and blurb in text
    assert {h for h in doc.xpath("//a/@href") if h.startswith(("daily-", "weekly-", "monthly-"))} >= {
        paths[k].name for k in ("daily", "weekly", "monthly")
    }


def test_historic_as_of_and_score_cache(rendered, catalog, monkeypatch):
    store, tmp, _, _ = rendered
    out = tmp / "hist"
    monday = date(2024, 3, 4)  # its notice reports the week ending Sunday D3
    paths = render_all(store, monday, out, catalog)
    doc = _doc(paths["weekly"])
    with store.session() as s:
        open_d3 = [f for f in findings_rows(s, D3) if f["status"] in ("open", "overdue")]
    assert int(_t(doc.get_element_by_id("total-open"))) == len(open_d3)
    assert paths["monthly"].name == "monthly-2024-03.html"
    # a second rendering reads settled scores from the cache instead of recomputing them
    calls: list[date] = []
    import zwgk.findings.scores as scores_mod

    real = scores_mod.unit_scores
    monkeypatch.setattr(
        scores_mod, "unit_scores", lambda s, d, *a, **k: calls.append(d) or real(s, d, *a, **k)
    )
    render_all(store, monday, out, catalog)
    assert calls == []


def test_report_config_override(tmp_path, catalog, rendered):
    store, _, _, _ = rendered
    cfg_file = tmp_path / "r.yml"
    cfg_file.write_text(
        "issuer: 济阳区政务公开办公室\nrecipients: 各街道办事处，区政府各部门\ndoc_prefix: 济阳政公办\n"
        "contact:\n  name: 王明\n  phone: 0531-84231234\nweekly:\n  issue_format: '第{seq}期'\n",
        encoding="utf-8",
    )
    config = load_report_config(cfg_file)
    assert config["monthly"]["trend_months"] == 6  # sections not named keep their defaults
    paths = render_all(store, D6, tmp_path / "o", catalog, config, kinds=("weekly",))
    doc = _doc(paths["weekly"])
    assert _t(doc.get_element_by_id("issue-no")).startswith("第1期")  # D6's week: the first issued
    assert _t(doc.get_element_by_id("doc-no")) == "济阳政公办〔2024〕1号"
    assert _t(doc.get_element_by_id("recipients")) == "各街道办事处，区政府各部门："
    assert "济阳区政务公开办公室" in _t(doc.xpath("//div[@class='notice-head']")[0])
    assert "联系人：王明，电话：0531-84231234" in _t(doc.get_element_by_id("requirements-list"))
    assert "济阳区政务公开办公室" in _t(doc.xpath("//div[@class='notice-sign']")[0])
    bad = tmp_path / "bad.yml"
    bad.write_text("weekly: [1\n", encoding="utf-8")
    from zwgk.errors import BadInput

    with pytest.raises(BadInput, match=r"bad\.yml"):
        load_report_config(bad)
    bad.write_text(
        "issuer: 某办\nweekly:\n  titel: 周通报\n", encoding="utf-8"
    )  # a typo never falls back silently
    with pytest.raises(BadInput, match=r"bad\.yml:3: 报告设置文件中有未知字段 'weekly\.titel'"):
        load_report_config(bad)


def test_cli_report_commands(rendered, tmp_path):
    from zwgk.cli import app

    _, tmp, _, _ = rendered
    runner = CliRunner()
    for kind in ("weekly", "monthly", "units"):
        res = runner.invoke(
            app,
            [
                "report",
                kind,
                "--db",
                f"sqlite:///{tmp}/t.db",
                "--as-of",
                "2024-03-06",
                "--out",
                str(tmp_path / "cli"),
            ],
        )
        assert res.exit_code == 0, res.output
    assert (tmp_path / "cli" / "weekly-2024-03-06.html").is_file()
    assert (tmp_path / "cli" / "index.html").is_file()
    res = runner.invoke(
        app,
        [
            "report",
            "weekly",
            "--db",
            f"sqlite:///{tmp}/t.db",
            "--config",
            str(tmp_path / "missing.yml"),
            "--out",
            str(tmp_path / "cli"),
        ],
    )
    assert res.exit_code == 2


def test_unit_pages_explain_their_scores(rendered):
    """Column and unit scores add up on the page: 100 − 60（栏目不更新）= 40, 100 − 6 − 4 = 90."""
    _, tmp, _, _ = rendered
    explained = 0
    for page in (tmp / "out" / "units").glob("*.html"):
        doc = _doc(page)
        for cell in doc.xpath("//span[contains(@class,'col-explain')]"):
            nums = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", re.sub(r"（[^）]*）", "", _t(cell)))]
            assert nums[0] - sum(nums[1:-1]) == nums[-1], _t(cell)
            explained += 1
        total = doc.xpath("//p[@id='score-explain']")
        if total:
            text = _t(total[0]).split("；")[0]
            nums = [float(x) for x in re.findall(r"\d+(?:\.\d+)?", text)]
            assert (
                round(nums[0] - sum(nums[1:-1]), 1) == nums[-1] == _score(doc.get_element_by_id("unit-score"))
            )
            rows = doc.xpath("//table[@class='deductions']/tbody/tr")
            assert sorted(float(_t(r.xpath("td")[3])) for r in rows if float(_t(r.xpath("td")[3]))) == sorted(
                nums[1:-1]
            )
            explained += 1
    assert explained >= 5
