"""CMS platforms are plug-ins: one module each under crawler/extract/platforms/, one line in
PLATFORMS, and the generic extraction picks up everything a platform declares."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import date

import lxml.html

from zwgk.crawler.extract import extract_page, platforms
from zwgk.crawler.extract.lists import is_article_url, year_from_url
from zwgk.crawler.extract.model import Pagination
from zwgk.crawler.extract.pagination import find_pagination
from zwgk.crawler.extract.platforms.model import Platform


def test_every_platform_module_is_listed_once():
    names = [m.name for m in pkgutil.iter_modules(platforms.__path__) if m.name != "model"]
    declared = [importlib.import_module(f"{platforms.__name__}.{n}").PLATFORM for n in names]
    assert sorted(p.name for p in declared) == sorted(p.name for p in platforms.PLATFORMS)
    assert len({p.name for p in platforms.PLATFORMS}) == len(platforms.PLATFORMS)
    assert platforms.PLATFORMS[-1].name == "generic"  # the shared fallbacks come after every platform


# A platform nobody wrote for: its pager is `showPager(pages, current)` building list_<n>.htm, its
# detail pages /doc/<id>.jspx with the date in /d2021m07/, its body in <section class="zwnr">.
def _pager(raw: str, base: str) -> Pagination | None:
    import re

    match = re.search(r"showPager\((\d+),\s*(\d+)\)", raw)
    if not match:
        return None
    count, current = int(match.group(1)), int(match.group(2))
    return Pagination(
        [f"{base.rsplit('/', 1)[0]}/list_{k}.htm" for k in range(current + 1, count + 1)],
        count,
        ["showPager"],
    )


NEW = Platform(
    name="example",
    detail_urls=(r"/doc/\d+\.jspx$",),
    url_dates=(r"/d((?:19|20)\d{2})m(\d{2})/",),
    body_selectors=("//section[@class='zwnr']",),
    pager=_pager,
)

LIST_PAGE = """<html><body><div class="list"><ul>
<li><a href="/d2025m03/doc/101.jspx">关于做好春耕生产工作的通知</a><span>2025-03-02</span></li>
<li><a href="/d2025m02/doc/100.jspx">关于开展安全生产检查的通知</a><span>2025-02-20</span></li>
<li><a href="/d2025m02/doc/99.jspx">关于印发工作要点的通知</a><span>2025-02-11</span></li>
</ul></div><script>showPager(4, 1)</script></body></html>"""


def test_a_new_platform_is_one_module_and_one_line(monkeypatch):
    url = "http://127.0.0.1:8000/col/tzgg/list_1.htm"
    doc = lxml.html.fromstring(LIST_PAGE)
    assert not is_article_url("http://127.0.0.1:8000/d2025m03/doc/101.jspx")
    assert find_pagination(LIST_PAGE, doc, url, url).next_pages == []

    monkeypatch.setattr(platforms, "PLATFORMS", (NEW, *platforms.PLATFORMS))
    assert is_article_url("http://127.0.0.1:8000/d2025m03/doc/101.jspx")
    pages = find_pagination(LIST_PAGE, doc, url, url)
    assert pages.page_count == 4 and pages.next_pages[-1] == "http://127.0.0.1:8000/col/tzgg/list_4.htm"
    # a year-less 03-02 read in January 2026 would be 2026-03-02 in the future; the URL says 2025
    assert year_from_url(date(2026, 3, 2), "http://127.0.0.1:8000/d2025m03/doc/101.jspx") == date(2025, 3, 2)
    page = extract_page(
        ARTICLE.encode(), "http://127.0.0.1:8000/d2025m03/doc/101.jspx", "text/html", ref=date(2026, 1, 5)
    )
    assert page.body_text == "各乡镇：为做好今年春耕生产工作，现将有关事项通知如下。"


ARTICLE = (
    "<html><head><title>关于做好春耕生产工作的通知</title></head><body><div id='nav'>首页</div>"
    "<div class='side'><p>相关链接：县政府办公室 县发展和改革局 县教育局 县科技局 县工业和信息化局 "
    "县公安局 县民政局 县司法局 县财政局 县人力资源和社会保障局</p></div>"
    "<section class='zwnr'>各乡镇：为做好今年春耕生产工作，现将有关事项通知如下。</section></body></html>"
)


def test_without_the_platform_its_body_is_not_told_from_a_sidebar():
    page = extract_page(
        ARTICLE.encode(), "http://127.0.0.1:8000/d2025m03/doc/101.jspx", "text/html", ref=date(2026, 1, 5)
    )
    assert page.body_text.startswith("相关链接")  # what the new platform's one line fixes above
