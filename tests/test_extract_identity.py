"""The identity marks at a page's foot (网站标识码, ICP备案号, 党政机关标识), read off real pages and
off shapes no captured page has. Expectations were read off the HTML by hand (grep for 标识码,
ICP备, conac), not copied from the extractor."""

from __future__ import annotations

import pytest

from zwgk.crawler.extract.dom import parse_html
from zwgk.crawler.extract.identity import site_identity
from zwgk.encoding import decode_body


def _identity(html: str | bytes) -> dict:
    if isinstance(html, bytes):
        html, _ = decode_body(html, "http://127.0.0.1/", None)
    parsed = parse_html(html, "http://127.0.0.1/")
    return site_identity(parsed.doc, parsed.scripts, parsed.script_srcs)


@pytest.mark.parametrize(
    ("name", "code", "icp"),
    [
        ("hubei-scjg_trs_homepage.html", "4200000118", "ICP备05011090号-1"),  # <b>网站标识码：…</b>
        ("handan-hdzfxxgk_trs_list_table.html", "1304000009", "ICP备05029117号-1"),  # 网站标识码 1304000009
        ("gansu-jyt_list_items-in-html-comment.html", "6200000068", "ICP备17003689号-1"),
        ("nfra_angular-rendered_dom.html", "bm55000001", "ICP备19014889号"),  # 国务院部门 form
        ("zj-fgw_article_news.html", "3300000020", "ICP备05018911号"),
    ],
)
def test_real_feet_show_their_marks(real_page, name, code, icp):
    seen = _identity(real_page(name))
    assert seen["footer"] and seen["site_codes"] == [code] and seen["icp"] == icp, seen
    assert seen["conac"], seen  # bszs/dcs.conac.cn link or embed script


def test_the_conac_embed_script_alone_counts(real_page):
    # 宜春: document.write(unescape("…%3Cscript src='http://dcs.conac.cn/js/…'")) and no 标识码 shown
    seen = _identity(real_page("yichun-jiangxi_trs-wcm_list_createPageHTML.html"))
    assert seen["footer"] and seen["conac"] and seen["site_codes"] == [] and not seen["code_label"]
    assert seen["icp"] == "ICP备06000141号" and seen["police"] == "公网安备 36090202000004号"


@pytest.mark.parametrize(
    "name",
    ["gansu-scjg_ruishu-412-challenge.html", "jiangxi-sthjt_hanweb-jpaas_list_js-template.html"],
)
def test_a_page_without_a_visible_foot_is_not_judged(real_page, name):
    seen = _identity(real_page(name))
    assert not seen["footer"], seen


def test_shapes_no_captured_page_has():
    alt = _identity(
        "<html><body><div>版权所有：某县人民政府</div><img src='/i/code.png' alt='网站标识码：3702130001'>"
        "<a href='/x'><img src='/i/red.png' alt='党政机关'></a><span>鲁ICP备 12345678 号 - 2</span></body></html>"
    )
    assert alt["site_codes"] == ["3702130001"] and alt["conac"] and alt["icp"] == "ICP备 12345678 号 - 2"
    image_only = _identity(
        "<html><body><p>主办：某县</p><p>网站标识码：<img src='/code.png'></p></body></html>"
    )
    assert image_only["code_label"] and image_only["site_codes"] == [] and not image_only["conac"]
    meta_only = _identity(
        "<html><head><meta name='SiteIDCode' content='3702130001'></head><body><p>主办：某县</p></body></html>"
    )
    assert meta_only["meta_site_code"] == "3702130001" and meta_only["site_codes"] == []
    news = _identity("<html><body><p>主办：某县</p><a href='/n/1.html'>党政机关厉行节约</a></body></html>")
    assert not news["conac"]  # the words in a news title are not the badge
