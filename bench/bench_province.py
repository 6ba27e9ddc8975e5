"""Benchmark: what a night costs on a synthetic province, against a bare Scrapy spider and LinkChecker.

    .venv/bin/python bench/bench_province.py [--portals 30] [--units 6] [--mean 12] [--json out.json]

One run prints, for the province of bench/province.py (each portal on its own loopback host, half
of them without validators):
- first night: zwgk's crawl stage (requests, requests/s, CPU ms per request, peak RSS) and the
  bare Scrapy spider (bench/bare_spider.py) on the same network: the speed ratio;
- the unchanged second night: its requests as a share of the first night's, split by portals with
  and without validators, and the database growth per night;
- one portal: a whole `zwgk run` (crawl, check, every report) against LinkChecker with its
  politeness wait lifted (the server sends the header it asks for), on the same portal.

Figures are printed, not asserted (docs/performance.md records them). Every request goes to
127.0.0.0/8. LinkChecker is installed on first use into bench/.venv-linkchecker (PyPI);
`--no-linkchecker` skips it, `--no-bare` skips the bare spider.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
for p in (REPO, BENCH):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

import yaml  # noqa: E402
from province import AS_OF, Province, run_server  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from zwgk.config.catalog import load_catalog  # noqa: E402
from zwgk.config.registry import load_registry  # noqa: E402
from zwgk.cycle import stages  # noqa: E402
from zwgk.store.db import Store  # noqa: E402
from zwgk.store.schema import Run  # noqa: E402

LINKCHECKER_VENV = BENCH / ".venv-linkchecker"


class Children:
    """CPU seconds and peak RSS of the child processes waited for inside the block."""

    def __enter__(self):
        self.t0 = time.perf_counter()
        self.r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        return self

    def __exit__(self, *exc):
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.wall = time.perf_counter() - self.t0
        self.cpu = (r1.ru_utime - self.r0.ru_utime) + (r1.ru_stime - self.r0.ru_stime)
        self.maxrss_mb = r1.ru_maxrss / 1024  # the largest child so far (Linux: KiB)


def start_server(province: Province, port: int) -> multiprocessing.Process:
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Event()
    proc = ctx.Process(
        target=run_server, args=(province.portals, province.units, province.mean, port, ready), daemon=True
    )
    proc.start()
    if not ready.wait(60):
        proc.kill()
        raise SystemExit("the province server did not start")
    return proc


def profiled(path: Path):
    """A crawl launcher running the crawl process under cProfile (its stats written to `path`)."""

    def launch(*args, **kwargs):
        real = subprocess.Popen

        def popen(cmd, *a, **kw):
            at = cmd.index("-m")
            return real([*cmd[:at], "-m", "cProfile", "-o", str(path), *cmd[at:]], *a, **kw)

        subprocess.Popen = popen  # type: ignore[assignment,misc]
        try:
            return stages.start_crawl_process(*args, **kwargs)
        finally:
            subprocess.Popen = real  # type: ignore[misc]

    return launch


def crawl_night(
    store: Store,
    sites: Path,
    night: int,
    settings: dict | None = None,
    profile: Path | None = None,
    processes: int | None = None,
) -> dict:
    catalog = load_catalog()
    registry = load_registry(sites, set(catalog.profiles), catalog.column_ids())
    as_of = AS_OF + timedelta(days=night)
    launch = profiled(profile) if profile else stages.start_crawl_process
    with Children() as used:
        run_id = stages.crawl(
            store, sites, registry, as_of, settings=settings, launch=launch, processes=processes
        )
    t0 = time.perf_counter()
    stages.check(store, as_of, catalog)
    check_s = time.perf_counter() - t0
    with store.session() as session:
        counts = session.get(Run, run_id).counts
    requests = counts.get("requests", 0)
    return {
        "requests": requests,
        "by_portal": counts.get("requests_by_portal") or {},
        "crawl_s": round(used.wall, 2),
        "req_per_s": round(requests / used.wall, 1) if used.wall else 0,
        "cpu_ms_per_req": round(1000 * used.cpu / requests, 2) if requests else 0,
        "cpu_s": round(used.cpu, 2),
        "peak_rss_mb": round(used.maxrss_mb),
        "check_s": round(check_s, 2),
        "links_cut": counts.get("links_cut", 0),
        "processes": counts.get("processes", 1),
    }


def bare_night(sites: Path, tmp: Path) -> dict:
    stats_path = tmp / "bare-stats.json"
    cmd = [sys.executable, "-m", "scrapy", "runspider", "-L", "WARNING", str(BENCH / "bare_spider.py")]
    cmd += ["-a", f"registry={sites}", "-a", f"stats={stats_path}"]
    with Children() as used:
        subprocess.run(cmd, check=True, cwd=tmp, env={**os.environ, "PYTHONPATH": str(REPO)})
    stats = json.loads(stats_path.read_text())
    requests = stats.get("downloader/request_count", 0)
    return {
        "requests": requests,
        "crawl_s": round(used.wall, 2),
        "req_per_s": round(requests / used.wall, 1),
        "cpu_ms_per_req": round(1000 * used.cpu / requests, 2),
    }


def linkchecker() -> Path | None:
    exe = LINKCHECKER_VENV / "bin" / "linkchecker"
    if not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", str(LINKCHECKER_VENV)], check=True)
        pip = [str(LINKCHECKER_VENV / "bin" / "python"), "-m", "pip", "install", "-q", "linkchecker==10.6.0"]
        if subprocess.run(pip).returncode != 0:
            return None
    return exe


def one_portal(province: Province, port: int, tmp: Path, with_linkchecker: bool) -> dict:
    """A whole `zwgk run` on one portal (a registry of that portal alone) against LinkChecker."""
    out: dict = {}
    one = tmp / "one.yml"
    data = province.registry(port)
    data["portals"] = data["portals"][1:2]  # a portal without validators: the harder case
    one.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    cmd = [sys.executable, "-m", "zwgk.cli", "run", "--sites", str(one), "--db", f"sqlite:///{tmp}/one.db"]
    cmd += ["--as-of", AS_OF.isoformat(), "--out", str(tmp / "one-reports")]
    with Children() as used:
        subprocess.run(cmd, check=True, cwd=tmp, stdout=subprocess.DEVNULL)
    out["zwgk_run_s"] = round(used.wall, 2)
    exe = linkchecker() if with_linkchecker else None
    if exe is not None:
        rc = tmp / "linkcheckerrc"
        rc.write_text(
            "[checking]\nthreads=16\nmaxrequestspersecond=1000\nrecursionlevel=-1\n"
            "[filtering]\ncheckextern=0\n[output]\nlog=none\n",
            encoding="utf-8",
        )
        start = data["portals"][0]["home"]
        with Children() as used:
            subprocess.run(
                [str(exe), "-f", str(rc), "--no-status", "-o", "none", start],
                cwd=tmp,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        out["linkchecker_s"] = round(used.wall, 2)
        out["zwgk_vs_linkchecker"] = round(out["linkchecker_s"] / out["zwgk_run_s"], 2)
    return out


def scaleout(sites: Path, redis_url: str, pg_admin: str, counts: tuple[int, ...] = (1, 2)) -> dict:
    """The first night in the distributed mode (scrapy-redis queue, PostgreSQL store) with 1 and 2
    worker processes on this machine, each on a fresh database."""
    import uuid

    from sqlalchemy import create_engine, text

    out = {}
    admin = create_engine(pg_admin, isolation_level="AUTOCOMMIT")
    for workers in counts:
        name = f"zwgk_bench_{uuid.uuid4().hex[:10]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        store = Store(pg_admin.rsplit("/", 1)[0] + f"/{name}")
        try:
            catalog = load_catalog()
            registry = load_registry(sites, set(catalog.profiles), catalog.column_ids())
            with Children() as used:
                run_id = stages.crawl(store, sites, registry, AS_OF, redis_url=redis_url, workers=workers)
            with store.session() as session:
                counts_ = session.get(Run, run_id).counts
            requests = counts_.get("requests", 0)
            out[f"{workers}_workers"] = {
                "requests": requests,
                "crawl_s": round(used.wall, 2),
                "req_per_s": round(requests / used.wall, 1),
                "cpu_ms_per_req": round(1000 * used.cpu / requests, 2) if requests else 0,
            }
        finally:
            store.dispose()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
    first, last = out[f"{counts[0]}_workers"], out[f"{counts[-1]}_workers"]
    out["speedup"] = round(last["req_per_s"] / first["req_per_s"], 2)
    return out


def db_bytes(store: Store, path: Path) -> int:
    with store.session() as session:
        session.execute(select(func.count()).select_from(Run))
    return path.stat().st_size if path.exists() else 0


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--portals", type=int, default=30)
    ap.add_argument("--units", type=int, default=6)
    ap.add_argument("--mean", type=int, default=12, help="mean entries of a list column")
    ap.add_argument("--port", type=int, default=18080)
    ap.add_argument("--no-bare", action="store_true")
    ap.add_argument("--no-linkchecker", action="store_true")
    ap.add_argument("--json", type=Path, help="write the figures here too")
    ap.add_argument("--profile", type=Path, help="cProfile the first night's crawl process into this file")
    ap.add_argument("--profile-second", type=Path, help="cProfile the second night's crawl process")
    ap.add_argument("--processes", type=int, default=0, help="crawl processes (0: one per core, as zwgk run)")
    ap.add_argument("--no-single", action="store_true", help="skip the single-process first night")
    ap.add_argument("--redis", help="also measure the distributed mode with 1 and 2 workers (a Redis URL)")
    ap.add_argument(
        "--pg", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres", help="PostgreSQL admin URL"
    )
    ap.add_argument("-s", "--set", action="append", default=[], help="a crawl setting NAME=VALUE")
    args = ap.parse_args(argv)
    province = Province(args.portals, args.units, args.mean)
    size = province.size()
    settings = dict(s.split("=", 1) for s in args.set)
    print(f"province: {size}")
    server = start_server(province, args.port)
    result: dict = {"province": size, "settings": settings}
    try:
        with tempfile.TemporaryDirectory(prefix="zwgk-bench-") as tmpdir:
            tmp = Path(tmpdir)
            sites = tmp / "sites.yml"
            sites.write_text(
                yaml.safe_dump(province.registry(args.port), allow_unicode=True), encoding="utf-8"
            )
            db = tmp / "province.db"
            store = Store(f"sqlite:///{db}")
            before = db_bytes(store, db)
            procs = args.processes or None
            first = crawl_night(store, sites, 0, settings, args.profile, procs)
            after_first = db_bytes(store, db)
            second = crawl_night(store, sites, 1, settings, args.profile_second, procs)
            after_second = db_bytes(store, db)
            result["first"], result["second"] = first, second
            result["second_ratio"] = round(second["requests"] / first["requests"], 3)
            split = {}
            for label, want in (("with validators", True), ("without validators", False)):
                ids = [f"p{i:03d}" for i in range(province.portals) if province.validators(i) == want]
                a = sum(first["by_portal"].get(i, 0) for i in ids)
                b = sum(second["by_portal"].get(i, 0) for i in ids)
                split[label] = round(b / a, 3) if a else None
            result["second_ratio_split"] = split
            result["db_mb"] = {
                "first_night": round((after_first - before) / 1048576, 1),
                "second_night": round((after_second - after_first) / 1048576, 1),
            }
            if not args.no_single:
                single = Store(f"sqlite:///{tmp}/single.db")
                result["first_single_process"] = crawl_night(single, sites, 0, settings, processes=1)
                single.dispose()
            if not args.no_bare:
                bare = bare_night(sites, tmp)
                result["bare"] = bare
                result["vs_bare"] = round(first["req_per_s"] / bare["req_per_s"], 2)
                if "first_single_process" in result:
                    one = result["first_single_process"]["req_per_s"]
                    result["single_process_vs_bare"] = round(one / bare["req_per_s"], 2)
            result["one_portal"] = one_portal(province, args.port, tmp, not args.no_linkchecker)
            if args.redis:
                result["scaleout"] = scaleout(sites, args.redis, args.pg)
            store.dispose()
    finally:
        server.kill()
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return result


if __name__ == "__main__":
    main()
