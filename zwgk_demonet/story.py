"""Several nights of the demo network, a week apart: what departments fix, when, and what breaks.

`zwgk demo` replays these nights on one running network (fixed ports), so the first thing a newcomer
sees is the whole cycle, not one night:
- night 1: every seeded defect is found (新发现);
- night 2: a few columns are repaired within their deadline (按期销号), and — when there is a night 3
  to repair it — one unit's 信息公开 page answers HTTP 503 (站点无法访问, a new finding);
- night 3: that page answers again (its finding closes), a few more columns are repaired after their
  deadline had passed (逾期销号);
- later nights: nothing changes; what is still open is past its deadline (逾期).
The nights reach back into the previous month, so the 月考核 trend has two points.
"""

from __future__ import annotations

from datetime import date, timedelta

from .spec import Variant

COLUMN_RULES = ("column.missing", "column.blank", "column.placeholder", "column.undated", "column.stale")
EARLY, LATE = 3, 3  # columns repaired on night 2 (in time) and on night 3 (late)


def night_dates(as_of: date, nights: int | None = None) -> list[date]:
    """The demo's nights, a week apart, ending on `as_of`, oldest first. Without `nights`: at least
    four, and back into the month before as_of's (a two-point monthly trend)."""
    if nights is not None:
        return [as_of - timedelta(weeks=k) for k in reversed(range(max(1, nights)))]
    count = 4
    while (as_of - timedelta(weeks=count - 1)).month == as_of.month:
        count += 1
    return [as_of - timedelta(weeks=k) for k in reversed(range(count))]


def _spread(rows: list[dict]) -> list[dict]:
    """Rows in turn from each portal (one per unit), so the repairs are not all in one county."""
    by_portal: dict[str, list[dict]] = {}
    seen: set[tuple[str, str]] = set()
    for r in sorted(rows, key=lambda r: (r["portal"], r["unit"], r["column"])):
        if (r["portal"], r["unit"]) not in seen:
            seen.add((r["portal"], r["unit"]))
            by_portal.setdefault(r["portal"], []).append(r)
    out: list[dict] = []
    queues = list(by_portal.values())
    while any(queues):
        for q in queues:
            if q:
                out.append(q.pop(0))
    return out


def variants(first_truth: list[dict], portals, count: int) -> list[Variant]:
    """The network's state on each of `count` nights (night 1 is the base network).

    `first_truth` is night 1's ground truth, `portals` its spec (to pick a healthy unit to break)."""
    columns = _spread([t for t in first_truth if t["rule"] in COLUMN_RULES and t["column"]])
    early = [(r["portal"], r["unit"], r["column"]) for r in columns[:EARLY]]
    late = [(r["portal"], r["unit"], r["column"]) for r in columns[EARLY : EARLY + LATE]]
    # the unit whose page fails for a night: a department with the fewest seeded defects, not one
    # being repaired (its repairs would be hidden behind the failure)
    flaws: dict[tuple[str, str], int] = {}
    for t in first_truth:
        flaws[(t["portal"], t["unit"])] = flaws.get((t["portal"], t["unit"]), 0) + 1
    repaired = {(p, u) for p, u, _ in early + late}
    candidates = sorted(
        (flaws.get((p.id, u.id), 0), p.id, u.id)
        for p in portals
        if p.reachable and not getattr(p, "challenge", False)
        for u in p.units
        if u.entry_status == 200 and u.profile == "department" and (p.id, u.id) not in repaired
    )
    broken = [(p, u) for _, p, u in candidates[:1]]
    out = [Variant()]
    for night in range(1, count):
        fix = early + (late if night >= 2 else [])
        # the page fails only when a later night repairs it: on the last night its unit's earlier
        # findings are kept open (a failed fetch closes nothing) while the truth knows only 无法访问
        fails = night == 1 and count >= 3
        out.append(Variant(fix=list(fix), break_units=list(broken) if fails else []))
    return out
