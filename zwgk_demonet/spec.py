"""The demo network as data: portals, units, columns, entries, and the defects seeded into them.

Everything (pages and ground truth) is derived from these objects, and every date is relative to
`as_of`. Randomness comes from string-seeded `random.Random` instances, one per column, so a
variant that repairs one column leaves every other column byte-identical.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import titles
from .catalog import Catalog, load_catalog
from .depth import CHALLENGE_PORTAL
from .depth import apply as apply_depth
from .depth import truth_rows as depth_truth_rows
from .interact import truth_rows as interact_truth_rows
from .marks import apply as apply_marks
from .marks import truth_rows as marks_truth_rows
from .periodic import seed_periodic_and_interp
from .periodic import truth_rows as periodic_truth_rows

# -- the portals -----------------------------------------------------------------------------------
# (id, full name, short name, profile[, entry HTTP status])
PORTAL_DEFS: list[dict] = [
    {
        "id": "qinglan",
        "name": "青岚区人民政府",
        "place": "青岚区",
        "style": "trs",
        "encoding": "gbk",
        "site_code": "3702130001",
        "org_code": "11370213MB1686",
        "reachable": True,
        "units": [
            ("qlq", "青岚区人民政府", "区政府", "government"),
            ("fgj", "青岚区发展和改革局", "区发展改革局", "department"),
            ("jtj", "青岚区教育和体育局", "区教体局", "department"),
            ("czj", "青岚区财政局", "区财政局", "department"),
            ("wjj", "青岚区卫生健康局", "区卫生健康局", "department"),
            ("dfjd", "青岚区东风街道办事处", "东风街道", "township"),
            ("heshi", "青岚区河石镇人民政府", "河石镇", "township"),
        ],
    },
    {
        "id": "baishi",
        "name": "白石县人民政府",
        "place": "白石县",
        "style": "hanweb",
        "encoding": "utf-8",
        "site_code": "4210250002",
        "org_code": "11421025MB0935",
        "reachable": True,
        "units": [
            ("bsx", "白石县人民政府", "县政府", "government"),
            ("fgj", "白石县发展和改革局", "县发展改革局", "department"),
            ("jyj", "白石县教育局", "县教育局", "department"),
            ("rsj", "白石县人力资源和社会保障局", "县人社局", "department", 503),
            ("zjj", "白石县住房和城乡建设局", "县住建局", "department"),
            ("nyj", "白石县农业农村局", "县农业农村局", "department"),
            ("chengguan", "白石县城关镇人民政府", "城关镇", "township"),
            ("lijia", "白石县李家乡人民政府", "李家乡", "township"),
        ],
    },
    {
        "id": "yunze",
        "name": "云泽区人民政府",
        "place": "云泽区",
        "style": "modern",
        "encoding": "utf-8",
        "site_code": "6201050003",
        "org_code": "11620105MB1920",
        "reachable": True,
        "units": [
            ("yzq", "云泽区人民政府", "区政府", "government"),
            ("scjgj", "云泽区市场监督管理局", "区市场监管局", "department"),
            ("mzj", "云泽区民政局", "区民政局", "department", 500),
            ("yjj", "云泽区应急管理局", "区应急管理局", "department"),
            ("wlj", "云泽区文化和旅游局", "区文化和旅游局", "department"),
            ("jinhu", "云泽区金湖街道办事处", "金湖街道", "township"),
            ("xiyuan", "云泽区西苑街道办事处", "西苑街道", "township"),
            ("taoyuan", "云泽区桃源镇人民政府", "桃源镇", "township"),
        ],
    },
    {
        # Nothing listens on this portal's port: its home and every unit entry are unreachable.
        "id": "songling",
        "name": "松岭县人民政府",
        "place": "松岭县",
        "style": "trs",
        "encoding": "utf-8",
        "site_code": "2307240004",
        "org_code": "11230724MB0412",
        "reachable": False,
        "units": [
            ("slx", "松岭县人民政府", "县政府", "government"),
            ("gaj", "松岭县公安局", "县公安局", "department"),
            ("tjj", "松岭县统计局", "县统计局", "department"),
            ("qiaotou", "松岭县桥头镇人民政府", "桥头镇", "township"),
        ],
    },
]

# A 瑞数 412 portal (crawl problem: columns `antibot`, no findings); last, so the others' plans keep k.
PORTAL_DEFS.append(CHALLENGE_PORTAL)

STYLE_TITLES = {
    "trs": "TRS WCM（GBK，表格列表，createPageHTML 分页，index_N.html）",
    "hanweb": "大汉 Hanweb jcms（/col/colN/index.html?uid=&pageNum=N，ul>li>a+span）",
    "modern": "甘肃/成都式 CMS（<b>日期</b>，column-index-N.shtml 分页）",
}

# Columns never chosen for seeded defects: their defects would also fire doc.overdue (not seeded).
NO_DEFECT = {"xxgknb", "zdjc"}
UNDATED_OK = {"gzdt", "tzgg", "jgzn", "rsxx", "ghjh", "czyjs"}
TRAP_COLUMNS = {"zcwj", "gzdt", "tzgg"}  # also named in every page's header nav

OK_NEWEST = {"dynamic": (0, 9), "notice": (0, 120), "basic": (5, 300), "static": (300, 2500)}
GAPS = {"dynamic": (1, 6), "notice": (3, 25), "basic": (15, 80), "static": (150, 500)}
STALE_PLAN = [
    ("dynamic", 15),
    ("notice", 181),
    ("basic", 366),
    ("dynamic", 30),
    ("notice", 400),
    ("basic", 800),
    ("dynamic", 200),
]
# One unit with exactly five blank columns: the 空白栏目 veto line (≥ 5) makes it 不合格 whatever its
# points. Its planned defects stay; blanks are added on columns no other defect or control uses.
FIVE_BLANK = ("baishi", "nyj")
FIVE_BLANK_AVOID = NO_DEFECT | {"zcwj", "zcjd", "gzdt", "tzgg"}  # policies, depth defects, home dates
BOUNDARY_PLAN = [
    ("dynamic", 13),
    ("dynamic", 14),
    ("notice", 179),
    ("notice", 180),
    ("basic", 364),
    ("basic", 365),
]


@dataclass
class Variant:
    """A changed state of the network (run 2 of a lifecycle test).

    fix: (portal, unit, column) defects repaired; column None/"" /"entry" repairs a failing entry page.
    break_units: (portal, unit) whose entry page now answers HTTP 503.
    """

    fix: list[tuple[str, str, str]] = field(default_factory=list)
    break_units: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Entry:
    title: str
    date: date
    docid: int
    list_date: bool = True  # the list shows the date
    page_date: bool = True  # the article page carries the date (PubDate meta, 发布日期 ...)
    pinned: bool = False

    @property
    def visible_date(self) -> date | None:
        return self.date if (self.list_date or self.page_date) else None


@dataclass
class Column:
    cid: str  # catalog id (or a portal-level / extra key)
    name: str
    label: str  # link text on the unit's entry page
    kind: str
    entries: list[Entry] = field(default_factory=list)
    state: str = "ok"  # planned: ok | missing | blank | placeholder | undated | stale
    control: str | None = None  # a planned control (must not fire): boundary, article_dates ...
    param: object = None
    blank_text: str = ""  # shown in the list area when there are no entries ('' = nothing at all)
    per_page: int = 20
    serial: int = 0
    path: str = ""  # the column's list page (page 1)
    colid: int = 0
    unit: Unit | None = None

    @property
    def linked(self) -> bool:
        return self.state != "missing"

    @property
    def pages(self) -> int:
        return max(1, -(-len(self.entries) // self.per_page))

    def page_entries(self, page: int) -> list[Entry]:
        return self.entries[(page - 1) * self.per_page : page * self.per_page]

    def newest(self) -> date | None:
        dates = [e.visible_date for e in self.entries if e.visible_date]
        return max(dates) if dates else None


@dataclass
class Unit:
    id: str
    name: str
    short: str
    profile: str | None  # None: the portal-level pseudo unit (header nav columns)
    columns: dict[str, Column] = field(default_factory=dict)  # catalog columns (missing ones too)
    extras: list[Column] = field(default_factory=list)  # non-catalog columns (依申请公开 ...)
    entry_status: int = 200
    entry_path: str = ""
    uid: int = 0
    org_code: str = ""
    date_style: str = "iso"
    portal: Portal | None = None

    def all_columns(self) -> list[Column]:
        return [*self.columns.values(), *self.extras]


@dataclass
class Portal:
    id: str
    name: str
    place: str
    style: str
    encoding: str
    site_code: str
    reachable: bool
    units: list[Unit]
    nav: Unit  # portal-level pseudo unit: the header nav's 工作动态 / 通知公告 / 政策文件, 热点
    static_pages: dict[str, tuple[str, str]] = field(default_factory=dict)  # key -> (title, path)

    def unit(self, uid: str) -> Unit:
        for u in self.units:
            if u.id == uid:
                return u
        raise KeyError(uid)

    @property
    def government(self) -> Unit:
        return next(u for u in self.units if u.profile == "government")


# -- entry generation ------------------------------------------------------------------------------


class _Gen:
    def __init__(self, catalog: Catalog, as_of: date, seed: int):
        self.catalog = catalog
        self.as_of = as_of
        self.seed = seed

    def rng(self, *parts: object) -> random.Random:
        return random.Random("|".join(str(p) for p in (self.seed, *parts)))

    def day(self, age: int) -> date:
        return self.as_of - timedelta(days=age)

    def _titles(self, cid, rng, ctx, days) -> list[str]:
        out: list[str] = []
        seen: set[str] = set()
        for d in days:
            t = ""
            for _ in range(30):
                t = titles.title_for(cid, rng, ctx, d)
                if t not in seen:
                    break
            else:
                t = f"{t}（{len(out) + 1}）"
            if self.catalog.is_placeholder(t) or self.catalog.has_blank_marker(t):
                raise AssertionError(f"healthy title looks like a stand-in: {t}")
            seen.add(t)
            out.append(t)
        return out

    def dated_series(self, rng, kind, newest_age, n) -> list[date]:
        lo, hi = GAPS[kind]
        age, out = newest_age, []
        for _ in range(n):
            out.append(self.day(age))
            age += rng.randint(lo, hi)
        return out

    def count(self, rng, cid, kind, per_page) -> int:
        if kind == "static" and cid != "rdgz":
            return rng.randint(1, 3)
        if cid == "jgzn":
            return rng.randint(2, 8)
        if cid == "rdgz":
            return rng.randint(10, 14)
        pages = rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 6])
        if pages == 1:
            return rng.randint(5, per_page)
        return (pages - 1) * per_page + rng.randint(1, per_page)

    def fill(self, col: Column, ctx: dict, docbase: int, policies: bool = False) -> None:
        """Generate col.entries for its planned state and control."""
        rng = self.rng(ctx["portal"], ctx["unit"], col.cid)
        col.per_page = rng.randint(15, 20)
        kind, cid, state, control = col.kind, col.cid, col.state, col.control
        entries: list[Entry] = []
        if state == "missing":
            pass
        elif state == "blank":
            col.blank_text = str(col.param or "")
        elif state == "placeholder":
            n = rng.randint(1, 3)
            first = self.day(rng.randint(10, 200))
            for i in range(n):
                d = first - timedelta(days=365 * i)
                t = titles.placeholder_title(cid, rng, ctx, date(d.year - (1 if d.month < 3 else 0), 1, 1))
                assert self.catalog.is_placeholder(t), t
                entries.append(Entry(t, d, docbase + i))
        elif cid == "xxgknb":
            gov = ctx["profile"] == "government"
            for i, y in enumerate(range(self.as_of.year - 1, self.as_of.year - 8, -1)):
                d = date(y + 1, 3 if gov else 1, rng.randint(8, 28))
                if d <= self.as_of:
                    entries.append(Entry(f"{ctx['name']}{y}年政府信息公开工作年度报告", d, docbase + i))
        elif cid == "zdjc":
            i = 0
            for y in range(self.as_of.year, self.as_of.year - 5, -1):
                for d, t in [
                    (date(y, 3, rng.randint(1, 25)), f"{ctx['place']}{y}年度重大行政决策事项目录"),
                    (date(y, rng.randint(5, 11), rng.randint(1, 28)), None),
                ]:
                    if d <= self.as_of:
                        t = t or self._titles("zdjc", rng, ctx, [d])[0]
                        entries.append(Entry(t, d, docbase + i))
                        i += 1
            entries.sort(key=lambda e: e.date, reverse=True)
        else:
            if state == "stale" or control == "boundary":
                newest = int(col.param[1])  # type: ignore[index]
                n = self.count(rng, cid, kind, col.per_page)
            elif state == "undated":
                newest, n = rng.randint(0, 300), rng.randint(5, 30)
            elif control == "article_dates":
                newest, n = rng.randint(0, 5), rng.randint(8, col.per_page)
            else:
                newest = rng.randint(*OK_NEWEST[kind])
                n = self.count(rng, cid, kind, col.per_page)
            days = self.dated_series(rng, kind, newest, n)
            names = self._titles(cid, rng, ctx, days)
            entries = [Entry(t, d, docbase + i) for i, (t, d) in enumerate(zip(names, days, strict=True))]
            if state == "undated":
                for e in entries:
                    e.list_date = e.page_date = False
            if control == "article_dates":
                for e in entries:
                    e.list_date = False
            if control == "placeholder_like" and len(entries) > 1:
                k = rng.randint(1, len(entries) - 1)
                e = entries[k]
                e.title = titles.placeholder_title(cid, rng, ctx, e.date)
            if control == "pinned":
                d = self.day(rng.randint(700, 1100))
                t = self._titles(cid, rng, ctx, [d])[0] + "（置顶）"
                entries.insert(0, Entry(t, d, docbase + n, pinned=True))
            if policies:
                for e in entries:
                    if rng.random() < 0.3:
                        e.title = f"关于印发《{titles.policy_doc(rng, ctx, e.date)}》的通知"
        col.entries = entries

    def interpretations(self, zcwj: Column, zcjd: Column, ctx: dict, docbase: int) -> None:
        """Give every 关于印发《X》的通知 in zcwj a 政策解读 entry within 2 days (三同步), plus others."""
        rng = self.rng(ctx["portal"], ctx["unit"], "zcjd-interp")
        extra: list[Entry] = []
        for e in zcwj.entries:
            if e.title.startswith("关于印发《"):
                doc = e.title[len("关于印发《") : e.title.index("》")]
                d = min(e.date + timedelta(days=rng.randint(0, 2)), self.as_of)
                extra.append(Entry(rng.choice(titles.INTERP).format(doc=doc), d, 0))
        merged = sorted([*zcjd.entries, *extra], key=lambda e: e.date, reverse=True)
        for i, e in enumerate(merged):
            e.docid = docbase + i
        zcjd.entries = merged


# -- planning --------------------------------------------------------------------------------------


def _eligible(kind_of, item: tuple[str, object], cid: str) -> bool:
    what, param = item
    kind = kind_of[cid]
    if cid in NO_DEFECT:
        return False
    if what == "missing":
        return cid in TRAP_COLUMNS if param == "trap" else cid not in TRAP_COLUMNS
    if what == "blank":
        return True
    if what in ("placeholder", "placeholder_like"):
        return cid in titles.PLACEHOLDERS and kind != "static"
    if what == "undated":
        return cid in UNDATED_OK
    if what in ("stale", "boundary"):
        return kind == param[0]  # type: ignore[index]
    if what == "article_dates":
        return kind == param
    if what == "pinned":
        return kind in ("dynamic", "notice")
    raise ValueError(what)


def _plan(portal: Portal, k: int, catalog: Catalog, seed: int) -> dict[tuple[str, str], tuple]:
    """Choose which (unit, column) gets which defect or control. Deterministic for (seed, k)."""
    rng = random.Random(f"{seed}|plan|{portal.id}")
    markers = catalog.blank_markers
    stale = [STALE_PLAN[(k * 2 + i) % len(STALE_PLAN)] for i in range(5)]
    items: list[tuple[str, object]] = [
        ("missing", "trap"),
        ("missing", "any"),
        ("blank", markers[(k * 3) % len(markers)]),
        ("blank", ""),
        ("blank", markers[(k * 3 + 7) % len(markers)]),
        ("placeholder", None),
        ("placeholder", None),
        ("undated", None),
        ("undated", None),
        *[("stale", s) for s in stale],
        *[("boundary", b) for b in BOUNDARY_PLAN],
        ("article_dates", "dynamic"),
        ("article_dates", "notice"),
        ("placeholder_like", None),
        ("pinned", None),
    ]
    kind_of = {c.id: c.kind for c in catalog.columns}
    slots = [
        (u.id, c.id)
        for u in portal.units
        if u.entry_status == 200
        for c in catalog.required(u.profile)  # type: ignore[arg-type]
    ]
    load: dict[str, int] = {u.id: 0 for u in portal.units}
    plan: dict[tuple[str, str], tuple] = {}
    for item in items:
        cands = [s for s in slots if s not in plan and _eligible(kind_of, item, s[1])]
        if not cands:
            continue
        keyed = [((load[s[0]], rng.random()), s) for s in cands]
        slot = min(keyed)[1]
        plan[slot] = item
        load[slot[0]] += 1
    if portal.id == FIVE_BLANK[0]:
        unit = next((u for u in portal.units if u.id == FIVE_BLANK[1] and u.entry_status == 200), None)
        if unit is not None:
            have = sum(1 for (uid, _), item in plan.items() if uid == unit.id and item[0] == "blank")
            free = [
                c.id
                for c in catalog.required(unit.profile)  # type: ignore[arg-type]
                if (unit.id, c.id) not in plan and c.id not in FIVE_BLANK_AVOID
            ]
            for i, cid in enumerate(free[: max(0, 5 - have)]):
                plan[(unit.id, cid)] = ("blank", "" if i % 2 else markers[(k + i * 5) % len(markers)])
    return plan


# -- building --------------------------------------------------------------------------------------


def _label(rng: random.Random, cat, profile: str, n: int, force: str | None) -> str:
    base = cat.name
    if force:
        base = force
    elif cat.aliases and rng.random() < 0.35:
        options = list(cat.aliases)
        if cat.id == "gzdt":
            options = {"department": ["部门动态"], "township": ["乡镇动态"]}.get(profile, ["政务动态"])
        base = rng.choice(options)
    r = rng.random()
    if r < 0.15:
        return f"{base}({n})"
    if r < 0.25:
        return f"{base}（{n}）"
    return base


def build_spec(
    as_of: date, seed: int = 2026, variant: Variant | None = None, skin: int | None = None
) -> list[Portal]:
    from .styles import layout

    variant = variant or Variant()
    catalog = load_catalog()
    gen = _Gen(catalog, as_of, seed)
    fixes = {(p, u, c or "entry") for p, u, c in variant.fix}
    broken = set(variant.break_units)
    portals: list[Portal] = []
    for k, pdef in enumerate(PORTAL_DEFS):
        units = []
        for i, udef in enumerate(pdef["units"]):
            uid, name, short, profile = udef[:4]
            status = udef[4] if len(udef) > 4 else 200
            unit = Unit(uid, name, short, profile, entry_status=status, org_code=f"{pdef['org_code']}{i:02d}")
            unit.date_style = "cn" if (k + i) % 2 else "iso"
            units.append(unit)
        nav = Unit("_portal", pdef["name"], pdef["place"], None, org_code=f"{pdef['org_code']}99")
        portal = Portal(
            pdef["id"],
            pdef["name"],
            pdef["place"],
            pdef["style"],
            pdef["encoding"],
            pdef["site_code"],
            pdef["reachable"],
            units,
            nav,
        )
        portal.challenge = bool(pdef.get("challenge"))  # type: ignore[attr-defined]
        plan = _plan(portal, k, catalog, seed) if portal.reachable and not portal.challenge else {}
        serial = 0
        for ui, unit in enumerate(units):
            unit.portal = portal
            if (portal.id, unit.id, "entry") in fixes:
                unit.entry_status = 200
            if (portal.id, unit.id) in broken:
                unit.entry_status = 503
            ctx = {
                "portal": portal.id,
                "unit": unit.id,
                "short": unit.short,
                "name": unit.name,
                "place": portal.place,
                "profile": unit.profile,
            }
            lrng = gen.rng(portal.id, unit.id, "labels")
            cols: dict[str, Column] = {}
            for cat in catalog.required(unit.profile):  # type: ignore[arg-type]
                what, param = plan.get((unit.id, cat.id), ("ok", None))
                if (portal.id, unit.id, cat.id) in fixes:
                    what, param = "ok", None
                state = what if what in ("missing", "blank", "placeholder", "undated", "stale") else "ok"
                control = None if state != "ok" or what == "ok" else what
                col = Column(
                    cat.id, cat.name, "", cat.kind, state=state, control=control, param=param, serial=serial
                )
                col.unit = unit
                serial += 1
                cols[cat.id] = col
            zcwj, zcjd = cols.get("zcwj"), cols.get("zcjd")
            policies = bool(
                zcwj and zcjd and zcwj.state == zcjd.state == "ok" and not zcwj.control and not zcjd.control
            )
            base = {cid: 100000 + (ui * 20 + li) * 1000 for li, cid in enumerate(cols)}
            for cid, col in cols.items():
                gen.fill(col, ctx, base[cid], policies=policies and cid == "zcwj")
            if policies:
                gen.interpretations(zcwj, zcjd, ctx, base["zcjd"])  # type: ignore[arg-type]
            for cid, col in cols.items():
                cat = catalog.column(cid)
                force = None
                if cid == "gzdt" and unit.profile == "department" and ui % 2 == 1:
                    force = "部门动态"
                if cid == "tzgg" and ui % 3 == 2:
                    force = "公示公告"
                col.label = _label(lrng, cat, unit.profile, len(col.entries), force)  # type: ignore[arg-type]
            ys = Column("ysqgk", "依申请公开", "依申请公开", "static", serial=serial)
            ys.unit = unit
            serial += 1
            d = gen.day(gen.rng(portal.id, unit.id, "ysqgk").randint(400, 1500))
            ys.entries = [Entry(f"{unit.name}政府信息公开申请表", d, 100000 + (ui * 20 + 19) * 1000)]
            unit.columns, unit.extras = cols, [ys]
        # portal-level pseudo unit: header nav columns and the 热点 sidebar
        nctx = {
            "portal": portal.id,
            "unit": "_portal",
            "short": portal.place,
            "name": portal.name,
            "place": portal.place,
            "profile": None,
        }
        for j, (cid, cname, kind) in enumerate(
            [
                ("gzdt", "工作动态", "dynamic"),
                ("tzgg", "通知公告", "notice"),
                ("zcwj", "政策文件", "notice"),
                ("rdgz", "热点专题", "static"),
            ]
        ):
            col = Column(cid, cname, cname, kind, serial=900 + j)
            col.unit = nav
            gen.fill(col, nctx, 900000 + j * 1000)
            nav.columns[cid] = col
        seed_periodic_and_interp(portal, k, as_of, seed, fixes)  # doc.overdue, interp.missing
        apply_depth(portal, k, seed)  # link.broken, meta.incomplete, text.typo, data lists
        apply_marks(portal, k, as_of, fixes)  # site.identity, date.future
        layout(portal, skin)
        portals.append(portal)
    return portals


# -- the oracle: what a correct checker must report ------------------------------------------------


def classify(col: Column | None, as_of: date, catalog: Catalog) -> tuple[str | None, str]:
    """The one finding (rule, note) a required column deserves, by design.md's precedence."""
    if col is None or not col.linked:
        return "column.missing", "单位信息公开页面未设置该栏目"
    if not col.entries:
        shown = f"列表区显示“{col.blank_text}”" if col.blank_text else "列表为空"
        return "column.blank", shown
    if all(catalog.is_placeholder(e.title) for e in col.entries):
        return "column.placeholder", f"全部{len(col.entries)}条均为说明：{col.entries[0].title}"
    newest = col.newest()
    if newest is None:
        return "column.undated", f"{len(col.entries)}条信息列表和正文均无发布日期"
    limit = catalog.column(col.cid).max_age_days
    age = (as_of - newest).days
    if limit is not None and age > limit:
        return "column.stale", f"最新信息{newest.isoformat()}，距今{age}天，超过{limit}天"
    return None, f"最新信息{newest.isoformat()}，距今{age}天"


def ground_truth(portals: list[Portal], as_of: date) -> list[dict]:
    catalog = load_catalog()
    rows: list[dict] = []
    for p in portals:
        if getattr(p, "challenge", False):
            continue  # every page is an anti-bot challenge: a crawl problem, never a finding
        rows.extend(depth_truth_rows(p))
        rows.extend(marks_truth_rows(p))
        rows.extend(interact_truth_rows(p))
        for u in p.units:
            if not p.reachable:
                path = "/" if u.profile == "government" else u.entry_path
                rows.append(
                    {
                        "rule": "site.unreachable",
                        "portal": p.id,
                        "unit": u.id,
                        "column": None,
                        "url_path": path,
                        "note": "网站无法连接（端口无服务，连接被拒绝）",
                    }
                )
                continue
            if u.entry_status >= 400:
                rows.append(
                    {
                        "rule": "site.unreachable",
                        "portal": p.id,
                        "unit": u.id,
                        "column": None,
                        "url_path": u.entry_path,
                        "note": f"信息公开页面返回HTTP {u.entry_status}",
                    }
                )
                continue
            for cat in catalog.required(u.profile):  # type: ignore[arg-type]
                col = u.columns.get(cat.id)
                rule, note = classify(col, as_of, catalog)
                if rule is None:
                    continue
                if rule == "column.missing" and cat.id in TRAP_COLUMNS:
                    note += f"（页头导航仍有“{cat.name}”链接，指向门户级栏目）"
                rows.append(
                    {
                        "rule": rule,
                        "portal": p.id,
                        "unit": u.id,
                        "column": cat.id,
                        "url_path": None if rule == "column.missing" else col.path,  # type: ignore[union-attr]
                        "note": note,
                    }
                )
        rows.extend(periodic_truth_rows(p, as_of))
    return rows


def check_plan(portals: list[Portal], as_of: date) -> None:
    """The oracle must agree with the plan: a generation bug would otherwise skew the truth."""
    catalog = load_catalog()
    for p in portals:
        for u in p.units:
            for cid, col in u.columns.items():
                rule, _ = classify(col, as_of, catalog)
                expected = None if col.state == "ok" else f"column.{col.state}"
                if rule != expected:
                    raise AssertionError(f"{p.id}/{u.id}/{cid}: planned {col.state}, data says {rule}")
