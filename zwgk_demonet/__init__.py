"""The demo portal network: simulated government portals with seeded, known defects.

    net = build_network(date(2026, 11, 23))
    with net.serve() as running:
        running.write_registry(tmp / "sites.yml")
        ...  # crawl + check
    print(format_table(evaluate(findings, net.ground_truth(), RULES)))

See README.md in this folder for the portals, the seeded defects and the controls.
"""

from __future__ import annotations

from .evaluate import RULE_TITLES, evaluate, format_table
from .network import Network, RunningNetwork, build_network
from .spec import Variant

SEEDED_RULES = [
    "site.unreachable",
    "column.missing",
    "column.blank",
    "column.placeholder",
    "column.undated",
    "column.stale",
    "link.broken",
    "meta.incomplete",
    "text.typo",
]

__all__ = [
    "RULE_TITLES",
    "SEEDED_RULES",
    "Network",
    "RunningNetwork",
    "Variant",
    "build_network",
    "evaluate",
    "format_table",
]
