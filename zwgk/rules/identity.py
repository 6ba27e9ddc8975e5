"""What makes two nights' findings the same finding: the subject a rule's finding is about.

A column finding is about (unit, column) — not the column's URL, which a CMS migration or an
http→https switch changes without fixing anything. An article or link finding is about its page,
named by a normalised URL: scheme, default port, letter case of the host, a trailing slash, the
order of query parameters and session ids do not make it another page.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters and path parameters that carry a session, never a page.
_SESSION_KEYS = {
    "jsessionid",
    "phpsessid",
    "sid",
    "sessionid",
    "session_id",
    "aspsessionid",
    "cfid",
    "cftoken",
}
_PATH_SESSION = re.compile(r";(jsessionid|phpsessid|sid)=[^/?#]*", re.I)


def normalize_url(url: str | None) -> str:
    """The page a URL names, in one spelling: no scheme, lower-case host, no default port, no
    trailing slash, sorted query without session ids, no fragment. '' for None."""
    if not url:
        return ""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return url.strip()
    host = (parts.hostname or "").lower()
    if (
        port is not None
        and not (port == 80 and parts.scheme in ("http", ""))
        and not (port == 443 and parts.scheme == "https")
    ):
        host = f"{host}:{port}"
    path = _PATH_SESSION.sub("", parts.path).rstrip("/") or ""
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in _SESSION_KEYS and not k.lower().startswith("aspsessionid")
    )
    return urlunsplit(("", host, path, urlencode(query), "")).lstrip("/")
