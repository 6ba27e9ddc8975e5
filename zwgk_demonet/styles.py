"""Three CMS families that render the spec into pages, lazily, one request at a time.

- `TrsSite`    TRS WCM: GBK, upper-case table rows, `createPageHTML(n, cur, "index", "html")`.
- `HanwebSite` 大汉 jcms: `/col/col<id>/index.html?uid=<uid>&pageNum=N`, `ul>li>a+span`, 下一页 links.
- `ModernSite` 甘肃/成都-like CMS: `<li><a title>…</a><b>YYYY年MM月DD日</b></li>` (or `YYYY-MM-DD HH:MM`),
               `column-index-N.shtml` paging.
All links are relative or root-relative: the pages never name a host.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from html import escape
from urllib.parse import parse_qs

from . import interact, titles
from .depth import CHALLENGE_OPEN_ENTRY, DEAD_PREFIX, challenge_page
from .marks import foot_marks
from .spec import Column, Entry, Portal, Unit

STATIC_PAGES = [
    ("zwfw", "政务服务"),
    ("hdjl", "互动交流"),
    ("zj", "走进{place}"),
    ("wzdt", "网站地图"),
    ("lxwm", "联系我们"),
    ("jiucuo", "政府网站找错"),
]
TRUNCATE = 24
TARGET = ' target="_blank"'


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def hhmm(e: Entry) -> str:
    return f"{8 + e.docid % 10:02d}:{(e.docid * 7) % 60:02d}"


def short(title: str) -> str:
    return title if len(title) <= TRUNCATE + 2 else title[:TRUNCATE] + "..."


def a(href: str, text: str, title: str | None = None, extra: str = "") -> str:
    t = f' title="{escape(title)}"' if title else ""
    return f'<a href="{escape(href)}"{t}{extra}>{escape(text)}</a>'


class Site:
    """Common page furniture; subclasses place URLs and render lists and articles."""

    index = "index.html"
    charset = "utf-8"
    # Article addresses carry their date, as real CMS addresses do. Over several nights of the demo
    # (zwgk_demonet/story.py) every date moves with the night while an article keeps its address:
    # addresses are dated as on the first night (this shift back), so a finding about an article
    # stays the same finding.
    url_shift = timedelta(0)

    def __init__(self, portal: Portal):
        self.p = portal
        self.routes: dict[str, tuple] = {}

    def url_day(self, e: Entry) -> date:
        """The date an article's address carries."""
        return e.date - self.url_shift

    # ---- layout -------------------------------------------------------------------------------
    def layout(self) -> None:
        raise NotImplementedError

    def add_dir(self, path: str, target: tuple) -> None:
        self.routes[path] = target
        if path.endswith("/"):
            self.routes[path + self.index] = target

    def page_url(self, col: Column, page: int) -> str:
        raise NotImplementedError

    def article_url(self, col: Column, e: Entry) -> str:
        raise NotImplementedError

    def route_column(self, col: Column) -> None:
        if getattr(col.unit, "data_mode", None) == "json":
            self.routes[self.data_path(col)] = ("data", col)
        for k in range(1, col.pages + 1):
            if k == 1:
                self.add_dir(col.path, ("list", col, 1))
            else:
                self.routes[self.page_url(col, k)] = ("list", col, k)
        for e in col.entries:
            self.routes[self.article_url(col, e)] = ("article", col, e)
            self.route_files(e)

    def route_files(self, e: Entry) -> None:
        for attached in (getattr(e, "personal_file", None), getattr(e, "control_file", None)):
            if attached:
                self.routes[attached[0]] = ("file", attached[1], attached[2])

    def route_all(self) -> None:
        self.add_dir("/", ("home",))
        for u in self.p.units:
            self.add_dir(u.entry_path, ("entry", u))
            for col in u.all_columns():
                if col.linked:
                    self.route_column(col)
        for col in self.p.nav.columns.values():
            self.route_column(col)
        for key, (_, path) in self.p.static_pages.items():
            self.add_dir(path, ("static", key))
        self.routes.update(interact.routes(self.p))  # 互动交流 channels

    # ---- serving --------------------------------------------------------------------------------
    def render(self, path: str, query: str = "") -> Response:
        if path == "/robots.txt":
            return Response(
                200,
                b"User-agent: *\nDisallow: /search\nDisallow: /jsearchfront/\n",
                {"Content-Type": "text/plain"},
            )
        for status, prefix in ((s, p) for s, p in DEAD_PREFIX.items()):
            if path.startswith(prefix):  # seeded dead links (link.broken)
                return self.failure(status) if status >= 500 else self.not_found(status)
        target = self.routes.get(path)
        if target is None:
            return self.not_found()
        what = target[0]
        if what == "file":
            return Response(200, target[1], {"Content-Type": target[2]})
        if what == "msglist":
            return self.html(self.plain_page("政务咨询", interact.list_body(self.p)), header_charset=True)
        if what == "channel":
            return self.html(
                self.plain_page(target[1], interact.channel_body(target[1])), header_charset=True
            )
        if what == "msg":
            return self.html(
                self.plain_page(target[1].title, interact.message_body(self.p, target[1])),
                header_charset=True,
            )
        if what == "data":
            return self.json_data(target[1])
        if what == "list" and getattr(target[1].unit, "data_mode", None):
            return self.html(self.shell_page(target[1]), header_charset=True)
        if what == "home":
            return self.html(self.home(), header_charset=True)
        if what == "entry":
            unit: Unit = target[1]
            if unit.entry_status >= 400:
                return self.failure(unit.entry_status)
            return self.html(self.entry(unit), header_charset=False)
        if what == "list":
            col: Column = target[1]
            page = target[2]
            if page is None:
                page = self.query_page(query)
                if page is None or page > col.pages:
                    return self.not_found()
            return self.html(self.list_page(col, page), header_charset=True)
        if what == "article":
            return self.html(self.article(target[1], target[2]), header_charset=False)
        return self.html(self.static(target[1]), header_charset=False)

    def query_page(self, query: str) -> int | None:
        if not query:
            return 1
        values = parse_qs(query).get("pageNum") or ["1"]
        try:
            n = int(values[0])
        except ValueError:
            return None
        return n if n >= 1 else None

    def html(self, text: str, header_charset: bool) -> Response:
        ctype = (
            f"text/html; charset={self.charset}" if header_charset or self.charset == "utf-8" else "text/html"
        )
        return Response(200, text.encode(self.p.encoding), {"Content-Type": ctype})

    def not_found(self, status: int = 404) -> Response:
        body = (
            "<html><head><title>404 Not Found</title></head><body><h1>您访问的页面不存在</h1></body></html>"
        )
        return Response(
            status, body.encode(self.p.encoding), {"Content-Type": f"text/html; charset={self.charset}"}
        )

    # ---- data-rendered lists (depth.DATA_UNITS) -------------------------------------------------
    def render_post(self, path: str, query: str, form: dict[str, str]) -> Response:
        """Hanweb `dataproxy.jsp`: POST form (columnid, unitid ...), paging in the query string."""
        if path != "/module/web/jpage/dataproxy.jsp":
            return self.not_found()
        col = self.by_colid(form.get("columnid", ""))
        if col is None:
            return self.not_found()
        q = {k: v[0] for k, v in parse_qs(query).items()}
        start, end = int(q.get("startrecord", 1)), int(q.get("endrecord", 45))
        records = "".join(
            f"<record><![CDATA[<li>{a(self.article_url(col, e), short(e.title), e.title, TARGET)}"
            + (f"<span>{e.date.isoformat()}</span>" if e.list_date else "")
            + "</li>]]></record>\n"
            for e in col.entries[start - 1 : end]
        )
        body = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<datastore><nextgroup><![CDATA[]]></nextgroup>'
            f"<recordset>\n{records}</recordset><totalrecord>{len(col.entries)}</totalrecord>"
            f"<totalpage>{col.pages}</totalpage></datastore>"
        )
        return Response(200, body.encode("utf-8"), {"Content-Type": "text/xml; charset=UTF-8"})

    def by_colid(self, colid: str) -> Column | None:
        for u in self.p.units:
            for col in u.all_columns():
                if str(col.colid) == colid and col.linked and getattr(u, "data_mode", None):
                    return col
        return None

    def data_path(self, col: Column) -> str:
        return col.path.rsplit("/", 1)[0] + "/column.json"

    def json_data(self, col: Column) -> Response:
        """Hubei-style column JSON: every record with its metadata."""
        import json

        u = col.unit
        rows = []
        for e in col.entries:
            row = {
                "IdxID": f"{u.org_code}/{e.date.year}-{e.docid:05d}",
                "URL": self.article_url(col, e),
                "FILENAME": e.title,
                "PUBLISHER": u.name,
            }
            if e.list_date:
                row["PUBDATE"] = f"{e.date.isoformat()} {hhmm(e)}:00"
            rows.append(row)
        body = json.dumps({"data": rows, "total": len(rows)}, ensure_ascii=False)
        return Response(200, body.encode("utf-8"), {"Content-Type": "application/json; charset=utf-8"})

    def shell_page(self, col: Column) -> str:
        """A list page whose entries a script loads from the column's data endpoint."""
        u = col.unit
        if u.data_mode == "dataproxy":
            script = (
                f"var columnid = {col.colid}; var unitid = {u.uid}; var webid = 3; var perpage = 15;\n"
                '$.ajax({type: "POST", url: "/module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=45'
                '&perpage=15", data: {col: 1, appid: 1, webid: webid, path: "/", columnid: columnid, '
                "sourceContentType: 1, unitid: unitid, permissiontype: 0}, success: render});"
            )
            holder = f'<div id="{u.uid}" class="default_pgContainer"></div>\n'
        else:
            script = '$.getJSON("column.json", function (d) { render(d.data); });'
            holder = '<div class="zwgklist"><ul class="list-news" id="list"></ul></div>\n'
        main = (
            self.unit_crumbs(col)
            + f'<div class="bt-title">{escape(col.name)}</div>\n'
            + holder
            + self.dead_block(col, 1)
            + f'<script type="text/javascript">\n{script}\n</script>\n'
        )
        return self.page(col.name, main, column=col.name)

    def dead_block(self, col: Column, page: int) -> str:
        """Seeded dead links (link.broken) under page 1 of a list."""
        dead = getattr(col, "dead_links", [])
        if page != 1 or not dead:
            return ""
        return '<div class="related">' + " ".join(a(p, t) for p, _, t in dead) + "</div>\n"

    def failure(self, status: int) -> Response:
        reason = {500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Temporarily Unavailable"}
        body = f"<html><head><title>{status} {reason.get(status, 'Error')}</title></head><body><center><h1>{status} {reason.get(status, 'Error')}</h1></center><hr><center>nginx</center></body></html>"
        headers = {"Content-Type": "text/html"}
        if status == 503:
            headers["Retry-After"] = "120"
        return Response(status, body.encode("ascii"), headers)

    # ---- furniture ------------------------------------------------------------------------------
    def head(
        self,
        title: str,
        column: str = "",
        article: Entry | None = None,
        meta_charset: bool = True,
        source: str | None = None,
    ) -> str:
        p = self.p
        metas = [
            f'<meta name="SiteName" content="{p.name}">',
            f'<meta name="SiteDomain" content="www.{p.id}.gov.cn">',
            f'<meta name="SiteIDCode" content="{p.site_code}">',
        ]
        if column:
            metas += [
                f'<meta name="ColumnName" content="{escape(column)}">',
                '<meta name="ColumnType" content="信息公开">',
            ]
        if article is not None:
            metas.append(f'<meta name="ArticleTitle" content="{escape(article.title)}">')
            if article.page_date:
                metas.append(f'<meta name="PubDate" content="{article.date.isoformat()} {hhmm(article)}">')
            metas.append(f'<meta name="ContentSource" content="{escape(source or self.p.name)}">')
        return (
            f"<!DOCTYPE html>\n<html>\n<head>\n{self.charset_meta(meta_charset)}\n"
            f"<title>{escape(title)}_{p.name}</title>\n" + "\n".join(metas) + "\n</head>\n"
        )

    def charset_meta(self, header_page: bool) -> str:
        return '<meta charset="utf-8">'

    def nav_links(self) -> list[tuple[str, str]]:
        p, nav = self.p, self.p.nav.columns
        st = p.static_pages
        return [
            ("首页", "/"),
            ("政务公开", p.government.entry_path),
            ("政策文件", nav["zcwj"].path),
            ("工作动态", nav["gzdt"].path),
            ("通知公告", nav["tzgg"].path),
            ("政务服务", st["zwfw"][1]),
            ("互动交流", st["hdjl"][1]),
            (st["zj"][0], st["zj"][1]),
        ]

    def header(self) -> str:
        items = "".join(f"<li>{a(h, t)}</li>" for t, h in self.nav_links())
        return (
            f'<div class="top"><div class="logo">{self.p.name}</div>'
            '<form class="search" action="/search" method="get"><input name="q"><button>搜索</button></form>'
            f'</div>\n<div class="nav"><ul>{items}</ul></div>\n'
        )

    def sidebar(self) -> str:
        hot = self.p.nav.columns["rdgz"]
        lis = "".join(
            f"<li>{a(self.article_url(hot, e), short(e.title), e.title)}<span>{e.date.isoformat()}</span></li>"
            for e in hot.entries[:6]
        )
        return f'<div class="side"><div class="side-hot"><h3>热点专题</h3><ul>{lis}</ul></div></div>\n'

    def footer(self) -> str:
        st, p = self.p.static_pages, self.p
        return (
            f'<div class="footer"><p>{a(st["wzdt"][1], "网站地图")} | {a(st["lxwm"][1], "联系我们")} | '
            f"{a(st['jiucuo'][1], '政府网站找错')}</p>"
            f"<p>主办单位：{p.name}办公室　承办单位：{p.place}大数据中心</p>"
            f"{foot_marks(p)}</div>\n"
        )

    def crumbs(self, *parts: tuple[str, str | None]) -> str:
        out = [a("/", "首页")]
        for text, href in parts:
            out.append(a(href, text) if href else escape(text))
        return '<div class="crumb">当前位置：' + " &gt; ".join(out) + "</div>\n"

    def unit_crumbs(self, col: Column, page: bool = False) -> str:
        u = col.unit
        if u is None or u.profile is None:
            return self.crumbs((col.name, col.path if page else None))
        return self.crumbs(
            ("政务公开", self.p.government.entry_path),
            (u.name, u.entry_path),
            (col.label.split("(")[0].split("（")[0], col.path if page else None),
        )

    def fmt_date(self, e: Entry, unit: Unit | None) -> str:
        return e.date.isoformat()

    # ---- pages ----------------------------------------------------------------------------------
    def page(
        self,
        title: str,
        main: str,
        column: str = "",
        article: Entry | None = None,
        header_page: bool = True,
        source: str | None = None,
    ) -> str:
        return (
            self.head(title, column, article, header_page, source)
            + '<body>\n<div class="wrap">\n'
            + self.header()
            + '<div class="content">\n'
            + self.sidebar()
            + f'<div class="main">\n{main}</div>\n</div>\n'
            + self.footer()
            + "</div>\n</body>\n</html>\n"
        )

    def block(self, title: str, col: Column, n: int, more: bool = True) -> str:
        lis = "".join(
            f"<li>{a(self.article_url(col, e), short(e.title), e.title)}<span>{self.fmt_date(e, None)}</span></li>"
            for e in col.entries[:n]
        )
        m = a(col.path, "更多>>") if more else ""
        return f'<div class="block"><h2>{title}</h2>{m}<ul>{lis}</ul></div>\n'

    def home(self) -> str:
        p, nav = self.p, self.p.nav.columns
        gov = p.government
        deps = "".join(f"<li>{a(u.entry_path, u.name)}</li>" for u in p.units if u.profile == "department")
        towns = "".join(f"<li>{a(u.entry_path, u.name)}</li>" for u in p.units if u.profile == "township")
        main = (
            self.block("要闻动态", nav["gzdt"], 7)
            + self.block("通知公告", nav["tzgg"], 6)
            + self.block("政策文件", nav["zcwj"], 6)
            + f'<div class="xxgk-units"><h2>政府信息公开</h2><p>{a(gov.entry_path, gov.name + "信息公开")}</p>'
            f"<h3>部门信息公开</h3><ul>{deps}</ul><h3>乡镇（街道）信息公开</h3><ul>{towns}</ul></div>\n"
        )
        return self.page("首页", main)

    def col_href(self, unit: Unit, col: Column) -> str:
        return col.path

    def entry(self, unit: Unit) -> str:
        cols = unit.columns

        def link(cid: str) -> str:
            col = cols.get(cid)
            if col is None or not col.linked:
                return ""
            return f"<li>{a(self.col_href(unit, col), col.label)}</li>"

        top = "".join(link(c) for c in ("xxgkzn", "xxgkzd"))
        fd = "".join(link(c) for c in cols if c not in ("xxgkzn", "xxgkzd", "xxgknb"))
        nb = link("xxgknb")
        extras = "".join(f"<li>{a(self.col_href(unit, c), c.label)}</li>" for c in unit.extras)
        main = (
            self.crumbs(("政务公开", self.p.government.entry_path), (unit.name, None))
            + f'<div class="unit-info"><h1>{unit.name}信息公开</h1><p>机构名称：{unit.name}　'
            f"办公电话：0{self.p.site_code[:3]}-8{unit.org_code[-4:]}</p></div>\n"
            f'<div class="xxgk-catalog"><h2>信息公开目录</h2><ul class="catalog-list">{top}'
            f'<li class="group"><span>法定主动公开内容</span><ul>{fd}</ul></li>{nb}{extras}</ul></div>\n'
        )
        return self.page(f"{unit.name}信息公开", main, header_page=False)

    def static(self, key: str) -> str:
        title = self.p.static_pages[key][0]
        body = f"<h1>{escape(title)}</h1><p>欢迎访问{self.p.name}门户网站。</p>"
        if key == "wzdt":
            units = "".join(f"<li>{a(u.entry_path, u.name)}</li>" for u in self.p.units)
            body += f"<ul>{units}</ul>"
        if key == "hdjl":
            body += "<ul>" + "".join(f"<li>{a(h, t)}</li>" for h, t in interact.hub_links(self.p)) + "</ul>"
        return self.page(title, body, header_page=False)

    def plain_page(self, title: str, body: str) -> str:
        return self.page(title, body, header_page=False)

    def metadata(self, col: Column, e: Entry) -> list[tuple[str, str]]:
        u = col.unit if col.unit is not None else self.p.nav
        idx = f"{u.org_code}/{e.date.year}-{e.docid:05d}" if e.page_date else f"{u.org_code}/{e.docid:06d}"
        wh = (
            f"{u.short}发〔{e.date.year}〕{e.docid % 40 + 1}号" if col.cid == "zcwj" and e.page_date else "无"
        )
        rows = [("索引号", idx), ("发布机构", u.name)]
        if e.page_date:
            rows.append(("发布日期", f"{e.date.year}年{e.date.month:02d}月{e.date.day:02d}日"))
        rows.append(("文号", wh))
        missing = getattr(e, "meta_missing", None)  # meta.incomplete defect
        return [(k, v) for k, v in rows if k != missing]

    def body(self, col: Column, e: Entry) -> str:
        u = col.unit if col.unit is not None else self.p.nav
        rng = random.Random(f"body|{self.p.id}|{e.docid}")
        ps = "".join(f"<p>{escape(t)}</p>" for t in titles.body_paragraphs(e.title, rng, {"short": u.short}))
        extras = (
            getattr(e, "control_text", None),  # text.typo control
            getattr(e, "typo", None),  # text.typo defect
            getattr(e, "personal", None),  # privacy.exposed defect
            getattr(e, "personal_control", None),  # privacy.exposed control
        )
        for extra in extras:
            if extra:
                ps += f"<p>{escape(extra)}</p>"
        for path, _, text in getattr(e, "dead_links", []):  # link.broken: a dead attachment
            ps += f"<p>{a(path, text)}</p>"
        for attached in (getattr(e, "personal_file", None), getattr(e, "control_file", None)):
            if attached:  # privacy.exposed: a defect or a control in an attached file
                ps += f"<p>{a(attached[0], attached[3])}</p>"
        if e.page_date:
            ps += f'<p style="text-align:right">{u.name}<br>{e.date.year}年{e.date.month}月{e.date.day}日</p>'
        return ps

    def article(self, col: Column, e: Entry) -> str:
        raise NotImplementedError

    def _src(self, col: Column) -> str:
        return (col.unit or self.p.nav).name

    def list_page(self, col: Column, page: int) -> str:
        raise NotImplementedError


# ---------------------------------------------------------------------------------------------------
SEMANTIC = {"xxgkzn": "zfxxgkzn", "xxgkzd": "zfxxgkzd", "xxgknb": "zfxxgknb", "ysqgk": "ysqgk"}

CREATE_PAGE_JS = """function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
	if(_nPageCount == null || _nPageCount<=1){
		return;
	}
	var nCurrIndex = _nCurrIndex || 0;
	if(nCurrIndex == 0)
		document.write("<span>首页</span>&nbsp;&nbsp;<span>上一页</span>&nbsp;&nbsp;");
	else{
		var nPreIndex = nCurrIndex - 1;
		var sPreFileExt = nPreIndex == 0 ? "" : ("_" + nPreIndex);
		document.write("<a href=\\"" + _sPageName + "." + _sPageExt + "\\">首页</a>&nbsp;&nbsp;");
		document.write("<a href=\\"" + _sPageName + sPreFileExt + "." + _sPageExt + "\\">上一页</a>&nbsp;&nbsp;");
	}
	if(nCurrIndex == _nPageCount - 1)
		document.write("<span>下一页</span>&nbsp;&nbsp;<span>尾页</span>");
	else{
		var nNextIndex = nCurrIndex + 1;
		document.write("<a href=\\"" + _sPageName + "_" + nNextIndex + "." + _sPageExt + "\\">下一页</a>&nbsp;&nbsp;");
		document.write("<a href=\\"" + _sPageName + "_" + (_nPageCount-1) + "." + _sPageExt + "\\">尾页</a>");
	}
}//WCM置标"""


class TrsSite(Site):
    index = "index.html"
    charset = "GBK"

    def layout(self) -> None:
        p = self.p
        for u in p.units:
            if u.profile == "government":
                u.entry_path = "/xxgk/"
            else:
                u.entry_path = f"/xxgk/{'bmxxgk' if u.profile == 'department' else 'xzxxgk'}/{u.id}/"
            for col in u.all_columns():
                if u.profile == "department" and col.cid not in SEMANTIC:
                    slug = f"auto{23700 + col.serial * 7}"
                else:
                    slug = SEMANTIC.get(col.cid, col.cid)
                col.path = f"{u.entry_path}{slug}/"
        for cid, d in (("gzdt", "zwdt"), ("tzgg", "zwdt"), ("zcwj", "zwgk"), ("rdgz", "ztzl")):
            p.nav.columns[cid].path = f"/{d}/{cid}/"
        p.static_pages = {k: (t.format(place=p.place), f"/{k}/") for k, t in STATIC_PAGES}
        self.route_all()

    def charset_meta(self, header_page: bool) -> str:
        if header_page:
            return '<meta http-equiv="Content-Type" content="text/html; charset=gbk">'
        return '<meta charset="gb2312">'

    def page_url(self, col: Column, page: int) -> str:
        return col.path + ("index.html" if page == 1 else f"index_{page - 1}.html")

    def rel_article(self, e: Entry) -> str:
        if not (e.list_date or e.page_date):
            return f"content_{e.docid}.html"
        d = self.url_day(e)
        return f"{d:%Y%m}/t{d:%Y%m%d}_{e.docid}.html"

    def article_url(self, col: Column, e: Entry) -> str:
        return col.path + self.rel_article(e)

    def col_href(self, unit: Unit, col: Column) -> str:
        return "./" + col.path[len(unit.entry_path) :]

    def header(self) -> str:
        tds = "".join(f'<TD align="center" class="nav">{a(h, t)}</TD>' for t, h in self.nav_links())
        return (
            f'<TABLE width="1000" border=0 align="center" cellPadding=0 cellSpacing=0 class="top"><TR>'
            f'<TD class="logo">{self.p.name}</TD><TD><form action="/search" method="get">'
            f'<input name="searchword"><input type="submit" value="搜索"></form></TD></TR></TABLE>\n'
            f'<TABLE width="1000" border=0 align="center" cellPadding=0 cellSpacing=0><TR>{tds}</TR></TABLE>\n'
        )

    def list_page(self, col: Column, page: int) -> str:
        rows = []
        items = col.page_entries(page)
        for i, e in enumerate(items):
            d = e.date.isoformat() if e.list_date else ""
            rows.append(
                f'<TR>\n  <TD height=30 align="left">&nbsp;<A style="font-size:14px;" href="./{self.rel_article(e)}" '
                f'title="{escape(e.title)}" target="_blank">{escape(short(e.title))}</A></TD>\n'
                f'  <TD width="80" align="left" style="font-size:14px; color:#999">{d}</TD>\n</TR>'
            )
            if i % 5 == 4 and i != len(items) - 1:
                rows.append('<TR height=1>\n  <TD colspan=2 class="GroupBlankLine"></TD>\n</TR>')
        if not items and col.blank_text:
            rows.append(f'<TR><TD colspan=2 align="center" height=60>{escape(col.blank_text)}</TD></TR>')
        table = (
            '<TABLE width="100%" border=0 align="center" cellPadding=1 cellSpacing=1 class="list">\n<TBODY>\n'
            + "\n".join(rows)
            + "\n</TBODY>\n</TABLE>\n"
        )
        script = (
            f'<div class="page"><SCRIPT LANGUAGE="JavaScript">\n{CREATE_PAGE_JS}\n'
            f'createPageHTML({col.pages}, {page - 1}, "index", "html");\n</SCRIPT></div>\n'
        )
        main = (
            self.unit_crumbs(col)
            + f'<div class="lm-title">{escape(col.name)}</div>\n'
            + table
            + script
            + self.dead_block(col, page)
        )
        return self.page(col.name, main, column=col.name)

    def article(self, col: Column, e: Entry) -> str:
        meta = self.metadata(col, e)
        cells = []
        for i in range(0, len(meta), 2):
            pair = meta[i : i + 2]
            cells.append(
                "<tr>"
                + "".join(
                    f"<th>{'&ensp;'.join(k) if k == '索引号' else k}</th><td>{escape(v)}</td>"
                    for k, v in pair
                )
                + "</tr>"
            )
        info = '<div class="xxgk_info"><table class="table-bordered">' + "".join(cells) + "</table></div>\n"
        src = "" if getattr(e, "meta_missing", None) == "发布机构" else f"　来源：{escape(self._src(col))}"
        when = f'<div class="info">发布时间：{e.date.isoformat()}{src}</div>' if e.page_date else ""
        main = (
            self.unit_crumbs(col, page=True) + info + f"<h1>{escape(e.title)}</h1>\n{when}\n"
            f'<div class="TRS_Editor">{self.body(col, e)}</div>\n'
        )
        return self.page(e.title, main, column=col.name, article=e, header_page=False, source=self._src(col))

    def html(self, text: str, header_charset: bool) -> Response:
        ctype = "text/html; charset=GBK" if header_charset else "text/html"
        return Response(200, text.encode(self.p.encoding), {"Content-Type": ctype})


# ---------------------------------------------------------------------------------------------------
class HanwebSite(Site):
    index = "index.html"

    def layout(self) -> None:
        p = self.p
        counter = iter(range(10_000))

        def cid() -> int:
            return 1520000 + next(counter) * 17 + 3

        for i, u in enumerate(p.units):
            u.uid = 4815000 + (i + 1) * 37
            u.entry_path = f"/col/col{cid()}/index.html"
            for col in u.all_columns():
                col.colid = cid()
                col.path = f"/col/col{col.colid}/index.html"
        p.nav.uid = 4815000
        for col in p.nav.columns.values():
            col.colid = cid()
            col.path = f"/col/col{col.colid}/index.html"
        p.static_pages = {
            k: (t.format(place=p.place), f"/col/col{cid()}/index.html") for k, t in STATIC_PAGES
        }
        self.route_all()

    def route_column(self, col: Column) -> None:
        if getattr(col.unit, "data_mode", None) == "json":
            self.routes[self.data_path(col)] = ("data", col)
        self.routes[col.path] = ("list", col, None)  # page from ?pageNum=
        for e in col.entries:
            self.routes[self.article_url(col, e)] = ("article", col, e)
            self.route_files(e)

    def page_url(self, col: Column, page: int) -> str:
        uid = (col.unit or self.p.nav).uid
        return f"{col.path}?uid={uid}&pageNum={page}"

    def article_url(self, col: Column, e: Entry) -> str:
        if not (e.list_date or e.page_date):
            return f"/art/art_{col.colid}_{e.docid}.html"
        d = self.url_day(e)
        return f"/art/{d.year}/{d.month}/{d.day}/art_{col.colid}_{e.docid}.html"

    def list_page(self, col: Column, page: int) -> str:
        items = col.page_entries(page)
        lis = "".join(
            f"<li>{a(self.article_url(col, e), short(e.title), e.title, TARGET)}"
            + (f"<span>{e.date.isoformat()}</span>" if e.list_date else "")
            + "</li>\n"
            for e in items
        )
        uid = (col.unit or self.p.nav).uid
        inner = f'<ul class="list">\n{lis}</ul>\n'
        if not items:
            inner = (
                f'<p class="no-data">{escape(col.blank_text)}</p>\n'
                if col.blank_text
                else '<ul class="list"></ul>\n'
            )
        pager = ""
        n = col.pages
        if n > 1:
            links = [f"<span>共{len(col.entries)}条　{page}/{n}页</span>"]
            if page > 1:
                links += [a(self.page_url(col, 1), "首页"), a(self.page_url(col, page - 1), "上一页")]
            if page < n:
                links += [a(self.page_url(col, page + 1), "下一页"), a(self.page_url(col, n), "尾页")]
            pager = '<div class="pager">' + " ".join(links) + "</div>\n"
        main = (
            self.unit_crumbs(col)
            + f'<div class="bt-title">{escape(col.name)}</div>\n'
            + f'<div id="{uid}" class="default_pgContainer">\n{inner}</div>\n'
            + pager
            + self.dead_block(col, page)
        )
        return self.page(col.name, main, column=col.name)

    def article(self, col: Column, e: Entry) -> str:
        rows = self.metadata(col, e)
        trs = "".join(f"<tr><td>{k}：</td><td>{escape(v)}</td></tr>" for k, v in rows)
        info = f'<table class="xxgk_table">{trs}</table>\n'
        when = f'<div class="time">发布日期：{e.date.isoformat()} {hhmm(e)}</div>' if e.page_date else ""
        main = (
            self.unit_crumbs(col, page=True) + info + f'<div class="title">{escape(e.title)}</div>\n{when}\n'
            f'<div id="zoom"><!--<$[信息内容]>begin-->{self.body(col, e)}<!--<$[信息内容]>end--></div>\n'
        )
        return self.page(e.title, main, column=col.name, article=e, source=self._src(col))


# ---------------------------------------------------------------------------------------------------
class ModernSite(Site):
    index = "index.shtml"

    def layout(self) -> None:
        p = self.p
        for u in p.units:
            u.entry_path = "/xxgk/" if u.profile == "government" else f"/xxgk/{u.id}/"
            for col in u.all_columns():
                col.path = f"{u.entry_path}c{110600 + col.serial * 3}/index.shtml"
        for cid, d in (("gzdt", "zwdt"), ("tzgg", "zwdt"), ("zcwj", "zwgk"), ("rdgz", "ztzl")):
            p.nav.columns[cid].path = f"/{d}/{cid}/index.shtml"
        p.static_pages = {k: (t.format(place=p.place), f"/{k}/index.shtml") for k, t in STATIC_PAGES}
        self.route_all()

    def base(self, col: Column) -> str:
        return col.path.rsplit("/", 1)[0] + "/"

    def page_url(self, col: Column, page: int) -> str:
        return col.path if page == 1 else f"{self.base(col)}column-index-{page}.shtml"

    def article_url(self, col: Column, e: Entry) -> str:
        if not (e.list_date or e.page_date):
            return f"{self.base(col)}{e.docid}.shtml"
        return f"{self.base(col)}{self.url_day(e):%Y%m}/{e.docid}.shtml"

    def fmt_date(self, e: Entry, unit: Unit | None) -> str:
        if unit is not None and unit.date_style == "cn":
            return f"{e.date.year}年{e.date.month:02d}月{e.date.day:02d}日"
        return f"{e.date.isoformat()} {hhmm(e)}"

    def list_page(self, col: Column, page: int) -> str:
        unit = col.unit
        items = col.page_entries(page)
        out = []
        for e in items:
            date_html = ""
            if e.list_date:
                if unit is not None and unit.date_style == "cn":
                    date_html = f"<b>{self.fmt_date(e, unit)}</b>"
                else:
                    date_html = f'<span class="time">{e.date.isoformat()} {hhmm(e)}</span>'
            out.append(f"<li>{a(self.article_url(col, e), short(e.title), e.title)}{date_html}</li>")
        inner = '<ul class="list-news">\n' + "\n".join(out) + "\n</ul>\n"
        if not items and col.blank_text:
            inner = f'<ul class="list-news"></ul>\n<div class="empty">{escape(col.blank_text)}</div>\n'
        n = col.pages
        pager = ""
        if n > 1:
            b = self.base(col)

            def rel(k: int) -> str:
                return "index.shtml" if k == 1 else f"column-index-{k}.shtml"

            links = []
            if page > 1:
                links += [a(rel(1), "首页"), a(rel(page - 1), "上一页")]
            for k in range(1, n + 1):
                links.append(f'<span class="current">{k}</span>' if k == page else a(rel(k), str(k)))
            if page < n:
                links += [a(rel(page + 1), "下一页"), a(rel(n), "尾页")]
            pager = (
                f'<div class="pagination" data-base="{b}">'
                + " ".join(links)
                + f"<span>共{n}页 {len(col.entries)}条</span></div>\n"
            )
        main = (
            self.unit_crumbs(col)
            + f'<div class="column-title"><h2>{escape(col.name)}</h2></div>\n'
            + f'<div class="zwgklist">\n{inner}</div>\n'
            + pager
            + self.dead_block(col, page)
        )
        return self.page(col.name, main, column=col.name)

    def article(self, col: Column, e: Entry) -> str:
        rows = self.metadata(col, e)
        lis = "".join(
            f"<li>{'&ensp;'.join(k) if k == '索引号' else k}：<font>{escape(v)}</font></li>" for k, v in rows
        )
        info = f'<div class="index_box"><ul>{lis}</ul></div>\n'
        when = f'<div class="info">发布时间：{e.date.isoformat()} {hhmm(e)}</div>' if e.page_date else ""
        main = (
            self.unit_crumbs(col, page=True) + info + f"<h1>{escape(e.title)}</h1>\n{when}\n"
            f'<div class="article_content">{self.body(col, e)}</div>\n'
        )
        return self.page(e.title, main, column=col.name, article=e, source=self._src(col))


class ChallengeSite(TrsSite):
    """A portal behind 瑞数: every page answers HTTP 412 with the loader script, except one unit's
    entry page (its column list pages are the challenged ones) and robots.txt."""

    charset = "utf-8"

    def render(self, path: str, query: str = "") -> Response:
        if path == "/robots.txt":
            return super().render(path, query)
        target = self.routes.get(path)
        if target is not None and target[0] == "entry" and target[1].id == CHALLENGE_OPEN_ENTRY:
            return super().render(path, query)
        return Response(
            412,
            challenge_page(),
            {
                "Content-Type": "text/html; charset=utf-8",
                "Set-Cookie": "FSSBBIl1UgzbN7N80S=demo; Path=/; HttpOnly",
            },
        )

    def html(self, text: str, header_charset: bool) -> Response:
        return Response(200, text.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})


SITES = {"trs": TrsSite, "hanweb": HanwebSite, "modern": ModernSite}


def site_for(portal: Portal, skin: int | None = None) -> Site:
    """The renderer of a portal: its original template, or generated skin `skin` (zwgk_demonet/skins.py)."""
    if getattr(portal, "challenge", False):
        return ChallengeSite(portal)
    if skin:
        from .skins import SkinSite

        return SkinSite(portal, skin)
    return SITES[portal.style](portal)


def layout(portal: Portal, skin: int | None = None) -> None:
    """Assign every path of the portal (entry pages, column list pages)."""
    site_for(portal, skin).layout()
