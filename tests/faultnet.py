"""A fault-injection portal: one unit per way a government site can misbehave (127.0.0.1 only).

```python
with FaultNet() as net:                       # one ThreadingHTTPServer on 127.0.0.1, an ephemeral port
    net.write_registry(tmp / "sites.yml")     # portal `faultnet`: a healthy government unit + one unit per fault
    ...                                       # net.requests: (method, path) of every request served
```
Every fault is bounded on the server side too: a handler that never answers waits at most
`HANG_S` seconds (or until the net stops), a drip sends at most `DRIP_BYTES`, the 50 MB page is
generated lazily in 64 KiB chunks and stops when the client hangs up; the pagination and calendar
traps are infinite only as URLs (each page is made on request). No request ever leaves this machine.

| fault | where | what the server does |
|---|---|---|
| timeout | entry | accepts, reads the request, never answers |
| drip | entry | 200 + headers, then one byte every 0.5 s |
| reset | entry | accepts, then resets the connection (RST) before any byte |
| truncated | entry | promises Content-Length 100000, sends 200 bytes, closes |
| http500, http502, http503 | entry | that status (503 with Retry-After: 3600) |
| redirect-loop | entry | 302 → ?n+1 → … forever |
| challenge412 | entry | 412 with a 瑞数-style JS challenge |
| refused | entry | a port where nothing listens |
| moved (control) | entry | one 301 to the real page (must be followed: not a fault) |
| huge | column 工作动态 | 200, no Content-Length, 50 MB streamed lazily |
| huge-declared | column 工作动态 | 200, Content-Length 50 MB (refused before reading) |
| pagination-trap | column 工作动态 | every page has 下一页 to page n+1 with fresh entries, forever |
| calendar-trap | column 工作动态 | a list plus a calendar linking ?date= month after month, forever |
| malformed | entry + column | unclosed tags, stray `</table>`, NUL bytes, broken entities |
| wrong-charset | entry + column | declares charset=utf-8 (header) / gb2312 (meta) while the bytes are the other |
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import yaml

HANG_S = 60  # a never-answering handler gives up after this long (the crawl's timeout is far shorter)
DRIP_BYTES = 120  # at 0.5 s each: a minute of dripping at most
HUGE = 50 * 1024 * 1024
CHUNK = 64 * 1024
AS_OF = date(2026, 11, 23)

# fault id -> (unit name, where the fault is: 'entry' or 'column')
FAULTS: dict[str, tuple[str, str]] = {
    "timeout": ("超时无响应局", "entry"),
    "drip": ("慢速滴漏局", "entry"),
    "reset": ("连接重置局", "entry"),
    "truncated": ("响应截断局", "entry"),
    "http500": ("服务器错误500局", "entry"),
    "http502": ("网关错误502局", "entry"),
    "http503": ("服务不可用503局", "entry"),
    "redirect-loop": ("重定向循环局", "entry"),
    "challenge412": ("反爬验证412局", "entry"),
    "refused": ("拒绝连接局", "entry"),
    "moved": ("网址迁移局", "entry"),  # control: a single 301 to the real page is not a fault
    "huge": ("超大页面局", "column"),
    "huge-declared": ("声明超大页面局", "column"),
    "pagination-trap": ("无限分页局", "column"),
    "calendar-trap": ("日历陷阱局", "column"),
    "malformed": ("畸形网页局", "column"),
    "wrong-charset": ("编码错标局", "column"),
}


def _unit_id(fault: str) -> str:
    return fault.replace("-", "")


def _page(title: str, body: str, charset: str = "utf-8") -> str:
    return (
        f'<!DOCTYPE html><html><head><meta charset="{charset}"><title>{title}</title></head>'
        f'<body><div class="crumb">首页 &gt; 政务公开 &gt; {title}</div>{body}</body></html>'
    )


def _list(items: list[tuple[str, str, date]], extra: str = "") -> str:
    lis = "".join(
        f'<li><a href="{href}" title="{t}">{t}</a><span>{d.isoformat()}</span></li>' for t, href, d in items
    )
    return f'<div class="list"><ul>{lis}</ul></div>{extra}'


def _entry(fault: str, base: str | None = None) -> str:
    """A unit's 信息公开 page listing a few catalog columns (only 工作动态 is a fault's column)."""
    base = base or f"/{fault}"
    links = "".join(
        f'<li><a href="{base}/{cid}/">{name}</a></li>'
        for cid, name in (("gzdt", "工作动态"), ("tzgg", "通知公告"), ("xxgkzn", "政府信息公开指南"))
    )
    return _page(
        FAULTS.get(fault, ("演示县人民政府", ""))[0] + "信息公开",
        f'<div class="xxgk-catalog"><ul>{links}</ul></div>',
    )


def _column(fault: str, cid: str, n: int = 6) -> str:
    day = AS_OF - timedelta(days=2)
    items = [
        (
            f"{FAULTS.get(fault, ('演示', ''))[0]}关于第{i + 1}项工作的通知",
            f"/{fault}/{cid}/a{i}.html",
            day - timedelta(days=i),
        )
        for i in range(n)
    ]
    return _page("栏目", _list(items))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, *args):
        pass

    def do_HEAD(self):
        self._serve(head=True)

    def do_GET(self):
        self._serve(head=False)

    # -- helpers -----------------------------------------------------------------------------
    def _send(
        self,
        status: int,
        body: bytes,
        ctype: str = "text/html; charset=utf-8",
        head: bool = False,
        headers: dict | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _html(self, text: str, head: bool, status: int = 200, charset: str = "utf-8", **kw) -> None:
        self._send(status, text.encode(charset, "replace"), f"text/html; charset={charset}", head, **kw)

    def _reset(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.connection.close()
        self.close_connection = True

    # -- routes ------------------------------------------------------------------------------
    def _serve(self, head: bool) -> None:
        parts = urlsplit(self.path)
        self.server.requests.append((self.command, self.path))
        segs = [s for s in parts.path.split("/") if s]
        if parts.path == "/robots.txt":
            return self._send(200, b"User-agent: *\nDisallow: /search\n", "text/plain", head)
        if not segs:
            return self._html(_page("演示县人民政府", "<p>首页</p>"), head)
        fault, rest = segs[0], segs[1:]
        if fault == "moved-here" and not rest:
            return self._html(_entry("moved", "/moved-here"), head)
        if (fault == "gov" and not rest) or (fault in FAULTS and FAULTS[fault][1] == "column" and not rest):
            if fault in ("malformed", "wrong-charset"):
                return self._special_entry(fault, head)
            return self._html(_entry(fault), head)
        if fault in FAULTS and FAULTS[fault][1] == "entry":
            return self._entry_fault(fault, parts, head)
        if fault in FAULTS and rest and rest[0] == "gzdt":
            return self._column_fault(fault, parts, head)
        if fault in FAULTS or fault in ("gov", "moved-here"):
            if len(rest) == 1:
                return self._html(_column(fault, rest[0]), head)
            return self._html(_page("文章", "<p>正文。发布日期：2026-11-20</p>"), head)
        return self._send(404, b"not found", "text/plain", head)

    def _entry_fault(self, fault: str, parts, head: bool) -> None:
        if fault == "timeout":
            self.server.stopping.wait(HANG_S)
            self.close_connection = True
            return None
        if fault == "drip":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            try:
                for _ in range(DRIP_BYTES):
                    if self.server.stopping.wait(0.5):
                        break
                    self.wfile.write(b" ")
                    self.wfile.flush()
            except OSError:
                pass
            self.close_connection = True
            return None
        if fault == "reset":
            return self._reset()
        if fault == "truncated":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"<html><body>" + b"x" * 188)
            self.wfile.flush()
            self.close_connection = True
            return None
        if fault in ("http500", "http502", "http503"):
            code = int(fault[4:])
            extra = {"Retry-After": "3600"} if code == 503 else {}
            return self._html(_page(f"{code}", f"<h1>{code} Error</h1>"), head, status=code, headers=extra)
        if fault == "moved":  # a control: one permanent redirect to the real page must be followed
            self.send_response(301)
            self.send_header("Location", "/moved-here/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if fault == "redirect-loop":
            n = int(parse_qs(parts.query).get("n", ["0"])[0])
            self.send_response(302)
            self.send_header("Location", f"/{fault}/?n={n + 1}")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if fault == "challenge412":
            body = (
                '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
                "<script type=\"text/javascript\" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=12345;"
                "$_ts.cd='qxxxEEeEkF';</script><script src=\"/4QbVtADbnLVIc/c.FxJzG50F.dfe1675.js\" r='m'>"
                "</script></head><body></body></html>"
            )
            return self._html(body, head, status=412)
        return self._send(500, b"unknown fault", "text/plain", head)

    def _special_entry(self, fault: str, head: bool) -> None:
        if fault == "malformed":
            body = (
                "<html><head><title>畸形网页局信息公开<body><table><tr><td>"
                "<div class=xxgk-catalog><ul><li><a href=/malformed/gzdt/>工作动态</a>"
                "<li><a href='/malformed/tzgg/' >通知公告</a></table></table></div></span>"
                '&#xZZZ; &bogus; \x00\x00 <a href="javascript:void(0)">&lt;script</a><p><p><p>'
                "<!-- unterminated comment"
            )
            return self._send(200, body.encode("utf-8"), "text/html; charset=utf-8", head)
        # wrong-charset: the header says utf-8, the bytes are GBK (the meta tag tells the truth)
        text = _entry(fault).replace('<meta charset="utf-8">', '<meta charset="gbk">')
        return self._send(200, text.encode("gbk"), "text/html; charset=utf-8", head)

    def _column_fault(self, fault: str, parts, head: bool) -> None:
        rest = [s for s in parts.path.split("/") if s][2:]
        if rest:  # an article of the column
            return self._html(_page("文章", "<p>正文。发布日期：2026-11-20</p>"), head)
        if fault in ("huge", "huge-declared"):
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            if fault == "huge-declared":
                self.send_header("Content-Length", str(HUGE))
            else:
                self.send_header("Connection", "close")
            self.end_headers()
            if head:
                return None
            chunk = b"<li><a href='x.html'>" + "填充内容".encode() * 100 + b"</a></li>\n"
            chunk = (chunk * (CHUNK // len(chunk) + 1))[:CHUNK]
            sent = 0
            try:
                self.wfile.write(b"<html><body><ul>")
                while sent < HUGE and not self.server.stopping.is_set():  # lazily, one chunk at a time
                    self.wfile.write(chunk)
                    sent += CHUNK
            except OSError:
                pass  # the crawler hung up at its size limit
            self.server.huge_sent[fault] = sent
            self.close_connection = True
            return None
        if fault == "pagination-trap":
            page = int(parse_qs(parts.query).get("page", ["1"])[0])
            day = AS_OF - timedelta(days=1)
            items = [
                (
                    f"无限分页第{page}页第{i + 1}条信息",
                    f"/{fault}/gzdt/p{page}-{i}.html",
                    day - timedelta(days=page),
                )
                for i in range(5)
            ]
            pager = (
                f'<div class="page"><a href="/{fault}/gzdt/?page=1">首页</a>'
                f'<a href="/{fault}/gzdt/?page={page + 1}">下一页</a>'
                f"<span>第{page}页 共99999页</span></div>"
            )
            return self._html(_page("工作动态", _list(items, pager)), head)
        if fault == "calendar-trap":
            month = parse_qs(parts.query).get("date", [AS_OF.strftime("%Y-%m")])[0]
            y, m = (int(x) for x in month.split("-")[:2])
            nxt = f"{y + (m == 12)}-{m % 12 + 1:02d}"
            prv = f"{y - (m == 1)}-{(m - 2) % 12 + 1:02d}"
            cal = (
                f'<div class="calendar"><a href="/{fault}/gzdt/?date={prv}">上月</a>'
                f'<a href="/{fault}/gzdt/?date={nxt}">下月</a>'
                + "".join(f'<a href="/{fault}/gzdt/?date={y}-{m:02d}-{d:02d}">{d}</a>' for d in range(1, 29))
                + "</div>"
            )
            day = AS_OF - timedelta(days=3)
            items = [
                (f"日历陷阱局工作信息{i + 1}", f"/{fault}/gzdt/c{i}.html", day - timedelta(days=i))
                for i in range(4)
            ]
            return self._html(_page("工作动态", _list(items, cal)), head)
        if fault == "malformed":
            day = AS_OF - timedelta(days=4)
            rows = "".join(
                f"<tr><td><a href=/malformed/gzdt/m{i}.html>畸形网页局第{i + 1}条动态</a><td>"
                f"{(day - timedelta(days=i)).isoformat()}<tr>"
                for i in range(5)
            )
            body = f"<html><body><table>{rows}</div></ul><li>&nbsp;&#0;\x00<b><i></b></i><table"
            return self._send(200, body.encode("utf-8"), "text/html; charset=utf-8", head)
        if fault == "wrong-charset":
            # the header says gb2312 but the bytes are UTF-8 (no meta tag): a common CMS misconfiguration
            text = _column(fault, "gzdt").replace('<meta charset="utf-8">', "")
            return self._send(200, text.encode("utf-8"), "text/html; charset=gb2312", head)
        return self._send(500, b"unknown column fault", "text/plain", head)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[tuple[str, str]] = []
        self.stopping = threading.Event()
        self.huge_sent: dict[str, int] = {}


class FaultNet:
    """The fault portal, served on 127.0.0.1 while the context is open."""

    def __init__(self):
        self.server = _Server()
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        with socket.socket() as s:  # a port where nothing listens (bound, then closed)
            s.bind(("127.0.0.1", 0))
            self.refused_port = s.getsockname()[1]
        self._thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )

    @property
    def requests(self) -> list[tuple[str, str]]:
        return self.server.requests

    def __enter__(self) -> FaultNet:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.stopping.set()
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(timeout=5)

    def entry_url(self, fault: str) -> str:
        if fault == "refused":
            return f"http://127.0.0.1:{self.refused_port}/refused/"
        return f"{self.base}/{fault}/"

    def registry(self) -> dict:
        units = [
            {"id": "gov", "name": "演示县人民政府", "profile": "government", "entry": f"{self.base}/gov/"}
        ]
        for fault, (name, where) in FAULTS.items():
            unit = {
                "id": _unit_id(fault),
                "name": name,
                "profile": "department",
                "entry": self.entry_url(fault),
            }
            if where == "column":
                unit["columns"] = {"gzdt": f"{self.base}/{fault}/gzdt/"}
            units.append(unit)
        return {
            "portals": [
                {"id": "faultnet", "name": "故障注入县人民政府", "home": f"{self.base}/", "units": units}
            ]
        }

    def write_registry(self, path: Path) -> Path:
        Path(path).write_text(
            yaml.safe_dump(self.registry(), allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        return Path(path)


def unit_of(fault: str) -> str:
    return _unit_id(fault)


if __name__ == "__main__":  # python -m tests.faultnet: serve until Ctrl-C (loopback only)
    with FaultNet() as net:
        print(f"fault portal at {net.base}/ — entries: " + ", ".join(net.entry_url(f) for f in FAULTS))
        try:
            while True:
                time.sleep(1)
        except KeyboardInterrupt:
            pass
