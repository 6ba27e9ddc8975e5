"""Extraction is linear on hostile pages, and a page over its time budget is a typed crawl problem.

Each shape below made an earlier extractor rescan the rest of the page from every occurrence of a
marker (unclosed `<meta `, TRS comment-body markers, unclosed dataproxy `<record><![CDATA[`), or
crash (nesting deeper than the recursion limit, an epoch timestamp of 1e20). Fed at 1 MB and 16 MB,
every one must end within a bound far below what a quadratic pass takes (at 1 MB the old code ran
past 10 s on the first three; at 16 MB it would have taken days), with nothing raised.
"""

from __future__ import annotations

import re
import time
from datetime import date

import pytest

from zwgk.crawler.extract import PageKind, extract_article, extract_page
from zwgk.crawler.extract.budget import MAX_EXTRACT_BYTES, OverBudget, cap, deadline

URL = "http://127.0.0.1/xxgk/gzdt/"
HEAD = b"<html><head><title>t</title></head><body>"
HTML = "text/html; charset=utf-8"
JSON = "application/json"


def _fill(unit: bytes, size: int, prefix: bytes = HEAD, suffix: bytes = b"") -> bytes:
    return prefix + unit * (size // len(unit)) + suffix


def _shapes(size: int) -> dict[str, tuple[bytes, str]]:
    return {
        "unclosed meta tags": (_fill(b"<meta r='x' ", size), HTML),
        "TRS comment-body markers": (_fill("<!--<$[信息内容]>begin-->".encode(), size), HTML),
        "unclosed dataproxy records": (
            _fill(b"<record><![CDATA[", size, prefix=b'<?xml version="1.0"?><datastore><recordset>'),
            HTML,
        ),
        "script arrays": (
            _fill(b'x=[{"a":[{"b":', size, prefix=HEAD + b"<script>", suffix=b"</script>"),
            HTML,
        ),
        "unclosed angle brackets": (_fill(b"<", size), HTML),
        "paging function heads": (_fill(b"function createPageHTML(", size, prefix=HEAD + b"<script>"), HTML),
        "deep JSON": (b"[" * (size // 2) + b"]" * (size // 2), JSON),
        "deep unclosed JSON": (b'{"a":' * (size // 5), JSON),
        "long hrefs": (_fill(b'<a href="' + b"x" * 5000 + b'">t</a>', size), HTML),
    }


SHAPES = list(_shapes(1024))


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("size", [1 << 20, 16 << 20], ids=["1MB", "16MB"])
def test_hostile_shapes_end_in_bounded_time(shape, size):
    body, ctype = _shapes(size)[shape]
    started = time.perf_counter()
    page = extract_article(body, URL, content_type=ctype, ref=date(2026, 11, 23))
    took = time.perf_counter() - started
    # Linear work over at most MAX_EXTRACT_BYTES: well under a second on this machine (see the closing
    # note); the bound leaves room for a loaded CI host, and is still far below a quadratic pass.
    assert took < (4 if size == 1 << 20 else 12), f"{shape} at {size >> 20} MB took {took:.1f} s"
    assert page.kind is not None


def test_epoch_timestamps_out_of_range_are_no_date_not_a_crash():
    records = ",".join(f'{{"title":"第{i}条","url":"/a{i}.html","releaseTime":1e20}}' for i in range(5))
    ok = '{"title":"有日期","url":"/b.html","releaseTime":1764000000000}'
    page = extract_page(f"[{records},{ok}]".encode(), URL, content_type=JSON)
    assert page.kind == PageKind.DATA
    dates = {e.title: e.date for e in page.entries}
    assert dates["第0条"] is None and dates["有日期"] == date(2025, 11, 25)


def test_only_the_first_megabytes_are_parsed_and_the_page_says_so():
    items = b"".join(
        b'<li><a href="/a%d.html">\xe9\x80\x9a\xe7\x9f\xa5%d</a><span>2026-11-01</span></li>' % (i, i)
        for i in range(120_000)
    )
    body = HEAD + b"<ul>" + items + b"</ul></body></html>"
    assert len(body) > MAX_EXTRACT_BYTES
    page = extract_page(body, URL, content_type=HTML, ref=date(2026, 11, 23))
    assert page.kind == PageKind.LIST and 0 < len(page.entries) < 120_000
    assert any("仅解析前" in n for n in page.notes), page.notes
    assert cap(b"x" * 10, 4) == (b"xxxx", True) and cap(b"xy", 4) == (b"xy", False)


def test_a_deadline_interrupts_a_runaway_regex():
    started = time.perf_counter()
    with pytest.raises(OverBudget) as info, deadline(0.3):
        re.search(r"(a+)+b", "a" * 40)  # exponential: minutes without the budget
    assert time.perf_counter() - started < 5
    assert "解析超过 0.3 秒" in str(info.value)
    with deadline(5):  # a block that ends in time leaves no timer behind
        pass
    time.sleep(0.05)
