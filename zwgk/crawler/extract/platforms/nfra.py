"""NFRA (国家金融监督管理总局) DocInfo lists (docs/portal-patterns.md §4).

Its static JSON records carry ids only (`docId`, `itemId`, `generaltype`); the detail page is
`/cn/view/pages/ItemDetail.html?docId=…&itemId=…` (the page's own QR-code link says so).
"""

from __future__ import annotations

from .model import Platform


def record_url(record: dict[str, object]) -> str | None:
    if record.get("docid") is None or record.get("itemid") is None:
        return None
    url = f"/cn/view/pages/ItemDetail.html?docId={record['docid']}&itemId={record['itemid']}"
    if record.get("generaltype") is not None:
        url += f"&generaltype={record['generaltype']}"
    return url


PLATFORM = Platform(name="NFRA", record_url=record_url)
