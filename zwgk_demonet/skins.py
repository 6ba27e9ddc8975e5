"""Skins: the demo network's portals re-rendered in generated CMS templates (generalization test).

The first release scored 1.00 on its own three templates and about 0.5 on portals it had never seen:
the extraction had been fitted to the demo's markup. A skin keeps the spec (units, columns, entries,
seeded defects: the ground truth is unchanged) and draws everything a template decides from a seed:

- class and id names from wide pools (pinyin and English; menu/nav/side/left/list/box words among
  them, in misleading places: a main list in `div.left-menu`, a unit's column tree in `div.nav-list`,
  a page header with no header-like name at all);
- where a unit's column tree sits: left, right, a tab bar on top, or inside the content;
- URL schemes: nested paths, Hanweb-like `col/colNNNN` siblings, numeric ids, query ids (`?id=`);
- lists as ul/table/div/dl/p rows, dates in the forms of portal-patterns §5 in several places
  (own element, inside the link, trailing text), with or without a header row;
- pagination as 下一页 links, numbered links, TRS `createPageHTML`;
- article templates: metadata block as table / list / paragraphs, several body containers.

`Network(as_of, skin=N)` serves skin N (0 = no skin: the three original templates).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from html import escape

from . import interact
from .depth import DEAD_PREFIX
from .marks import foot_marks
from .spec import Column, Entry, Portal, Unit
from .styles import CREATE_PAGE_JS, SEMANTIC, STATIC_PAGES, TARGET, Response, Site, a, hhmm, short

# -- name pools ---------------------------------------------------------------------------------------
POOLS = {
    "wrap": ["wrap", "container", "w1200", "page", "bd", "main-wrap", "zt", "body-box", "mainbox", "w1000"],
    "header": [
        "header",
        "top",
        "head",
        "g-hd",
        "site-top",
        "ding",
        "tou",
        "logo-box",
        "hd",
        "w-top",
        "toubu",
        "topbox",
        "m-head",
        "banner-box",
        "jt",
    ],
    "topnav": [
        "nav",
        "mainnav",
        "menu",
        "daohang",
        "dh",
        "top-nav",
        "g-nav",
        "lanmu",
        "navbar",
        "main-menu",
        "list-nav",
        "menu-box",
        "column-nav",
        "nav-list",
        "mnav",
    ],
    "footer": [
        "footer",
        "foot",
        "bottom",
        "g-ft",
        "copyright",
        "di",
        "site-info",
        "wei",
        "dibu",
        "ft",
        "footbox",
        "m-foot",
    ],
    "hot": [
        "side",
        "right-hot",
        "hot",
        "redian",
        "rd-box",
        "list-hot",
        "box-r",
        "tuijian",
        "news-hot",
        "sidebar",
        "rmzt",
        "zt-list",
        "right-list",
        "box2",
        "r-box",
        "menu-hot",
        "list-box",
    ],
    "crumb": [
        "crumb",
        "position",
        "location",
        "dqwz",
        "weizhi",
        "lujing",
        "path",
        "bread",
        "nav-path",
        "current",
        "wz",
        "site-path",
        "lm-nav",
    ],
    "tree": [
        "left-menu",
        "leftnav",
        "menu",
        "sub-nav",
        "side-nav",
        "nav-list",
        "zuo",
        "lm-box",
        "gkml",
        "catalog",
        "mulu",
        "tree",
        "xxgk-menu",
        "column-nav",
        "lanmu",
        "left",
        "right-menu",
        "navbar-side",
        "box1",
        "l-box",
        "list",
        "menu-list",
        "subnav",
        "gk-nav",
        "ml-box",
        "list-box",
        "tab-nav",
        "xxgk-nav",
    ],
    "main": [
        "main",
        "right",
        "rightbox",
        "con-right",
        "content",
        "nr",
        "neirong",
        "box",
        "con",
        "cont",
        "left",
        "leftbox",
        "main-con",
        "r-con",
        "article-box",
        "menu-con",
        "ny-right",
        "list-wrap",
    ],
    "list": [
        "list",
        "news-list",
        "list-box",
        "lb",
        "liebiao",
        "xxgk-list",
        "content-list",
        "wz-list",
        "zwgk-lb",
        "data-list",
        "list-con",
        "menu-list",
        "nav-list",
        "left-list",
        "box-list",
        "side-list",
        "infolist",
        "ul-list",
        "gl-list",
        "list-ul",
        "tab-con",
        "lists",
        "xxgk_lb",
        "list01",
        "nr-list",
    ],
    "pager": [
        "page",
        "pager",
        "pagination",
        "fenye",
        "pages",
        "page-box",
        "pageBar",
        "fy",
        "page-nav",
        "paging",
    ],
    "title": ["lm-title", "column-title", "title", "bt", "lm-name", "biaoti", "tit", "box-title", "lmmc"],
    "body": [
        "TRS_Editor",
        "article-content",
        "zoom",
        "con",
        "nr",
        "wz-con",
        "detail-body",
        "text",
        "content",
        "news_content",
        "pages_content",
        "article",
        "zw",
        "main-txt",
    ],
    "meta": [
        "xxgk_info",
        "index_box",
        "info-table",
        "syh",
        "xxgk-head",
        "gk-info",
        "doc-info",
        "meta",
        "wzinfo",
        "fbxx",
    ],
    "date": ["date", "time", "sj", "riqi", "fr", "right", "span-r", "pubtime", "rq"],
}
SCHEMES = ["path", "col", "numeric", "query"]
TREE_POS = ["left", "right", "top", "content"]
LIST_MARKUP = ["ul", "table", "div", "dl", "p"]
DATE_FORMS = ["iso", "slash", "cn", "dot", "bracket", "datetime", "label", "paren", "none"]
DATE_WHERE = ["el", "el", "inside", "tail", "before"]
PAGERS = ["next", "numbers", "trs", "numbers-only"]
META_FORMS = ["table", "list", "para", "dl"]


def fmt(d: date, form: str, e: Entry | None = None) -> str:
    if form == "slash":
        return f"{d:%Y/%m/%d}"
    if form == "cn":
        return f"{d.year}年{d.month:02d}月{d.day:02d}日"
    if form == "dot":
        return f"{d:%Y.%m.%d}"
    if form == "bracket":
        return f"[{d.isoformat()}]"
    if form == "datetime":
        return f"{d.isoformat()} {hhmm(e) if e else '09:30'}"
    if form == "label":
        return f"发布日期：{d.isoformat()}"
    if form == "paren":
        return f"({d.isoformat()})"
    return d.isoformat()  # "iso", and "none" where a date must still be shown (sidebars)


@dataclass
class Skin:
    """Every template decision for one portal, drawn from (skin seed, portal id)."""

    seed: int
    scheme: str
    tree_pos: str
    list_markup: str
    date_form: str
    date_where: str
    pager: str
    meta_form: str
    ext: str
    html5: bool
    header_row: bool
    title_attr: bool
    pubdate_meta: bool
    names: dict[str, str]
    ids: dict[str, str]

    @classmethod
    def draw(cls, seed: int, portal_id: str) -> Skin:
        rng = random.Random(f"skin|{seed}|{portal_id}")
        names = {role: rng.choice(pool) for role, pool in POOLS.items()}
        # The tree and the list containers must differ from each other and from the hot sidebar.
        while names["list"] in (names["tree"], names["hot"]) or names["tree"] == names["hot"]:
            names["list"] = rng.choice(POOLS["list"])
            names["hot"] = rng.choice(POOLS["hot"])
        ids = {
            role: (f"{name.replace('-', '_')}{rng.randint(1, 9)}" if rng.random() < 0.3 else "")
            for role, name in names.items()
        }
        scheme = rng.choice(SCHEMES)
        pager = rng.choice(PAGERS)
        if pager == "trs" and scheme != "path":
            pager = "next"
        markup = rng.choice(LIST_MARKUP)
        where = rng.choice(DATE_WHERE)
        return cls(
            seed=seed,
            scheme=scheme,
            tree_pos=rng.choice(TREE_POS),
            list_markup=markup,
            date_form=rng.choice(DATE_FORMS),
            date_where=where,
            pager=pager,
            meta_form=rng.choice(META_FORMS),
            ext=rng.choice(["html", "shtml", "htm"]),
            html5=rng.random() < 0.25,
            header_row=markup == "table" and rng.random() < 0.5,
            title_attr=rng.random() < 0.7,
            pubdate_meta=rng.random() < 0.6,
            names=names,
            ids=ids,
        )

    def describe(self) -> str:
        return (
            f"skin {self.seed}: urls={self.scheme} tree={self.tree_pos} list={self.list_markup} "
            f"date={self.date_form}/{self.date_where} pager={self.pager} meta={self.meta_form} "
            f"tree-class={self.names['tree']} list-class={self.names['list']} main-class={self.names['main']}"
        )


class SkinSite(Site):
    """A portal rendered in a generated template (see the module docstring)."""

    def __init__(self, portal: Portal, skin: int):
        super().__init__(portal)
        self.skin = Skin.draw(skin, portal.id)
        self.rng = random.Random(f"skinsite|{skin}|{portal.id}")
        self.charset = "utf-8"
        # Units whose column tree is drawn with image links (no text, no alt): a layout built to defeat
        # discovery. The crawler must abstain (entry `unrecognized`), never report their columns missing.
        self.opaque_units: set[str] = set()

    # ---- attributes -------------------------------------------------------------------------------
    def attrs(self, role: str, extra: str = "") -> str:
        s = self.skin
        cls = s.names[role] + (f" {extra}" if extra else "")
        ident = f' id="{s.ids[role]}"' if s.ids.get(role) else ""
        return f'class="{cls}"{ident}'

    # ---- layout -----------------------------------------------------------------------------------
    def layout(self) -> None:
        p, s = self.p, self.skin
        rng = random.Random(f"layout|{s.seed}|{p.id}")
        last = [rng.randint(1000, 9000) * 10]

        def next_id() -> int:  # increasing, with irregular gaps: ids never collide
            last[0] += rng.choice([1, 3, 7])
            return last[0]

        root = rng.choice(["xxgk", "zfxxgk", "zwgk", "gkml", "info"])
        group = {
            "department": rng.choice(["bmxxgk", "bm", "dept", ""]),
            "township": rng.choice(["xzxxgk", "xz", "town", ""]),
        }
        chan = rng.choice(["channel", "lm", "column", "list", "node"])
        art = rng.choice(["content", "detail", "art", "show", "info"])
        script = rng.choice(["list.jsp", "col.aspx", "channel.php", "index.jsp", "lm.do"])
        detail = rng.choice(["detail.jsp", "content.aspx", "show.php", "article.jsp", "view.do"])
        param = rng.choice(["id", "channelId", "cid", "catid", "columnId"])
        self.page_param = rng.choice(["page", "pageNo", "p", "pageIndex"])
        self.chan, self.art, self.detail = chan, art, detail
        self.page_style = rng.choice(["trs", "one", "plain"]) if s.pager != "trs" else "trs"
        for i, u in enumerate(p.units):
            u.uid = 5200000 + (i + 1) * 41
            ident = next_id()
            if s.scheme == "path":
                if u.profile == "government":
                    u.entry_path = f"/{root}/"
                else:
                    grp = group[u.profile or "department"]
                    u.entry_path = f"/{root}/{grp + '/' if grp else ''}{u.id}/"
            elif s.scheme == "col":
                u.entry_path = f"/col/col{ident}/index.html"
            elif s.scheme == "numeric":
                u.entry_path = f"/{chan}/{ident}.{s.ext}"
            else:
                u.entry_path = f"/{script}?{param}={ident}"
            for col in u.all_columns():
                col.colid = next_id()
                col.path = self._col_path(u, col, root, script, param)
        p.nav.uid = 5200000
        for cid, col in p.nav.columns.items():
            col.colid = next_id()
            if s.scheme == "path":
                col.path = f"/{rng.choice(['zwdt', 'xwzx', 'news'])}/{cid}/"
            else:
                col.path = self._col_path(p.nav, col, root, script, param)
        p.static_pages = {}
        for k, t in STATIC_PAGES:
            ident = next_id()
            path = {
                "path": f"/{k}/",
                "col": f"/col/col{ident}/index.html",
                "numeric": f"/{chan}/{ident}.{s.ext}",
                "query": f"/{script}?{param}={ident}",
            }[s.scheme]
            p.static_pages[k] = (t.format(place=p.place), path)
        self.route_all()

    def _col_path(self, u: Unit, col: Column, root: str, script: str, param: str) -> str:
        s = self.skin
        if s.scheme == "path":
            choice = random.Random(f"slug|{s.seed}|{self.p.id}").choice(["semantic", "auto", "c"])
            if choice == "semantic":
                slug = SEMANTIC.get(col.cid, col.cid)
            elif choice == "auto":
                slug = f"auto{col.colid}"
            else:
                slug = f"c{col.colid}"
            return f"{u.entry_path}{slug}/"
        if s.scheme == "col":
            return f"/col/col{col.colid}/index.html"
        if s.scheme == "numeric":
            return f"/{self.chan}/{col.colid}.{s.ext}"
        return f"/{script}?{param}={col.colid}"

    def add_dir(self, path: str, target: tuple) -> None:
        self.routes[path] = target
        if path.endswith("/"):
            self.routes[f"{path}index.{self.skin.ext}"] = target

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

    def page_url(self, col: Column, page: int) -> str:
        s = self.skin
        if page == 1:
            return col.path
        if s.scheme == "path":
            if self.page_style == "trs":
                return f"{col.path}index_{page - 1}.{s.ext}"
            if self.page_style == "one":
                return f"{col.path}index_{page}.{s.ext}"
            return f"{col.path}{page}.{s.ext}"
        if s.scheme == "col":
            uid = (col.unit or self.p.nav).uid
            return f"{col.path}?uid={uid}&pageNum={page}"
        if s.scheme == "numeric":
            return col.path.rsplit(".", 1)[0] + f"_{page}.{s.ext}"
        return f"{col.path}&{self.page_param}={page}"

    def article_url(self, col: Column, e: Entry) -> str:
        s = self.skin
        dated = e.list_date or e.page_date
        if s.scheme == "path":
            if not dated:
                return f"{col.path}art{e.docid}.{s.ext}"
            d = self.url_day(e)
            return f"{col.path}{d:%Y%m}/t{d:%Y%m%d}_{e.docid}.{s.ext}"
        if s.scheme == "col":
            if not dated:
                return f"/art/art_{col.colid}_{e.docid}.html"
            d = self.url_day(e)
            return f"/art/{d.year}/{d.month}/{d.day}/art_{col.colid}_{e.docid}.html"
        if s.scheme == "numeric":
            if not dated:
                return f"/{self.art}/{e.docid}.{s.ext}"
            return f"/{self.art}/{self.url_day(e):%Y%m}/{e.docid}.{s.ext}"
        return f"/{self.detail}?id={e.docid}"

    def data_path(self, col: Column) -> str:
        return f"/data/{col.colid}/column.json"

    # ---- serving ----------------------------------------------------------------------------------
    def render(self, path: str, query: str = "") -> Response:
        if path == "/robots.txt" or path.startswith(tuple(DEAD_PREFIX.values())):
            return super().render(path, query)
        key = f"{path}?{query}" if query else path
        target = self.routes.get(key)
        if target is None and query and self.skin.scheme != "query":
            target = self.routes.get(path) if self.routes.get(path, ("",))[0] != "list" else None
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
            return self.html(self.entry(unit), header_charset=True)
        if what == "list":
            return self.html(self.list_page(target[1], target[2]), header_charset=True)
        if what == "article":
            return self.html(self.article(target[1], target[2]), header_charset=True)
        return self.html(self.static(target[1]), header_charset=True)

    def html(self, text: str, header_charset: bool) -> Response:
        return Response(200, text.encode("utf-8"), {"Content-Type": "text/html; charset=utf-8"})

    # ---- furniture --------------------------------------------------------------------------------
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
            f'<meta name="SiteIDCode" content="{p.site_code}">',
        ]
        if column:
            metas.append(f'<meta name="ColumnName" content="{escape(column)}">')
        if article is not None:
            metas.append(f'<meta name="ArticleTitle" content="{escape(article.title)}">')
            if article.page_date and self.skin.pubdate_meta:
                metas.append(f'<meta name="PubDate" content="{article.date.isoformat()} {hhmm(article)}">')
        return (
            '<!DOCTYPE html>\n<html>\n<head>\n<meta charset="utf-8">\n'
            f"<title>{escape(title)}-{p.name}</title>\n" + "\n".join(metas) + "\n</head>\n"
        )

    def header(self) -> str:
        s = self.skin
        items = "".join(f"<li>{a(h, t)}</li>" for t, h in self.nav_links())
        tag = "header" if s.html5 else "div"
        ntag = "nav" if s.html5 else "div"
        return (
            f'<{tag} {self.attrs("header")}><div class="logo">{self.p.name}</div>'
            f'<form action="/search" method="get"><input name="q"><button>搜索</button></form></{tag}>\n'
            f"<{ntag} {self.attrs('topnav')}><ul>{items}</ul></{ntag}>\n"
        )

    def sidebar(self) -> str:
        hot = self.p.nav.columns["rdgz"]
        lis = "".join(
            f"<li>{a(self.article_url(hot, e), short(e.title), e.title)}<span>{fmt(e.date, self.skin.date_form, e)}</span></li>"
            for e in hot.entries[:6]
        )
        return f"<div {self.attrs('hot')}><h3>热点专题</h3><ul>{lis}</ul></div>\n"

    def footer(self) -> str:
        st, p = self.p.static_pages, self.p
        tag = "footer" if self.skin.html5 else "div"
        return (
            f"<{tag} {self.attrs('footer')}><p>{a(st['wzdt'][1], '网站地图')} | {a(st['lxwm'][1], '联系我们')} | "
            f"{a(st['jiucuo'][1], '政府网站找错')}</p>"
            f"<p>主办单位：{p.name}办公室　承办单位：{p.place}大数据中心</p>"
            f"{foot_marks(p)}</{tag}>\n"
        )

    def crumbs(self, *parts: tuple[str, str | None]) -> str:
        out = [a("/", "首页")]
        for text, href in parts:
            out.append(a(href, text) if href else escape(text))
        sep = random.Random(f"sep|{self.skin.seed}|{self.p.id}").choice(
            [" &gt; ", " » ", " / ", " &gt;&gt; "]
        )
        return f"<div {self.attrs('crumb')}>您当前的位置：" + sep.join(out) + "</div>\n"

    def tree(self, unit: Unit, current: Column | None = None) -> str:
        """The unit's column tree (catalogue menu), with the current column marked."""
        s = self.skin
        cols = unit.columns

        def item(col: Column) -> str:
            on = ' class="on"' if col is current else ""
            if unit.id in self.opaque_units:
                return f'<li{on}><a href="{escape(self.col_href(unit, col))}"><img src="/images/m{col.colid}.png"></a></li>'
            return f"<li{on}>{a(self.col_href(unit, col), col.label)}</li>"

        def link(cid: str) -> str:
            col = cols.get(cid)
            return item(col) if col is not None and col.linked else ""

        top = "".join(link(c) for c in ("xxgkzn", "xxgkzd"))
        fd = "".join(link(c) for c in cols if c not in ("xxgkzn", "xxgkzd", "xxgknb"))
        rest = link("xxgknb") + "".join(item(c) for c in unit.extras)
        if s.tree_pos == "top":
            return f'<div {self.attrs("tree")}><ul class="tabs">{top}{fd}{rest}</ul></div>\n'
        nested = random.Random(f"nest|{s.seed}|{self.p.id}").random() < 0.5
        if nested:
            body = f'<ul>{top}<li class="sub"><span>法定主动公开内容</span><ul>{fd}</ul></li>{rest}</ul>'
        else:
            body = f"<ul>{top}{fd}{rest}</ul>"
        return f"<div {self.attrs('tree')}><h3>{escape(unit.name)}</h3>{body}</div>\n"

    def frame(
        self,
        title: str,
        main: str,
        unit: Unit | None = None,
        current: Column | None = None,
        column: str = "",
        article: Entry | None = None,
        entry_page: bool = False,
    ) -> str:
        """The page: header, nav, [tabs], side boxes and main, footer."""
        s = self.skin
        tree = ""
        if unit is not None and unit.profile is not None and (s.tree_pos != "content" or not entry_page):
            tree = self.tree(unit, current) if s.tree_pos != "content" else ""
        side_left, side_right, tabs = "", "", ""
        hot = self.sidebar()
        if s.tree_pos == "left":
            side_left, side_right = tree, hot
        elif s.tree_pos == "right":
            side_left, side_right = hot, tree
        else:
            tabs = tree
            if random.Random(f"hot|{s.seed}|{self.p.id}").random() < 0.5:
                side_left = hot
            else:
                side_right = hot
        left = f'<div class="l">{side_left}</div>\n' if side_left else ""
        right = f'<div class="r">{side_right}</div>\n' if side_right else ""
        return (
            self.head(title, column, article)
            + f"<body>\n<div {self.attrs('wrap')}>\n"
            + self.header()
            + tabs
            + f"<div>\n{left}<div {self.attrs('main')}>\n{main}</div>\n{right}</div>\n"
            + self.footer()
            + "</div>\n</body>\n</html>\n"
        )

    # ---- list markup ------------------------------------------------------------------------------
    def date_html(self, e: Entry) -> str:
        s = self.skin
        return f'<span class="{s.names["date"]}">{fmt(e.date, s.date_form, e)}</span>'

    def link_html(self, col: Column, e: Entry) -> str:
        s = self.skin
        href = self.article_url(col, e)
        if s.title_attr:
            return a(href, short(e.title), e.title, TARGET)
        return a(href, e.title, None, TARGET)

    def shows_date(self, e: Entry) -> bool:
        """Whether the list shows this entry's date. A skin without list dates ("none") still leaves
        entries whose article carries no date with their list date, so the ground truth holds."""
        return e.list_date and (self.skin.date_form != "none" or not e.page_date)

    def item_html(self, col: Column, e: Entry, tag: str) -> str:
        s = self.skin
        link = self.link_html(col, e)
        if not self.shows_date(e):
            return f"<{tag}>{link}</{tag}>"
        date_s = fmt(e.date, s.date_form, e)
        if s.date_where == "inside":
            href = self.article_url(col, e)
            t = f' title="{escape(e.title)}"' if s.title_attr else ""
            text = short(e.title) if s.title_attr else e.title
            return (
                f'<{tag}><a href="{escape(href)}"{t}{TARGET}>{escape(text)}'
                f'<span class="{s.names["date"]}">{date_s}</span></a></{tag}>'
            )
        if s.date_where == "tail":
            return f"<{tag}>{link}　{date_s}</{tag}>"
        if s.date_where == "before":
            return f"<{tag}>{self.date_html(e)}{link}</{tag}>"
        return f"<{tag}>{link}{self.date_html(e)}</{tag}>"

    def list_html(self, col: Column, items: list[Entry]) -> str:
        s = self.skin
        m = s.list_markup
        blank = ""
        if not items and col.blank_text:
            blank = escape(col.blank_text)
        if m == "table":
            rows = []
            if s.header_row:
                rows.append("<tr><th>标题</th><th>发布日期</th></tr>")
            for e in items:
                d = fmt(e.date, s.date_form, e) if self.shows_date(e) else ""
                rows.append(f"<tr><td>{self.link_html(col, e)}</td><td>{d}</td></tr>")
            if blank:
                rows.append(f'<tr><td colspan="2">{blank}</td></tr>')
            return f"<table {self.attrs('list')}>" + "".join(rows) + "</table>\n"
        tag, wrap = {"ul": ("li", "ul"), "div": ("div", "div"), "dl": ("dd", "dl"), "p": ("p", "div")}[m]
        inner = "".join(self.item_html(col, e, tag) for e in items)
        if blank:
            inner += (
                f"<{tag}>{blank}</{tag}>" if tag in ("li", "dd") else f'<div class="no-data">{blank}</div>'
            )
        return f"<{wrap} {self.attrs('list')}>{inner}</{wrap}>\n"

    def pager_html(self, col: Column, page: int) -> str:
        s = self.skin
        n = col.pages
        if n <= 1:
            return ""
        if s.pager == "trs":
            return (
                f'<div {self.attrs("pager")}><script type="text/javascript">\n{CREATE_PAGE_JS}\n'
                f'createPageHTML({n}, {page - 1}, "index", "{s.ext}");\n</script></div>\n'
            )
        links = [f"<span>共{len(col.entries)}条 {page}/{n}页</span>"]
        if page > 1:
            links += [a(self.page_url(col, 1), "首页"), a(self.page_url(col, page - 1), "上一页")]
        if s.pager == "numbers":
            for k in range(1, n + 1):
                links.append(f"<b>{k}</b>" if k == page else a(self.page_url(col, k), str(k)))
        if s.pager == "numbers-only":
            links = [
                f"<b>{k}</b>" if k == page else a(self.page_url(col, k), str(k)) for k in range(1, n + 1)
            ]
        if page < n and s.pager != "numbers-only":
            links += [a(self.page_url(col, page + 1), "下一页"), a(self.page_url(col, n), "尾页")]
        return f"<div {self.attrs('pager')}>" + " ".join(links) + "</div>\n"

    # ---- pages ------------------------------------------------------------------------------------
    def unit_crumbs(self, col: Column, page: bool = False) -> str:
        u = col.unit
        if u is None or u.profile is None:
            return self.crumbs((col.name, col.path if page else None))
        gov = self.p.government
        parts = [("信息公开", gov.entry_path)] if u is not gov else []
        return self.crumbs(
            *parts,
            (u.name, u.entry_path),
            (col.label.split("(")[0].split("（")[0], col.path if page else None),
        )

    def list_page(self, col: Column, page: int) -> str:
        items = col.page_entries(page)
        main = (
            self.unit_crumbs(col)
            + f"<div {self.attrs('title')}>{escape(col.name)}</div>\n"
            + self.list_html(col, items)
            + self.pager_html(col, page)
            + self.dead_block(col, page)
        )
        return self.frame(col.name, main, unit=col.unit, current=col, column=col.name)

    def shell_page(self, col: Column) -> str:
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
            script = f'$.getJSON("{self.data_path(col)}", function (d) {{ render(d.data); }});'
            holder = f"<ul {self.attrs('list')}></ul>\n"
        main = (
            self.unit_crumbs(col)
            + f"<div {self.attrs('title')}>{escape(col.name)}</div>\n"
            + holder
            + self.dead_block(col, 1)
            + f'<script type="text/javascript">\n{script}\n</script>\n'
        )
        return self.frame(col.name, main, unit=col.unit, current=col, column=col.name)

    def block(self, title: str, col: Column, n: int, more: bool = True) -> str:
        lis = "".join(
            f"<li>{a(self.article_url(col, e), short(e.title), e.title)}<span>{e.date:%m-%d}</span></li>"
            for e in col.entries[:n]
        )
        m = a(col.path, "更多") if more else ""
        return (
            f'<div class="{self.skin.names["list"]}-{len(title)}"><h2>{title}</h2>{m}<ul>{lis}</ul></div>\n'
        )

    def home(self) -> str:
        p, nav = self.p, self.p.nav.columns
        gov = p.government
        deps = "".join(f"<li>{a(u.entry_path, u.name)}</li>" for u in p.units if u.profile == "department")
        towns = "".join(f"<li>{a(u.entry_path, u.name)}</li>" for u in p.units if u.profile == "township")
        main = (
            self.block("要闻动态", nav["gzdt"], 7)
            + self.block("通知公告", nav["tzgg"], 6)
            + self.block("政策文件", nav["zcwj"], 6)
            + f'<div class="gk"><h2>政府信息公开</h2><p>{a(gov.entry_path, gov.name + "信息公开")}</p>'
            f"<h3>部门信息公开</h3><ul>{deps}</ul><h3>乡镇（街道）信息公开</h3><ul>{towns}</ul></div>\n"
        )
        return self.frame("首页", main)

    def col_href(self, unit: Unit, col: Column) -> str:
        return col.path

    def entry(self, unit: Unit) -> str:
        s = self.skin
        info = (
            f'<div class="info"><h1>{escape(unit.name)}</h1><p>机构名称：{escape(unit.name)}　'
            f"办公电话：0{self.p.site_code[:3]}-8{unit.org_code[-4:]}</p></div>\n"
        )
        main = self.crumbs(("信息公开", self.p.government.entry_path), (unit.name, None)) + info
        if s.tree_pos == "content":
            boxes = []
            for col in [*unit.columns.values(), *unit.extras]:
                if col.linked and unit.id in self.opaque_units:
                    boxes.append(
                        f'<div class="item"><a href="{escape(self.col_href(unit, col))}">'
                        f'<img src="/images/m{col.colid}.png"></a></div>'
                    )
                elif col.linked:
                    boxes.append(f'<div class="item">{a(self.col_href(unit, col), col.label)}</div>')
            main += f"<div {self.attrs('tree')}><h2>信息公开目录</h2>{''.join(boxes)}</div>\n"
        return self.frame(f"{unit.name}信息公开", main, unit=unit, entry_page=True)

    def static(self, key: str) -> str:
        title = self.p.static_pages[key][0]
        body = f"<h1>{escape(title)}</h1><p>欢迎访问{self.p.name}门户网站。</p>"
        if key == "wzdt":
            body += "<ul>" + "".join(f"<li>{a(u.entry_path, u.name)}</li>" for u in self.p.units) + "</ul>"
        if key == "hdjl":
            body += "<ul>" + "".join(f"<li>{a(h, t)}</li>" for h, t in interact.hub_links(self.p)) + "</ul>"
        return self.frame(title, body)

    def plain_page(self, title: str, body: str) -> str:
        return self.frame(title, body)

    def meta_html(self, col: Column, e: Entry) -> str:
        rows = self.metadata(col, e)
        form = self.skin.meta_form
        cls = self.attrs("meta")
        if form == "table":
            cells = "".join(f"<tr><th>{k}</th><td>{escape(v)}</td></tr>" for k, v in rows)
            return f"<table {cls}>{cells}</table>\n"
        if form == "list":
            lis = "".join(f"<li>{k}：<span>{escape(v)}</span></li>" for k, v in rows)
            return f"<div {cls}><ul>{lis}</ul></div>\n"
        if form == "dl":
            items = "".join(f"<dt>{k}：</dt><dd>{escape(v)}</dd>" for k, v in rows)
            return f"<dl {cls}>{items}</dl>\n"
        ps = "".join(f"<p><strong>{k}</strong>：{escape(v)}</p>" for k, v in rows)
        return f"<div {cls}>{ps}</div>\n"

    def article(self, col: Column, e: Entry) -> str:
        src = "" if getattr(e, "meta_missing", None) == "发布机构" else f"　来源：{escape(self._src(col))}"
        label = random.Random(f"lbl|{self.skin.seed}|{self.p.id}").choice(["发布时间", "发布日期", "日期"])
        when = f'<div class="info">{label}：{e.date.isoformat()} {hhmm(e)}{src}</div>' if e.page_date else ""
        main = (
            self.unit_crumbs(col, page=True)
            + self.meta_html(col, e)
            + f"<h1>{escape(e.title)}</h1>\n{when}\n"
            f"<div {self.attrs('body')}>{self.body(col, e)}</div>\n"
        )
        return self.frame(
            e.title,
            main,
            unit=col.unit if col.unit and col.unit.profile else None,
            column=col.name,
            article=e,
        )
