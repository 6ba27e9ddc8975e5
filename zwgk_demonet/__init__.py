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
from .story import night_dates, variants

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

# Rules the network cannot seed, and why (the demo still runs them; it does not score them).
NOT_SEEDED = {
    "site.tls": "演示网站均为 http；证书问题在 tests/test_site_tls.py 中以本机 HTTPS 服务检验",
}

__all__ = [
    "NOT_SEEDED",
    "RULE_TITLES",
    "SEEDED_RULES",
    "Network",
    "RunningNetwork",
    "Variant",
    "build_network",
    "evaluate",
    "format_table",
    "night_dates",
    "variants",
]
