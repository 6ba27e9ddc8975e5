"""extract_page over every captured real page (../shared/real-pages, read via conftest).

Every expectation below was read off the HTML by hand (grep / reading the markup), not copied from
the extractor's output: entry counts, titles, dates, page-2 URLs, page counts and metadata values.
"""

from __future__ import annotations

from datetime import date

import pytest

from zwgk.crawler.extract import PageKind, discover_columns, extract_page

YICHUN_URL = "http://www.yichun.gov.cn/xxgk/zwdt/zwyw/index.html"
JYT_URL = "http://jyt.gansu.gov.cn/jyt/c110634/zwgklist.shtml"
HANDAN_LIST_URL = "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/"
HANDAN_GUIDE_URL = "http://hdzfxxgk.hd.gov.cn/zfxxgkzn/"
HANDAN_ARTICLE_URL = "http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200802_1352104.html"
HUBEI_ARTICLE_URL = "http://scjg.hubei.gov.cn/zfxxgk/zcwj/qtwj/202308/t20230828_4813376.shtml"
HUBEI_JSON_URL = "http://scjg.hubei.gov.cn/zfxxgk/zcwj/qtwj/zcwj.json"
HUBEI_HOME_URL = "http://scjg.hubei.gov.cn/index.html"
JIANGXI_URL = "https://sthjt.jiangxi.gov.cn/jxssthjt/col/col42150/index.html"
GANSU_SEARCH_URL = "https://scjg.gansu.gov.cn/guestweb4/s?siteCode=6200000052&searchWord=保健食品备案"
GANSU_ARTICLE_URL = "http://scjg.gansu.gov.cn/scjg/c110159/202205/2032457.shtml"
PINGTAN_URL = "https://www.pingtan.gov.cn/zwgk/zfxxgk/gwhwj/gzdt/201510/t20151030_58929.htm"
NFRA_URL = "https://www.nfra.gov.cn/cn/view/pages/ItemDetail.html?docId=1170162&itemId=4113&generaltype=9"


def _page(real_page, name: str, url: str, status: int = 200, ref: date | None = None):
    return extract_page(real_page(name), url, status=status, ref=ref)


# --- anti-bot challenges -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "gansu-scjg_ruishu-412-challenge.html",
        "hubei-scjg_ruishu-412-challenge.html",
        "nmpa_ruishu-412-challenge.html",
    ],
)
@pytest.mark.parametrize("status", [200, 412])
def test_ruishu_challenges(real_page, name, status):
    page = _page(real_page, name, "https://scjg.gansu.gov.cn/guestweb4/s", status=status)
    assert page.kind is PageKind.CHALLENGE
    assert page.challenge == "ruishu"
    assert page.entries == []
    assert page.notes


def test_gansu_article_with_ruishu_loader_is_an_article(real_page):
    page = _page(real_page, "gansu-scjg_article.html", GANSU_ARTICLE_URL)
    assert page.kind is PageKind.ARTICLE
    assert page.challenge is None
    assert page.title == "甘肃省市场监督管理局国产保健食品备案信息查询"
    # The page shows 发布时间 2022-05-06 (its URL sits in /202205/); PubDate 2023-04-18 is when the
    # CMS regenerated it. The date a reader sees wins (issue: dates as the page shows them).
    assert page.publish_date == date(2022, 5, 6)
    assert page.metadata["发布时间"] == "2022-05-06 15:16"
    assert "奇正®维生素D维生素K片" in page.body_text
    attachments = [link for link in page.links if link.attachment]
    assert len(attachments) == 8
    assert attachments[0].url == (
        "http://scjg.gansu.gov.cn/scjg/c110159/202205/2032457/files/0417e94b71e1413a9b0858c212c8dcd9.pdf"
    )
    assert attachments[0].text == "祁尔康破壁灵芝孢子粉食健备202162101861"


# --- list pages ----------------------------------------------------------------------------------


def test_yichun_trs_list_with_create_page_html(real_page):
    page = _page(real_page, "yichun-jiangxi_trs-wcm_list_createPageHTML.html", YICHUN_URL)
    assert page.kind is PageKind.LIST
    assert len(page.entries) == 20
    first, last = page.entries[0], page.entries[-1]
    assert first.title == "我市在广州举行生态招商推介会"
    assert first.date == date(2017, 10, 14)
    assert first.url == "http://www.yichun.gov.cn/xxgk/zwdt/zwyw/201710/t20171015_521060.html"
    assert page.entries[1].title == "省政协调研组在宜调研"
    assert last.title == "我市颁发首张“二十四证合一”营业执照"
    assert last.date == date(2017, 10, 10)
    assert last.url == "http://www.yichun.gov.cn/xxgk/zwdt/zwyw/201710/t20171010_520596.html"
    # The 政府公告 sidebar (truncated, undated) is not the main list.
    assert not any("选调工作人员" in e.title for e in page.entries)
    assert page.page_count == 50
    assert page.next_pages[0] == "http://www.yichun.gov.cn/xxgk/zwdt/zwyw/index_1.html"
    assert page.next_pages[-1] == "http://www.yichun.gov.cn/xxgk/zwdt/zwyw/index_49.html"
    assert len(page.next_pages) == 49
    assert page.placeholder is None
    assert not any(link.url.startswith("mailto:") for link in page.links)


def test_gansu_jyt_list_hidden_in_comment(real_page):
    page = _page(real_page, "gansu-jyt_list_items-in-html-comment.html", JYT_URL)
    assert page.kind is PageKind.LIST
    assert len(page.entries) == 20
    first, last = page.entries[0], page.entries[-1]
    assert first.title == "关于开展2024年全域全员全过程使用智慧教育平台专项研究课题结项工作的通知"
    assert first.date == date(2025, 11, 17)
    assert first.url == "http://jyt.gansu.gov.cn/jyt/c110634/202511/174240943.shtml"
    # Titles come from @title with whitespace normalised (the page has two spaces here).
    assert (
        page.entries[1].title == "甘肃省教育厅 甘肃省财政厅关于做好2025-2026学年“银龄讲学计划”实施工作的通知"
    )
    assert page.entries[1].date == date(2025, 11, 5)
    assert last.title == "关于做好甘肃省第十八届哲学社会科学优秀成果奖申报有关工作的通知"
    assert last.date == date(2025, 6, 9)
    assert page.page_count == 10
    assert page.next_pages[0] == "http://jyt.gansu.gov.cn/jyt/c110634/zwgklist_2.shtml"
    assert page.next_pages[-1] == "http://jyt.gansu.gov.cn/jyt/c110634/zwgklist_10.shtml"
    assert len(page.next_pages) == 9
    assert any("comment" in note for note in page.notes)
    assert page.title == "文件通知"


def test_handan_xxgk_table_list(real_page):
    page = _page(real_page, "handan-hdzfxxgk_trs_list_table.html", HANDAN_LIST_URL)
    assert page.kind is PageKind.LIST
    assert len(page.entries) == 1
    entry = page.entries[0]
    assert entry.title == "邯郸市教育局关于印发《邯郸市学校安全工作目标管理考核办法》的通知"
    assert entry.url == "http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200805_1353179.html"
    assert entry.date == date(2020, 8, 5)
    assert entry.fields == {"索引号": "000014348/2020-35428", "发布机构": "邯郸市教育局"}
    assert page.page_count == 56
    assert page.next_pages[0] == "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/index_1.html"
    assert page.next_pages[-1] == "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/index_55.html"
    assert len(page.next_pages) == 55
    assert page.title == "近期信息公开"


def test_gansu_site_search_results(real_page):
    page = _page(real_page, "gansu-scjg_guestweb-search-results.html", GANSU_SEARCH_URL)
    assert page.kind is PageKind.LIST
    assert [(e.title, e.date) for e in page.entries] == [
        ("甘肃省市场监督管理局国产保健食品备案信息查询", date(2022, 5, 6)),
        ("甘肃省市场监督管理局关于保健食品备案的通告（2020年第1期）", date(2020, 11, 27)),
        ("【政策法规】保健食品注册与备案管理办法解读", date(2019, 11, 22)),
        ("保健食品注册与备案管理办法", date(2021, 11, 26)),
    ]
    assert page.entries[0].url == GANSU_ARTICLE_URL
    assert page.entries[3].url == "http://scjg.gansu.gov.cn/scjg/c110147/202111/1899799.shtml"
    assert page.metadata == {}  # the search form's 索引号/发文日期 fields are not metadata


def test_jiangxi_jpaas_template_reads_inline_script_data(real_page):
    page = _page(real_page, "jiangxi-sthjt_hanweb-jpaas_list_js-template.html", JIANGXI_URL)
    # The handlebars list is empty in the HTML, but the page embeds listData.articleList.
    # It is reported as a JS shell (the HTML list is empty) with the entries of the inline data.
    assert page.kind is PageKind.JS_SHELL
    assert len(page.entries) == 50
    first, last = page.entries[0], page.entries[-1]
    assert first.title == "《江西省生态环境分类执法监管办法》政策解读"
    assert first.date == date(2025, 7, 29)
    assert first.url == (
        "https://sthjt.jiangxi.gov.cn/jxssthjt/col/col42150/content/content_1951206363677671424.html"
    )
    assert first.fields["来源"] == "生态环境执法局(生态环境厅)"
    assert last.title == "《江西省生态环境厅关于进一步加强危险废物跨省转移管理工作的实施意见》政策解读"
    assert last.date == date(2022, 12, 16)
    note = " ".join(page.notes)
    assert "loadPageData" in note and "handlebars" in note and "inline script data" in note


# --- data endpoints ------------------------------------------------------------------------------


def test_hubei_static_json_column(real_page):
    page = extract_page(
        real_page("hubei-scjg_trs_list_zcwj.json"), HUBEI_JSON_URL, content_type="application/json"
    )
    assert page.kind is PageKind.DATA
    assert len(page.entries) == 429
    first, last = page.entries[0], page.entries[-1]
    assert (
        first.title
        == "湖北省市场监督管理局办公室转发市场监管总局办公厅关于开展全国质量认证系列宣传体验周活动的通知"
    )
    assert first.url == "http://scjg.hubei.gov.cn/zfxxgk/zcwj/qtwj/202309/t20230908_4831876.shtml"
    assert first.date == date(2023, 9, 8)
    assert first.fields["索引号"] == "MB1686999/2023-23003"
    assert first.fields["文号"] == "鄂市监办认检函〔2023〕57号"
    assert first.fields["发布机构"] == "湖北省市场监督管理局"
    assert first.fields["有效性"] == "有效"
    assert page.entries[1].date == date(2023, 9, 5)  # PUBDATE, not DOCRELTIME (2023-09-08)
    assert last.title == "湖北省工商局关于公示湖北省 2016—2017 年度“守合同重信用”企业的通知"
    assert last.date == date(2018, 10, 22)
    assert last.fields["索引号"] == "MB1686999/2022-00642"


def test_hubei_json_detected_without_content_type(real_page):
    page = extract_page(real_page("hubei-scjg_trs_list_zcwj.json"), HUBEI_JSON_URL)
    assert page.kind is PageKind.DATA
    assert len(page.entries) == 429


# --- articles and metadata -----------------------------------------------------------------------


def test_hubei_article_table_bordered_metadata(real_page):
    page = _page(real_page, "hubei-scjg_trs_article_zfxxgk.html", HUBEI_ARTICLE_URL)
    assert page.kind is PageKind.ARTICLE
    title = "湖北省市场监督管理局办公室关于转发国家知识产权局等五部门关于开展杭州亚运会和亚残运会知识产权保护专项行动的通知"
    assert page.title == title
    assert page.publish_date == date(2023, 8, 28)
    assert page.metadata == {
        "索引号": "MB1686999/2023-21597",
        "发文日期": "2023-08-25",
        "发布机构": "湖北省市场监督管理局",
        "文号": "便函",
        "分类": "市场监管、安全生产监管;其他",
        "有效性": "有效",
        "文件名称": title,
        "发布日期": "2023-08-25",  # canonical key filled from 发文日期
    }
    assert page.body_text.startswith("各市、州、直管市、神农架林区市场监管局")
    assert page.entries == []


def test_handan_article_p_strong_metadata_ignores_commented_rows(real_page):
    page = _page(real_page, "handan-hdzfxxgk_trs_article_meta.html", HANDAN_ARTICLE_URL)
    assert page.kind is PageKind.ARTICLE
    assert page.title == "邯郸市教育局关于印发《全市教育系统安全专项整治三年行动实施方案》的通知"
    assert page.publish_date == date(2020, 8, 2)
    assert page.metadata == {
        "索引号": "000014348/2020-35147",
        "发布机构": "邯郸市教育局",
        "名称": "邯郸市教育局关于印发《全市教育系统安全专项整治三年行动实施方案》的通知",
        "文号": "无",
        "主题分类": "教育",
        "发布日期": "2020年08月02日",
    }
    assert "成文日期" not in page.metadata  # commented out in the page


def test_pingtan_li_font_metadata(real_page):
    page = _page(real_page, "pingtan-fujian_trs-avalon_article_zfxxgk-meta.html", PINGTAN_URL)
    assert page.kind is PageKind.ARTICLE  # ms-repeat widgets do not make it a JS shell
    assert page.title == "关于同意“海坛古城”街路命名的批复"
    assert page.publish_date == date(2015, 10, 30)
    meta = page.metadata
    assert meta["索引号"] == "PZ00101-0900-2015-00074"
    assert meta["主题分类"] == "无"
    assert meta["发文机关"] == "福建平潭"
    assert meta["发布机构"] == "福建平潭"
    assert meta["成文日期"] == "2015-10-29"
    assert meta["标题"] == "关于同意“海坛古城”街路命名的批复"
    assert meta["发文字号"] == "岚综管综〔2015〕213号"
    assert meta["文号"] == "岚综管综〔2015〕213号"
    assert meta["发布日期"] == "2015-10-30"
    assert meta["有效性"] == "有效"
    assert meta["来源"] == "福建平潭"
    assert "六聚街：南北走向" in page.body_text


@pytest.mark.parametrize(
    ("name", "url", "title", "published", "metadata", "body_start"),
    [
        (
            "baoding-gov_article_news.html",
            "http://www.baoding.gov.cn/",
            "保定市人民政府网——保定市统筹推动城市和产业转型升级 着力构建“医车电数游”五大优势产业集群",
            date(
                2021, 4, 7
            ),  # the 发布时间 shown (PubDate says 04-09: regenerated; the photo is of 2021_4_7)
            {"发布时间": "2021-04-07"},
            None,
        ),
        (
            "zj-fgw_article_news.html",
            "http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html",
            "1-10月德清县固定资产投资结构趋稳趋优",
            date(2016, 11, 22),
            {"发布日期": "2016-11-22", "信息来源": "省发改委", "发布机构": "省发改委"},
            "1-10月，全县固定资产投资完成246.79亿元",
        ),
        (
            "shanxi-gov_article_news.html",
            "http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml",
            "山西品牌丝路行（南美站）正式启动",
            date(2019, 9, 18),
            {"来源": "山西日报", "发布机构": "山西日报"},
            "图为山西品牌丝路行（南美站）启动仪式。",
        ),
        (
            "cmse-gov_article_news.html",
            "http://www.cmse.gov.cn/ztbd/xwfbh/201206/t20120624_43188.html",
            "天宫一号与神舟九号载人交会对接任务第二场新闻发布会",
            date(2012, 6, 24),
            {"发布日期": "2012-06-24"},
            "2012年6月24日 中国载人航天工程新闻发言人",
        ),
        (
            "nfra_angular-rendered_dom.html",
            NFRA_URL,
            "国家金融监督管理总局行政处罚信息公开表(金罚决字〔2024〕36号)",
            date(2024, 7, 12),
            {"发布时间": "2024-07-12", "来源": "保险和非银机构检查局", "发布机构": "保险和非银机构检查局"},
            "行政处罚决定书文号",
        ),
    ],
)
def test_news_articles(real_page, name, url, title, published, metadata, body_start):
    page = _page(real_page, name, url)
    assert page.kind is PageKind.ARTICLE
    assert page.title == title
    assert page.publish_date == published
    assert page.metadata == metadata
    if body_start:
        assert page.body_text.startswith(body_start)
    assert page.body_text


def test_shanxi_single_page_article_declares_one_page(real_page):
    page = _page(
        real_page,
        "shanxi-gov_article_news.html",
        "http://www.shanxi.gov.cn/yw/sxyw/201909/t20190918_693227.shtml",
    )
    assert page.page_count == 1  # createPageHTML(1,0,"t20190918_693227","shtml")
    assert page.next_pages == []


# --- navigation pages ----------------------------------------------------------------------------


def test_handan_guide_page_is_navigation(real_page):
    page = _page(real_page, "handan-hdzfxxgk_trs_guide-page.html", HANDAN_GUIDE_URL)
    assert page.kind is PageKind.NAV
    assert page.entries == []
    urls = {link.url for link in page.links}
    assert "http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/?id=1780/2138" in urls
    assert "http://www.ccgp-hebei.gov.cn/hd/hd/" in urls  # nav links that leave the site are kept
    assert page.title == "政府信息公开指南"


def test_hubei_homepage_is_navigation_with_widget_entries(real_page):
    page = _page(real_page, "hubei-scjg_trs_homepage.html", HUBEI_HOME_URL)
    assert page.kind is PageKind.NAV
    by_url = {e.url: e for e in page.entries}
    lithium = by_url["http://scjg.hubei.gov.cn/bmdt/zjyw/202307/t20230721_4762393.shtml"]
    assert lithium.title == "锂电池、充电宝质量安全有了“新保险”"  # date inside <a> stripped
    assert lithium.date == date(2023, 7, 21)
    metrology = by_url["http://scjg.hubei.gov.cn/bmdt/zjyw/202307/t20230703_4730135.shtml"]
    assert metrology.date == date(2023, 6, 14)
    assert max(e.date for e in page.entries if e.date) == date(2023, 7, 31)


def test_handan_guide_column_discovery(real_page):
    columns = {
        "xxgkzn": ["政府信息公开指南", "信息公开指南", "公开指南"],
        "xxgknb": ["政府信息公开年报", "政府信息公开工作年度报告", "信息公开年报", "年度报告"],
        "xxgkzd": ["政府信息公开制度", "信息公开制度"],
        "tzgg": ["通知公告", "公示公告", "公告公示"],
    }
    # The guide page carries the platform's column tree (left "dl_nav" menu); as the platform's
    # entry page it is read against the platform root.
    found = discover_columns(
        real_page("handan-hdzfxxgk_trs_guide-page.html"), "http://hdzfxxgk.hd.gov.cn/", columns
    )
    assert found["xxgkzn"].url == "http://hdzfxxgk.hd.gov.cn/zfxxgkzn/"
    assert found["xxgkzd"].url == "http://hdzfxxgk.hd.gov.cn/zfwj/zdwj/"
    assert found["xxgknb"].url == "http://hdzfxxgk.hd.gov.cn/zfxxgknb/"
    assert "tzgg" not in found
