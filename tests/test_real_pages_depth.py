"""Crawler depth over every real page (../shared/real-pages, read from disk, never copied) and
the demo network: `zwgk inspect --file` agrees with extract_page, required metadata on the real
信息公开 articles, and the typo dictionary gives zero hits on ordinary text.
"""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from typer.testing import CliRunner

from tests.conftest import REAL_PAGES, real_page_bytes
from zwgk.cli import app
from zwgk.config.catalog import load_catalog
from zwgk.crawler.extract import decode_body, extract_page
from zwgk.rules.checks.text_typo import find_typos
from zwgk_demonet import build_network

AS_OF = date(2026, 11, 23)
URLS = {  # the pages' original URLs (SOURCES.md); others get a neutral one
    "hubei-scjg_trs_article_zfxxgk.html": "http://scjg.hubei.gov.cn/zfxxgk/zcwj/qtwj/202308/t20230828_4813376.shtml",
    "hubei-scjg_trs_list_zcwj.json": "http://scjg.hubei.gov.cn/zfxxgk/zcwj/qtwj/zcwj.json",
    "handan-hdzfxxgk_trs_article_meta.html": "http://hdzfxxgk.hd.gov.cn/gszbm/auto23716/202008/t20200802_1352104.html",
    "handan-hdzfxxgk_trs_list_table.html": "http://hdzfxxgk.hd.gov.cn/zfwj/jinqixxgk/",
    "pingtan-fujian_trs-avalon_article_zfxxgk-meta.html": "https://www.pingtan.gov.cn/zwgk/zfxxgk/gwhwj/gzdt/201510/t20151030_58929.htm",
    "yichun-jiangxi_trs-wcm_list_createPageHTML.html": "http://www.yichun.gov.cn/xxgk/zwdt/zwyw/index.html",
    "gansu-jyt_list_items-in-html-comment.html": "http://jyt.gansu.gov.cn/jyt/c110634/zwgklist.shtml",
    "jiangxi-sthjt_hanweb-jpaas_list_js-template.html": "https://sthjt.jiangxi.gov.cn/jxssthjt/col/col42150/index.html",
    "zj-fgw_article_news.html": "http://fgw.zj.gov.cn/art/2016/11/22/art_1621004_30332664.html",
}


def _pages() -> list[str]:
    if not REAL_PAGES.is_dir():
        return ["<absent>"]
    return sorted(p.name for p in REAL_PAGES.iterdir() if p.suffix in (".html", ".json"))


@pytest.mark.parametrize("name", _pages())
def test_inspect_file_agrees_with_extract_page(name):
    body = real_page_bytes(name)
    url = URLS.get(name, f"http://www.example.gov.cn/pages/{name}")
    result = CliRunner().invoke(
        app, ["inspect", url, "--file", str(REAL_PAGES / name), "--json", "--as-of", AS_OF.isoformat()]
    )
    assert result.exit_code == 0, result.output
    shown = json.loads(result.stdout)
    page = extract_page(body, url, status=200, ref=AS_OF).to_dict()
    for key in (
        "kind",
        "title",
        "entries",
        "next_pages",
        "page_count",
        "placeholder",
        "metadata",
        "publish_date",
        "data_endpoints",
        "challenge",
        "encoding",
    ):
        assert shown[key] == page[key], key
    assert shown["body_text"] == page["body_text"][:500]
    assert shown["links"] == page["links"][: len(shown["links"])]


# The real 信息公开 articles carry every required field; news articles lack the metadata block.
REQUIRED = {
    "handan-hdzfxxgk_trs_article_meta.html": [],
    "hubei-scjg_trs_article_zfxxgk.html": [],
    "pingtan-fujian_trs-avalon_article_zfxxgk-meta.html": [],
    "baoding-gov_article_news.html": ["索引号", "发布机构"],
    "cmse-gov_article_news.html": ["索引号", "发布机构"],
    "gansu-scjg_article.html": ["索引号", "发布机构"],
    "zj-fgw_article_news.html": ["索引号"],
}


@pytest.mark.parametrize(("name", "missing"), sorted(REQUIRED.items()))
def test_required_metadata_on_real_articles(name, missing):
    page = extract_page(real_page_bytes(name), URLS.get(name, "http://www.example.gov.cn/a.html"), ref=AS_OF)
    assert page.kind == "article" and page.publish_date is not None
    catalog = load_catalog()
    present = set(catalog.metadata_fields.present_values)
    lacking = [
        f.name
        for f in catalog.required_metadata("zcwj")
        if not any(
            (page.metadata.get(label) or "").strip() or page.metadata.get(label) in present
            for label in f.labels
        )
    ]
    assert lacking == missing


def _visible_text(html: str) -> str:
    html = re.sub(r"(?is)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("name", _pages())
def test_typo_dictionary_zero_hits_on_real_pages(name):
    body = real_page_bytes(name)
    text, _ = decode_body(body, URLS.get(name, "http://www.example.gov.cn/"), None)
    page = extract_page(body, URLS.get(name, "http://www.example.gov.cn/"), ref=AS_OF)
    for candidate in (_visible_text(text), (page.title or "") + "\n" + page.body_text):
        assert find_typos(candidate) == [], name


def test_typo_dictionary_zero_hits_on_demo_articles_and_finds_the_seeded_ones():
    net = build_network(AS_OF)
    ordinary = seeded = 0
    for p in net.portals:
        if not p.reachable or getattr(p, "challenge", False):
            continue
        site = net.sites[p.id]
        for u in p.units:
            for col in u.all_columns():
                for e in col.entries:
                    resp = net.render(p.id, site.article_url(col, e))
                    text = _visible_text(resp.body.decode("gb18030" if p.encoding == "gbk" else "utf-8"))
                    hits = find_typos(text)
                    if getattr(e, "typo", None):
                        seeded += 1
                        assert hits, e.typo
                    else:
                        ordinary += 1
                        assert hits == [], (p.id, u.id, col.cid, e.title, hits)
    assert ordinary > 1000 and seeded >= 6
