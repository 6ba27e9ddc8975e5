"""The probe job: one round of availability visits, stored (zwgk/crawler/probe.py says what a visit is).

Run by the scheduler (job `probe`, e.g. every hour: ≥ 20 visits a day as the national check makes)
and by `zwgk probe`. It does not take the run lock: a visit is one light GET per page, and a probe
during the nightly crawl is exactly what a visitor would see.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from zwgk.config.registry import Registry
from zwgk.crawler.probe import TIMEOUT_S, ProbeResult, probe_round
from zwgk.cycle.records import utcnow
from zwgk.store.db import Store
from zwgk.store.schema import Probe


def run_probes(
    store: Store,
    registry: Registry,
    timeout: float = TIMEOUT_S,
    concurrency: int = 8,
    only: set[str] | None = None,
    clock: Callable[[], datetime] | None = None,
) -> list[ProbeResult]:
    """Visit every registered home and entry page once and store each visit (time: `clock`, naive
    UTC, or now)."""
    results = probe_round(registry, timeout=timeout, concurrency=concurrency, only=only)
    at = clock() if clock else utcnow()
    with store.session() as s:
        s.add_all(
            Probe(
                at=at,
                portal_id=r.portal,
                unit_id=r.unit,
                target=r.target,
                url=r.url,
                ok=r.ok,
                http_status=r.http_status,
                elapsed_ms=r.elapsed_ms,
                error=r.error,
            )
            for r in results
        )
    return results
