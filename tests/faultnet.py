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


# -- the hostile portal ------------------------------------------------------------------------------
# Not broken but hostile (or absurd): pages that make parsers work, lists without end, data that
# crashes decoders, links that never answer, dates in the future, columns that lead elsewhere. A
# second portal on another loopback host (127.0.0.2) is the control: checked normally the same night.
#
# | unit | its 工作动态 column |
# |---|---|
# | quadratic | 1 MB of unclosed `<meta `, TRS comment-body markers and unclosed `<record><![CDATA[` |
# | million | 10 list pages × 100,000 entries (下一页 on each): 10⁶ entries |
# | nestedjson | a JSON list nested 100,000 deep |
# | epoch | JSON records stamped releaseTime 1e20 |
# | surrogate | JSON records whose titles hold lone surrogates, NUL and bidi overrides |
# | tarpit | a short list, and 30 links that never answer |
# | hidden | night 1: a dead link among a few; night 2: the same dead link behind 100 good ones |
# | future | one entry dated 2099-12-31, the rest 690+ days old |
# | crossportal | 302 to the control portal's column |
# | endless | 200 and headers, then a byte now and then, never finishing |
# | attachments | its newest article attaches a 50 MB PDF, a zip bomb DOCX and an encrypted PDF (on
# |             | its own portal, 127.0.0.4: the tarpit's timeouts on 127.0.0.1 leave its links unverified) |
HOSTILE = (
    "quadratic",
    "million",
    "nestedjson",
    "epoch",
    "surrogate",
    "tarpit",
    "hidden",
    "future",
    "crossportal",
    "endless",
    "attachments",
)
MILLION_PAGES, MILLION_PER_PAGE = 10, 100_000
TARPIT_LINKS = 30


def _hostile_entry(unit: str) -> str:
    links = "".join(
        f'<li><a href="/{unit}/{cid}/">{name}</a></li>'
        for cid, name in (("gzdt", "工作动态"), ("tzgg", "通知公告"), ("xxgkzn", "政府信息公开指南"))
    )
    return _page(f"{unit}信息公开", f'<div class="xxgk-catalog"><ul>{links}</ul></div>')


def _dated_list(unit: str, n: int, newest: date, extra: str = "") -> str:
    items = [
        (f"{unit}第{i + 1}条工作动态", f"/{unit}/gzdt/a{i}.html", newest - timedelta(days=i))
        for i in range(n)
    ]
    return _page("工作动态", _list(items, extra))


class _HostileHandler(_Handler):
    """Routes of the hostile portal (127.0.0.1) and of the control portal (127.0.0.2)."""

    def _serve(self, head: bool) -> None:
        parts = urlsplit(self.path)
        self.server.requests.append((self.command, self.path))
        segs = [s for s in parts.path.split("/") if s]
        if parts.path == "/robots.txt":
            return self._send(200, b"User-agent: *\nDisallow: /search\n", "text/plain", head)
        if self.server.role == "control":
            return self._control(segs, head)
        if not segs:
            return self._html(_page("敌意县人民政府", "<p>首页</p>"), head)
        unit, rest = segs[0], segs[1:]
        if unit == "dead":
            return self._send(404, b"gone", "text/plain", head)
        if unit == "ok-link":
            return self._html(_page("正常页面", "<p>正常</p>"), head)
        if unit == "files":
            body, ctype = self.server.attachment(rest[0] if rest else "")
            return self._send(200 if body else 404, body or b"no such file", ctype, head)
        if unit == "hang":
            self.server.stopping.wait(HANG_S)
            self.close_connection = True
            return None
        if not rest:
            return self._html(_hostile_entry(unit), head)
        if rest[0] == "gzdt" and len(rest) == 1:
            return self._hostile_column(unit, parts, head)
        if len(rest) == 1:  # the other columns: a plain fresh list
            return self._html(_dated_list(unit, 5, AS_OF - timedelta(days=2)), head)
        if unit == "attachments" and rest[-1] == "a0.html":
            files = "".join(
                f'<p><a href="/files/{name}">附件：{label}</a></p>'
                for name, label in (
                    ("huge.pdf", "全年汇总表"),
                    ("bomb.docx", "名单"),
                    ("locked.pdf", "加密文件"),
                )
            )
            return self._html(_page("文章", f"<p>正文。发布日期：2026-11-20</p>{files}"), head)
        return self._html(_page("文章", "<p>正文。发布日期：2026-11-20</p>"), head)

    def _control(self, segs: list[str], head: bool) -> None:
        if not segs:
            return self._html(_page("对照县人民政府", "<p>首页</p>"), head)
        unit, rest = segs[0], segs[1:]
        if not rest:
            return self._html(_hostile_entry(unit), head)
        if len(rest) == 1:
            return self._html(_dated_list(f"对照{unit}", 6, AS_OF - timedelta(days=1)), head)
        return self._html(_page("文章", "<p>正文。发布日期：2026-11-20</p>"), head)

    def _json(self, data: bytes, head: bool) -> None:
        self._send(200, data, "application/json; charset=utf-8", head)

    def _hostile_column(self, unit: str, parts, head: bool) -> None:
        server = self.server
        if unit == "quadratic":
            filler = (b"<meta r='x' " + "<!--<$[信息内容]>begin-->".encode() + b"<record><![CDATA[") * 20_000
            return self._send(
                200, _page("工作动态", "").encode()[:-14] + filler, "text/html; charset=utf-8", head
            )
        if unit == "million":
            page = int(parse_qs(parts.query).get("page", ["1"])[0])
            return self._send(200, server.million_page(page), "text/html; charset=utf-8", head)
        if unit == "nestedjson":
            return self._json(b"[" * 100_000 + b"]" * 100_000, head)
        if unit in ("epoch", "surrogate"):
            day_ms = 1_763_000_000_000
            if unit == "epoch":
                recs = [
                    f'{{"title":"纪元第{i}条","url":"/{unit}/gzdt/a{i}.html","releaseTime":1e20}}'
                    for i in range(6)
                ]
            else:
                recs = [
                    f'{{"title":"代理\\ud800第{i}条\\u0000\\u202e","url":"/{unit}/gzdt/a{i}.html","releaseTime":{day_ms}}}'
                    for i in range(6)
                ]
            return self._json(("[" + ",".join(recs) + "]").encode(), head)
        if unit == "attachments":
            return self._html(_dated_list(unit, 3, AS_OF - timedelta(days=1)), head)
        if unit == "tarpit":
            links = "".join(f'<a href="/hang/{i}.html">附件{i}</a>' for i in range(TARPIT_LINKS))
            return self._html(_dated_list(unit, 4, AS_OF - timedelta(days=1), f"<div>{links}</div>"), head)
        if unit == "hidden":
            good = "".join(
                f'<a href="/ok-link/{i}.html">相关链接{i}</a>' for i in range(100 if server.night >= 2 else 2)
            )
            extra = f'<div>{good}<a href="/dead/report.pdf">年度报告附件</a></div>'
            return self._html(_dated_list(unit, 4, AS_OF - timedelta(days=1), extra), head)
        if unit == "future":
            items = [("未来第1条", f"/{unit}/gzdt/f.html", date(2099, 12, 31))] + [
                (f"陈旧第{i}条", f"/{unit}/gzdt/o{i}.html", AS_OF - timedelta(days=690 + i)) for i in range(5)
            ]
            return self._html(_page("工作动态", _list(items)), head)
        if unit == "crossportal":
            self.send_response(302)
            self.send_header("Location", f"{server.control_base}/fgj/gzdt/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return None
        if unit == "endless":
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            try:
                self.wfile.write(b"<html><body><ul>")
                while not server.stopping.wait(0.5):
                    self.wfile.write(b"<li>")
                    self.wfile.flush()
            except OSError:
                pass
            self.close_connection = True
            return None
        return self._send(500, b"unknown hostile unit", "text/plain", head)


class _HostileServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host: str, role: str):
        super().__init__((host, 0), _HostileHandler)
        self.role = role
        self.requests: list[tuple[str, str]] = []
        self.stopping = threading.Event()
        self.night = 1
        self.control_base = ""
        self._million: dict[int, bytes] = {}
        self._files: dict[str, tuple[bytes, str]] = {}
        self._lock = threading.Lock()

    def attachment(self, name: str) -> tuple[bytes | None, str]:
        """The hostile attachments (made once, kept): see tests/attachment_files.py."""
        from tests.attachment_files import HOSTILE_FILES

        with self._lock:
            if name not in self._files and name in HOSTILE_FILES:
                self._files[name] = HOSTILE_FILES[name]()
            return self._files.get(name, (None, "text/plain"))

    def million_page(self, page: int) -> bytes:
        """One of the ten 100,000-entry list pages (made once, kept: ~9 MB each)."""
        with self._lock:
            if page not in self._million:
                day = AS_OF - timedelta(days=1)
                rows = "".join(
                    f'<li><a href="/million/gzdt/p{page}-{i}.html">百万条第{page}页第{i}条</a><span>{day}</span></li>'
                    for i in range(MILLION_PER_PAGE)
                )
                pager = f'<a href="/million/gzdt/?page={page + 1}">下一页</a>' if page < MILLION_PAGES else ""
                self._million[page] = _page(
                    "工作动态", f'<div class="list"><ul>{rows}</ul></div>{pager}'
                ).encode()
            return self._million[page]


class HostileNet:
    """The hostile portal (127.0.0.1) and a control portal (127.0.0.2), served while the context is open."""

    def __init__(self):
        self.hostile = _HostileServer("127.0.0.1", "hostile")
        self.control = _HostileServer("127.0.0.2", "control")
        self.hidden = _HostileServer("127.0.0.3", "hostile")  # the hidden-link portal, on its own host
        self.files = _HostileServer("127.0.0.4", "hostile")  # the attachments portal, on its own host
        self.base = f"http://127.0.0.1:{self.hostile.server_address[1]}"
        self.control_base = f"http://127.0.0.2:{self.control.server_address[1]}"
        self.hidden_base = f"http://127.0.0.3:{self.hidden.server_address[1]}"
        self.files_base = f"http://127.0.0.4:{self.files.server_address[1]}"
        self.hostile.control_base = self.control_base
        self._threads = [
            threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
            for s in (self.hostile, self.control, self.hidden, self.files)
        ]

    def set_night(self, night: int) -> None:
        self.hidden.night = night

    def __enter__(self) -> HostileNet:
        from tests.attachment_files import HOSTILE_FILES

        for name in HOSTILE_FILES:  # made before the night: a slow first answer would time a check out
            self.files.attachment(name)
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc) -> None:
        for s in (self.hostile, self.control, self.hidden, self.files):
            s.stopping.set()
            s.shutdown()
            s.server_close()
        for t in self._threads:
            t.join(timeout=5)

    def registry(self) -> dict:
        units = [
            {"id": "gov", "name": "敌意县人民政府", "profile": "government", "entry": f"{self.base}/gov/"}
        ]
        units += [
            {
                "id": u,
                "name": f"{u}局",
                "profile": "department",
                "entry": f"{self.base}/{u}/",
                "columns": {"gzdt": f"{self.base}/{u}/gzdt/"},
            }
            for u in HOSTILE
            if u not in ("hidden", "attachments")
        ]
        control = [
            {
                "id": "gov",
                "name": "对照县人民政府",
                "profile": "government",
                "entry": f"{self.control_base}/gov/",
            },
            {
                "id": "fgj",
                "name": "对照县发展和改革局",
                "profile": "department",
                "entry": f"{self.control_base}/fgj/",
            },
        ]
        return {
            "portals": [
                {"id": "hostile", "name": "敌意县人民政府", "home": f"{self.base}/", "units": units},
                {
                    "id": "control",
                    "name": "对照县人民政府",
                    "home": f"{self.control_base}/",
                    "units": control,
                },
                {  # its own portal, so that a second night can crawl it alone (only="hidden")
                    "id": "hidden",
                    "name": "隐藏链接县人民政府",
                    "home": f"{self.hidden_base}/",
                    "units": [
                        {
                            "id": "hidden",
                            "name": "隐藏链接局",
                            "profile": "department",
                            "entry": f"{self.hidden_base}/hidden/",
                            "columns": {"gzdt": f"{self.hidden_base}/hidden/gzdt/"},
                        }
                    ],
                },
                {
                    "id": "files",
                    "name": "附件县人民政府",
                    "home": f"{self.files_base}/",
                    "units": [
                        {
                            "id": "attachments",
                            "name": "附件局",
                            "profile": "department",
                            "entry": f"{self.files_base}/attachments/",
                            "columns": {"gzdt": f"{self.files_base}/attachments/gzdt/"},
                        }
                    ],
                },
            ]
        }

    def write_registry(self, path: Path) -> Path:
        Path(path).write_text(
            yaml.safe_dump(self.registry(), allow_unicode=True, sort_keys=False), encoding="utf-8"
        )
        return Path(path)
