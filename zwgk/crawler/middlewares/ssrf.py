"""SSRF guard: never fetch a private, loopback or link-local address the registry did not allow.

Everything crawled is untrusted; a crawled page may link to an intranet address, directly, as
an odd numeric form (0x7f000002, 2130706434), or via a redirect or meta refresh. Two layers:

1. `SsrfGuardMiddleware` (a downloader middleware) checks the *resolved* address of every request
   the downloader makes, so redirect and refresh targets pass through it too. A host that does not
   resolve is refused (`UnresolvedHost`: the fetch would fail anyway; no request is sent).
2. `zwgk.crawler.resolver.GuardedResolver` (Scrapy's `TWISTED_DNS_RESOLVER`) checks the address the
   connection is actually made to, so a name that resolves differently between the check and the
   connect (DNS rebinding, a transient answer) is still refused.

Lookups are cached briefly (`RESOLVE_TTL` seconds) and only when they succeed; a failure is never
cached, so a transient DNS error does not stick and a refused name is looked up again next time.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

RESOLVE_TTL = 60.0  # seconds a successful lookup is reused
_CACHE_MAX = 4096
_cache: dict[object, tuple[float, tuple[str, ...]]] = {}
_cache_lock = threading.Lock()
_getaddrinfo = socket.getaddrinfo  # module-level so tests can stub the lookup (no real DNS query)


class BlockedAddress(IgnoreRequest):
    """A request to a disallowed address was refused before any packet was sent."""


class UnresolvedHost(IgnoreRequest):
    """A request to a host name that does not resolve was refused before any packet was sent
    (the download would have failed as a DNS error; refusing it keeps the check and the connect
    from seeing different answers)."""


def is_public_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True only for globally routable unicast addresses."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def normalise_host(host: str | bytes) -> str:
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    return host.lower().strip("[]")


def cache_get(host: object, now: float | None = None) -> tuple[str, ...] | None:
    """A cached, still fresh, successful lookup of `host`, else None."""
    with _cache_lock:
        hit = _cache.get(host)
    if hit and hit[0] > (time.monotonic() if now is None else now):
        return hit[1]
    return None


def cache_put(host: object, addresses: tuple[str, ...]) -> None:
    if not addresses:
        return  # failures are never cached
    with _cache_lock:
        if len(_cache) >= _CACHE_MAX:
            _cache.clear()
        _cache[host] = (time.monotonic() + RESOLVE_TTL, addresses)


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()
        _refused.clear()


_refused: dict[str, str] = {}


def note_refused(host: str, reason: str) -> None:
    """The resolver refused `host` (its answer at connect time was not public)."""
    with _cache_lock:
        if len(_refused) >= _CACHE_MAX:
            _refused.clear()
        _refused[normalise_host(host)] = reason


def refused_reason(host: str) -> str | None:
    """Why the resolver refused `host` in this process, if it did (a failed download to it then
    means 'blocked', not 'unresolvable')."""
    with _cache_lock:
        return _refused.get(normalise_host(host))


def resolve(host: str) -> tuple[str, ...]:
    """All addresses a host name (or numeric form) resolves to; empty when it does not.
    Successes are cached for RESOLVE_TTL seconds; failures are not cached."""
    host = normalise_host(host)
    cached = cache_get(host)
    if cached is not None:
        return cached
    try:
        infos = _getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        return ()
    addresses = tuple(sorted({info[4][0] for info in infos}))
    cache_put(host, addresses)
    return addresses


def check_addresses(host: str, addresses: tuple[str, ...] | list[str]) -> tuple[bool, str]:
    """Are all these addresses (of a host not allowed by the registry) public?"""
    for addr in addresses:
        ip = ipaddress.ip_address(str(addr).split("%")[0])
        if not is_public_address(ip):
            return False, f"{host} resolves to non-public address {ip}"
    return True, "public address"


def host_verdict(host: str, allowed_hosts: set[str]) -> tuple[str, str]:
    """('allowed' | 'blocked' | 'unresolved', reason) for connecting to `host`."""
    host = normalise_host(host)
    if host in allowed_hosts:
        return "allowed", "registry host"
    addresses = resolve(host)
    if not addresses:
        return "unresolved", f"{host} does not resolve (refused: no request sent)"
    ok, reason = check_addresses(host, addresses)
    return ("allowed" if ok else "blocked"), reason


def address_allowed(host: str, allowed_hosts: set[str]) -> tuple[bool, str]:
    """May we connect to `host`? Returns (allowed, reason). Hosts named in the registry are
    allowed on private addresses; nothing else is (naming 127.0.0.1 does not allow 127.0.0.2).
    A host that does not resolve is not allowed."""
    verdict, reason = host_verdict(host, allowed_hosts)
    return verdict == "allowed", reason


class SsrfGuardMiddleware:
    """Downloader middleware applying `host_verdict` with the registry's hosts (the first line;
    `GuardedResolver` checks the address actually connected to)."""

    def __init__(self, allowed_hosts: set[str], stats=None, endpoints: set[str] | None = None):
        self.allowed_hosts = {normalise_host(h) for h in allowed_hosts}
        self.endpoints = endpoints  # 'host:port' a private registry host may be reached on (None: any)
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        hosts = set(crawler.settings.getlist("ZWGK_ALLOWED_HOSTS"))
        endpoints = crawler.settings.getlist("ZWGK_ALLOWED_ENDPOINTS")
        return cls(hosts, crawler.stats, set(endpoints) if endpoints else None)

    def process_request(self, request, spider=None):
        parts = urlparse_cached(request)
        host = parts.hostname or ""
        verdict, reason = host_verdict(host, self.allowed_hosts)
        if verdict == "allowed" and self.endpoints is not None and normalise_host(host) in self.allowed_hosts:
            # A registry host is trusted on its registry ports only when it sits on a private address:
            # its other ports (an admin console, a database) are not the portal.
            port = parts.port or (443 if parts.scheme == "https" else 80)
            if f"{normalise_host(host)}:{port}" not in self.endpoints:
                ok, why = check_addresses(host, resolve(host))
                if not ok:
                    verdict, reason = "blocked", f"端口 {port} 不在登记表中（{why}）"
        if verdict == "unresolved":
            if self.stats:
                self.stats.inc_value("zwgk/ssrf_unresolved")
            raise UnresolvedHost(f"SSRF guard refused {request.url}: {reason}")
        if verdict == "blocked":
            if self.stats:
                self.stats.inc_value("zwgk/ssrf_blocked")
            raise BlockedAddress(f"SSRF guard refused {request.url}: {reason}")
        return None
