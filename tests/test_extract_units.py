"""Table-driven unit tests of the extraction library on small synthetic snippets."""

from __future__ import annotations

from datetime import date

import pytest

from zwgk.crawler.extract import PageKind, decode_body, discover_columns, extract_page, parse_date
from zwgk.crawler.extract.dom import parse_html
from zwgk.crawler.extract.pagination import find_pagination

REF = date(2025, 3, 1)


def _html(body: str, head: str = "") -> bytes:
    return f"<html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode()


# --- parse_date ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "ref", "expected"),
    [
        ("2023-05-12", None, date(2023, 5, 12)),
        ("2023/05/12", None, date(2023, 5, 12)),
        ("2023.5.2", None, date(2023, 5, 2)),
        ("2020年08月02日", None, date(2020, 8, 2)),
        ("2015年10月29日", None, date(2015, 10, 29)),
        ("时间：2015-10-30 14:43", None, date(2015, 10, 30)),
        ("发布时间：2022-05-06 15:16", None, date(2022, 5, 6)),
        ("发布日期：2023-08-25", None, date(2023, 8, 25)),
        ("发布日期: 2012-06-24", None, date(2012, 6, 24)),
        ("2019-09-18 06:23:11", None, date(2019, 9, 18)),
        ("[2023-07-21]", None, date(2023, 7, 21)),
        ("&nbsp;2021-04-07&nbsp;&nbsp;", None, date(2021, 4, 7)),
        ("\u00a0\u30002021-04-07 ", None, date(2021, 4, 7)),
        ("05-17", REF, date(2024, 5, 17)),  # after the ref in 2025 -> last year's
        ("[02-14]", REF, date(2025, 2, 14)),
        ("03-01", REF, date(2025, 3, 1)),
        ("3月1日", REF, date(2025, 3, 1)),
        ("02-29", REF, date(2024, 2, 29)),
        ("05-17", None, None),  # yearless without a ref
        ("[05-17]", None, None),
        ("2023-02-30", None, None),  # impossible
        ("2023-13-01", None, None),
        ("2023年2月29日", None, None),
        ("000014348/2020-35147", None, None),  # 索引号
        ("MB1686999/2023-21597", None, None),
        ("PZ00101-0900-2015-00074", None, None),
        ("2025-2026学年", None, None),
        ("1-10月德清县固定资产投资", REF, None),
        ("13-45", REF, None),
        ("14:43", REF, None),
        ("", REF, None),
        ("暂无", REF, None),
        ("1888-01-01", None, None),
    ],
)
def test_parse_date(text, ref, expected):
    assert parse_date(text, ref) == expected


# --- decode_body ---------------------------------------------------------------------------------

GBK_PAGE = "<html><head>{meta}<title>邯郸市政府信息公开 镕</title></head><body><p>暂无信息</p></body></html>"


@pytest.mark.parametrize(
    ("meta", "content_type", "raw_encoding", "expected_encoding"),
    [
        ("", "text/html; charset=GBK", "gbk", "gb18030"),  # header only
        (
            '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">',
            None,
            "gbk",
            "gb18030",
        ),  # meta only
        ('<meta charset="gbk">', None, "gbk", "gb18030"),
        ('<meta charset="utf-8">', None, "gbk", "gb18030"),  # wrong declaration: bytes are GBK
        ('<meta charset="utf-8">', "text/html; charset=utf-8", "gbk", "gb18030"),
        ('<meta charset="gb2312">', None, "utf-8", "utf-8"),  # declared GB, really UTF-8
        ("", "text/html; charset=gbk", "utf-8", "utf-8"),
        ("", None, "utf-8", "utf-8"),  # nothing declared
        ("", None, "gbk", "gb18030"),
    ],
)
def test_decode_body(meta, content_type, raw_encoding, expected_encoding):
    body = GBK_PAGE.format(meta=meta).encode(raw_encoding)
    text, encoding = decode_body(body, "http://x.gov.cn/", content_type)
    assert encoding == expected_encoding
    assert "邯郸市政府信息公开 镕" in text
    assert "\ufffd" not in text


def test_decode_body_header_beats_meta():
    body = GBK_PAGE.format(meta='<meta charset="big5">').encode("gbk")
    text, encoding = decode_body(body, "", "text/html; charset=gbk")
    assert encoding == "gb18030"
    assert "镕" in text


def test_decode_body_utf8_bom_and_empty():
    assert decode_body("<p>公开</p>".encode("utf-8-sig"))[0] == "<p>公开</p>"
    assert decode_body(b"") == ("", "utf-8")


def test_gbk_title_reaches_extract_page_without_mojibake():
    body = GBK_PAGE.format(meta="").replace(
        "<title>", '<meta name="ArticleTitle" content="关于印发镕的通知"><title>'
    )
    page = extract_page(
        body.encode("gbk"), "http://x.gov.cn/a/t20240101_1.html", content_type="text/html; charset=gb2312"
    )
    assert page.encoding == "gb18030"
    assert page.title == "关于印发镕的通知"


# --- pagination ----------------------------------------------------------------------------------


def _pages(snippet: str, url: str = "http://x.gov.cn/col/zcwj/index.html"):
    parsed = parse_html(f"<html><body>{snippet}</body></html>", url)
    return find_pagination(snippet, parsed.doc, parsed.base_url, url)


@pytest.mark.parametrize(
    ("snippet", "url", "count", "first", "last", "n"),
    [
        (
            '<script>createPageHTML(50, 0, "index", "html");</script>',
            None,
            50,
            "http://x.gov.cn/col/zcwj/index_1.html",
            "http://x.gov.cn/col/zcwj/index_49.html",
            49,
        ),
        (
            '<script>createPageHTML(5,0,"index","shtml")</script>',
            None,
            5,
            "http://x.gov.cn/col/zcwj/index_1.shtml",
            "http://x.gov.cn/col/zcwj/index_4.shtml",
            4,
        ),
        # On page 3 (0-based index 2) the following pages are index_3 ...
        (
            '<script>createPageHTML(5, 2, "index", "html");</script>',
            "http://x.gov.cn/col/zcwj/index_2.html",
            5,
            "http://x.gov.cn/col/zcwj/index_3.html",
            "http://x.gov.cn/col/zcwj/index_4.html",
            2,
        ),
        ('<script>createPageHTML(1, 0, "index", "html");</script>', None, 1, None, None, 0),
        (
            "<script>var countnum=6348; var currentPage=0; var countPage=56;"
            ' document.write("<a href=\\"index"+"_"+i+"."+"html\\">");</script>',
            None,
            56,
            "http://x.gov.cn/col/zcwj/index_1.html",
            "http://x.gov.cn/col/zcwj/index_55.html",
            55,
        ),
        (
            "<script>createPageHTML('page_div',10,1,'zwgklist','shtml',200);</script>",
            "http://x.gov.cn/jyt/c110634/zwgklist.shtml",
            10,
            "http://x.gov.cn/jyt/c110634/zwgklist_2.shtml",
            "http://x.gov.cn/jyt/c110634/zwgklist_10.shtml",
            9,
        ),
        # A page whose own createPageHTML body uses '-' before the number.
        (
            "<script>function createPageHTML(div,n,cur,name,ext,total){ url = name + '-' + i + '.' + ext; }"
            "createPageHTML('page_div',3,1,'list','shtml',30);</script>",
            "http://x.gov.cn/a/list.shtml",
            3,
            "http://x.gov.cn/a/list-2.shtml",
            "http://x.gov.cn/a/list-3.shtml",
            2,
        ),
        (
            '<div class="page"><a href="?page=2">下一页</a><a href="?page=7">尾页</a></div>',
            None,
            None,
            "http://x.gov.cn/col/zcwj/index.html?page=2",
            "http://x.gov.cn/col/zcwj/index.html?page=7",
            6,
        ),
        (
            '<a href="/col/col1229/index.html?uid=5&pageNum=2">下页</a><a href="/col/col1229/index.html?uid=5&pageNum=4">末页</a>',
            "http://x.gov.cn/col/col1229/index.html?uid=5&pageNum=1",
            None,
            "http://x.gov.cn/col/col1229/index.html?uid=5&pageNum=2",
            "http://x.gov.cn/col/col1229/index.html?uid=5&pageNum=4",
            3,
        ),
        (
            '<a href="column-index-2.shtml">下一页</a> <a href="column-index-12.shtml">尾页</a>',
            "http://x.gov.cn/c/column-index-1.shtml",
            None,
            "http://x.gov.cn/c/column-index-2.shtml",
            "http://x.gov.cn/c/column-index-12.shtml",
            11,
        ),
        (
            '<a href="index_1.html">下一页</a> 共8页',
            None,
            8,
            "http://x.gov.cn/col/zcwj/index_1.html",
            "http://x.gov.cn/col/zcwj/index_1.html",
            1,
        ),
        ('<a href="javascript:void(0)">下一页</a>', None, None, None, None, 0),
        ("<p>no pager</p>", None, None, None, None, 0),
    ],
)
def test_pagination_variants(snippet, url, count, first, last, n):
    result = _pages(snippet, url or "http://x.gov.cn/col/zcwj/index.html")
    assert result.page_count == count
    assert len(result.next_pages) == n
    if n:
        assert result.next_pages[0] == first
        assert result.next_pages[-1] == last


def test_pagination_capped_at_500():
    result = _pages('<script>createPageHTML(2000, 0, "index", "html");</script>')
    assert result.page_count == 2000
    assert len(result.next_pages) == 500
    assert result.next_pages[0].endswith("/index_1.html")


# --- lists ---------------------------------------------------------------------------------------

LIST_URL = "http://x.gov.cn/xxgk/fgj/gzdt/"


def _list_page(main: str, extra: str = "", ref: date | None = None):
    body = f"""
    <div class="header"><ul class="nav">
      <li><a href="/">首页</a><span>2025-01-01</span></li><li><a href="/zwgk/">政务公开</a><span>2025-01-02</span></li>
      <li><a href="/zcwj/">政策文件</a><span>2025-01-03</span></li></ul></div>
    <div class="main">{main}</div>{extra}
    <div class="footer"><a href="/wzdt/">网站地图</a> 主办单位：某县人民政府 敬请期待</div>"""
    return extract_page(_html(body), LIST_URL, ref=ref)


def test_list_ul_li_span_with_truncated_text_and_title():
    page = _list_page("""<ul class="list">
      <li><a href="./202403/t20240315_1.html" title="关于开展2024年春季安全生产大检查的通知">关于开展2024年春季安全...</a><span>2024-03-15</span></li>
      <li><a href="./202402/t20240220_2.html">区发改局召开工作会议</a><span>2024-02-20</span></li>
      <li><a href="./202401/t20240105_3.html">第三条</a><span>[2024-01-05]</span></li></ul>""")
    assert page.kind is PageKind.LIST
    assert [(e.title, e.date) for e in page.entries] == [
        ("关于开展2024年春季安全生产大检查的通知", date(2024, 3, 15)),
        ("区发改局召开工作会议", date(2024, 2, 20)),
        ("第三条", date(2024, 1, 5)),
    ]
    assert page.entries[0].url == "http://x.gov.cn/xxgk/fgj/gzdt/202403/t20240315_1.html"
    assert page.placeholder is None


def test_list_date_inside_link_and_b_tags_and_base_href():
    body = """<html><head><base href="http://y.gov.cn/zwgk/tzgg/"></head><body><div class="content"><ul>
      <li><a href="./202307/t1.shtml">锂电池质量安全<span class="date">2023-07-21</span></a></li>
      <li><a href="./202307/t2.shtml">食品经营许可 2023-07-12</a></li>
      <li><a href="./202306/t3.shtml">婴幼儿配方乳粉</a><b>2023-06-10</b></li></ul></div></body></html>"""
    page = extract_page(body.encode(), "http://x.gov.cn/other/")
    assert [(e.title, e.date, e.url) for e in page.entries] == [
        ("锂电池质量安全", date(2023, 7, 21), "http://y.gov.cn/zwgk/tzgg/202307/t1.shtml"),
        ("食品经营许可", date(2023, 7, 12), "http://y.gov.cn/zwgk/tzgg/202307/t2.shtml"),
        ("婴幼儿配方乳粉", date(2023, 6, 10), "http://y.gov.cn/zwgk/tzgg/202306/t3.shtml"),
    ]


def test_list_title_dates_are_not_entry_dates():
    page = _list_page("""<ul>
      <li><a href="./a1.html">关于2023年5月12日停电的通知</a><span>2023-05-10</span></li>
      <li><a href="./a2.html">2023年工作总结</a><span>2023-12-30</span></li></ul>""")
    assert [e.date for e in page.entries] == [date(2023, 5, 10), date(2023, 12, 30)]
    assert page.entries[0].title == "关于2023年5月12日停电的通知"


def test_list_yearless_dates_resolved_against_ref():
    snippet = """<table><tr><td><a href="./202412/t1.html">甲</a></td><td>12-28</td></tr>
      <tr><td><a href="./202502/t2.html">乙</a></td><td>[02-14]</td></tr>
      <tr><td><a href="./202503/t3.html">丙</a></td><td>03-02</td></tr></table>"""
    page = _list_page(snippet, ref=REF)
    assert [e.date for e in page.entries] == [date(2024, 12, 28), date(2025, 2, 14), date(2024, 3, 2)]
    assert _list_page(snippet).entries == [] or all(e.date is None for e in _list_page(snippet).entries)


def test_main_list_beats_sidebar_and_header_nav():
    side = """<div class="left"><ul>
      <li><a href="/zfgg/a.html">侧栏公告一</a><span>2024-05-01</span></li>
      <li><a href="/zfgg/b.html">侧栏公告二</a><span>2024-05-02</span></li>
      <li><a href="/zfgg/c.html">侧栏公告三</a><span>2024-05-03</span></li></ul></div>"""
    main = (
        """<table>"""
        + "".join(
            f'<tr><td><a href="./2024{m:02d}/t2024{m:02d}01_{m}.html">动态{m}</a></td><td>2024-{m:02d}-01</td></tr>'
            for m in range(1, 3)
        )
        + "</table>"
    )
    page = _list_page(main, extra=side)
    assert [e.title for e in page.entries] == ["动态1", "动态2"]


def test_list_split_in_groups_of_five_is_merged():
    groups = "".join(
        "<ul>"
        + "".join(
            f'<li><a href="./202401/t202401{g}{i}_{g}{i}.html">条目{g}{i}</a><span>2024-01-{g}{i}</span></li>'
            for i in range(1, 6)
        )
        + "</ul>"
        for g in (1, 2)
    )
    page = _list_page(f'<div class="list">{groups}</div>')
    assert len(page.entries) == 10
    assert page.entries[-1].title == "条目25"


def test_undated_main_list_of_article_links():
    page = _list_page("""<ul class="list">
      <li><a href="./202401/t20240105_11.html">政策文件一</a></li>
      <li><a href="./202312/t20231201_12.html">政策文件二</a></li>
      <li><a href="./202311/t20231101_13.html">政策文件三</a></li></ul>""")
    assert page.kind is PageKind.LIST
    assert [e.title for e in page.entries] == ["政策文件一", "政策文件二", "政策文件三"]
    assert all(e.date is None for e in page.entries)


def test_undated_column_links_are_not_a_list():
    page = _list_page("""<ul><li><a href="./jgzn/">机构职能</a></li><li><a href="./zcwj/">政策文件</a></li>
      <li><a href="./gzdt/">工作动态</a></li></ul>""")
    assert page.entries == []
    assert page.kind is not PageKind.LIST


def test_xxgk_table_list_with_header():
    page = _list_page("""<table><tr><th>名称</th><th>索引号</th><th>发布机构</th><th>发布日期</th></tr>
      <tr><td><a href="./202008/t20200805_1.html" title="完整标题">截断...</a></td><td>000014348/2020-35428</td>
      <td>邯郸市教育局</td><td>2020-08-05</td></tr></table>""")
    assert page.kind is PageKind.LIST
    assert len(page.entries) == 1
    entry = page.entries[0]
    assert (entry.title, entry.date) == ("完整标题", date(2020, 8, 5))
    assert entry.fields == {"索引号": "000014348/2020-35428", "发布机构": "邯郸市教育局"}


@pytest.mark.parametrize(
    "text",
    [
        "暂无信息",
        "暂无内容！",
        "暂无相关信息",
        "暂无数据",
        "本栏目暂无信息",
        "正在建设中...",
        "栏目建设中",
        "网站升级改版中",
        "敬请期待",
        "无相关信息",
    ],
)
def test_placeholder_detection(text):
    page = _list_page(f'<div class="list-box"><ul></ul><p class="empty">{text}</p></div>')
    assert page.kind is PageKind.LIST
    assert page.entries == []
    assert page.placeholder == text


def test_placeholder_in_footer_only_is_not_a_placeholder():
    page = _list_page("<p>本单位机构职能：负责全区发展改革工作。</p>")
    assert page.placeholder is None


def test_list_hidden_in_html_comment():
    items = "".join(
        f'<li><a href="/jyt/c1/2025{m:02d}/17{m}.shtml" title="通知{m}">通知{m}</a><b>2025-{m:02d}-03</b></li>'
        for m in range(1, 4)
    )
    page = _list_page(f'<ul class="jytxxgklist"><!-- {items} --></ul>')
    assert page.kind is PageKind.LIST
    assert [e.title for e in page.entries] == ["通知1", "通知2", "通知3"]
    assert any("comment" in n for n in page.notes)


# --- challenges, shells and data -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "status", "challenge"),
    [
        (
            "<html><head><meta content='abc' r='m'><script r='m'>$_ts=window['$_ts'];</script></head><body></body></html>",
            200,
            "ruishu",
        ),
        ("<html><body><script>var x=1</script></body></html>", 412, "ruishu"),
        (
            "<html><body><script>document.cookie='__jsl_clearance=1577;max-age=3600';location.reload()</script></body></html>",
            521,
            "jiasule",
        ),
        ("<html><body><script>document.cookie=('__jsluid_s=abc')</script></body></html>", 200, "jiasule"),
        (
            "<html><body><h1>访问被拦截</h1><p>您的请求疑似攻击，已被网站防火墙拦截。</p></body></html>",
            403,
            "waf",
        ),
        ("<html><body><p>Web应用防火墙(WAF) 拦截了您的请求</p></body></html>", 200, "waf"),
    ],
)
def test_challenges(body, status, challenge):
    page = extract_page(body.encode(), "http://x.gov.cn/", status=status)
    assert page.kind is PageKind.CHALLENGE
    assert page.challenge == challenge


def test_long_article_mentioning_firewall_is_not_a_challenge():
    text = "网络安全防火墙建设工作稳步推进。" * 40
    page = extract_page(
        _html(f'<div class="TRS_Editor"><p>{text}</p></div>', '<meta name="ArticleTitle" content="防火墙">'),
        "http://x.gov.cn/a.html",
    )
    assert page.kind is PageKind.ARTICLE


def test_hanweb_dataproxy_shell_gets_endpoint():
    body = """<div id="4507"><script type="text/xml"><datastore><nextgroup><![CDATA[<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid=3&path=/&columnid=1229&unitid=4507&webname=x&permissiontype=0"></a>]]></nextgroup><recordset></recordset></datastore></script>
      <script>var perpage = 15; $.ajax({url: '/module/web/jpage/dataproxy.jsp', data: {col: 1, webid: 3, columnid: 1229, unitid: 4507}})</script></div>"""
    page = extract_page(_html(body), "http://x.gov.cn/col/col1229/index.html")
    assert page.kind is PageKind.JS_SHELL
    endpoint = page.data_endpoints[0]
    assert endpoint.startswith("http://x.gov.cn/module/web/jpage/dataproxy.jsp?")
    assert "columnid=1229" in endpoint and "unitid=4507" in endpoint and "webid=3" in endpoint
    assert "dataproxy" in " ".join(page.notes)


def test_json_driven_shell_lists_json_endpoint():
    body = """<div ng-app="x"><ul><li ng-repeat="x in list"><a ng-href="{{x.url}}">{{x.title}}</a></li></ul></div>
      <script>$http.get('/cn/static/data/DocInfo/SelectItemAndDocByItemPId/data_itemId=950,pageSize=10.json')</script>"""
    page = extract_page(_html(body), "https://www.nfra.gov.cn/cn/view/pages/ItemList.html?itemPId=923")
    assert page.kind is PageKind.JS_SHELL
    assert page.data_endpoints == [
        "https://www.nfra.gov.cn/cn/static/data/DocInfo/SelectItemAndDocByItemPId/data_itemId=950,pageSize=10.json"
    ]
    assert "ng-repeat" in " ".join(page.notes)


def test_hanweb_dataproxy_xml_is_data():
    xml = """<?xml version="1.0" encoding="utf-8"?><datastore><nextgroup><![CDATA[]]></nextgroup><recordset>
      <record><![CDATA[<li><a href="/art/2024/3/5/art_1229_1.html" title="关于印发某办法的通知">关于印发...</a><span>2024-03-05</span></li>]]></record>
      <record><![CDATA[<li><a href="/art/2024/2/1/art_1229_2.html">工作动态二</a><span>2024-02-01</span></li>]]></record>
      </recordset><totalrecord>46</totalrecord></datastore>"""
    page = extract_page(
        xml.encode(), "http://x.gov.cn/module/web/jpage/dataproxy.jsp?columnid=1229", content_type="text/xml"
    )
    assert page.kind is PageKind.DATA
    assert [(e.title, e.date, e.url) for e in page.entries] == [
        ("关于印发某办法的通知", date(2024, 3, 5), "http://x.gov.cn/art/2024/3/5/art_1229_1.html"),
        ("工作动态二", date(2024, 2, 1), "http://x.gov.cn/art/2024/2/1/art_1229_2.html"),
    ]
    assert "46" in page.notes[0]


def test_nfra_style_json_is_data():
    body = """{"rptCode":200,"msg":"success","data":{"total":2,"rows":[
      {"docId":1170162,"itemId":4113,"generaltype":9,"docTitle":"行政处罚信息公开表(金罚决字〔2024〕36号)","publishDate":"2024-07-12 17:33:00"},
      {"docId":1170001,"itemId":4113,"docTitle":"另一条","publishDate":"2024-07-01 09:00:00"}]}}"""
    page = extract_page(body.encode(), "https://www.nfra.gov.cn/cn/static/data/DocInfo/x.json")
    assert page.kind is PageKind.DATA
    assert (
        page.entries[0].url
        == "https://www.nfra.gov.cn/cn/view/pages/ItemDetail.html?docId=1170162&itemId=4113&generaltype=9"
    )
    assert page.entries[0].date == date(2024, 7, 12)
    assert page.entries[1].title == "另一条"


# --- metadata ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "expected"),
    [
        (  # gov.cn table.bd1
            """<table class="bd1"><tr><td><b>索 引 号：</b></td><td>000014349/2024-00012</td><td><b>主题分类：</b></td><td>综合政务</td></tr>
            <tr><td><b>发文机关：</b></td><td>国务院办公厅</td><td><b>成文日期：</b></td><td>2024年01月05日</td></tr>
            <tr><td><b>发文字号：</b></td><td>国办发〔2024〕1号</td><td><b>发布日期：</b></td><td>2024年01月08日</td></tr></table>""",
            {
                "索引号": "000014349/2024-00012",
                "主题分类": "综合政务",
                "发文机关": "国务院办公厅",
                "成文日期": "2024年01月05日",
                "发文字号": "国办发〔2024〕1号",
                "发布日期": "2024年01月08日",
                "发布机构": "国务院办公厅",
                "文号": "国办发〔2024〕1号",
            },
        ),
        (  # Hanweb table.xxgk_table, td label / td value
            """<table class="xxgk_table"><tr><td>索引号：</td><td>11320000014000319K/2024-00123</td></tr>
            <tr><td>发布机构：</td><td>江苏省发展和改革委员会</td></tr><tr><td>标题：</td><td>关于某事项的通知</td></tr>
            <tr><td>文号：</td><td>苏发改规发〔2024〕1号</td></tr><tr><td>公开日期：</td><td>2024-02-01</td></tr></table>""",
            {
                "索引号": "11320000014000319K/2024-00123",
                "发布机构": "江苏省发展和改革委员会",
                "标题": "关于某事项的通知",
                "文号": "苏发改规发〔2024〕1号",
                "公开日期": "2024-02-01",
                "发布日期": "2024-02-01",
            },
        ),
        (  # label: value runs separated by bars
            "<div class='xxgk-info'>索引号: | 001/2024-1 | 公开方式: | 主动公开 | 发文单位：县财政局</div>",
            {"索引号": "001/2024-1", "公开方式": "主动公开", "发文单位": "县财政局", "发布机构": "县财政局"},
        ),
        (  # hidden spans and &ensp; inside labels, commented-out rows
            """<table class="table table-bordered"><tr><th>索&ensp;引&ensp;号</th><td>MB1/2024-1</td>
            <th>有<span class="hidden-xs">&ensp;</span>效<span class="hidden-xs">&ensp;</span>性</th><td>有效</td></tr>
            <!--<tr><th>成文日期</th><td>2024-01-01</td></tr>--></table>""",
            {"索引号": "MB1/2024-1", "有效性": "有效"},
        ),
        (
            "<dl><dt>信息来源：</dt><dd>区政府办</dd><dt>生成日期：</dt><dd>2024-03-01</dd></dl>",
            {"信息来源": "区政府办", "发布机构": "区政府办", "生成日期": "2024-03-01"},
        ),
    ],
)
def test_metadata_layouts(block, expected):
    page = extract_page(
        _html(block + '<div id="zoom"><p>' + "正文内容。" * 20 + "</p></div>"),
        "http://x.gov.cn/a/t20240101_1.html",
    )
    assert page.kind is PageKind.ARTICLE
    assert page.metadata == expected


def test_publish_date_fallbacks():
    body = (
        '<div class="info">发布时间：2022-05-06 15:16 来源：本站</div><div class="article_content">'
        + "内容" * 40
        + "</div>"
    )
    page = extract_page(_html(body), "http://x.gov.cn/a.html")
    assert page.publish_date == date(2022, 5, 6)
    # A PubDate meta (often the time the page was regenerated) never overrides the date shown ...
    regenerated = extract_page(
        _html(body, '<meta name="PubDate" content="2023-04-18 15:24:29">'), "http://x.gov.cn/a.html"
    )
    assert regenerated.publish_date == date(2022, 5, 6)
    # ... and is used when the page shows none.
    meta_only = extract_page(
        _html(
            '<div class="article_content">' + "内容" * 40 + "</div>",
            '<meta name="PubDate" content="2023-04-18 15:24:29">',
        ),
        "http://x.gov.cn/a.html",
    )
    assert meta_only.publish_date == date(2023, 4, 18)
    from_meta = extract_page(
        _html('<p>成文日期：2021年3月4日</p><div id="zoom">' + "文" * 80 + "</div>"), "http://x.gov.cn/a.html"
    )
    assert from_meta.publish_date == date(2021, 3, 4)


def test_body_from_comment_markers_and_links():
    body = """<div class="x"><!--<$[信息内容]>begin--><p>正文第一段。</p><!--<$[信息内容]>end--></div>
      <a href="/module/download/downfile.jsp?classid=0&filename=1.pdf">附件1</a><a href="./P0202401.docx">附件2</a>
      <a href="javascript:void(0)">打印</a><a href="mailto:a@b.cn">邮件</a><a href="./t2.html">相关</a>"""
    page = extract_page(
        _html(body, '<meta name="ArticleTitle" content="标题">'), "http://x.gov.cn/art/2024/1/1/art_1_1.html"
    )
    assert page.kind is PageKind.ARTICLE
    assert page.body_text == "正文第一段。"
    assert [(link.text, link.attachment) for link in page.links] == [
        ("附件1", True),
        ("附件2", True),
        ("相关", False),
    ]
    assert page.links[1].url == "http://x.gov.cn/art/2024/1/1/P0202401.docx"


# --- column discovery ----------------------------------------------------------------------------

CATALOG = {
    "zcwj": ["政策文件", "行政规范性文件", "规范性文件", "政府文件"],
    "gzdt": ["工作动态", "部门动态", "政务动态"],
    "tzgg": ["通知公告", "公示公告"],
    "xxgknb": ["政府信息公开年报", "信息公开年报", "年度报告"],
    "jgzn": ["机构职能", "机构概况"],
}
ENTRY = "http://x.gov.cn/xxgk/fgj/"


def test_column_discovery_header_nav_trap():
    html = """<html><body>
      <div id="header"><div class="nav"><a href="/">首页</a><a href="/zwgk/">政务公开</a>
        <a href="/zwgk/zcwj/">政策文件</a><a href="/zwgk/gzdt/">工作动态</a><a href="/zwgk/tzgg/">通知公告</a></div></div>
      <nav><a href="/zwgk/jgzn/">机构职能</a></nav>
      <div class="position">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/gzdt/">工作动态</a></div>
      <div class="main">
        <ul class="tree"><li><a href="./zcwj/">· 政策文件 (12)</a></li><li><a href="./bmdt/">部门动态［3］</a></li>
        <li><a href="./ndbg/">区发改局政府信息公开年报</a></li></ul>
      </div>
      <div class="footer"><a href="/zwgk/tzgg/">通知公告</a></div></body></html>"""
    found = discover_columns(html, ENTRY, CATALOG)
    assert found["zcwj"].url == "http://x.gov.cn/xxgk/fgj/zcwj/"
    assert found["gzdt"].url == "http://x.gov.cn/xxgk/fgj/bmdt/"  # alias in the main area beats header name
    assert found["xxgknb"].url == "http://x.gov.cn/xxgk/fgj/ndbg/"  # text containing the name
    assert "tzgg" not in found  # only in header and footer
    assert "jgzn" not in found  # only in <nav>


def test_column_discovery_priorities():
    html = """<html><body><div class="content">
      <a href="/other/gfxwj/">规范性文件</a>
      <a href="/zwgk/zcwj/">政策文件</a>
      <a href="./zcwj/">政策文件</a>
      <a href="./jgsz/">区发改局机构职能介绍</a>
      <a href="./jggk/">机构概况</a>
      </div></body></html>"""
    found = discover_columns(html.encode("gbk"), ENTRY, CATALOG)
    assert found["zcwj"].url == "http://x.gov.cn/xxgk/fgj/zcwj/"  # exact name, under the entry path
    assert found["zcwj"].text == "政策文件"
    assert found["jgzn"].url == "http://x.gov.cn/xxgk/fgj/jggk/"  # exact alias beats containing text


def test_column_discovery_side_menu_under_main():
    html = """<html><body><div class="leftnav"><a href="./gzdt/">工作动态</a></div>
      <div class="content"><a href="./gzdt2/">工作动态</a></div></body></html>"""
    assert discover_columns(html, ENTRY, CATALOG)["gzdt"].url == "http://x.gov.cn/xxgk/fgj/gzdt2/"
    only_side = """<html><body><div class="leftnav"><a href="./gzdt/">工作动态</a></div></body></html>"""
    assert discover_columns(only_side, ENTRY, CATALOG)["gzdt"].url == "http://x.gov.cn/xxgk/fgj/gzdt/"


def test_yearless_list_date_takes_its_year_from_the_entry_url():
    """`<td>10-19</td>` beside ./201710/t20171019_1.html is 2017-10-19, not the as-of year's."""
    rows = "".join(
        f'<li><a href="./201710/t201710{d:02d}_{d}.html">通知{d}</a><span>10-{d:02d}</span></li>'
        for d in (19, 18, 17)
    )
    page = extract_page(
        _html(f'<ul class="list">{rows}</ul>'), "http://x.gov.cn/tzgg/index.html", ref=date(2026, 11, 23)
    )
    assert [e.date for e in page.entries] == [date(2017, 10, 19), date(2017, 10, 18), date(2017, 10, 17)]
    plain = extract_page(
        _html(f'<ul class="list">{rows.replace("201710/t201710", "c")}</ul>'),
        "http://x.gov.cn/tzgg/index.html",
        ref=date(2026, 11, 23),
    )
    assert plain.entries[0].date == date(2026, 10, 19)  # no year in the URL: latest not in the future
