"""Pure helpers of link checking and crawl-trap guards (zwgk/crawler/links.py)."""

from __future__ import annotations

import pytest

from zwgk.crawler.links import classify_status, clean_url, is_numeric_host, is_onsite, looks_like_calendar


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        (
            "http://a.gov.cn/col/index.jsp;jsessionid=ABC123?uid=1&pageNum=2",
            "http://a.gov.cn/col/index.jsp?uid=1&pageNum=2",
        ),
        ("http://a.gov.cn/list.html?sid=77&page=3", "http://a.gov.cn/list.html?page=3"),
        ("http://a.gov.cn/list.html?PHPSESSID=x", "http://a.gov.cn/list.html"),
        ("http://a.gov.cn/a.html#top", "http://a.gov.cn/a.html"),
        ("http://a.gov.cn/art/2026/1/2/art_1_2.html", "http://a.gov.cn/art/2026/1/2/art_1_2.html"),
        ("http://a.gov.cn/search?side=1", "http://a.gov.cn/search?side=1"),  # not a session parameter
    ],
)
def test_session_ids_and_fragments_are_stripped(url, clean):
    assert clean_url(url) == clean


@pytest.mark.parametrize(
    ("url", "trap"),
    [
        ("http://a.gov.cn/calendar/2026-11.html", True),
        ("http://a.gov.cn/hd/list.jsp?date=2026-11-01", True),
        ("http://a.gov.cn/rili/index.html", True),
        ("http://a.gov.cn/xxgk/zcwj/index_3.html", False),
        ("http://a.gov.cn/col/col1/index.html?uid=2&pageNum=4", False),
    ],
)
def test_calendar_pages_are_traps(url, trap):
    assert looks_like_calendar(url) is trap


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (200, "ok"),
        (304, "ok"),
        (404, "broken"),
        (410, "broken"),
        (500, "broken"),
        (503, "broken"),
        (403, "unverified"),
        (412, "unverified"),
        (429, "unverified"),
        (401, "unverified"),
    ],
)
def test_status_classification(status, kind):
    assert classify_status(status) == kind


def test_numeric_hosts_and_onsite():
    assert all(is_numeric_host(h) for h in ("127.0.0.2", "0x7f000002", "2130706434", "[::1]", "10.0.0.1"))
    assert not is_numeric_host("www.gov.cn")
    assert is_onsite("http://www.a.gov.cn/x", {"www.a.gov.cn"})
    assert not is_onsite("http://www.gov.cn/", {"www.a.gov.cn"})
