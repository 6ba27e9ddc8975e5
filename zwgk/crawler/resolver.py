"""The DNS resolver the crawler connects through (Scrapy's `TWISTED_DNS_RESOLVER`).

The SSRF guard middleware checks a request's host before the download; this resolver checks the
address the connection is then made to. The address Twisted connects to comes from this
resolver's answer, so what is checked is what is connected to: a name that resolved to a public
address for the middleware and to 127.0.0.2 a moment later (DNS rebinding) is refused here.

Hosts named in the registry (`ZWGK_ALLOWED_HOSTS`) may resolve to any address. Successful, allowed
answers are cached for `ssrf.RESOLVE_TTL` seconds; failures and refusals are never cached.

`install_on_reactor` installs it with `reactor.installResolver`, which also makes the reactor's
`nameResolver` (IHostnameResolver, used by HostnameEndpoint) a wrapper around `getHostByName`; the
class provides `resolveHostName` the same way, so both interfaces go through the check.
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Sequence

from scrapy.resolver import CachingThreadedResolver
from twisted.internet import defer
from twisted.internet._resolver import SimpleResolverComplexifier
from twisted.internet.base import ThreadedResolver
from twisted.internet.error import DNSLookupError
from twisted.internet.interfaces import IHostnameResolver, IResolverSimple
from zope.interface import implementer

from zwgk.crawler.middlewares.ssrf import (
    cache_get,
    cache_put,
    check_addresses,
    normalise_host,
    note_refused,
)

logger = logging.getLogger(__name__)


class RefusedResolution(DNSLookupError):
    """The resolver refused a non-public answer for a host the registry does not allow. A
    DNSLookupError, so that every Twisted connect path (HostnameEndpoint included) treats it as
    'no address': the connection is never attempted."""


@implementer(IResolverSimple, IHostnameResolver)
class GuardedResolver(CachingThreadedResolver):
    """A CachingThreadedResolver that refuses non-public answers for hosts the registry does not
    allow (a `RefusedResolution` failure: the connection is never attempted; the host is noted
    so that a link check reports it as blocked, see `ssrf.refused_reason`)."""

    def __init__(self, reactor, cache_size: int, timeout: float, allowed_hosts: Sequence[str] = ()):
        super().__init__(reactor, cache_size, timeout)
        self.allowed_hosts = {normalise_host(h) for h in allowed_hosts}

    @classmethod
    def from_crawler(cls, crawler, reactor):
        # `crawler` may be the CrawlerProcess (Scrapy builds the resolver from the process settings).
        return cls(
            reactor,
            crawler.settings.getint("DNSCACHE_SIZE"),
            crawler.settings.getfloat("DNS_TIMEOUT"),
            crawler.settings.getlist("ZWGK_ALLOWED_HOSTS"),
        )

    def _lookup(self, name: str) -> defer.Deferred:
        """The real lookup (a thread running socket.gethostbyname); replaced in unit tests."""
        return ThreadedResolver.getHostByName(self, name, (self.timeout,))

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred:
        host = normalise_host(name)
        cached = cache_get(("resolver", host))
        if cached is not None:
            return defer.succeed(cached[0])
        d = self._lookup(name)
        d.addCallback(self._checked, host)
        return d

    def _checked(self, address: str, host: str) -> str:
        if host not in self.allowed_hosts:
            ipaddress.ip_address(address)  # a resolver answer is always an address literal
            ok, reason = check_addresses(host, [address])
            if not ok:
                note_refused(host, reason)
                logger.warning("SSRF guard (resolver) refused %s: %s", host, reason)
                raise RefusedResolution(f"SSRF guard (resolver) refused {host}: {reason}")
        cache_put(("resolver", host), (address,))
        return address

    def resolveHostName(
        self, resolutionReceiver, hostName, portNumber=0, addressTypes=None, transportSemantics="TCP"
    ):
        return SimpleResolverComplexifier(self).resolveHostName(
            resolutionReceiver, hostName, portNumber, addressTypes, transportSemantics
        )
