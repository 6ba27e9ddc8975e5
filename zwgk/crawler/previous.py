"""What the previous crawl saw, for an incremental nightly crawl.

For every snapshot of the newest finished crawl before this one we keep the validators the server
gave (ETag, Last-Modified), the first list page's fingerprint and everything needed to emit the same
snapshot again when the page did not change (a 304, or the same entries on a portal without
validators); every link result with the night it was checked (crawler/rolling.py decides when it is
due again); the list entries (an article is read again when its entry changed); and the URLs that
carry an open finding (read every night). `zwgk crawl --full` (setting ZWGK_FULL) ignores all of this.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from zwgk.crawler.links import clean_url
from zwgk.store.db import Store
from zwgk.store.schema import Finding, Run, Snapshot


@dataclass
class PreviousCrawl:
    run_id: int | None = None
    # (portal, unit, target) -> snapshot as an item-like dict (entries, articles, details ...)
    snapshots: dict[tuple[str, str, str], dict] = field(default_factory=dict)
    # article url -> article dict (validators, metadata, links) from any column of the previous crawl
    articles: dict[str, dict] = field(default_factory=dict)
    # links with an open 错链 finding (normalised URLs): re-checked every night, whatever the caps,
    # so that no finding is closed because its link fell behind a page's other links
    broken: set[str] = field(default_factory=set)
    # every link result of the previous crawl (normalised URL -> the newest result, with the date
    # it was checked): a link is requested again only when its rolling re-check is due
    links: dict[str, dict] = field(default_factory=dict)
    # list entries of the previous crawl: article url -> (title, date as the list showed it)
    entries: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    # URLs (articles, links, attachments) that carry an open finding: read again every night, so
    # no finding is closed, or kept, on a copy
    finding_urls: set[str] = field(default_factory=set)

    def snapshot(self, portal: str, unit: str, target: str) -> dict | None:
        return self.snapshots.get((portal, unit, target))


def conditional_headers(validators: dict | None) -> dict[str, str]:
    """If-None-Match / If-Modified-Since from stored validators."""
    headers = {}
    if validators:
        if validators.get("etag"):
            headers["If-None-Match"] = validators["etag"]
        if validators.get("last_modified"):
            headers["If-Modified-Since"] = validators["last_modified"]
    return headers


def validators_of(response) -> dict[str, str]:
    out = {}
    etag = response.headers.get("ETag")
    modified = response.headers.get("Last-Modified")
    if etag:
        out["etag"] = etag.decode("latin-1")
    if modified:
        out["last_modified"] = modified.decode("latin-1")
    return out


def _keep_link(links: dict[str, dict], link: dict) -> None:
    """The newest result per URL (a link on several pages was checked once per run)."""
    if not isinstance(link, dict) or not link.get("url"):
        return
    url = clean_url(link["url"])
    held = links.get(url)
    if held is None or (link.get("checked_on") or "") > (held.get("checked_on") or ""):
        keep = {k: link.get(k) for k in ("status", "http_status", "error", "redirects", "method", "cut")}
        links[url] = {"url": link["url"], **keep, "checked_on": link.get("checked_on")}


def load_previous(
    db_url: str | None, run_id: int, recheck_rules: Iterable[str] = (), portals: set[str] | None = None
) -> PreviousCrawl:
    """The newest finished crawl (ok or partial) before `run_id`; empty when there is none.

    `recheck_rules` names the rules whose open findings are about a link (the crawl stage passes
    them as ZWGK_RECHECK_RULES: which rules those are is the rules' knowledge, not the crawler's);
    their URLs are re-checked whatever the caps. `portals`: only these portals' part (a crawl
    process that crawls some of the night's portals holds only what it needs)."""
    rules = sorted(set(recheck_rules))
    if not db_url:
        return PreviousCrawl()
    store = Store(db_url, mode="write")
    try:
        with store.session() as session:
            prev = session.execute(
                select(Run)
                .where(Run.stage == "crawl", Run.id < run_id, Run.status.in_(("ok", "partial")))
                .order_by(Run.id.desc())
                .limit(1)
            ).scalar_one_or_none()
            open_query = select(Finding.rule, Finding.url).where(
                Finding.status.in_(("open", "overdue")), Finding.url.is_not(None)
            )
            if portals:
                open_query = open_query.where(Finding.portal_id.in_(sorted(portals)))
            open_urls = session.execute(open_query).all()
            broken = {clean_url(url) for rule, url in open_urls if rule in rules}
            finding_urls = {clean_url(url) for _, url in open_urls}
            if prev is None:
                return PreviousCrawl(broken=broken, finding_urls=finding_urls)
            out = PreviousCrawl(run_id=prev.id, broken=broken, finding_urls=finding_urls)
            query = select(Snapshot).where(Snapshot.run_id == prev.id)
            if portals:
                query = query.where(Snapshot.portal_id.in_(sorted(portals)))
            snaps = (
                session.execute(
                    query.options(selectinload(Snapshot.entries), selectinload(Snapshot.articles))
                )
                .scalars()
                .all()
            )
            for s in snaps:
                privacy = [p for p in (s.details or {}).get("privacy") or [] if isinstance(p, dict)]
                articles = [
                    {
                        "url": a.url,
                        "final_url": a.final_url,
                        "title": a.title,
                        "status": a.status,
                        "http_status": a.http_status,
                        "error": a.error,
                        "publish_date": a.publish_date.isoformat() if a.publish_date else None,
                        "metadata": dict(a.meta or {}),
                        "text": a.text,
                        "links": list(a.links or []),
                        "page_sha256": a.page_sha256,
                        "etag": a.etag,
                        "last_modified": a.last_modified,
                        # personal numbers found when it was read (its stored text is masked): a
                        # 304 night keeps them, so no finding closes because the copy is masked
                        "privacy": [p for p in privacy if a.url in (p.get("url"), p.get("page"))],
                    }
                    for a in s.articles
                ]
                for a in articles:
                    out.articles.setdefault(a["url"], a)
                    for link in a["links"]:
                        _keep_link(out.links, link)
                for link in (s.details or {}).get("links") or []:
                    _keep_link(out.links, link)
                for e in s.entries:
                    if e.url:
                        listed = e.date.isoformat() if e.date and e.date_source == "list" else None
                        out.entries.setdefault(e.url, (e.title, listed))
                out.snapshots[(s.portal_id, s.unit_id, s.target)] = {
                    "url": s.url,
                    "final_url": s.final_url,
                    "status": s.status,
                    "http_status": s.http_status,
                    "error": s.error,
                    "page_kind": s.page_kind,
                    "link_text": s.link_text,
                    "pages_crawled": s.pages_crawled,
                    "placeholder": s.placeholder,
                    "page_sha256": s.page_sha256,
                    "details": dict(s.details or {}),
                    "entries": [
                        {
                            "title": e.title,
                            "url": e.url,
                            "date": e.date.isoformat() if e.date else None,
                            "date_source": e.date_source,
                        }
                        for e in s.entries
                    ],
                    "articles": articles,
                }
            return out
    finally:
        store.dispose()
