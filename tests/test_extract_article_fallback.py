"""Article pages in containers the selectors do not know, and the WAF heuristic on short pages."""

from __future__ import annotations

from datetime import date

from zwgk.crawler.extract import PageKind, extract_article, extract_page

PARA = (
    "为深入贯彻落实党中央、国务院关于优化营商环境的决策部署，进一步规范行政执法行为，"
    "提升政务服务质效，经研究决定，在全区范围内开展相关专项工作。现将有关事项通知如下，"
    "请各单位结合实际认真抓好贯彻落实，确保各项工作任务按时保质完成。"
)


def _content_article(extra_meta: str = "") -> bytes:
    return (
        "<html><head><meta charset='utf-8'><title>关于开展专项工作的通知_某区发展和改革局</title></head><body>"
        "<div class='header'><a href='/'>首页</a><a href='/xxgk/'>政务公开</a></div>"
        "<div class='content'><h1>关于开展专项工作的通知</h1>"
        f"<p>发布日期：2026-11-10</p>{extra_meta}<p>{PARA}</p><p>{PARA}</p></div>"
        "<div class='footer'>主办单位：某区人民政府 地址：某路1号</div></body></html>"
    ).encode()


def test_div_content_article_is_recognised_with_its_date():
    page = extract_page(_content_article(), "http://127.0.0.1/xxgk/zcwj/a1.html")
    assert page.kind == PageKind.ARTICLE, page.notes
    assert page.publish_date == date(2026, 11, 10)
    assert page.metadata.get("发布日期") == "2026-11-10"
    assert PARA[:20] in page.body_text


def test_extract_article_reads_metadata_whatever_the_kind():
    # A page with no byline/long block of its own still yields its metadata when read as an article.
    body = (
        "<html><head><meta charset='utf-8'><title>通知</title></head><body>"
        "<div class='box'><p>索引号：</p><p>发布机构：某区发展和改革局</p><p>发布时间：2026年11月10日</p>"
        "<p>通知全文见附件。</p></div></body></html>"
    ).encode()
    art = extract_article(body, "http://127.0.0.1/a.html")
    assert art.kind == PageKind.ARTICLE
    assert art.publish_date == date(2026, 11, 10)
    assert art.metadata.get("发布机构") == "某区发展和改革局"


def test_extract_article_with_source_line_has_no_missing_fields():
    art = extract_article(
        _content_article("<p>索引号：11370000MB0000000X/2026-00012</p><p>来源：某区发展和改革局</p>"),
        "http://127.0.0.1/xxgk/zcwj/a1.html",
    )
    assert art.kind == PageKind.ARTICLE
    assert art.metadata.get("索引号") == "11370000MB0000000X/2026-00012"
    assert art.metadata.get("来源") == "某区发展和改革局"
    assert art.publish_date == date(2026, 11, 10)


def test_extract_article_keeps_challenges():
    body = (
        "<html><body><h1>访问被拦截</h1><p>您的请求疑似攻击，已被网站防火墙拦截。</p></body></html>".encode()
    )
    assert extract_article(body, "http://127.0.0.1/a.html", status=403).kind == PageKind.CHALLENGE


def _short_list(head_title: str = "通知公告") -> bytes:
    return (
        f"<html><head><meta charset='utf-8'><title>{head_title}</title></head><body><div class='list'><ul>"
        "<li><a href='/tzgg/1.html'>关于加强网络安全防护工作的通知</a><span>2026-11-10</span></li>"
        "<li><a href='/tzgg/2.html'>关于开展消防检查的通知</a><span>2026-10-20</span></li>"
        "</ul></div></body></html>"
    ).encode()


def test_short_list_mentioning_a_waf_phrase_is_a_list():
    page = extract_page(_short_list(), "http://127.0.0.1/tzgg/")
    assert page.kind == PageKind.LIST, page.notes
    assert [e.title for e in page.entries] == ["关于加强网络安全防护工作的通知", "关于开展消防检查的通知"]


def test_waf_phrase_with_error_status_or_in_title_is_still_a_challenge():
    assert extract_page(_short_list(), "http://127.0.0.1/tzgg/", status=403).kind == PageKind.CHALLENGE
    assert extract_page(_short_list(), "http://127.0.0.1/tzgg/", status=503).kind == PageKind.CHALLENGE
    assert extract_page(_short_list("网站安全防护提示"), "http://127.0.0.1/tzgg/").kind == PageKind.CHALLENGE
    blank = "<html><body><p>您的访问已被安全防护系统拦截</p></body></html>".encode()
    assert extract_page(blank, "http://127.0.0.1/x", status=200).kind == PageKind.CHALLENGE


def test_render_js_note_is_truthful(monkeypatch):
    import importlib.util
    import os

    from zwgk.crawler.spiders import portal

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(os, "access", lambda path, mode: path == "/usr/bin/chromium")
    note = portal.render_js_note()
    assert "未启用浏览器渲染" in note and "scrapy-playwright 未安装" in note and "/usr/bin/chromium" in note
    monkeypatch.setattr(os, "access", lambda path, mode: False)
    assert "Chromium 未找到" in portal.render_js_note()
    assert "浏览器渲染失败：timeout" in portal.render_js_note(True, "timeout")
    assert "浏览器渲染后仍未读到列表条目" in portal.render_js_note(True)
