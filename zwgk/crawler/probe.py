"""Availability probes: one light visit of every portal home and unit entry page.

The 2019 indicators judge 站点无法访问 as the national check measures it: the home page visited
at least 20 times a day for a week, a visit failing when no usable answer comes within 15 s, and
a veto at 5 % of visits failing. A nightly crawl is one visit a day; the probe job (scheduler,
or `zwgk probe` by hand) adds the others, and each visit is stored (zwgk.store.schema.Probe).

A visit is a GET of the registry's own URL — nothing else, no redirect followed (a 3xx is an
answer), the body read only up to a few kilobytes — so the address policy is the registry's: only
registered hosts are contacted. A failure is what the crawl calls unreachable: no answer in time,
refused or reset, DNS or TLS failure, a 5xx, or a 4xx other than an anti-bot or access answer
(401/403/412/429 show the site is up).
"""

from __future__ import annotations

import socket
import ssl
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from zwgk.config.registry import Registry

TIMEOUT_S = 15.0
READ_BYTES = 4096
UP_4XX = frozenset({401, 403, 412, 429})  # the server answered: reachable, whatever it thinks of us
USER_AGENT = "zwgk-monitor availability probe"


@dataclass
class ProbeResult:
    portal: str
    unit: str
    target: str  # home | entry
    url: str
    ok: bool
    http_status: int | None
    elapsed_ms: int
    error: str | None


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # a 3xx is the server answering: not followed
        return None


def _opener() -> urllib.request.OpenerDirector:
    # Certificates are site.tls's business: a visit with a rejected certificate still got an answer.
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return urllib.request.build_opener(
        _NoRedirect, urllib.request.HTTPSHandler(context=context), urllib.request.ProxyHandler({})
    )


def visit(url: str, timeout: float = TIMEOUT_S) -> tuple[bool, int | None, str | None, int]:
    """(answered, HTTP status, error in Chinese, elapsed ms) for one GET of `url`."""
    started = time.monotonic()
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    status: int | None = None
    error: str | None = None
    try:
        with _opener().open(request, timeout=timeout) as response:
            status = response.status
            response.read(READ_BYTES)
    except urllib.error.HTTPError as exc:
        status = exc.code
    except TimeoutError:
        error = f"超时无响应（{timeout:g}秒）"
    except urllib.error.URLError as exc:
        reason = exc.reason
        if isinstance(reason, TimeoutError | socket.timeout):
            error = f"超时无响应（{timeout:g}秒）"
        elif isinstance(reason, ConnectionRefusedError):
            error = "连接被拒绝"
        elif isinstance(reason, socket.gaierror):
            error = "域名解析失败"
        elif isinstance(reason, ssl.SSLError):
            error = "TLS握手失败"
        else:
            error = f"无法连接（{type(reason).__name__}）"
    except (ConnectionError, OSError) as exc:
        error = f"连接中断（{type(exc).__name__}）"
    elapsed = int((time.monotonic() - started) * 1000)
    if error is None and elapsed > timeout * 1000:
        error = f"超时无响应（{timeout:g}秒）"
    if error is None and status is not None and (status >= 500 or (status >= 400 and status not in UP_4XX)):
        error = f"HTTP {status}"
    return error is None, status, error, elapsed


def targets(registry: Registry, only: set[str] | None = None) -> list[tuple[str, str, str, str]]:
    """(portal, unit, target, url): every portal home (owned by its government unit) and unit entry."""
    out = []
    for portal in registry.portals:
        if only and portal.id not in only:
            continue
        gov = next((u for u in portal.units if u.profile == "government"), None)
        if gov is not None:
            out.append((portal.id, gov.id, "home", portal.home))
        out += [(portal.id, u.id, "entry", u.entry) for u in portal.units]
    return out


def probe_round(
    registry: Registry, timeout: float = TIMEOUT_S, concurrency: int = 8, only: set[str] | None = None
) -> list[ProbeResult]:
    """Visit every home and entry page once, `concurrency` at a time."""
    pages = targets(registry, only)
    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        answers = list(pool.map(lambda page: visit(page[3], timeout), pages))
    return [
        ProbeResult(p, u, t, url, ok, status, elapsed, error)
        for (p, u, t, url), (ok, status, error, elapsed) in zip(pages, answers, strict=True)
    ]
