"""Classify a fetch — a response or a failure — into the store's snapshot statuses.

Kept apart from the spider so the rules' vocabulary (unreachable vs. anti-bot vs. error) is
decided in one place: a 瑞数 412 or a WAF block is a crawl problem, never an unreachable site or
a blank column; a Retry-After is not waited out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from twisted.internet import error as txerror
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from zwgk.crawler.middlewares.ssrf import BlockedAddress, UnresolvedHost


@dataclass
class Outcome:
    status: str  # ok | unreachable | antibot | error
    http_status: int | None = None
    error: str | None = None


def from_page(http_status: int, page) -> Outcome:
    """Outcome of a response and what extraction made of it: a page that could not be read within
    its budget (extract/budget.py) is unrecognized, with the reason, whatever its HTTP status said."""
    if getattr(page, "problem", None) and 200 <= http_status < 300:
        return Outcome("unrecognized", http_status, page.problem)
    return from_response(http_status, str(page.kind), page.challenge)


def from_response(http_status: int, page_kind: str | None, challenge: str | None = None) -> Outcome:
    """Outcome of a response that arrived (any status)."""
    if page_kind == "challenge" or http_status == 412:
        return Outcome("antibot", http_status, f"反爬虫验证页（{challenge or 'HTTP 412'}）")
    if 200 <= http_status < 300:
        return Outcome("ok", http_status)
    if http_status in (403, 429) and page_kind == "challenge":
        return Outcome("antibot", http_status, "访问被防火墙拦截")
    if 300 <= http_status < 400:
        return Outcome("unreachable", http_status, f"重定向未完成（HTTP {http_status}）")
    return Outcome("unreachable", http_status, f"HTTP {http_status}")


_TOOK_LONGER = re.compile(r"took longer than ([0-9]+(?:\.[0-9]+)?) seconds")


def timeout_message(text: str = "", timeout: float | None = None) -> str:
    """'超时无响应（N秒）' with the configured DOWNLOAD_TIMEOUT: given, or as Scrapy's error states it
    ('Getting … took longer than N seconds.'); without a number when neither says."""
    if timeout is None:
        found = _TOOK_LONGER.search(text)
        timeout = float(found.group(1)) if found else None
    return f"超时无响应（{timeout:g}秒）" if timeout is not None else "超时无响应"


def from_failure(exc: BaseException, timeout: float | None = None) -> Outcome:
    """Outcome of a request that produced no response (`timeout`: the DOWNLOAD_TIMEOUT in force, if known)."""
    text = str(exc)
    # Scrapy ≥ 2.13 raises its own download errors (scrapy.exceptions), named here by class name so
    # that older Scrapy versions (Twisted's errors, below) keep working.
    kind = type(exc).__name__
    if kind == "DownloadCancelledError":  # the handler cancels a body growing past DOWNLOAD_MAXSIZE
        return Outcome(
            "error",
            None,
            "页面超过下载大小上限" + ("（声明的大小已超限，未下载）" if text else "（下载被中止）"),
        )
    if kind == "DownloadTimeoutError":
        return Outcome("unreachable", None, timeout_message(text, timeout))
    if kind == "DownloadConnectionRefusedError":
        return Outcome("unreachable", None, "连接被拒绝")
    if kind == "CannotResolveHostError":
        return Outcome("unreachable", None, "域名解析失败")
    if kind in ("DownloadFailedError", "ResponseDataLossError"):
        return Outcome(
            "unreachable",
            None,
            "连接被重置或中断" + ("（响应不完整）" if kind == "ResponseDataLossError" else ""),
        )
    if isinstance(exc, UnresolvedHost):  # refused by the SSRF guard before any request
        return Outcome("unreachable", None, "域名解析失败")
    if "SSRF guard (resolver) refused" in text:
        return Outcome("error", None, "安全策略拒绝访问内网或回环地址")
    if isinstance(exc, BlockedAddress):
        return Outcome("error", None, "安全策略拒绝访问内网或回环地址")
    if "robots.txt" in text:
        return Outcome("error", None, "robots.txt 禁止抓取")
    if "max redirections" in text.lower() or "redirect" in type(exc).__name__.lower():
        return Outcome("unreachable", None, "重定向循环")
    if isinstance(exc, txerror.DNSLookupError):
        return Outcome("unreachable", None, "域名解析失败")
    if (
        isinstance(exc, (txerror.TimeoutError, txerror.TCPTimedOutError))
        or "timed out" in text.lower()
        or "took longer than" in text
    ):
        return Outcome("unreachable", None, timeout_message(text, timeout))
    if isinstance(exc, txerror.ConnectionRefusedError):
        return Outcome("unreachable", None, "连接被拒绝")
    if isinstance(
        exc, (txerror.ConnectionLost, ResponseNeverReceived, ResponseFailed, txerror.ConnectionDone)
    ):
        return Outcome("unreachable", None, "连接被重置或中断")
    if "SSL" in text or "TLS" in text or "certificate" in text.lower():
        return Outcome("unreachable", None, f"TLS 握手失败：{text[:120]}")
    if "maxsize" in text.lower() or "larger than" in text:
        return Outcome("error", None, "页面超过下载大小上限")
    return Outcome("unreachable", None, f"{type(exc).__name__}: {text[:160]}")
