"""`Network` (the spec plus its renderers) and `RunningNetwork` (loopback HTTP servers)."""

from __future__ import annotations

import copy
import hashlib
import socket
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

import yaml

from .spec import Column, Portal, Unit, Variant, build_spec, check_plan, ground_truth
from .styles import Response, Site, site_for

LOOPBACK = "127.0.0.1"
LAST_MODIFIED = "Mon, 02 Nov 2026 08:00:00 GMT"


class Network:
    """The demo portal network for one (as_of, seed, variant); pages are rendered on request."""

    def __init__(
        self,
        as_of: date,
        seed: int = 2026,
        variant: Variant | None = None,
        skin: int | None = None,
        anchor: date | None = None,
    ):
        """`anchor`: the first night of a multi-night replay (zwgk_demonet/story.py); article
        addresses are dated as on that night, so they stay the same from night to night."""
        self.as_of = as_of
        self.seed = seed
        self.skin = skin or None  # None/0: the original templates; N: generated skin N (skins.py)
        self.variant = variant or Variant()
        self.portals: list[Portal] = build_spec(as_of, seed, self.variant, self.skin)
        check_plan(self.portals, as_of)
        self.sites: dict[str, Site] = {}
        for p in self.portals:
            site = site_for(p, self.skin)
            if anchor is not None:
                site.url_shift = as_of - anchor
            site.layout()
            self.sites[p.id] = site
        self._truth = self._with_urls(ground_truth(self.portals, as_of))

    def _with_urls(self, truth: list[dict]) -> list[dict]:
        """Name the exact page of the per-URL rules (the evaluation matches on its path): one
        link.broken row per dead link, and the article path of each meta.incomplete, text.typo and
        interp.missing row (one row per violating policy)."""
        from .periodic import interp_violations

        out: list[dict] = []
        for row in truth:
            rule = row["rule"]
            if rule not in (
                "link.broken",
                "meta.incomplete",
                "text.typo",
                "interp.missing",
                "privacy.exposed",
            ):
                out.append(row)
                continue
            unit = self.unit(row["portal"], row["unit"])
            col = unit.columns[row["column"]]
            site = self.sites[row["portal"]]
            if rule == "link.broken":
                paths = [d[0] for d in getattr(col, "dead_links", [])]
                paths += [d[0] for e in col.entries for d in (getattr(e, "dead_links", None) or [])]
            elif rule == "interp.missing":
                bad = set(interp_violations(unit, self.as_of))
                paths = [urlsplit(site.article_url(col, e)).path for e in col.entries if e.title in bad]
            elif rule == "privacy.exposed":
                paths = [
                    e.personal_file[0]
                    if getattr(e, "personal_file", None)
                    else urlsplit(site.article_url(col, e)).path
                    for e in col.entries
                    if getattr(e, "personal", None) or getattr(e, "personal_file", None)
                ]
            else:
                attr = {"meta.incomplete": "meta_missing"}.get(rule, "typo")
                paths = [
                    urlsplit(site.article_url(col, e)).path for e in col.entries if getattr(e, attr, None)
                ]
            for path in dict.fromkeys(paths):
                out.append({**row, "url_path": path})
        return out

    def ground_truth(self) -> list[dict]:
        """[{rule, portal, unit, column, url_path, note}], one row per expected finding."""
        return copy.deepcopy(self._truth)

    def portal(self, pid: str) -> Portal:
        return next(p for p in self.portals if p.id == pid)

    def unit(self, pid: str, uid: str) -> Unit:
        return self.portal(pid).unit(uid)

    def column(self, pid: str, uid: str, cid: str) -> Column:
        return self.unit(pid, uid).columns[cid]

    def render(self, pid: str, path: str, query: str = "") -> Response:
        """The response the portal's server gives for `path` (no sockets). Unreachable portals: 404s."""
        return self.sites[pid].render(path, query)

    def serve(self, tls: bool = False, validators: bool = True) -> RunningNetwork:
        """Serve every reachable portal on loopback; with `tls`, over https (a self-signed
        certificate, as a portal's switch from http to https). `validators=False` serves as most
        dynamic CMS pages do: no ETag, no Last-Modified, every request a 200."""
        return RunningNetwork(self, tls, validators)


class _Handler(BaseHTTPRequestHandler):
    server_version = "nginx"
    sys_version = ""
    protocol_version = "HTTP/1.1"  # keep-alive, as real portals (a closed pooled connection breaks POSTs)

    def _serve(self, with_body: bool, form: dict[str, str] | None = None) -> None:
        pid, site, running = self.server.demo  # type: ignore[attr-defined]
        running._log(pid, self.command, self.path)
        split = urlsplit(self.path)
        try:
            if form is not None:
                resp = site.render_post(unquote(split.path), split.query, form)
            else:
                resp = site.render(unquote(split.path), split.query)
        except Exception:  # a rendering bug must not hang the crawler
            resp = Response(500, b"internal error", {"Content-Type": "text/plain"})
        headers = dict(resp.headers)
        status, body = resp.status, resp.body
        if status == 200 and running.validators:
            # Validators for conditional GET (incremental crawls): a strong ETag of the body and a
            # fixed Last-Modified; a matching If-None-Match gets 304 and no body.
            etag = '"' + hashlib.sha1(body).hexdigest()[:20] + '"'
            headers["ETag"] = etag
            headers["Last-Modified"] = LAST_MODIFIED
            if self.headers.get("If-None-Match") == etag:
                status, body = 304, b""
                headers.pop("Content-Type", None)
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        if status != 304:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if with_body and status != 304:
            self.wfile.write(body)

    def do_GET(self) -> None:
        self._serve(True)

    def do_HEAD(self) -> None:
        self._serve(False)

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        self._serve(True, dict(parse_qsl(raw, keep_blank_values=True)))

    def log_message(self, format: str, *args: object) -> None:
        return


_CERT_DIR: list[Path] = []


def _tls_context():
    """A server context with a self-signed certificate for 127.0.0.1, made once per process by the
    system's openssl (the crawler, like a browser told to, does not verify it)."""
    import ssl
    import subprocess
    import tempfile

    if not _CERT_DIR:
        folder = Path(tempfile.mkdtemp(prefix="demonet-tls-"))
        subprocess.run(
            [
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=127.0.0.1",
                "-keyout",
                str(folder / "key.pem"),
                "-out",
                str(folder / "cert.pem"),
            ],
            check=True,
            capture_output=True,
        )
        _CERT_DIR.append(folder)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(_CERT_DIR[0] / "cert.pem", _CERT_DIR[0] / "key.pem")
    return context


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address) -> None:  # quiet on client disconnects
        return


def _dead_port() -> int:
    """A loopback port where nothing listens (bound once to get it, then closed)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


class RunningNetwork:
    """One ThreadingHTTPServer per reachable portal on 127.0.0.1; use as a context manager."""

    def __init__(self, network: Network, tls: bool = False, validators: bool = True):
        self.network = network
        self.validators = validators
        context = _tls_context() if tls else None
        self.base_urls: dict[str, str] = {}
        self.request_log: list[tuple[str, str, str]] = []
        self._lock = threading.Lock()
        self._servers: list[_Server] = []
        self._threads: list[threading.Thread] = []
        try:
            for p in network.portals:
                if p.reachable:
                    srv = _Server((LOOPBACK, 0), _Handler)
                    if context is not None:
                        srv.socket = context.wrap_socket(srv.socket, server_side=True)
                    srv.demo = (p.id, network.sites[p.id], self)  # type: ignore[attr-defined]
                    t = threading.Thread(
                        target=srv.serve_forever,
                        kwargs={"poll_interval": 0.05},
                        name=f"demonet-{p.id}",
                        daemon=True,
                    )
                    t.start()
                    self._servers.append(srv)
                    self._threads.append(t)
                    port = srv.server_address[1]
                else:
                    port = _dead_port()
                self.base_urls[p.id] = f"{'https' if tls else 'http'}://{LOOPBACK}:{port}/"
        except BaseException:
            self.close()
            raise

    def switch(self, network: Network) -> None:
        """Serve `network` (the same portals on another night) on the same ports: the registry
        written for the first night stays valid, and so does every stored address."""
        if [p.id for p in network.portals] != [p.id for p in self.network.portals]:
            raise ValueError("switch: another network's portals")
        self.network = network
        for srv in self._servers:
            pid = srv.demo[0]  # type: ignore[attr-defined]
            srv.demo = (pid, network.sites[pid], self)  # type: ignore[attr-defined]

    def _log(self, pid: str, method: str, path: str) -> None:
        with self._lock:
            self.request_log.append((pid, method, path))

    def url(self, pid: str, path: str) -> str:
        return self.base_urls[pid].rstrip("/") + path

    def registry(self) -> dict:
        portals = []
        for p in self.network.portals:
            portals.append(
                {
                    "id": p.id,
                    "name": p.name,
                    "home": self.base_urls[p.id],
                    "units": [
                        {
                            "id": u.id,
                            "name": u.name,
                            "profile": u.profile,
                            "entry": self.url(p.id, u.entry_path),
                        }
                        for u in p.units
                    ],
                }
            )
        return {"portals": portals, "allow_hosts": []}

    def write_registry(self, path: Path) -> Path:
        """Write the sites YAML (design.md registry format) with the real ports; returns the path."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        text = yaml.safe_dump(self.registry(), allow_unicode=True, sort_keys=False)
        path.write_text(
            f"# zwgk demo network, as of {self.network.as_of.isoformat()}\n{text}", encoding="utf-8"
        )
        return path

    def close(self) -> None:
        for srv in self._servers:
            srv.shutdown()
            srv.server_close()
        for t in self._threads:
            t.join(timeout=5)
        self._servers, self._threads = [], []

    def __enter__(self) -> RunningNetwork:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def build_network(
    as_of: date,
    seed: int = 2026,
    variant: Variant | None = None,
    skin: int | None = None,
    anchor: date | None = None,
) -> Network:
    """The demo network; deterministic for (as_of, seed, variant, skin, anchor)."""
    return Network(as_of, seed, variant, skin, anchor)
