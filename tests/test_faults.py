"""The crawl survives a portal that misbehaves in every known way (tests/faultnet.py, 127.0.0.1 only).

One crawl over the fault portal with DOWNLOAD_TIMEOUT lowered to 3 s (production: 15 s, the
国办 rule's limit) so that the hanging and dripping handlers cost seconds, not minutes. Each
fault must end as a typed crawl problem (a snapshot status with its error) or a finding, in
bounded time, with nothing crashing; every fault is accounted for in the run record. Run with
`-s` to see the table of faults survived.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from tests.faultnet import AS_OF, FAULTS, HUGE, FaultNet, unit_of
from tests.loopback import few_columns_catalog
from zwgk.config.catalog import load_catalog
from zwgk.config.registry import load_registry
from zwgk.cycle import stages
from zwgk.store.db import Store
from zwgk.store.schema import Finding, Run, Snapshot

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]
CATALOG = load_catalog()
TIMEOUT_S = 3  # production: 15 (zwgk/crawler/settings.py DOWNLOAD_TIMEOUT); the message names it
MAX_PAGES = 10  # ZWGK_MAX_LIST_PAGES

# fault -> (snapshot target, status, words of the error, rule of the finding or None)
EXPECTED: dict[str, tuple[str, str, str | None, str | None]] = {
    "timeout": ("entry", "unreachable", f"超时无响应（{TIMEOUT_S}秒）", "site.unreachable"),
    "drip": ("entry", "unreachable", f"超时无响应（{TIMEOUT_S}秒）", "site.unreachable"),
    "reset": ("entry", "unreachable", "连接被重置或中断", "site.unreachable"),
    "truncated": ("entry", "unreachable", "响应不完整", "site.unreachable"),
    "http500": ("entry", "unreachable", "HTTP 500", "site.unreachable"),
    "http502": ("entry", "unreachable", "HTTP 502", "site.unreachable"),
    "http503": ("entry", "unreachable", "HTTP 503", "site.unreachable"),
    "redirect-loop": ("entry", "unreachable", "重定向循环", "site.unreachable"),
    "challenge412": ("entry", "antibot", "反爬虫验证", None),
    "refused": ("entry", "unreachable", "连接被拒绝", "site.unreachable"),
    "moved": ("entry", "ok", None, None),
    "huge": ("column:gzdt", "error", "超过下载大小上限", None),
    "huge-declared": ("column:gzdt", "error", "超过下载大小上限", None),
    "pagination-trap": ("column:gzdt", "truncated", f"仅抓取前 {MAX_PAGES} 页", None),
    "calendar-trap": ("column:gzdt", "ok", None, None),
    "malformed": ("column:gzdt", "ok", None, None),
    "wrong-charset": ("column:gzdt", "ok", None, None),
}


# A damaged or hostile column page is a crawl problem (or nothing), never evidence about the column:
# no blank/stale/undated finding may come of it.
COLUMN_CONTENT_RULES = ("column.blank", "column.stale", "column.undated")


def test_every_fault_has_an_expectation():
    """A fault added to tests/faultnet.py without an expected outcome here would go unchecked."""
    assert set(EXPECTED) == set(FAULTS), (
        sorted(set(FAULTS) - set(EXPECTED)),
        sorted(set(EXPECTED) - set(FAULTS)),
    )
    for fault, (target, *_rest) in EXPECTED.items():
        assert FAULTS[fault][1] == target.split(":")[0], (fault, target, FAULTS[fault])


@pytest.fixture(scope="module")
def night(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("faults")
    store = Store(f"sqlite:///{tmp}/faults.db")
    with FaultNet() as net:
        sites = net.write_registry(tmp / "sites.yml")
        registry = load_registry(sites, set(CATALOG.profiles), CATALOG.column_ids())
        started = time.monotonic()
        crawl_id = stages.crawl(
            store, sites, registry, AS_OF, few_columns_catalog(tmp), settings={"DOWNLOAD_TIMEOUT": TIMEOUT_S}
        )
        elapsed = time.monotonic() - started
        check_id = stages.check(store, AS_OF, CATALOG)
        requests = list(net.requests)
        huge_sent = dict(net.server.huge_sent)
    yield {
        "store": store,
        "crawl": crawl_id,
        "check": check_id,
        "elapsed": elapsed,
        "requests": requests,
        "huge_sent": huge_sent,
    }
    store.dispose()


def _snapshots(store, run_id) -> dict[tuple[str, str], Snapshot]:
    with store.session() as s:
        snaps = s.execute(select(Snapshot).where(Snapshot.run_id == run_id)).scalars().all()
        for snap in snaps:
            _ = [e.title for e in snap.entries]  # load while the session is open
        return {(snap.unit_id, snap.target): snap for snap in snaps}


def test_every_fault_is_survived_typed_and_accounted_for(night):
    store = night["store"]
    snaps = _snapshots(store, night["crawl"])
    with store.session() as s:
        crawl = s.get(Run, night["crawl"])
        findings = s.execute(select(Finding).where(Finding.portal_id == "faultnet")).scalars().all()
        counts, status = dict(crawl.counts), crawl.status
    rules_by_unit: dict[str, set[str]] = {}
    for f in findings:
        rules_by_unit.setdefault(f.unit_id, set()).add(f.rule)

    rows = []
    for fault, (target, want_status, words, rule) in EXPECTED.items():
        unit = unit_of(fault)
        snap = snaps.get((unit, target))
        got = "(no snapshot)" if snap is None else snap.status
        rules = sorted(rules_by_unit.get(unit, set()) - {"column.missing"})
        error = (snap.error or "") if snap is not None else ""
        outcome = (
            f"{target} {got}" + (f" — {error}" if error else "") + (f" → {', '.join(rules)}" if rules else "")
        )
        rows.append((fault, FAULTS[fault][1], outcome))
        assert snap is not None, f"{fault}: no {target} snapshot"
        assert snap.status == want_status, (
            f"{fault}: {target} is {snap.status} ({snap.error}), not {want_status}"
        )
        if words:
            assert words in (snap.error or "") + " ".join((snap.details or {}).get("notes") or []), (
                fault,
                snap.error,
            )
        if rule:
            assert rule in rules, f"{fault}: no {rule} finding (has {rules})"
        if target.startswith("column:") and rule is None:
            column = target.split(":", 1)[1]
            wrong = sorted(
                f"{f.rule} ({f.column_id})"
                for f in findings
                if f.unit_id == unit and f.rule in COLUMN_CONTENT_RULES
            )
            assert not wrong, f"{fault}: the faulted column {column} drew {wrong}"
        if want_status != "ok" and target == "entry":
            # the columns behind an unreachable or challenged entry are unknown, never missing or blank
            assert not any(r.startswith("column.") for r in rules_by_unit.get(unit, set())), (fault, rules)
    width = max(len(f) for f, _, _ in rows)
    table = "\n".join(f"| {f:<{width}} | {w:<6} | {o} |" for f, w, o in rows)
    print(
        f"\nfaults survived (crawl #{night['crawl']}: {status}, {night['elapsed']:.1f} s, "
        f"{len(night['requests'])} requests, DOWNLOAD_TIMEOUT {TIMEOUT_S} s)\n"
        f"| {'fault':<{width}} | where  | outcome (snapshot status — error → findings) |\n{table}"
    )

    # the run record accounts for every unit and shows no crash
    assert status == "ok"
    units = 1 + len(FAULTS)
    assert sum(v for k, v in counts.items() if k.startswith("entry_")) == units, counts
    assert counts["home_ok"] == 1
    assert counts["spider_exceptions"] == 0, counts
    assert counts["column_error"] == 2 and counts["column_truncated"] == 1, counts


def test_bounded_in_time_requests_and_bytes(night):
    # two attempts (RETRY_TIMES 1) of the hanging and dripping entries cost about 2 × timeout each, in parallel
    assert night["elapsed"] < 60, night["elapsed"]
    assert len(night["requests"]) < 1500, len(night["requests"])
    # the pagination trap was cut at the page limit; the calendar trap was never followed as a list
    snaps = _snapshots(night["store"], night["crawl"])
    assert snaps[("paginationtrap", "column:gzdt")].pages_crawled == MAX_PAGES
    pages = {p for m, p in night["requests"] if m == "GET" and p.startswith("/pagination-trap/gzdt/?page=")}
    assert len(pages) <= MAX_PAGES + 1, sorted(pages)
    assert snaps[("calendartrap", "column:gzdt")].pages_crawled == 1
    # the 50 MB page: the crawler hung up near DOWNLOAD_MAXSIZE (16 MB) and never read the rest
    assert night["huge_sent"].get("huge", 0) < HUGE
    assert night["huge_sent"].get("huge-declared", 0) < HUGE // 2


def test_damaged_pages_still_yield_their_entries(night):
    snaps = _snapshots(night["store"], night["crawl"])
    malformed = snaps[("malformed", "column:gzdt")]
    assert malformed.entries_count == 5 and malformed.dated_count == 5
    wrong = snaps[("wrongcharset", "column:gzdt")]
    assert [e.title for e in wrong.entries][:2] == [
        "编码错标局关于第1项工作的通知",
        "编码错标局关于第2项工作的通知",
    ]
    assert snaps[("wrongcharset", "entry")].status == "ok"
    # the moved entry page was followed to its new address
    moved = snaps[("moved", "entry")]
    assert moved.final_url.endswith("/moved-here/") and snaps[("moved", "column:gzdt")].entries_count == 6


def test_timeout_message_names_the_configured_timeout():
    """No hard-coded 15 s: the message states the DOWNLOAD_TIMEOUT in force (Scrapy's error names it)."""
    from zwgk.crawler.fetch_outcome import from_failure, timeout_message

    class DownloadTimeoutError(Exception):  # Scrapy's class is matched by name
        pass

    scrapy_text = "Getting http://127.0.0.1/x/ took longer than 15.0 seconds."
    assert from_failure(DownloadTimeoutError(scrapy_text)).error == "超时无响应（15秒）"
    assert (
        from_failure(DownloadTimeoutError("Getting … took longer than 2.5 seconds.")).error
        == "超时无响应（2.5秒）"
    )
    assert from_failure(DownloadTimeoutError(scrapy_text), timeout=7).error == "超时无响应（7秒）"
    assert from_failure(TimeoutError("timed out")).error == "超时无响应"
    assert timeout_message() == "超时无响应"
