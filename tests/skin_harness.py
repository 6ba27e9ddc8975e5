"""Run the whole cycle (crawl in a subprocess, check) on one skin of the demo network and score it.

Shared by tests/test_e2e_skins.py and `python -m tests.skin_harness 1 2 3` (a per-skin table with the
false positives and misses spelled out, for working on extraction).
"""

from __future__ import annotations

import sys
import tempfile
import threading
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from zwgk.cli.demo import EVALUATED_RULES as ALL_RULES
from zwgk.config.catalog import load_catalog
from zwgk.config.registry import load_registry
from zwgk.cycle import stages
from zwgk.reports.exports import columns_rows, findings_rows
from zwgk.store.db import Store
from zwgk_demonet import NOT_SEEDED, build_network, evaluate
from zwgk_demonet.evaluate import _key

EVALUATED_RULES = [r for r in ALL_RULES if r not in NOT_SEEDED]

AS_OF = date(2026, 11, 23)
_MIGRATE = threading.Lock()


@dataclass
class SkinResult:
    skin: int
    scores: dict
    findings: list[dict]
    truth: list[dict]
    columns: list[dict]
    describe: str

    def misses(self) -> list[tuple]:
        found = {_key(f) for f in self.findings}
        return sorted(_key(t) for t in self.truth if _key(t) not in found and t["rule"] in EVALUATED_RULES)

    def false_positives(self) -> list[tuple]:
        expected = {_key(t) for t in self.truth}
        return sorted(
            _key(f) for f in self.findings if _key(f) not in expected and f["rule"] in EVALUATED_RULES
        )


def run_skin(skin: int, tmp: Path, as_of: date = AS_OF, opaque: tuple[str, str] | None = None) -> SkinResult:
    """Crawl and check skin `skin` into a fresh SQLite store under `tmp`; score against the truth.

    `opaque` (portal, unit): that unit's column tree is drawn with image links only (skins.py); its
    column rows leave the truth, since a blind crawler must not judge them."""
    catalog = load_catalog()
    tmp.mkdir(parents=True, exist_ok=True)
    with _MIGRATE:  # Alembic's migration context is process-global: one new store at a time
        store = Store(f"sqlite:///{tmp}/skin{skin}.db")
    network = build_network(as_of, skin=skin)
    if opaque is not None:
        network.sites[opaque[0]].opaque_units.add(opaque[1])
    with network.serve() as running:
        sites = running.write_registry(tmp / f"skin{skin}.yml")
        registry = load_registry(sites, set(catalog.profiles), catalog.column_ids())
        stages.crawl(store, sites, registry, as_of)
        stages.check(store, as_of, catalog)
    with store.session() as session:
        findings = [f for f in findings_rows(session, as_of) if f["status"] in ("open", "overdue")]
        columns = columns_rows(session, as_of, catalog)
    store.dispose()
    describe = "; ".join(
        site.skin.describe().split(": ", 1)[1] for site in network.sites.values() if hasattr(site, "skin")
    )
    truth = network.ground_truth()
    if opaque is not None:
        truth = [t for t in truth if (t["portal"], t["unit"]) != opaque]
    return SkinResult(skin, evaluate(findings, truth, EVALUATED_RULES), findings, truth, columns, describe)


def main(argv: list[str]) -> None:
    for arg in argv:
        with tempfile.TemporaryDirectory() as tmp:
            res = run_skin(int(arg), Path(tmp))
        worst = min(min(s["precision"], s["recall"]) for k, s in res.scores.items() if k != "_all")
        print(
            f"== skin {res.skin}: worst {worst:.2f}  all P {res.scores['_all']['precision']:.2f} "
            f"R {res.scores['_all']['recall']:.2f}"
        )
        print("   ", res.describe)
        cols = {(c["portal"], c["unit"], c["column"]): c for c in res.columns}
        for k in res.false_positives():
            c = cols.get(k[1:4]) or {}
            print("   FP", k, c.get("status"), c.get("url"), c.get("entries"), c.get("newest"))
        for k in res.misses():
            print("   FN", k)
        sys.stdout.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
