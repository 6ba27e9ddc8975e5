"""HTTPS certificates as a browser judges them (site.tls), on loopback servers with certificates
made here: a test CA (given as the operator's CA file) signs a healthy certificate, one ending in
ten days, an expired one and one for another domain; a self-signed one is outside the CA. The last
test crawls an https portal end to end and finds the certificate problem in the check."""

from __future__ import annotations

import os
import ssl
import subprocess
import sys
import threading
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from ipaddress import IPv4Address
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from zwgk.crawler.tls import inspect_certificate

NOW = datetime.now(UTC)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject: str, key, issuer_name: x509.Name, issuer_key, start, end, ca=False, ip=True):
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if not ca:
        san = [x509.IPAddress(IPv4Address("127.0.0.1"))] if ip else [x509.DNSName("other.example")]
        builder = builder.add_extension(x509.SubjectAlternativeName(san), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


@pytest.fixture(scope="module")
def pki(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pki")
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = _cert(
        "zwgk test CA",
        ca_key,
        _name("zwgk test CA"),
        ca_key,
        NOW - timedelta(days=10),
        NOW + timedelta(days=3650),
        ca=True,
    )
    (tmp / "ca.pem").write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    out = {"cafile": str(tmp / "ca.pem")}
    kinds = {
        "healthy": (NOW - timedelta(days=1), NOW + timedelta(days=400), True, True),
        "ending": (NOW - timedelta(days=300), NOW + timedelta(days=10), True, True),
        "expired": (NOW - timedelta(days=400), NOW - timedelta(days=2), True, True),
        "other_domain": (NOW - timedelta(days=1), NOW + timedelta(days=400), True, False),
        "self_signed": (NOW - timedelta(days=1), NOW + timedelta(days=400), False, True),
    }
    for kind, (start, end, signed, ip) in kinds.items():
        key = ec.generate_private_key(ec.SECP256R1())
        if signed:
            cert = _cert("127.0.0.1", key, ca.subject, ca_key, start, end, ip=ip)
        else:
            cert = _cert("127.0.0.1", key, _name("127.0.0.1"), key, start, end, ip=ip)
        pem = tmp / f"{kind}.pem"
        pem.write_bytes(
            cert.public_bytes(serialization.Encoding.PEM)
            + key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
        )
        out[kind] = str(pem)
    return out


class _Portal(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        if self.path == "/":
            body = "<html><body><a href='/xxgk/'>政务公开</a><p>主办：测试县人民政府</p></body></html>"
        elif self.path == "/xxgk/":
            body = "<html><body><a href='/xxgk/gzdt/'>工作动态</a></body></html>"
        elif self.path == "/xxgk/gzdt/":
            day = date.today().isoformat()
            body = f"<html><body><ul><li><a href='/a/1.html'>召开会议</a><span>{day}</span></li></ul></body></html>"
        else:
            self.send_error(404)
            return
        data = body.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class _Https:
    def __init__(self, pem: str):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Portal)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(pem)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.mark.parametrize(
    ("kind", "status", "error"),
    [
        ("healthy", "ok", None),
        ("ending", "ok", None),  # valid today; the rule warns by its end date
        ("expired", "invalid", "证书已过期"),
        ("other_domain", "invalid", "证书与网站域名不符"),
        ("self_signed", "invalid", "自签名"),
    ],
)
def test_a_certificate_is_judged_as_a_browser_would(pki, kind, status, error):
    with _Https(pki[kind]) as site:
        facts = inspect_certificate(site.url, cafile=pki["cafile"], timeout=5)
    assert facts["status"] == status, facts
    assert (error or "") in (facts["error"] or ""), facts
    ends = datetime.fromisoformat(facts["not_after"]).replace(tzinfo=UTC)
    assert abs((ends - NOW).days - {"healthy": 400, "ending": 10, "expired": -2}.get(kind, 400)) <= 1


def test_no_connection_proves_nothing_and_http_is_not_asked():
    refused = inspect_certificate("https://127.0.0.1:9/", timeout=2)
    assert refused["status"] == "unknown" and "握手" in refused["error"]
    assert inspect_certificate("http://127.0.0.1:9/") is None


def test_an_https_portal_night_finds_its_ending_certificate(pki, tmp_path):
    with _Https(pki["ending"]) as site:
        sites = tmp_path / "sites.yml"
        sites.write_text(
            "portals:\n"
            f"  - id: tls\n    name: 测试县人民政府\n    home: {site.url}\n    units:\n"
            f"      - {{id: gov, name: 测试县人民政府, profile: government, entry: {site.url}xxgk/}}\n",
            encoding="utf-8",
        )
        db = f"sqlite:///{tmp_path}/t.db"
        run = subprocess.run(
            [
                sys.executable,
                "-m",
                "zwgk.cli",
                "run",
                "--sites",
                str(sites),
                "--db",
                db,
                "--out",
                str(tmp_path / "out"),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "ZWGK_TLS_CAFILE": pki["cafile"]},  # the operator's intranet CA
        )
    assert run.returncode == 0, run.stderr[-2000:]
    export = subprocess.run(
        [
            sys.executable,
            "-m",
            "zwgk.cli",
            "export",
            "findings",
            "--db",
            db,
            "--format",
            "json",
            "-o",
            str(tmp_path / "f.json"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert export.returncode == 0, export.stderr
    text = Path(tmp_path / "f.json").read_text(encoding="utf-8")
    assert ('"site.tls"' in text and "剩余 10 天" in text) or "剩余 9 天" in text, text[:2000]
