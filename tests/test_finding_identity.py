"""A finding is identified by what it is about, not by the address it was seen at: a moved column, an
http→https switch or a session id in a link closes nothing and opens nothing, and the history says
where the subject went. Rows stored under the first identity are re-keyed without a state change."""

from __future__ import annotations

import hashlib
from datetime import date

from sqlalchemy import create_engine, text

from zwgk.config.catalog import load_catalog
from zwgk.findings.lifecycle import reconcile
from zwgk.rules.engine import check_units
from zwgk.rules.identity import normalize_url
from zwgk.rules.model import CheckContext, ColumnObs, EntryObs, LinkObs, UnitObs
from zwgk.store.db import Store
from zwgk.store.schema import Finding, FindingEvent

CATALOG = load_catalog()
D = [date(2026, 11, 2), date(2026, 11, 3), date(2026, 11, 4), date(2026, 11, 5)]
OLD = date(2025, 1, 10)  # newest entry of the stale 工作动态 column


def _unit(gzdt_url: str, link: str | None = None) -> UnitObs:
    u = UnitObs("p", "a", "department", "http://127.0.0.1:8001/xxgk/", "ok")
    for col in CATALOG.required_columns("department"):
        url = gzdt_url if col.id == "gzdt" else f"http://127.0.0.1:8001/xxgk/{col.id}/"
        newest = OLD if col.id == "gzdt" else date(2026, 11, 1)
        entries = [EntryObs(f"{col.name}：2025年度工作报告及2025年年报", f"{url}t1.html", newest)]
        links = [LinkObs(link, "附件", url, "broken", 404)] if link and col.id == "gzdt" else []
        u.columns[col.id] = ColumnObs(col.id, "ok", url=url, entries=entries, links=links)
    return u


def _check(store: Store, unit: UnitObs, day: date, run_id: int):
    drafts = check_units([unit], CheckContext(day, CATALOG))
    with store.session() as s:
        return reconcile(s, drafts, [unit], day, run_id, CATALOG).counts()


def _findings(store: Store, rule: str) -> list[tuple[int, str, str | None]]:
    with store.session() as s:
        return [(f.id, f.status, f.url) for f in s.query(Finding).filter_by(rule=rule).order_by(Finding.id)]


def test_normalised_urls():
    same = [
        "http://Example.gov.cn/xxgk/gzdt/",
        "https://example.gov.cn:443/xxgk/gzdt",
        "http://example.gov.cn:80/xxgk/gzdt/;jsessionid=0A1B",
        "https://example.gov.cn/xxgk/gzdt?JSESSIONID=9#top",
    ]
    assert {normalize_url(u) for u in same} == {"example.gov.cn/xxgk/gzdt"}
    assert normalize_url("http://example.gov.cn/a?id=2&b=1") == normalize_url(
        "https://example.gov.cn/a?b=1&id=2"
    )
    assert normalize_url("http://example.gov.cn/a?id=2") != normalize_url("http://example.gov.cn/a?id=3")
    assert normalize_url("http://example.gov.cn:8080/a") != normalize_url("http://example.gov.cn/a")


def test_a_moved_column_and_an_https_switch_close_nothing_and_open_nothing(tmp_path):
    store = Store(f"sqlite:///{tmp_path}/m.db")
    dead = "http://127.0.0.1:8001/files/a.pdf"
    first = _check(store, _unit("http://127.0.0.1:8001/xxgk/gzdt/", dead), D[0], 1)
    assert first["opened"] >= 2
    [(stale_id, status, _)] = _findings(store, "column.stale")
    [(link_id, _, _)] = _findings(store, "link.broken")
    # Night 2: the CMS moved the column; night 3: the portal switched to https (same pages otherwise).
    moved = _check(
        store, _unit("http://127.0.0.1:8001/col/col1520/index.html", dead + ";jsessionid=X"), D[1], 2
    )
    https = _check(
        store,
        _unit("https://127.0.0.1:8001/col/col1520/index.html", dead.replace("http:", "https:")),
        D[2],
        3,
    )
    for counts in (moved, https):
        assert counts["opened"] == counts["rectified"] == counts["reopened"] == 0, counts
    assert _findings(store, "column.stale") == [
        (stale_id, status, "https://127.0.0.1:8001/col/col1520/index.html")
    ]
    assert [f[0] for f in _findings(store, "link.broken")] == [link_id]
    with store.session() as s:
        f = s.get(Finding, stale_id)
        assert f.first_seen == D[0] and f.evidence.get("newest") == OLD.isoformat()
        moves = [e.note for e in s.query(FindingEvent).filter_by(finding_id=stale_id, event="moved")]
    assert moves == [
        "http://127.0.0.1:8001/xxgk/gzdt/ → http://127.0.0.1:8001/col/col1520/index.html",
        "http://127.0.0.1:8001/col/col1520/index.html → https://127.0.0.1:8001/col/col1520/index.html",
    ]
    # The column fixed at its new address is what closes the finding.
    fixed = _unit("https://127.0.0.1:8001/col/col1520/index.html")
    fixed.columns["gzdt"].entries[0].date = D[3]
    assert _check(store, fixed, D[3], 4)["rectified"] >= 1
    assert _findings(store, "column.stale")[0][1] == "rectified"


def _v1(rule: str, column: str | None, url: str | None) -> str:
    raw = "\x1f".join("" if p is None else p for p in (rule, "p", "a", column, url))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:40]


def test_rows_of_the_previous_revision_are_rekeyed_without_a_state_change(tmp_path):
    """A database made by revision 0003: the column moved once under the old identity (its first
    finding was closed, a second opened at the new URL). After the upgrade the next night keeps the
    open one open, leaves the closed one closed, and opens nothing."""
    from alembic import command

    from zwgk.store.migrations import alembic_config

    url = f"sqlite:///{tmp_path}/old.db"
    engine = create_engine(url)
    with engine.begin() as conn:
        command.upgrade(alembic_config(connection=conn), "0003")
        old_url, new_url = "http://127.0.0.1:8001/xxgk/gzdt/", "http://127.0.0.1:8001/col/col1520/index.html"
        rows = [
            (1, _v1("column.stale", "gzdt", old_url), old_url, "rectified", "2026-10-20", "2026-10-27"),
            (2, _v1("column.stale", "gzdt", new_url), new_url, "open", "2026-10-27", "2026-11-01"),
        ]
        for fid, fp, u, status, first, last in rows:
            conn.execute(
                text(
                    "INSERT INTO findings (id, fingerprint, rule, severity, portal_id, unit_id, column_id, url,"
                    " message, evidence, first_seen, last_seen, status, deadline, rectified_on)"
                    " VALUES (:id, :fp, 'column.stale', 'major', 'p', 'a', 'gzdt', :u, '工作动态栏目未更新', '{}',"
                    " :first, :last, :status, '2026-11-10', :rect)"
                ),
                {
                    "id": fid,
                    "fp": fp,
                    "u": u,
                    "status": status,
                    "first": first,
                    "last": last,
                    "rect": "2026-10-27" if status == "rectified" else None,
                },
            )
            conn.execute(
                text("INSERT INTO finding_events (finding_id, \"on\", event) VALUES (:id, :on, 'opened')"),
                {"id": fid, "on": first},
            )
    engine.dispose()

    store = Store(url)  # upgrades to head
    counts = _check(store, _unit(new_url), D[0], 1)
    assert counts["opened"] == counts["reopened"] == counts["rectified"] == 0, counts
    assert _findings(store, "column.stale") == [(1, "rectified", old_url), (2, "open", new_url)]
    with store.session() as s:
        assert {f.identity_version for f in s.query(Finding)} == {2}
        assert [e.event for e in s.get(Finding, 2).events] == ["opened", "seen"]
    store.dispose()


def test_an_article_served_over_https_whose_fetch_failed_is_not_closed(tmp_path):
    """An article finding compared by its identity: the page now listed as https and not fetched
    tonight proves nothing, so the finding stays open (a failed fetch never closes a finding); the
    same page fetched and complete closes it."""
    from zwgk.rules.model import ArticleObs

    store = Store(f"sqlite:///{tmp_path}/a.db")
    http = "http://127.0.0.1:8001/xxgk/zcwj/t20261101_1.html"
    https = http.replace("http:", "https:")

    def unit(article: ArticleObs) -> UnitObs:
        u = _unit("http://127.0.0.1:8001/xxgk/gzdt/")
        zcwj = u.columns["zcwj"]
        zcwj.entries = [EntryObs("关于印发工作要点的通知", article.url, date(2026, 11, 1))]
        zcwj.articles = [article]
        return u

    _check(store, unit(ArticleObs(http, "关于印发工作要点的通知", metadata={"索引号": "001"})), D[0], 1)
    [(fid, status, _)] = _findings(store, "meta.incomplete")
    assert status == "open"
    counts = _check(store, unit(ArticleObs(https, "关于印发工作要点的通知", status="unreachable")), D[1], 2)
    assert counts["rectified"] == 0 and _findings(store, "meta.incomplete") == [(fid, "open", http)]
    full = {
        "索引号": "001",
        "发布机构": "某县人民政府办公室",
        "发布日期": "2026-11-01",
        "成文日期": "2026-10-30",
        "文号": "某政办发〔2026〕1号",
        "发文机关": "某县人民政府办公室",
    }
    _check(store, unit(ArticleObs(https, "关于印发工作要点的通知", metadata=full)), D[2], 3)
    assert [f[:2] for f in _findings(store, "meta.incomplete")] == [(fid, "rectified")]
