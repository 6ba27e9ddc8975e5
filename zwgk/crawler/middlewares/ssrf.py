"""SSRF guard: never fetch a private, loopback or link-local address the registry did not allow.

Everything crawled is untrusted; a crawled page may link to an intranet address, directly, as
an odd numeric form (0x7f000002, 2130706434), or via a redirect or meta refresh. The check is on
the *resolved* address and runs for every request the downloader makes, so redirect and refresh
targets pass through it too.
"""

from __future__ import annotations

import ipaddress
import socket
from functools import lru_cache

from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached


class BlockedAddress(IgnoreRequest):
    """A request to a disallowed address was refused before any packet was sent."""


def is_public_address(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True only for globally routable unicast addresses."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
        or ip.is_reserved or ip.is_unspecified or not ip.is_global
    )


@lru_cache(maxsize=4096)
def resolve(host: str) -> tuple[str, ...]:
    """All addresses a host name (or numeric form) resolves to; empty when it does not."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError, OSError):
        return ()
    return tuple(sorted({info[4][0] for info in infos}))


def address_allowed(host: str, allowed_hosts: set[str]) -> tuple[bool, str]:
    """May we connect to `host`? Returns (allowed, reason). Hosts named in the registry are
    allowed on private addresses; nothing else is (naming 127.0.0.1 does not allow 127.0.0.2)."""
    host = host.lower().strip("[]")
    if host in allowed_hosts:
        return True, "registry host"
    addresses = resolve(host)
    if not addresses:
        return True, "unresolved (the download will fail as DNS error)"
    for addr in addresses:
        ip = ipaddress.ip_address(addr.split("%")[0])
        if not is_public_address(ip):
            return False, f"{host} resolves to non-public address {ip}"
    return True, "public address"


class SsrfGuardMiddleware:
    """Downloader middleware applying `address_allowed` with the registry's hosts."""

    def __init__(self, allowed_hosts: set[str], stats=None):
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler):
        hosts = set(crawler.settings.getlist("ZWGK_ALLOWED_HOSTS"))
        return cls(hosts, crawler.stats)

    def process_request(self, request, spider=None):
        host = urlparse_cached(request).hostname or ""
        ok, reason = address_allowed(host, self.allowed_hosts)
        if not ok:
            if self.stats:
                self.stats.inc_value("zwgk/ssrf_blocked")
            raise BlockedAddress(f"SSRF guard refused {request.url}: {reason}")
        return None
