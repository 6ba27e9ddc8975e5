"""The SSRF guard's address check on its own (no request is made to any of these addresses)."""

from __future__ import annotations

import pytest

from zwgk.crawler.middlewares.ssrf import address_allowed, resolve


@pytest.mark.parametrize(
    "host",
    [
        "10.0.0.1",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "[::1]",
        "fc00::1",
        "127.0.0.2",
        "0x7f000002",
        "2130706434",
        "0.0.0.0",
        "::ffff:127.0.0.1",
        "localhost",
    ],
)
def test_refuses_private_loopback_link_local(host):
    ok, reason = address_allowed(host, allowed_hosts={"127.0.0.1"})
    assert not ok, reason
    assert "non-public" in reason


def test_numeric_forms_resolve_to_the_real_address():
    assert resolve("0x7f000002") == ("127.0.0.2",)
    assert resolve("2130706434") == ("127.0.0.2",)


def test_registry_host_allowed_by_name_only():
    assert address_allowed("127.0.0.1", {"127.0.0.1"})[0]
    # Naming 127.0.0.1 does not allow its other spellings or neighbours.
    assert not address_allowed("127.0.0.2", {"127.0.0.1"})[0]
    assert not address_allowed("2130706433", {"127.0.0.1"})[0]


def test_public_literal_allowed_without_any_request():
    # A public address literal needs no lookup; the check itself sends nothing.
    assert address_allowed("202.108.22.5", set())[0]


# --- unresolvable names, failure caching, and the connect-time resolver (stubbed lookups only) ---

import socket  # noqa: E402

from scrapy.http import Request  # noqa: E402
from twisted.internet import defer  # noqa: E402

from zwgk.crawler.middlewares import ssrf  # noqa: E402
from zwgk.crawler.resolver import GuardedResolver, RefusedResolution  # noqa: E402


@pytest.fixture
def fake_dns(monkeypatch):
    """Replace the guard's getaddrinfo: answers from a dict, gaierror otherwise; counts lookups."""
    answers: dict[str, list[str]] = {}
    calls: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        calls.append(host)
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 0)) for a in answers[host]]

    ssrf.clear_cache()
    monkeypatch.setattr(ssrf, "_getaddrinfo", getaddrinfo)
    yield answers, calls
    ssrf.clear_cache()


def test_unresolvable_name_is_refused_without_a_request(fake_dns):
    ok, reason = address_allowed("no-such-host.example", set())
    assert not ok and "does not resolve" in reason
    mw = ssrf.SsrfGuardMiddleware(set())
    with pytest.raises(ssrf.UnresolvedHost):  # raised before the downloader sends anything
        mw.process_request(Request("http://no-such-host.example/a.html"))
    from zwgk.crawler.fetch_outcome import from_failure

    assert from_failure(ssrf.UnresolvedHost("x")).error == "域名解析失败"


def test_failures_are_not_cached_successes_are(fake_dns):
    answers, calls = fake_dns
    assert resolve("flaky.example") == ()
    answers["flaky.example"] = ["202.108.22.5"]
    assert resolve("flaky.example") == ("202.108.22.5",)  # the failure was not remembered
    assert resolve("flaky.example") == ("202.108.22.5",)
    assert calls.count("flaky.example") == 2  # the success was


def test_success_cache_expires(fake_dns, monkeypatch):
    answers, calls = fake_dns
    answers["ttl.example"] = ["202.108.22.5"]
    resolve("ttl.example")
    monkeypatch.setattr(ssrf, "RESOLVE_TTL", -1.0)
    ssrf.clear_cache()
    resolve("ttl.example")
    answers["ttl.example"] = ["127.0.0.2"]
    assert not address_allowed("ttl.example", set())[0]  # expired entries are looked up again
    assert calls.count("ttl.example") == 3


class _StubResolver(GuardedResolver):
    """The connect-time resolver with its real lookup replaced by a fixed answer."""

    def __init__(self, answer: str, allowed=()):
        super().__init__(reactor=None, cache_size=0, timeout=1, allowed_hosts=allowed)
        self.answer = answer
        self.lookups = 0

    def _lookup(self, name):
        self.lookups += 1
        return defer.succeed(self.answer)


def _result(d):
    out = []
    d.addBoth(out.append)
    return out[0]


def test_resolver_refuses_non_public_answer_for_a_host_not_allowed(fake_dns):
    # The middleware saw a public address; at connect time the name answers 127.0.0.2 (rebinding).
    fake_dns[0]["rebind.example"] = ["202.108.22.5"]
    assert address_allowed("rebind.example", set())[0]
    res = _StubResolver("127.0.0.2")
    failure = _result(res.getHostByName("rebind.example"))
    assert failure.check(RefusedResolution), failure
    assert "127.0.0.2" in failure.getErrorMessage()
    assert ssrf.refused_reason("rebind.example")
    # a refusal is not cached: the next connect looks the name up again
    _result(res.getHostByName("rebind.example"))
    assert res.lookups == 2


def test_resolver_refuses_localhost_when_not_allowed(fake_dns):
    failure = _result(_StubResolver("127.0.0.1").getHostByName("localhost"))
    assert failure.check(RefusedResolution)


def test_resolver_allows_registry_hosts_and_public_answers(fake_dns):
    assert (
        _result(_StubResolver("127.0.0.2", allowed={"portal.test"}).getHostByName("portal.test"))
        == "127.0.0.2"
    )
    res = _StubResolver("202.108.22.5")
    assert _result(res.getHostByName("public.example")) == "202.108.22.5"
    assert _result(res.getHostByName("public.example")) == "202.108.22.5"
    assert res.lookups == 1  # a checked success is cached (briefly)


def test_resolver_hostname_interface_goes_through_the_check(fake_dns):
    seen = {"addresses": [], "done": False}

    class Receiver:
        def resolutionBegan(self, resolution):
            pass

        def addressResolved(self, address):
            seen["addresses"].append(address)

        def resolutionComplete(self):
            seen["done"] = True

    _StubResolver("10.0.0.1").resolveHostName(Receiver(), "intranet.example", 80)
    assert seen == {"addresses": [], "done": True}  # no address: the endpoint never connects


def test_crawler_settings_install_the_guarded_resolver():
    from zwgk.crawler import settings

    assert settings.TWISTED_DNS_RESOLVER == "zwgk.crawler.resolver.GuardedResolver"


_CONNECT_SCRIPT = r"""
import socket, sys, threading, scrapy
from scrapy.crawler import AsyncCrawlerProcess
from scrapy.settings import Settings
from zwgk.crawler import settings as ds
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(5); port = s.getsockname()[1]
hits = []
def accept():
    s.settimeout(0.2)
    while True:
        try:
            c, a = s.accept(); hits.append(a); c.close()
        except OSError:
            pass
threading.Thread(target=accept, daemon=True).start()
errors = []
class Probe(scrapy.Spider):
    name = "probe"
    async def start(self):
        yield scrapy.Request(f"http://localhost:{port}/", errback=lambda f: errors.append(type(f.value).__name__))
    def parse(self, response):
        errors.append("response")
st = Settings(); st.setmodule(ds, priority="project")
# the middleware is switched off: only the connect-time resolver stands between us and 127.0.0.1
st.set("DOWNLOADER_MIDDLEWARES", {"zwgk.crawler.middlewares.ssrf.SsrfGuardMiddleware": None})
st.set("ITEM_PIPELINES", {}); st.set("ROBOTSTXT_OBEY", False); st.set("RETRY_ENABLED", False)
st.set("ZWGK_ALLOWED_HOSTS", ["127.0.0.1"]); st.set("LOG_LEVEL", "ERROR")
p = AsyncCrawlerProcess(st); p.crawl(Probe); p.start()
print("RESULT", len(hits), ",".join(errors))
"""


def test_crawler_connect_goes_through_the_guarded_resolver():
    """`localhost` (not a registry host) resolves to loopback at connect time: with the middleware
    off, the crawler's resolver still refuses it and the listener sees no connection."""
    import subprocess
    import sys

    out = subprocess.run([sys.executable, "-c", _CONNECT_SCRIPT], capture_output=True, text=True, timeout=120)
    line = [x for x in out.stdout.splitlines() if x.startswith("RESULT")]
    assert line, out.stderr[-2000:]
    assert line[0] == "RESULT 0 CannotResolveHostError", line
