"""Loopback test servers shared by the security tests: a canary that counts connection attempts,
and a static site serving a dict of pages. Both bind 127.0.0.x only."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

CANARY_HOST = "127.0.0.2"  # not a registry host: nothing may ever connect here


class Canary:
    """A TCP listener that counts connection attempts (accepted and closed at once)."""

    def __init__(self, host: str = CANARY_HOST):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((host, 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections: list[tuple] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        while not self._stop.is_set():
            try:
                conn, addr = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.connections.append(addr)
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _serve(self, body_too: bool):
        status, headers, text = self.server.pages.get(self.path.split("?")[0], (404, {}, "not found"))
        body = text.encode("utf-8")
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body_too:
            self.wfile.write(body)

    def do_GET(self):
        self._serve(True)

    def do_HEAD(self):
        self._serve(False)

    def log_message(self, *args):
        return


class StaticSite:
    """Serve `pages` ({path: (status, headers, body)}) on 127.0.0.1; a context manager."""

    def __init__(self, pages: dict[str, tuple[int, dict, str]]):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.server.daemon_threads = True
        self.server.pages = pages
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> StaticSite:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def few_columns_catalog(folder) -> str:
    """A catalog override for fixtures whose entry pages list only the few columns a test is about:
    without it the crawler rightly abstains (栏目目录未能识别) on a page with 1 of 11 columns."""
    from pathlib import Path

    path = Path(folder) / "few-columns-catalog.yml"
    path.write_text("discovery:\n  min_found_share: 0\n", encoding="utf-8")
    return str(path)
