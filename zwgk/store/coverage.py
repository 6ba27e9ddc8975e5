"""How much of the registry one crawl reached: 'last night's crawl covered N of M units'.

A unit counts as reached when its entry page was fetched with a usable answer (`ok`, or
`antibot` or `unrecognized`: the portal answered — a crawl problem, not an absent unit). A
portal counts as reached when its home page was, or failing a home snapshot, any of its units.
Totals are every registered unit and portal, so units the crawl never got to (killed, or left out
with --only) show up as not reached. The reports reuse this for their crawl summary.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from zwgk.store.schema import Portal, Run, Snapshot, Unit

REACHED = ("ok", "antibot", "unrecognized")


def crawl_coverage(session: Session, run_id: int) -> dict:
    """units_total, units_reached, portals_total, portals_reached, and units_missed ('portal/unit')."""
    units = {(p, u) for p, u in session.execute(select(Unit.portal_id, Unit.unit_id))}
    portals = set(session.execute(select(Portal.id)).scalars())
    snaps = session.execute(
        select(Snapshot.portal_id, Snapshot.unit_id, Snapshot.target, Snapshot.status).where(
            Snapshot.run_id == run_id, Snapshot.target.in_(("entry", "home"))
        )
    ).all()
    reached_units = {(p, u) for p, u, target, status in snaps if target == "entry" and status in REACHED}
    home_status: dict[str, bool] = {}
    for p, _u, target, status in snaps:
        if target == "home":
            home_status[p] = home_status.get(p, False) or status in REACHED
    reached_portals = {p for p in portals if home_status.get(p, any(rp == p for rp, _ in reached_units))}
    return {
        "units_total": len(units),
        "units_reached": len(reached_units & units),
        "portals_total": len(portals),
        "portals_reached": len(reached_portals),
        "units_missed": sorted(f"{p}/{u}" for p, u in units - reached_units),
    }


def last_crawl(session: Session) -> Run | None:
    """The most recent crawl run, whatever its outcome (status shows failures too)."""
    return session.execute(
        select(Run).where(Run.stage == "crawl").order_by(Run.started_at.desc(), Run.id.desc()).limit(1)
    ).scalar_one_or_none()
