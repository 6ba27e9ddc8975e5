"""Identity marks at the foot of each portal (site.identity) and entries dated after the monitoring
date (date.future), with their controls.

Applied to a portal after its columns are filled and depth defects seeded (spec.build_spec), before
layout; the ground truth rows come from the same attributes (`truth_rows`).

- site.identity: each readable portal's foot shows its marks in one of three ways (`FEET`):
  `text` (网站标识码 and ICP备案号 in text, the 党政机关 badge as an image titled 党政机关), `alt`
  (control: the code only in an image's alt text), `bare` (defect: no 网站标识码 and no badge,
  only the ICP number). Unlisted portals use `text`.
- date.future: in two units per readable portal, one fresh dynamic/notice column gets an extra
  entry on top dated well after the monitoring date (40 days, or a year mistyped as 2099); in a
  third unit a column gets an entry dated the next day (control: within a day's tolerance).
"""

from __future__ import annotations

from datetime import date, timedelta

FEET = {"qinglan": "text", "baishi": "bare", "yunze": "alt"}
FUTURE_COLUMNS = ("gzdt", "tzgg")  # fresh columns only: the extra entry must not hide a defect
FUTURE_TITLES = ("关于做好年度重点工作的通知", "召开专题工作推进会")


def foot_marks(portal) -> str:
    """The marks line of the portal's foot (every page), as `portal.foot` says."""
    code = portal.site_code
    icp = f"ICP备案号：ICP备0{code[:6]}号-1"
    badge = '<img src="/images/dzjg.png" alt="党政机关" title="党政机关" width="55" height="66">'
    foot = getattr(portal, "foot", "text")
    if foot == "bare":
        return f"<p>{icp}</p>"
    if foot == "alt":
        return f'<p><img src="/images/bsm.png" alt="网站标识码：{code}"> {icp}</p><p>{badge}</p>'
    return f"<p>网站标识码：{code}　{icp}</p><p>{badge}</p>"


def _candidates(portal, fixes: set) -> list:
    """(unit, column) pairs that may carry an extra entry, chosen on the base network so that a
    Variant (a fixed column, a broken or repaired unit) leaves every other choice as it was: the
    unit's entry answers in the base network, the column was planned healthy (a fixed column was
    not) with no control, and no depth defect sits in it."""
    from .spec import PORTAL_DEFS

    base_status = {
        d[0]: (d[4] if len(d) > 4 else 200)
        for pdef in PORTAL_DEFS
        if pdef["id"] == portal.id
        for d in pdef["units"]
    }
    out = []
    for u in portal.units:
        if base_status.get(u.id) != 200 or getattr(u, "data_mode", None):
            continue
        for cid in FUTURE_COLUMNS:
            col = u.columns.get(cid)
            if col is None or col.state != "ok" or col.control or not col.entries:
                continue
            if getattr(col, "dead_links", None) or (portal.id, u.id, cid) in fixes:
                continue
            out.append((u, col))
            break
    return out


def apply(portal, k: int, as_of: date, fixes: set) -> None:
    """Seed the portal's foot style and its future-dated entries (attributes read by the layouts
    and by `truth_rows`)."""
    from .spec import Entry

    portal.foot = FEET.get(portal.id, "text")
    for u in portal.units:
        for col in u.all_columns():
            col.future_entry = None
    if getattr(portal, "challenge", False) or not portal.reachable:
        return
    for i, (u, col) in enumerate(_candidates(portal, fixes)[:3]):
        if u.entry_status >= 400:
            continue  # broken in this variant: skipped, not re-drawn
        if i < 2:
            when = as_of + timedelta(days=40) if (k + i) % 2 else date(2099, as_of.month, min(as_of.day, 28))
            kind = "future"
        else:
            when, kind = as_of + timedelta(days=1), "tomorrow"
        docid = max(e.docid for e in col.entries) + 500
        entry = Entry(f"{u.short}{FUTURE_TITLES[i % 2]}", when, docid)
        col.entries.insert(0, entry)
        col.future_entry = (kind, entry)


def truth_rows(portal) -> list[dict]:
    """site.identity and date.future rows of one portal (none for challenge/unreachable ones)."""
    if getattr(portal, "challenge", False) or not portal.reachable:
        return []
    rows = []
    if portal.foot == "bare":
        gov = next(u for u in portal.units if u.profile == "government")
        rows.append(
            {
                "rule": "site.identity",
                "portal": portal.id,
                "unit": gov.id,
                "column": None,
                "url_path": "/",
                "note": "首页底部未展示网站标识码、党政机关标识",
            }
        )
    for u in portal.units:
        for col in u.columns.values():
            seeded = getattr(col, "future_entry", None)
            if seeded and seeded[0] == "future":
                rows.append(
                    {
                        "rule": "date.future",
                        "portal": portal.id,
                        "unit": u.id,
                        "column": col.cid,
                        "url_path": col.path,
                        "note": f"「{seeded[1].title}」标注 {seeded[1].date.isoformat()}",
                    }
                )
    return rows
