"""A synthetic province for the performance benchmark: many portals, each on its own loopback host.

Not the demo network: another CMS style (a php-era site — `list.php?dept=&cat=&page=`,
`show.php?aid=`, table lists, a 共N条 pager, metadata in a table), generated from a seed, rendered
on request (nothing held per page, so a 100,000-page province costs the server no memory), and
served by one small asyncio HTTP/1.1 server per host: portal N is http://127.0.1.N:PORT/ (127.0.2.x
after 254). Half the portals send validators (ETag, Last-Modified, 304 on a match); the other half
send none and put a visit counter on every page, as dynamic CMS pages do, so their bytes differ on
every request while what they say does not.

    python bench/province.py --portals 30 --units 6 --port 18080   # serve until interrupted

Every page links only its own host (and nothing leaves 127.0.0.0/8). The server answers
`LinkChecker: allow`, the header LinkChecker asks of a server before it lifts its request-rate wait.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import random
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape
from urllib.parse import parse_qs, urlsplit

AS_OF = date(2026, 11, 23)
PER_PAGE = 20
LAST_MODIFIED = "Mon, 02 Nov 2026 08:00:00 GMT"

# The columns a unit's 信息公开 page lists, as such portals name them; (id, name, kind)
# kind: single (a document or two), list (a dated list), slow (a list updated rarely)
COLUMNS = [
    ("xxgkzn", "政府信息公开指南", "single"),
    ("xxgkzd", "政府信息公开制度", "single"),
    ("jgzn", "机构职能", "single"),
    ("zcwj", "政策文件", "list"),
    ("zcjd", "政策解读", "list"),
    ("ghjh", "规划计划", "slow"),
    ("czyjs", "财政预决算", "slow"),
    ("rsxx", "人事信息", "list"),
    ("gzdt", "工作动态", "list"),
    ("tzgg", "通知公告", "list"),
    ("xxgknb", "政府信息公开年报", "single"),
]
GOV_EXTRA = [("zdjc", "重大行政决策", "slow")]
DEPTS = [
    "发展和改革局",
    "教育局",
    "财政局",
    "自然资源局",
    "住房和城乡建设局",
    "交通运输局",
    "农业农村局",
    "卫生健康委员会",
    "应急管理局",
    "市场监督管理局",
    "民政局",
    "司法局",
    "人力资源和社会保障局",
    "生态环境局",
    "水利局",
    "商务局",
    "文化和旅游局",
    "统计局",
    "医疗保障局",
    "退役军人事务局",
]
PLACES = [
    "东川",
    "西岭",
    "南屏",
    "北塘",
    "清源",
    "临江",
    "安平",
    "永宁",
    "福山",
    "长乐",
    "松溪",
    "白沙",
    "金城",
    "玉泉",
    "石门",
    "青田",
    "云和",
    "龙泉",
    "宁海",
    "平湖",
]
TOPICS = [
    "安全生产",
    "乡村振兴",
    "营商环境",
    "防汛抗旱",
    "城市更新",
    "义务教育",
    "医疗保障",
    "生态保护",
    "就业创业",
    "消费帮扶",
    "河湖长制",
    "数字政府",
    "财政资金",
    "公共卫生",
    "文明城市",
    "社区治理",
]
KINDS = ["通知", "实施意见", "工作方案", "公告", "情况通报", "管理办法", "工作动态", "解读"]


def host(i: int) -> str:
    """Portal i's own loopback address (a /8 all routed to lo on Linux)."""
    return f"127.0.{1 + i // 254}.{1 + i % 254}"


@dataclass(frozen=True)
class Entry:
    aid: int
    title: str
    day: date
    attachment: bool
    dead: bool


class Province:
    """The province's content: a pure function of (seed, portal, unit, column)."""

    def __init__(self, portals: int, units: int, mean_entries: int = 9, seed: int = 16):
        self.portals, self.units, self.mean, self.seed = portals, units, mean_entries, seed

    def validators(self, i: int) -> bool:
        return i % 2 == 0

    def place(self, i: int) -> str:
        return PLACES[i % len(PLACES)] + ("" if i < len(PLACES) else str(i // len(PLACES) + 1)) + "县"

    def unit_list(self, i: int) -> list[tuple[str, str, str]]:
        """(uid, name, profile): the county government and its departments."""
        out = [("gov", self.place(i) + "人民政府", "government")]
        for k in range(1, self.units):
            out.append((f"d{k}", self.place(i) + DEPTS[(i + k) % len(DEPTS)], "department"))
        return out

    def columns(self, i: int, uid: str) -> list[tuple[str, str, str]]:
        return COLUMNS + (GOV_EXTRA if uid == "gov" else [])

    def entries(self, i: int, uid: str, cid: str) -> list[Entry]:
        rng = random.Random(f"{self.seed}|{i}|{uid}|{cid}")
        kind = {c: k for c, _, k in self.columns(i, uid)}[cid]
        if kind == "single":
            n = rng.randint(1, 3)
        elif kind == "slow":
            n = rng.randint(2, self.mean)
        else:
            n = max(1, int(rng.expovariate(1 / self.mean)) + 1)
        ui = 0 if uid == "gov" else int(uid[1:])
        ci = [c for c, _, _ in self.columns(i, uid)].index(cid)
        day = AS_OF - timedelta(days=rng.randint(0, 25 if kind == "list" else 200))
        out = []
        unit_name = {u: name for u, name, _ in self.unit_list(i)}[uid]
        for k in range(n):
            title = f"{unit_name}关于{rng.choice(TOPICS)}的{rng.choice(KINDS)}"
            aid = ((ui * 100 + ci) * 10000) + k + 1
            out.append(Entry(aid, title, day, rng.random() < 0.3, rng.random() < 0.02))
            day -= timedelta(days=rng.randint(1, 20))
        return out

    def article(self, i: int, aid: int) -> tuple[str, str, Entry] | None:
        k, rest = aid % 10000 - 1, aid // 10000
        ui, ci = rest // 100, rest % 100
        units = self.unit_list(i)
        if not (0 <= ui < len(units)):
            return None
        uid = units[ui][0]
        cols = self.columns(i, uid)
        if not (0 <= ci < len(cols)):
            return None
        entries = self.entries(i, uid, cols[ci][0])
        return (uid, cols[ci][0], entries[k]) if 0 <= k < len(entries) else None

    # -- pages ------------------------------------------------------------------------------
    def page(self, i: int, title: str, body: str) -> str:
        noise = (
            ""
            if self.validators(i)
            else (
                f'<span class="count">浏览次数：{random.randint(100, 99999)}</span>'
                f'<input type="hidden" name="token" value="{random.getrandbits(64):x}">'
            )
        )
        return (
            '<!DOCTYPE html><html><head><meta charset="utf-8">'
            f"<title>{escape(title)}_{escape(self.place(i))}人民政府网</title></head><body>"
            f'<div class="top"><a href="/">首页</a> | <a href="/zwgk/">政务公开</a> | '
            '<a href="/mail.php">县长信箱</a> | <a href="/about.php">联系我们</a></div>'
            f'<div class="main">{body}</div>'
            f'<div class="foot">{escape(self.place(i))}人民政府办公室主办 {noise}</div></body></html>'
        )

    def home(self, i: int) -> str:
        links = "".join(
            f'<li><a href="/zwgk/?dept={u}">{escape(name)}</a></li>' for u, name, _ in self.unit_list(i)[1:]
        )
        news = "".join(
            f'<li><a href="/show.php?aid={e.aid}">{escape(e.title)}</a> {e.day}</li>'
            for e in self.entries(i, "gov", "gzdt")[:8]
        )
        return self.page(
            i,
            "首页",
            f'<div class="news"><h3>工作动态</h3><ul>{news}</ul></div>'
            f'<div class="depts"><h3>部门信息公开</h3><ul>{links}</ul></div>'
            '<div class="hd"><a href="/mail.php">县长信箱</a> <a href="/zwgk/">政府信息公开</a></div>',
        )

    def entry_page(self, i: int, uid: str) -> str:
        cols = "".join(
            f'<li><a href="/list.php?dept={uid}&amp;cat={cid}">{escape(name)}</a></li>'
            for cid, name, _ in self.columns(i, uid)
        )
        name = {u: n for u, n, _ in self.unit_list(i)}[uid]
        return self.page(i, "政府信息公开", f'<h2>{escape(name)}信息公开</h2><ul class="lanmu">{cols}</ul>')

    def list_page(self, i: int, uid: str, cid: str, page: int) -> str | None:
        entries = self.entries(i, uid, cid)
        pages = max(1, -(-len(entries) // PER_PAGE))
        if not 1 <= page <= pages:
            return None
        rows = "".join(
            f'<tr><td><a href="/show.php?aid={e.aid}" title="{escape(e.title)}">{escape(e.title)}</a></td>'
            f"<td>{e.day.isoformat()}</td></tr>"
            for e in entries[(page - 1) * PER_PAGE : page * PER_PAGE]
        )
        base = f"/list.php?dept={uid}&amp;cat={cid}"
        pager = f"共{len(entries)}条 第{page}/{pages}页 "
        if page < pages:
            pager += (
                f'<a href="{base}&amp;page={page + 1}">下一页</a> <a href="{base}&amp;page={pages}">尾页</a>'
            )
        name = {c: n for c, n, _ in self.columns(i, uid)}[cid]
        return self.page(
            i,
            name,
            f'<h2>{escape(name)}</h2><table class="tb">{rows}</table><div class="pager">{pager}</div>',
        )

    def article_page(self, i: int, aid: int) -> str | None:
        found = self.article(i, aid)
        if found is None:
            return None
        uid, _cid, e = found
        unit = {u: n for u, n, _ in self.unit_list(i)}[uid]
        rng = random.Random(f"{self.seed}|a|{i}|{aid}")
        paras = "".join(
            f"<p>为进一步做好{rng.choice(TOPICS)}工作，根据有关规定，结合我县实际，现就有关事项通知如下。</p>"
            for _ in range(rng.randint(2, 6))
        )
        if e.attachment:
            paras += f'<p>附件：<a href="/upload/{aid}.pdf">{escape(e.title)}.pdf</a></p>'
        if e.dead:
            paras += f'<p>相关链接：<a href="/upload/old_{aid}.doc">原文下载</a></p>'
        meta = (
            '<table class="meta"><tr><td>索引号：</td>'
            f"<td>{1000 + i}-{uid}/{e.day.year}-{aid:05d}</td><td>发布机构：</td><td>{escape(unit)}</td></tr>"
            f"<tr><td>发文日期：</td><td>{e.day.isoformat()}</td><td>主题分类：</td><td>其他</td></tr></table>"
        )
        return self.page(i, e.title, f'<h1>{escape(e.title)}</h1>{meta}<div class="content">{paras}</div>')

    def render(self, i: int, path: str, query: str) -> tuple[int, str, bytes]:
        """(status, content type, body) for a GET of path?query on portal i."""
        q = {k: v[0] for k, v in parse_qs(query).items()}
        html = None
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nDisallow: /search.php\n"
        if path == "/":
            html = self.home(i)
        elif path == "/zwgk/":
            uid = q.get("dept", "gov")
            if uid in {u for u, _, _ in self.unit_list(i)}:
                html = self.entry_page(i, uid)
        elif path == "/list.php":
            uid, cid = q.get("dept", ""), q.get("cat", "")
            if uid in {u for u, _, _ in self.unit_list(i)} and cid in {c for c, _, _ in self.columns(i, uid)}:
                html = self.list_page(i, uid, cid, int(q.get("page", "1") or 1))
        elif path == "/show.php" and q.get("aid", "").isdigit():
            html = self.article_page(i, int(q["aid"]))
        elif path.startswith("/upload/") and path.endswith(".pdf"):
            return 200, "application/pdf", b"%PDF-1.4\n% synthetic\n" + b"0" * 2048 + b"\n%%EOF\n"
        elif path in ("/mail.php", "/about.php"):
            html = self.page(
                i, "县长信箱" if path == "/mail.php" else "联系我们", "<p>来信请写明联系方式。</p>"
            )
        if html is None:
            return 404, "text/html; charset=utf-8", b"<html><body>404 Not Found</body></html>"
        return 200, "text/html; charset=utf-8", html.encode("utf-8")

    def size(self) -> dict[str, int]:
        """What a crawler following every link fetches: pages, articles, attachments, dead links."""
        out = {"portals": self.portals, "units": 0, "list_pages": 0, "articles": 0, "files": 0, "dead": 0}
        for i in range(self.portals):
            for uid, _, _ in self.unit_list(i):
                out["units"] += 1
                for cid, _, _ in self.columns(i, uid):
                    entries = self.entries(i, uid, cid)
                    out["list_pages"] += max(1, -(-len(entries) // PER_PAGE))
                    out["articles"] += len(entries)
                    out["files"] += sum(e.attachment for e in entries)
                    out["dead"] += sum(e.dead for e in entries)
        # home, robots.txt, 县长信箱, 联系我们 and each unit's entry page
        out["pages"] = 4 * self.portals + out["units"] + out["list_pages"] + out["articles"] + out["files"]
        out["pages"] += out["dead"]
        return out

    def registry(self, port: int) -> dict:
        portals = []
        for i in range(self.portals):
            base = f"http://{host(i)}:{port}"
            portals.append(
                {
                    "id": f"p{i:03d}",
                    "name": self.place(i) + "人民政府",
                    "home": base + "/",
                    "units": [
                        {
                            "id": uid,
                            "name": name,
                            "profile": profile,
                            "entry": base + ("/zwgk/" if uid == "gov" else f"/zwgk/?dept={uid}"),
                        }
                        for uid, name, profile in self.unit_list(i)
                    ],
                }
            )
        return {"portals": portals, "allow_hosts": []}


async def _handle(province: Province, i: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    k, v = line.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
            length = int(headers.get("content-length") or 0)
            if length:
                await reader.readexactly(length)
            parts = urlsplit(target)
            status, ctype, body = province.render(i, parts.path, parts.query)
            extra = ""
            if status == 200 and province.validators(i):
                etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
                extra = f"ETag: {etag}\r\nLast-Modified: {LAST_MODIFIED}\r\n"
                if headers.get("if-none-match") == etag:
                    status, body = 304, b""
            reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}[status]
            head_out = (
                f"HTTP/1.1 {status} {reason}\r\nServer: nginx\r\nLinkChecker: allow\r\n"
                f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n{extra}\r\n"
            )
            writer.write(head_out.encode("latin-1") + (b"" if method == "HEAD" else body))
            await writer.drain()
            if headers.get("connection", "").lower() == "close":
                break
    except (asyncio.IncompleteReadError, ConnectionError, ValueError, asyncio.LimitOverrunError):
        pass
    finally:
        writer.close()


async def serve(province: Province, port: int, ready=None) -> None:
    servers = []
    for i in range(province.portals):
        servers.append(
            await asyncio.start_server(
                lambda r, w, i=i: _handle(province, i, r, w), host(i), port, reuse_address=True, backlog=256
            )
        )
    if ready is not None:
        ready.set()
    await asyncio.gather(*(s.serve_forever() for s in servers))


def run_server(portals: int, units: int, mean: int, port: int, ready=None) -> None:
    """Entry point of the server process (multiprocessing target)."""
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(Province(portals, units, mean), port, ready))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--portals", type=int, default=30)
    ap.add_argument("--units", type=int, default=6)
    ap.add_argument("--mean", type=int, default=9, help="mean entries of a list column")
    ap.add_argument("--port", type=int, default=18080)
    args = ap.parse_args()
    run_server(args.portals, args.units, args.mean, args.port)


if __name__ == "__main__":
    main()
