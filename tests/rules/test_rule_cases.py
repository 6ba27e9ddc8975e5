"""Table-driven cases for every rule (tests/rules/cases/<rule>.yml), sqlfluff-style."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml

from zwgk.config.catalog import load_catalog
from zwgk.rules.engine import check_unit
from zwgk.rules.model import ArticleObs, CheckContext, ColumnObs, EntryObs, LinkObs, UnitObs
from zwgk.rules.registry import RULES

CASES_DIR = Path(__file__).parent / "cases"
CATALOG = load_catalog()


def _load_cases():
    for path in sorted(CASES_DIR.glob("*.yml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in doc["cases"]:
            yield pytest.param(
                doc["rule"],
                date.fromisoformat(str(case.get("as_of", doc["as_of"]))),
                case,
                id=f"{doc['rule']}:{case['id']}",
            )


def _as_date(v):
    return None if v is None else date.fromisoformat(str(v))


def _build_unit(case: dict, as_of: date) -> UnitObs:
    unit = UnitObs(
        portal="p",
        unit="u",
        profile=case.get("profile", "government"),
        entry_url="http://127.0.0.1/xxgk/",
        entry_status=case.get("entry_status", "ok"),
        entry_http_status=case.get("entry_http_status"),
        entry_error=case.get("entry_error"),
    )
    if "home_status" in case:
        unit.home_url, unit.home_status, unit.home_error = (
            "http://127.0.0.1/",
            case["home_status"],
            case.get("home_error"),
        )
        unit.home_identity = case.get("home_identity")
        unit.site_code = case.get("site_code")
        unit.home_tls = case.get("home_tls")
    if "column" in case:
        titles = case.get("titles")
        dates = case.get("dates")
        if titles is None:
            n = len(dates) if dates else int(case.get("entries", 3))
            titles = [f"条目{i}" for i in range(n)]
        if dates is None:
            newest = _as_date(case.get("newest"))
            dates = [newest - timedelta(days=3 * i) if newest else None for i in range(len(titles))]
        dates = [_as_date(d) for d in dates] + [None] * (len(titles) - len(dates))
        entries = [
            EntryObs(t, f"http://127.0.0.1/a/{i}.html", d, case.get("date_source", "list") if d else None)
            for i, (t, d) in enumerate(zip(titles, dates, strict=True))
        ]
        # `set_aside: [2099-12-31, ...]`: entries the crawl found dated after it (date cleared)
        for day in case.get("set_aside", []):
            entries.append(EntryObs("日期异常的条目", None, None, "future:" + str(day).replace("-", "")))
        status = case.get("status", "ok")
        col = ColumnObs(
            column_id=case["column"],
            status=status,
            url=None if status == "missing" else f"http://127.0.0.1/{case['column']}/",
            http_status=case.get("http_status"),
            entries=[] if status == "missing" else entries,
            placeholder=case.get("placeholder"),
        )
        col.links = [_link(x) for x in case.get("links", [])]
        col.privacy = list(case.get("privacy", []))
        col.messages = [
            {k: str(v) if v is not None else None for k, v in m.items()} for m in case.get("messages", [])
        ]
        col.articles = [
            ArticleObs(
                url=a.get("url", f"http://127.0.0.1/a/{i}.html"),
                title=a.get("title", f"文件{i}"),
                status=a.get("status", "ok"),
                metadata=a.get("metadata") or {},
                text=a.get("text", ""),
                links=[_link(x) for x in a.get("links", [])],
            )
            for i, a in enumerate(case.get("articles", []))
        ]
        unit.columns[col.column_id] = col
    unit.links = [_link(x) for x in case.get("unit_links", [])]
    _add_listed_columns(unit, case.get("columns", []))
    return unit


def _add_listed_columns(unit: UnitObs, specs: list[dict]) -> None:
    """`columns: [{column: zcwj, status: ok, entries: [{title, date, url}]}]`: several columns at once."""
    for spec in specs:
        cid, status = spec["column"], spec.get("status", "ok")
        entries = [
            EntryObs(
                e["title"],
                e.get("url", f"http://127.0.0.1/{cid}/{i}.html"),
                _as_date(e.get("date")),
                "list" if e.get("date") else None,
            )
            for i, e in enumerate(spec.get("entries", []))
        ]
        unit.columns[cid] = ColumnObs(
            column_id=cid,
            status=status,
            url=None if status == "missing" else f"http://127.0.0.1/{cid}/",
            entries=entries,
            pages_crawled=1,
        )


def _link(spec: dict) -> LinkObs:
    return LinkObs(
        url=spec["url"],
        text=spec.get("text", "链接"),
        page=spec.get("page", "http://127.0.0.1/"),
        status=spec.get("status", "ok"),
        http_status=spec.get("http_status"),
        error=spec.get("error"),
        attachment=bool(spec.get("attachment", False)),
    )


@pytest.mark.parametrize(("rule_id", "as_of", "case"), list(_load_cases()))
def test_rule_case(rule_id: str, as_of: date, case: dict):
    unit = _build_unit(case, as_of)
    drafts = [d for d in check_unit(unit, CheckContext(as_of=as_of, catalog=CATALOG)) if d.rule == rule_id]
    if case["expect"] == "pass":
        assert drafts == [], f"{rule_id} fired unexpectedly: {[d.message for d in drafts]}"
    else:
        want = int(case.get("findings", 1))
        assert len(drafts) == want, f"{rule_id} expected {want} finding(s), got {drafts}"
        if "message_contains" in case:
            assert str(case["message_contains"]) in drafts[0].message
        assert drafts[0].portal == "p" and drafts[0].unit == "u"


def test_every_rule_has_pass_and_fail_cases():
    seen: dict[str, set[str]] = {}
    for param in _load_cases():
        rule_id, _, case = param.values
        seen.setdefault(rule_id, set()).add(case["expect"])
    for cls in RULES:
        assert seen.get(cls.id) == {"pass", "fail"}, f"{cls.id} needs pass and fail cases"


def test_a_rule_declares_its_scope():
    """The lifecycle closes a finding only when the rule's subject was read again: a rule that does
    not say what its subject is (column, article, link, site) is refused when it is defined."""
    from zwgk.rules.base import Rule
    from zwgk.rules.model import Scope, Severity

    with pytest.raises(TypeError, match="lacks scope"):
        type(
            "NoScope",
            (Rule,),
            {
                "id": "x.y",
                "title": "某规则",
                "severity": Severity.MINOR,
                "source": "某文件",
                "__doc__": "A rule without a scope.",
            },
        )
    assert {cls.scope for cls in RULES} <= set(Scope)


def test_what_a_rule_knows_stays_in_its_own_file():
    """No product module outside a rule's own file names a rule id: thresholds, evidence sentences,
    evidence pages and lifecycle scope are the rule's, so a new rule is its file, its registry line,
    its cases and catalog data — and nothing elsewhere can fall out of step with it."""
    pkg = Path(__file__).resolve().parents[2] / "zwgk"
    ids = [cls.id for cls in RULES]
    offenders = []
    for path in pkg.rglob("*.py"):
        if path.parent.name == "checks":
            continue
        text = path.read_text(encoding="utf-8")
        offenders += [
            f"{path.relative_to(pkg)}: {rule_id}"
            for rule_id in ids
            if f'"{rule_id}"' in text or f"'{rule_id}'" in text
        ]
    assert not offenders, offenders


def test_one_finding_per_column_most_specific():
    """A blank column is not also stale; an undated one not also stale."""
    unit = UnitObs(portal="p", unit="u", profile="township", entry_url="http://x/", entry_status="ok")
    unit.columns["gzdt"] = ColumnObs("gzdt", "ok", url="http://x/gzdt/", entries=[])
    unit.columns["tzgg"] = ColumnObs(
        "tzgg",
        "ok",
        url="http://x/tzgg/",
        entries=[EntryObs("关于无相关信息的情况说明", None, date(2019, 1, 1))],
    )
    drafts = check_unit(unit, CheckContext(date(2026, 11, 23), CATALOG))
    assert sorted((d.column, d.rule) for d in drafts) == [
        ("gzdt", "column.blank"),
        ("tzgg", "column.placeholder"),
    ]


def test_unreachable_unit_gets_no_column_findings():
    unit = UnitObs(
        portal="p",
        unit="u",
        profile="township",
        entry_url="http://x/",
        entry_status="unreachable",
        entry_error="HTTP 503",
    )
    unit.columns["gzdt"] = ColumnObs("gzdt", "missing")
    drafts = check_unit(unit, CheckContext(date(2026, 11, 23), CATALOG))
    assert [d.rule for d in drafts] == ["site.unreachable"]


def test_rules_document_themselves():
    for cls in RULES:
        assert cls.__doc__ and "## Why" in cls.__doc__, cls
        assert cls.title and cls.source
