"""Benchmark: how much the database grows per night when nothing changed, and what retention frees.

    .venv/bin/python bench/bench_storage.py [--nights 5] [--keep 2] [--full]

The demo portal network (zwgk_demonet, on 127.0.0.1) is served unchanged for N nights; each night
is a real crawl and check into one SQLite file (incremental, as the scheduler runs it; `--full`
re-reads everything, as on the weekly full night). After each night the file size, the stored
page archives and the rows added are printed; at the end `prune_pages` (zwgk db prune) keeps the
last `--keep` nights and the open findings' evidence, and the sizes are printed again (after
VACUUM, which is what returns the space to the file system).

Figures are printed, not asserted: the point is a number a province can plan disk on.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from sqlalchemy import func, select, text  # noqa: E402

from zwgk.config.catalog import load_catalog  # noqa: E402
from zwgk.config.registry import load_registry  # noqa: E402
from zwgk.cycle import stages  # noqa: E402
from zwgk.store.db import Store  # noqa: E402
from zwgk.store.retention import prune_pages  # noqa: E402
from zwgk.store.schema import Article, Entry, Finding, Page, Snapshot  # noqa: E402

AS_OF = date(2026, 11, 23)
TABLES = {"pages": Page, "snapshots": Snapshot, "entries": Entry, "articles": Article, "findings": Finding}


def _counts(store: Store) -> dict[str, int]:
    with store.session() as s:
        out = {
            name: s.execute(select(func.count()).select_from(t)).scalar_one() for name, t in TABLES.items()
        }
        out["page_bytes"] = s.execute(select(func.coalesce(func.sum(func.length(Page.body)), 0))).scalar_one()
    return out


def _mib(size: float) -> str:
    return f"{size / 1048576:7.2f} MiB"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--nights", type=int, default=5)
    ap.add_argument("--keep", type=int, default=2)
    ap.add_argument("--full", action="store_true", help="every night a full re-crawl")
    args = ap.parse_args(argv)

    from zwgk_demonet import build_network

    catalog = load_catalog()
    with tempfile.TemporaryDirectory(prefix="zwgk-bench-storage-") as tmp:
        path = Path(tmp) / "zwgk.db"
        store = Store(f"sqlite:///{path}", mode="create")
        network = build_network(AS_OF)
        rows = []
        with network.serve() as running:
            sites = running.write_registry(Path(tmp) / "sites.yml")
            registry = load_registry(sites, set(catalog.profiles), catalog.column_ids())
            before = _counts(store)
            size_before = path.stat().st_size
            for night in range(args.nights):
                day = AS_OF + timedelta(days=night)
                started = time.monotonic()
                settings = {"ZWGK_FULL": True} if args.full else None
                stages.crawl(store, sites, registry, day, settings=settings)
                stages.check(store, day, catalog)
                with store.session() as s:
                    s.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
                now, size = _counts(store), path.stat().st_size
                rows.append((night + 1, time.monotonic() - started, size - size_before, now, before))
                print(
                    f"night {night + 1}: {time.monotonic() - started:5.1f} s  file +{_mib(size - size_before)}"
                    f"  page archives +{now['pages'] - before['pages']:5d} (+{_mib(now['page_bytes'] - before['page_bytes'])})"
                    "  rows +"
                    + ", ".join(f"{k} {now[k] - before[k]}" for k in ("snapshots", "entries", "articles")),
                    flush=True,
                )
                before, size_before = now, size
        print(f"after {args.nights} nights: file {_mib(path.stat().st_size)}")
        result = prune_pages(store, args.keep)
        with store.session() as s:
            s.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        store.dispose()
        import sqlite3

        with sqlite3.connect(path) as conn:
            conn.execute("VACUUM")
        print(
            f"prune (keep {args.keep} nights): {result.pages_deleted} page archives cleared ({_mib(result.bytes_deleted)}),"
            f" {result.pages_left} kept ({_mib(result.bytes_left)}), {result.links_dropped} link results"
            f" dropped from {result.thinned_rows} pages; file after VACUUM {_mib(path.stat().st_size)}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
