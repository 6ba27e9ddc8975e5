"""Turn one crawl's snapshots into the rules' observations (store → rules, read only)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from zwgk.rules.model import ArticleObs, ColumnObs, EntryObs, LinkObs, UnitObs
from zwgk.store.schema import Portal, Run, Snapshot, Unit


def latest_crawl_run(session: Session, as_of: date) -> Run | None:
    """The newest finished crawl whose as-of date is on or before `as_of`."""
    stmt = (
        select(Run)
        .where(Run.stage == "crawl", Run.as_of <= as_of, Run.status.in_(("ok", "partial")))
        .order_by(Run.as_of.desc(), Run.id.desc())
        .limit(1)
    )
    return session.execute(stmt).scalar_one_or_none()


def unit_observations(session: Session, run_id: int) -> list[UnitObs]:
    """Every unit the crawl covered, with its entry page, home (government) and columns."""
    snaps = (
        session.execute(
            select(Snapshot)
            .where(Snapshot.run_id == run_id)
            .options(selectinload(Snapshot.entries), selectinload(Snapshot.articles))
        )
        .scalars()
        .all()
    )
    units = {(u.portal_id, u.unit_id): u for u in session.execute(select(Unit)).scalars()}
    portals = {p.id: p for p in session.execute(select(Portal)).scalars()}
    by_unit: dict[tuple[str, str], list[Snapshot]] = {}
    for snap in snaps:
        by_unit.setdefault((snap.portal_id, snap.unit_id), []).append(snap)
    out: list[UnitObs] = []
    for key, unit_snaps in sorted(by_unit.items()):
        unit = units.get(key)
        entry = next((s for s in unit_snaps if s.target == "entry"), None)
        if unit is None or entry is None:
            continue  # a crawl killed before this unit's entry was stored: nothing known
        obs = UnitObs(
            portal=key[0],
            unit=key[1],
            profile=unit.profile,
            entry_url=entry.url or unit.entry,
            entry_status=entry.status,
            entry_http_status=entry.http_status,
            entry_error=entry.error,
            entry_snapshot_id=entry.id,
        )
        home = next((s for s in unit_snaps if s.target == "home"), None)
        if home is not None:
            portal = portals.get(key[0])
            obs.home_url = home.url or (portal.home if portal else None)
            obs.site_code = portal.site_code if portal else None
            identity = (home.details or {}).get("identity")
            obs.home_identity = dict(identity) if isinstance(identity, dict) else None
            tls = (home.details or {}).get("tls")
            obs.home_tls = dict(tls) if isinstance(tls, dict) else None
            obs.home_status = home.status
            obs.home_http_status = home.http_status
            obs.home_error = home.error
            obs.home_snapshot_id = home.id
            obs.links += links_of(home.details)
        obs.links += links_of(entry.details)
        for snap in unit_snaps:
            if snap.column_id is None:
                continue
            obs.columns[snap.column_id] = ColumnObs(
                column_id=snap.column_id,
                status=snap.status,
                url=snap.url,
                link_text=snap.link_text,
                http_status=snap.http_status,
                error=snap.error,
                placeholder=snap.placeholder,
                pages_crawled=snap.pages_crawled,
                snapshot_id=snap.id,
                page_sha256=snap.page_sha256,
                entries=[EntryObs(e.title, e.url, e.date, e.date_source) for e in snap.entries],
                links=links_of(snap.details),
                privacy=[p for p in (snap.details or {}).get("privacy") or [] if isinstance(p, dict)],
                messages=[m for m in (snap.details or {}).get("messages") or [] if isinstance(m, dict)],
                articles=[
                    ArticleObs(
                        url=a.url,
                        title=a.title,
                        status=a.status,
                        http_status=a.http_status,
                        publish_date=a.publish_date,
                        metadata=dict(a.meta or {}),
                        text=a.text or "",
                        links=links_of({"links": a.links}),
                        page_sha256=a.page_sha256,
                    )
                    for a in snap.articles
                ],
            )
        out.append(obs)
    return out


def links_of(details: dict | None) -> list[LinkObs]:
    """The checked links stored with a page (Snapshot.details['links'] or Article.links)."""
    out = []
    for row in (details or {}).get("links") or []:
        out.append(
            LinkObs(
                url=row["url"],
                text=row.get("text") or "",
                page=row.get("page") or "",
                status=row.get("status") or "unverified",
                http_status=row.get("http_status"),
                error=row.get("error"),
                attachment=bool(row.get("attachment")),
                redirects=list(row.get("redirects") or []),
            )
        )
    return out
