"""Link checking (错链断链) and URL hygiene for the crawler: pure helpers, no requests here.

The spider checks every `<a href>` and attachment on the list and article pages it crawls:
HEAD first, GET when HEAD fails, redirects followed (and recorded) through the same downloader
middlewares as every other request, so the SSRF guard sees every hop and meta refresh target.
What the answer means is decided here, in one place:

- `ok`         2xx (or a 3xx that was not followed further);
- `broken`     404, 410, 5xx, or no connection at all (refused, reset, timeout, DNS);
- `unverified` an answer that proves nothing either way (401, 403, 412 anti-bot, 429 ...);
- `blocked`    refused by policy before any packet (private/loopback address outside the registry);
- `skipped`    not requested: off-site while ZWGK_CHECK_OFFSITE_LINKS is off, over a cap, robots.txt.

Only `broken` becomes a `link.broken` finding.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from w3lib.url import url_query_cleaner

# Session ids in URLs make every visit a new URL (a crawl trap) and leak sessions into evidence.
SESSION_PARAMS = ("jsessionid", "sid", "sessionid", "phpsessid", "aspsessionid", "sessid", "session_id")
_PATH_SESSION = re.compile(r";(?:jsessionid|sid|phpsessid)=[^/?#]*", re.I)
# Calendar widgets and date-browsing archives generate endless distinct URLs.
_CALENDAR = re.compile(r"(?:calendar|rili)|[?&](?:date|day|month|year|ym|rq)=\d", re.I)

BROKEN_STATUSES = frozenset({404, 410})


def clean_url(url: str) -> str:
    """The URL without fragment and session-id parameters (`;jsessionid=…`, `?sid=…`)."""
    url = url.split("#", 1)[0]
    parts = urlsplit(url)
    path = _PATH_SESSION.sub("", parts.path)
    query = parts.query
    if query:
        found = [k for k, _ in parse_qsl(query, keep_blank_values=True) if k.lower() in SESSION_PARAMS]
        if found:  # names as the page spells them (JSESSIONID, PHPSESSID ...)
            cleaned = url_query_cleaner(url, found, remove=True, unique=False, keep_fragments=False)
            query = urlsplit(cleaned).query
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


def looks_like_calendar(url: str) -> bool:
    """A calendar/date-archive URL (a crawl trap): never followed as a list page."""
    return bool(
        _CALENDAR.search(urlsplit(url).path + ("?" + urlsplit(url).query if urlsplit(url).query else ""))
    )


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def is_numeric_host(host: str) -> bool:
    """An address literal in any form (127.0.0.2, 0x7f000002, 2130706434, [::1]): judged by the SSRF
    policy without any lookup, whether on-site or not."""
    host = host.strip("[]")
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        pass
    try:
        socket.inet_aton(host)  # the forms inet_aton accepts: hex, octal, a single 32-bit number
        return True
    except OSError:
        return False


def is_onsite(url: str, hosts: set[str]) -> bool:
    """On-site = the host is named in the registry (a portal home, unit entry, column URL) or its
    `allow_hosts`. Everything else is off-site and, by default, not requested at all."""
    return host_of(url) in hosts


def classify_status(status: int) -> str:
    """ok | broken | unverified for a final HTTP status."""
    if status in BROKEN_STATUSES or status >= 500:
        return "broken"
    if 200 <= status < 400:
        return "ok"
    return "unverified"


def result(
    url: str,
    status: str,
    http_status: int | None = None,
    error: str | None = None,
    redirects: list[str] | None = None,
    method: str | None = None,
) -> dict:
    """One link check result (JSON-ready; page and text are added per occurrence)."""
    return {
        "url": url,
        "status": status,
        "http_status": http_status,
        "error": error,
        "redirects": redirects or [],
        "method": method,
    }
