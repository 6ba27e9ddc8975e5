"""What a browser would say about a portal's HTTPS certificate (site.tls).

Scrapy fetches without verifying certificates (a crawl must read a portal whatever its
certificate), so a visitor's "证书无效" warning is checked here on its own: one TLS handshake
with the system's trust store (plus the operator's CA file for an intranet CA, setting
ZWGK_TLS_CAFILE), then — verified or not — the leaf certificate's validity dates. Only the
registry's own host and port are contacted (the home URL's), so the address policy holds.

A failed TCP connection or a handshake that never completes says nothing about the certificate:
`status` is then 'unknown' (the home page's own fetch decides 站点无法访问).
"""

from __future__ import annotations

import socket
import ssl
from datetime import UTC, datetime
from urllib.parse import urlsplit

from cryptography import x509

TIMEOUT_S = 15.0

# OpenSSL verify codes a person can act on, in plain Chinese (others keep OpenSSL's text)
REASONS = {
    10: "证书已过期",
    9: "证书尚未生效",
    18: "证书为自签名证书，不受信任",
    19: "证书链中含自签名根证书，不受信任",
    20: "证书签发机构不受信任（缺少中间证书或使用了非公认的签发机构）",
    21: "证书签发机构不受信任（缺少中间证书）",
    62: "证书与网站域名不符",
    64: "证书与网站域名不符",  # an address-literal host
}


def inspect_certificate(url: str, cafile: str | None = None, timeout: float = TIMEOUT_S) -> dict | None:
    """The certificate facts of an https URL's host (None for http URLs).

    Returns {status: ok | invalid | unknown, error, not_after (ISO UTC), subject, issuer}."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return None
    host, port = parts.hostname, parts.port or 443
    verified = ssl.create_default_context(cafile=cafile) if cafile else ssl.create_default_context()
    if cafile:
        verified.load_default_certs()
    error = None
    try:
        der = _handshake(verified, host, port, timeout)
    except ssl.SSLCertVerificationError as exc:
        error = REASONS.get(exc.verify_code) or f"证书校验失败：{exc.verify_message}"
        der = None
    except (OSError, ssl.SSLError) as exc:
        return {"status": "unknown", "error": f"未能完成TLS握手：{type(exc).__name__}"}
    if der is None:
        loose = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        loose.check_hostname = False
        loose.verify_mode = ssl.CERT_NONE
        try:
            der = _handshake(loose, host, port, timeout)
        except (OSError, ssl.SSLError) as exc:
            return {"status": "invalid", "error": error, "detail": f"证书未能读取：{type(exc).__name__}"}
    facts: dict = {"status": "invalid" if error else "ok", "error": error}
    try:
        cert = x509.load_der_x509_certificate(der)
    except ValueError:
        return {**facts, "detail": "证书无法解析"}
    facts["not_after"] = cert.not_valid_after_utc.replace(tzinfo=None).isoformat(timespec="seconds")
    facts["subject"] = cert.subject.rfc4514_string()[:200]
    facts["issuer"] = cert.issuer.rfc4514_string()[:200]
    if error is None and cert.not_valid_after_utc < datetime.now(UTC):
        facts.update(status="invalid", error=REASONS[10])
    return facts


def _handshake(context: ssl.SSLContext, host: str, port: int, timeout: float) -> bytes | None:
    with (
        socket.create_connection((host, port), timeout=timeout) as raw,
        context.wrap_socket(raw, server_hostname=host) as tls,
    ):
        return tls.getpeercert(binary_form=True)
