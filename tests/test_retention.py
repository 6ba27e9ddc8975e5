"""Page archives are kept for the last nights and as evidence of open findings, and no longer.

Six nights of three units are stored the way the crawl and check stages write them: unit a has a
finding still open from night 2, unit b one that was fixed on night 3, unit c serves the same page
every night (one content-addressed body). `zwgk db prune --keep-nights 2` must keep nights 5 and 6
whole, night 2's pages of unit a (the open finding's evidence), the body unit c still serves, and
clear every other body — the rows stay, so findings and scores are untouched.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.reports_fixtures import Builder
from zwgk.config.catalog import load_catalog
from zwgk.store.db import Store, get_page, put_page
from zwgk.store.schema import Article, Finding, Page, Run, Snapshot

NIGHTS = [date(2026, 11, 1) + timedelta(days=n) for n in range(6)]


def _body(unit: str, night: int, size: int = 20000) -> bytes:
    filler = "".join(f"<p>{unit} 第{night}晚 段落{i}</p>" for i in range(size // 30))
    return f"<html><body><h1>{unit} night {night}</h1>{filler}</body></html>".encode()


def _links(unit: str, night: int, *statuses: str) -> list[dict]:
    return [
        {
            "url": f"http://127.0.0.1/{unit}/l{i}.html",
            "status": st,
            "text": f"链接{i}",
            "checked_on": str(night),
        }
        for i, st in enumerate(statuses)
    ]


@pytest.fixture
def history(tmp_path):
    db = f"sqlite:///{tmp_path}/zwgk.db"
    store = Store(db, mode="create")
    catalog = load_catalog()
    crawls, checks = [], {}
    with store.session() as s:
        b = Builder(s, catalog)
        b.portal("p", "示例县人民政府", "http://127.0.0.1/")
        for uid in ("a", "b", "c"):
            b.unit("p", uid, f"单位{uid}", "department", f"http://127.0.0.1/{uid}/")
        for n, day in enumerate(NIGHTS, start=1):
            crawl = b.run("crawl", day)
            crawls.append(crawl.id)
            for uid in ("a", "b"):
                snap = b.snapshot(
                    crawl, "p", uid, "column:gzdt", url=f"http://127.0.0.1/{uid}/gzdt/", body=_body(uid, n)
                )
                snap.details = {"links": _links(uid, n, "ok", "broken"), "notes": ["第一页"]}
                sha = put_page(s, _body(uid + "-article", n), "text/html")
                s.flush()
                s.add(
                    Article(
                        snapshot_id=snap.id,
                        position=0,
                        url=f"http://127.0.0.1/{uid}/1.html",
                        status="ok",
                        page_sha256=sha,
                        links=_links(uid, n, "ok", "skipped", "unverified"),
                    )
                )
            b.snapshot(crawl, "p", "c", "column:gzdt", url="http://127.0.0.1/c/gzdt/", body=_body("c", 0))
            checks[day] = b.run("check", day, crawl_run=crawl)
        b.finding(
            "column.stale",
            "major",
            "p",
            "a",
            "gzdt",
            "http://127.0.0.1/a/gzdt/",
            "栏目长期未更新",
            events=[("opened", NIGHTS[1])],
            runs=checks,
        )
        b.finding(
            "column.stale",
            "major",
            "p",
            "b",
            "gzdt",
            "http://127.0.0.1/b/gzdt/",
            "栏目长期未更新",
            events=[("opened", NIGHTS[0]), ("seen", NIGHTS[1]), ("rectified", NIGHTS[2])],
            runs=checks,
        )
    yield {"db": db, "store": store, "crawls": crawls}
    store.dispose()


def _zwgk(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "zwgk.cli", *args], capture_output=True, text=True, timeout=120
    )


def _state(store: Store) -> dict:
    with store.session() as s:
        snaps = {
            (run, unit): sha
            for run, unit, sha in s.execute(select(Snapshot.run_id, Snapshot.unit_id, Snapshot.page_sha256))
        }
        articles = {
            (run, unit): sha
            for run, unit, sha in s.execute(
                select(Snapshot.run_id, Snapshot.unit_id, Article.page_sha256).join(
                    Snapshot, Snapshot.id == Article.snapshot_id
                )
            )
        }
        links = {
            (run, unit): [link["status"] for link in (details or {}).get("links", [])]
            for run, unit, details in s.execute(select(Snapshot.run_id, Snapshot.unit_id, Snapshot.details))
        }
        links |= {
            (run, unit, "article"): [link["status"] for link in article_links]
            for run, unit, article_links in s.execute(
                select(Snapshot.run_id, Snapshot.unit_id, Article.links).join(
                    Snapshot, Snapshot.id == Article.snapshot_id
                )
            )
        }
        pages = s.execute(select(func.count()).select_from(Page)).scalar_one()
        findings = [(f.unit_id, f.status) for f in s.execute(select(Finding).order_by(Finding.id)).scalars()]
        runs = s.execute(select(func.count()).select_from(Run)).scalar_one()
    return {
        "snaps": snaps,
        "articles": articles,
        "links": links,
        "pages": pages,
        "findings": findings,
        "runs": runs,
    }


def test_prune_keeps_last_nights_and_open_evidence_only(history):
    store, crawls = history["store"], history["crawls"]
    before = _state(store)
    assert before["pages"] == 6 * 4 + 1  # a and b: list page and article each night; c: one body

    dry = _zwgk("db", "prune", "--db", history["db"], "--keep-nights", "2", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "将清理 14 个页面存档" in dry.stdout, dry.stdout
    assert _state(store) == before  # a dry run changes nothing

    done = _zwgk("db", "prune", "--db", history["db"], "--keep-nights", "2")
    assert done.returncode == 0, done.stderr
    assert "已清理 14 个页面存档" in done.stdout and "保留 11 个" in done.stdout, done.stdout
    assert "以及 1 次更早抓取中未整改问题的证据页面" in done.stdout, done.stdout
    after = _state(store)
    kept_runs = set(crawls[-2:])
    evidence_run = crawls[1]  # night 2: the check that last saw unit a's open finding read it
    for (run, unit), sha in after["snaps"].items():
        keep = run in kept_runs or (unit == "c" and run in kept_runs) or (run, unit) == (evidence_run, "a")
        assert (sha is not None) == keep, (run, unit, sha)
    for (run, unit), sha in after["articles"].items():
        assert (sha is not None) == (run in kept_runs or (run, unit) == (evidence_run, "a")), (run, unit)
    assert after["pages"] == 11  # 2 nights × 4 + unit a's 2 evidence bodies + c's shared body
    # link checks of old nights keep only the links that did not answer
    for key, statuses in after["links"].items():
        run, unit = key[0], key[1]
        full = before["links"][key]
        if run in kept_runs or (run, unit) == (evidence_run, "a"):
            assert statuses == full, key
        else:
            assert statuses == [st for st in full if st not in ("ok", "skipped")], key
    # nights 1-4 of units a and b less the evidence (night 2, a): 7 list pages (1 ok link) and 7 articles (2)
    assert "删去 21 条正常或未检查的链接（14 个页面）" in done.stdout, done.stdout
    assert after["findings"] == before["findings"] and after["runs"] == before["runs"]
    with store.session() as s:
        evidence = s.execute(
            select(Snapshot.page_sha256).where(Snapshot.run_id == evidence_run, Snapshot.unit_id == "a")
        ).scalar_one()
        assert get_page(s, evidence).startswith(b"<html><body><h1>a night 2</h1>")

    again = _zwgk("db", "prune", "--db", history["db"], "--keep-nights", "2")
    assert "已清理 0 个页面存档" in again.stdout, again.stdout  # idempotent


def test_prune_refuses_fewer_than_two_nights_and_a_missing_database(history, tmp_path):
    one = _zwgk("db", "prune", "--db", history["db"], "--keep-nights", "1")
    assert one.returncode == 2 and "--keep-nights" in one.stderr
    missing = _zwgk("db", "prune", "--db", str(tmp_path / "nope.db"))
    assert missing.returncode == 2 and "数据库不存在" in missing.stderr, missing.stderr
    assert not (tmp_path / "nope.db").exists()


SITES = """\
portals:
  - id: p
    name: 示例县人民政府
    home: http://127.0.0.1:9/
    units:
      - {id: a, name: 单位a, profile: department, entry: http://127.0.0.1:9/a/}
"""


@pytest.mark.parametrize(("keep", "pruned"), [(2, 14), (0, None)])
def test_the_nightly_job_prunes_after_its_night(history, tmp_path, monkeypatch, keep, pruned):
    """Retention runs by itself: after a finished night, with the schedule's keep_pages_nights."""
    from types import SimpleNamespace

    from zwgk.cycle import jobs, night

    sites = tmp_path / "sites.yml"
    sites.write_text(SITES, encoding="utf-8")
    monkeypatch.setattr(night, "run_cycle", lambda *a, **kw: SimpleNamespace(crawl_id=0, check_id=0))
    done = jobs.nightly(str(sites), db=history["db"], keep_pages_nights=keep)
    assert done.get("pruned_pages") == pruned, done
    assert _state(history["store"])["pages"] == (11 if keep else 25)
