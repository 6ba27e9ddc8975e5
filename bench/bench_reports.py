"""Benchmark: render every report of one day over N days of simulated history of the demo network.

    .venv/bin/python bench/bench_reports.py [--days 60] [--tiny] [--keep DIR]

History: the first day is a real crawl of the demo portal network (zwgk_demonet, served on
127.0.0.1) and a real check. Each later day clones that crawl's snapshots, entries and articles
through the store (the shapes the crawler writes), with a seeded evolution — columns that were
being updated keep publishing (their entry dates move with the day), a few stale columns get
fixed, a few fresh ones stop updating, units' entry pages go down for a day now and then — and
then runs the real check stage, so findings open, persist, go overdue, close and reopen exactly
as the lifecycle makes them. `--tiny` replaces the real crawl with a small synthetic portal (used
by the test that keeps this script working).

Then it times `render_all` for the last day twice: cold (no score cache: the first night after an
upgrade) and warm (the nightly case: past month-ends' scores come from the cache). The target is
under 10 s; the figure is printed, not asserted.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import insert, select  # noqa: E402

from zwgk.config.catalog import load_catalog  # noqa: E402
from zwgk.cycle import stages  # noqa: E402
from zwgk.reports import render_all  # noqa: E402
from zwgk.store.db import Store  # noqa: E402
from zwgk.store.schema import Article, Entry, Run, Snapshot  # noqa: E402

AS_OF = date(2026, 11, 23)


def _real_first_day(store: Store, day: date, catalog, tmp: Path) -> int:
    from zwgk.config.registry import load_registry
    from zwgk_demonet import build_network

    network = build_network(day)
    with network.serve() as running:
        sites = running.write_registry(tmp / "sites.yml")
        registry = load_registry(sites, set(catalog.profiles), catalog.column_ids())
        crawl_id = stages.crawl(store, sites, registry, day)
    stages.check(store, day, catalog)
    return crawl_id


def _tiny_first_day(store: Store, day: date, catalog) -> int:
    from tests.reports_fixtures import Builder

    with store.session() as s:
        b = Builder(s, catalog)
        b.portal("demo", "演示县人民政府", "http://demo.example/")
        units = [
            ("gov", "演示县人民政府办公室", "government"),
            ("fgj", "县发展和改革局", "department"),
            ("jyj", "县教育局", "department"),
            ("zhen", "城关镇", "township"),
        ]
        crawl = b.run("crawl", day)
        for i, (uid, name, profile) in enumerate(units):
            base = f"http://demo.example/xxgk/{uid}/"
            b.unit("demo", uid, name, profile, base)
            b.snapshot(crawl, "demo", uid, "entry", url=base, body=f"<html>{name}</html>".encode())
            if i % 2:
                b.snapshot(
                    crawl,
                    "demo",
                    uid,
                    "column:gzdt",
                    url=f"{base}gzdt/",
                    entries=[("旧动态", day - timedelta(days=40 + i))],
                )
                b.snapshot(crawl, "demo", uid, "column:tzgg", url=f"{base}tzgg/", placeholder="暂无信息")
            b.fill_columns(crawl, "demo", uid, profile, base, day - timedelta(days=2))
        crawl_id = crawl.id
    stages.check(store, day, catalog)
    return crawl_id


def _rows(session, table, where) -> list[dict]:
    return [dict(r._mapping) for r in session.execute(select(table).where(where))]


def _clone_day(store: Store, base: dict, day: date, k: int, rng: random.Random, evolve: dict) -> int:
    """One simulated night: a crawl run whose snapshots are the base crawl's, evolved to day k."""
    with store.session() as s:
        now = datetime.combine(day, datetime.min.time()) + timedelta(hours=1)
        run = Run(
            stage="crawl",
            as_of=day,
            started_at=now,
            finished_at=now + timedelta(minutes=20),
            status="ok",
            counts={"simulated": True},
        )
        s.add(run)
        s.flush()
        down = {u for u in base["units"] if rng.random() < 0.01}
        entries, articles = [], []
        for snap in base["snaps"]:
            key = (snap["portal_id"], snap["unit_id"])
            if key in down and snap["target"] != "home" and snap["target"] != "entry":
                continue
            row = {c: v for c, v in snap.items() if c != "id"}
            row["run_id"] = run.id
            row["fetched_at"] = now + timedelta(minutes=5)
            if key in down and snap["target"] == "entry":
                row.update(status="unreachable", http_status=503, error="HTTP 503")
            tid = (snap["portal_id"], snap["unit_id"], snap["target"])
            # evolve: which columns publish (dates move with the day), which stopped, which got fixed
            if tid in evolve["fixed_on"] and k >= evolve["fixed_on"][tid] and snap["newest"] is not None:
                shift = (base["day0"] + timedelta(days=k) - snap["newest"]).days - 1  # fixed: fresh again
            elif tid in evolve["stopped_on"]:
                shift = min(k, evolve["stopped_on"][tid])  # stopped publishing that day
            else:
                shift = k if tid in evolve["active"] else 0
            if row["newest"] is not None:
                row["newest"] = row["newest"] + timedelta(days=shift)
            new = Snapshot(**row)
            s.add(new)
            s.flush()
            for e in base["entries"].get(snap["id"], []):
                entries.append(
                    {
                        **{c: v for c, v in e.items() if c != "id"},
                        "snapshot_id": new.id,
                        "date": e["date"] + timedelta(days=shift) if e["date"] else None,
                    }
                )
            for a in base["articles"].get(snap["id"], []):
                articles.append({**{c: v for c, v in a.items() if c != "id"}, "snapshot_id": new.id})
        if entries:
            s.execute(insert(Entry), entries)
        if articles:
            s.execute(insert(Article), articles)
        return run.id


def build_history(
    store: Store, catalog, days: int, as_of: date, tiny: bool, tmp: Path, seed: int = 7
) -> None:
    day0 = as_of - timedelta(days=days - 1)
    t0 = time.perf_counter()
    crawl_id = _tiny_first_day(store, day0, catalog) if tiny else _real_first_day(store, day0, catalog, tmp)
    print(
        f"day 1 ({day0}): {'synthetic' if tiny else 'real'} crawl + check in {time.perf_counter() - t0:.1f} s"
    )
    rng = random.Random(seed)
    with store.session() as s:
        snaps = _rows(s, Snapshot.__table__, Snapshot.run_id == crawl_id)
        ids = [x["id"] for x in snaps]
        entries: dict[int, list[dict]] = {}
        for e in _rows(s, Entry.__table__, Entry.snapshot_id.in_(ids)):
            entries.setdefault(e["snapshot_id"], []).append(e)
        articles: dict[int, list[dict]] = {}
        for a in _rows(s, Article.__table__, Article.snapshot_id.in_(ids)):
            articles.setdefault(a["snapshot_id"], []).append(a)
    base = {
        "snaps": snaps,
        "entries": entries,
        "articles": articles,
        "day0": day0,
        "units": sorted({(x["portal_id"], x["unit_id"]) for x in snaps}),
    }
    columns = [
        (x["portal_id"], x["unit_id"], x["target"]) for x in snaps if x["target"].startswith("column:")
    ]
    fresh = {
        (x["portal_id"], x["unit_id"], x["target"])
        for x in snaps
        if x["target"].startswith("column:") and x["newest"] and (day0 - x["newest"]).days <= 10
    }
    stale = [c for c in columns if c not in fresh]
    evolve = {
        "active": fresh,
        "fixed_on": {c: rng.randint(3, max(4, days - 1)) for c in stale if rng.random() < 0.4},
        "stopped_on": {c: rng.randint(1, max(2, days - 1)) for c in fresh if rng.random() < 0.15},
    }
    t1 = time.perf_counter()
    for k in range(1, days):
        day = day0 + timedelta(days=k)
        _clone_day(store, base, day, k, rng, evolve)
        stages.check(store, day, catalog)
    print(f"days 2–{days}: simulated crawls + real checks in {time.perf_counter() - t1:.1f} s")


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--days", type=int, default=60)
    ap.add_argument("--as-of", default=AS_OF.isoformat())
    ap.add_argument(
        "--tiny", action="store_true", help="a small synthetic portal instead of the demo network"
    )
    ap.add_argument("--keep", help="write the database and reports here (default: a temporary folder)")
    args = ap.parse_args(argv)
    as_of = date.fromisoformat(args.as_of)
    catalog = load_catalog()
    with tempfile.TemporaryDirectory(prefix="zwgk-bench-") as t:
        tmp = Path(args.keep) if args.keep else Path(t)
        tmp.mkdir(parents=True, exist_ok=True)
        db = tmp / "bench.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        store = Store(f"sqlite:///{db}")
        build_history(store, catalog, args.days, as_of, args.tiny, tmp)
        out = tmp / "reports"
        t0 = time.perf_counter()
        paths = render_all(store, as_of, out, catalog)
        cold = time.perf_counter() - t0
        t0 = time.perf_counter()
        render_all(store, as_of, out, catalog)
        warm = time.perf_counter() - t0
        from sqlalchemy import func

        from zwgk.store.schema import Finding, FindingEvent

        with store.session() as s:
            counts = {
                name: s.scalar(select(func.count()).select_from(table))
                for name, table in (
                    ("runs", Run),
                    ("snapshots", Snapshot),
                    ("entries", Entry),
                    ("findings", Finding),
                    ("events", FindingEvent),
                )
            }
        store.dispose()
        units = len(list((out / "units").glob("*.html")))
        print(f"history: {args.days} days, {counts}")
        print(
            f"render all reports for {as_of} ({units} unit pages): cold {cold:.2f} s, warm {warm:.2f} s "
            f"(target < 10 s)  [{datetime.now(UTC):%Y-%m-%d %H:%M} UTC]"
        )
        return {
            "cold": cold,
            "warm": warm,
            "paths": {k: str(v) for k, v in paths.items()},
            "counts": counts,
            "units": units,
        }


if __name__ == "__main__":
    main()
