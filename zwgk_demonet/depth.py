"""Crawler-depth defects and controls: dead links, incomplete metadata, serious typos, data-rendered
lists and an anti-bot (瑞数 412) portal.

Applied to a portal after its columns are filled (spec.build_spec), before layout; the ground
truth rows come from the same attributes (`truth_rows`). Per reachable, non-challenge portal:

- link.broken: two units get a dead link on page 1 of one column list (404 / 410 / 500, one an
  attachment); one unit's newest 政策文件 article carries a dead attachment (404 or 410). The home
  page links to failing unit entries (503/500) too: those are site.unreachable, not link.broken;
- meta.incomplete: three units' newest 政策文件 article lacks 索引号 / 发布机构 (and any 来源);
- text.typo: three units' newest 政策文件 article contains a serious misspelling (中华人民共合国 …);
- controls: correct forms (中华人民共和国, 领导小组, 人民政府) in other articles; 无 as a 文号 value;
- data-rendered lists: baishi zjj/lijia (Hanweb dataproxy.jsp XML by POST), yunze wlj/taoyuan
  (Hubei-style `column.json`); the list page is a script shell.
The challenge portal (fengshan) answers every page with a 瑞数-like 412 except one department's
entry page (so that unit's column pages are the challenged ones): no findings, columns `antibot`.
"""

from __future__ import annotations

import random

# (portal, unit) -> how its column lists are rendered
DATA_UNITS = {
    ("baishi", "zjj"): "dataproxy",
    ("baishi", "lijia"): "dataproxy",
    ("yunze", "wlj"): "json",
    ("yunze", "taoyuan"): "json",
}
LIST_PREFERENCE = ["ghjh", "czyjs", "jgzn", "rsxx", "gzdt", "tzgg", "zcjd", "xxgkzn"]
DEAD_PREFIX = {404: "/dead/", 410: "/gone/", 500: "/broken/"}
TYPOS = [
    "根据《中华人民共合国政府信息公开条例》规定，现将有关事项公开如下。",
    "{short}人民攻府办公室负责本文件的解释工作。",
    "成立由分管负责同志任组长的工作领导小姐，统筹推进相关工作。",
    "依据《中共人民共和国预算法》，做好预算公开工作。",
]
CONTROLS = [
    "根据《中华人民共和国政府信息公开条例》规定，现予公开。",
    "{short}成立工作领导小组，区人民政府办公室负责协调。",
]

CHALLENGE_PORTAL = {
    "id": "fengshan",
    "name": "丰山县人民政府",
    "place": "丰山县",
    "style": "trs",
    "encoding": "utf-8",
    "site_code": "5130250005",
    "org_code": "11513025MB0777",
    "reachable": True,
    "challenge": True,
    "units": [
        ("fsx", "丰山县人民政府", "县政府", "government"),
        ("sfj", "丰山县司法局", "县司法局", "department"),
        ("huayuan", "丰山县花园镇人民政府", "花园镇", "township"),
    ],
}
CHALLENGE_OPEN_ENTRY = "sfj"  # its entry page answers; its column pages are challenged


def _newest(col):
    entries = [e for e in col.entries if not e.pinned]
    return max(entries, key=lambda e: e.date) if entries else None


def apply(portal, k: int, seed: int) -> None:
    """Seed this portal's depth defects and controls (attributes read by styles.py and truth_rows)."""
    for u in portal.units:
        u.data_mode = DATA_UNITS.get((portal.id, u.id))
        for col in u.all_columns():
            col.dead_links = []
            for e in col.entries:
                e.dead_links, e.meta_missing, e.typo, e.control_text = [], None, None, None
    if getattr(portal, "challenge", False) or not portal.reachable:
        return
    rng = random.Random(f"{seed}|depth|{portal.id}")
    # Chosen among the units whose entry answers in the base network (not the variant's), and a
    # choice that does not fit (no 政策文件 entries) is skipped, not re-drawn: a Variant that fixes
    # or breaks one unit leaves every other unit's defects as they were.
    from .spec import PORTAL_DEFS

    base_status = {
        d[0]: (d[4] if len(d) > 4 else 200)
        for pdef in PORTAL_DEFS
        if pdef["id"] == portal.id
        for d in pdef["units"]
    }
    order = [u for u in portal.units if base_status.get(u.id) == 200]
    rng.shuffle(order)
    n = len(order)
    statuses = [404, 410, 500]
    # dead links on list pages (two units)
    for i, u in enumerate(order[:2]):
        col = next(
            (
                u.columns[c]
                for c in LIST_PREFERENCE
                if c in u.columns and u.columns[c].linked and u.columns[c].entries
            ),
            None,
        )
        if col is None:
            continue
        status = statuses[(k + i) % 3]
        attachment = i == 1
        name = f"P0{20200000 + k * 100 + i}.pdf" if attachment else f"t{k}{i}_old.html"
        text = "附件：年度工作计划.pdf" if attachment else "相关链接：原工作动态栏目"
        col.dead_links.append((f"{DEAD_PREFIX[status]}{u.id}/{name}", status, text))

    def newest_zcwj(u):
        col = u.columns.get("zcwj")
        return _newest(col) if col is not None and col.linked else None

    # incomplete metadata (three units) and typos (three units), on the newest 政策文件 article
    for i, u in enumerate(order[0:3]):
        if (e := newest_zcwj(u)) is not None:
            e.meta_missing = ["索引号", "发布机构"][(k + i) % 2]
    for i, u in enumerate(order[3:6]):
        if (e := newest_zcwj(u)) is not None:
            e.typo = TYPOS[(k * 2 + i) % len(TYPOS)].format(short=u.short)
    # a dead attachment in a 政策文件 article (one unit)
    if n and (e := newest_zcwj(order[6 % n])) is not None:
        u = order[6 % n]
        status = [404, 410][k % 2]
        e.dead_links.append((f"{DEAD_PREFIX[status]}{u.id}/W0{e.docid}.docx", status, "附件：政策原文.docx"))
    # controls: correct forms in other 政策文件 articles
    for u in order:
        col = u.columns.get("zcwj")
        for j, e in enumerate(col.entries[:6] if col is not None else []):
            if not e.typo and rng.random() < 0.3:
                e.control_text = CONTROLS[j % 2].format(short=u.short)


def _newest_has(col, attr: str):
    e = _newest(col) if col is not None and col.linked else None
    return getattr(e, attr, None) if e is not None else None


def truth_rows(portal) -> list[dict]:
    """link.broken, meta.incomplete, text.typo rows of one portal (none for challenge/unreachable ones)."""
    if getattr(portal, "challenge", False) or not portal.reachable:
        return []
    rows: list[dict] = []
    for u in portal.units:
        if u.entry_status >= 400:
            continue
        for cid, col in u.columns.items():
            dead = list(getattr(col, "dead_links", [])) if col.linked else []
            if cid == "zcwj":
                dead += _newest_has(col, "dead_links") or []
            if dead:
                rows.append(
                    {
                        "rule": "link.broken",
                        "portal": portal.id,
                        "unit": u.id,
                        "column": cid,
                        "url_path": dead[0][0],
                        "note": "；".join(f"{p}（HTTP {s}）" for p, s, _ in dead),
                    }
                )
        zcwj = u.columns.get("zcwj")
        missing = _newest_has(zcwj, "meta_missing")
        if missing:
            rows.append(
                {
                    "rule": "meta.incomplete",
                    "portal": portal.id,
                    "unit": u.id,
                    "column": "zcwj",
                    "url_path": None,
                    "note": f"最新政策文件缺少{missing}",
                }
            )
        typo = _newest_has(zcwj, "typo")
        if typo:
            rows.append(
                {
                    "rule": "text.typo",
                    "portal": portal.id,
                    "unit": u.id,
                    "column": "zcwj",
                    "url_path": None,
                    "note": f"正文含：{typo}",
                }
            )
    return rows


def challenge_page() -> bytes:
    """A 瑞数-like first response (written for the demo; no real page is copied)."""
    token = "".join(
        random.Random("ts").choice("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789") for _ in range(64)
    )
    return (
        f'<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
        f'<meta content="{token}" r="m"></head><body><script type="text/javascript" r="m">'
        f"$_ts=window['$_ts'];if(!$_ts)$_ts={{}};$_ts.nsd=23568;$_ts.cd=\"qEtcrrAlEa3lcGVq\";</script>"
        f'<script type="text/javascript" charset="utf-8" src="/Kd7cQ2yPzWx1/Ab3dE5fG7hJ9.294cc83.js" r="m"></script>'
        f"</body></html>"
    ).encode()
