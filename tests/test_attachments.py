"""Attachments read for personal numbers: the formats portals publish, and hostile files that must end
in bounded time and memory with a typed problem (zwgk/crawler/attachments.py worker)."""

from __future__ import annotations

import time

import pytest

from tests.attachment_files import bomb_docx, encrypted_pdf, huge_pdf, lying_bomb_docx
from zwgk.crawler.attachments import read_attachment
from zwgk.crawler.extract.attachment import extract, sniff, table_text
from zwgk.crawler.extract.privacy import WEIGHTS, find_exposures
from zwgk_demonet import files


def _valid_id(body17: str) -> str:
    return body17 + "10X98765432"[sum(int(d) * w for d, w in zip(body17, WEIGHTS, strict=True)) % 11]


PERSON = _valid_id("32010219850612341")
BAD = PERSON[:-1] + ("1" if PERSON[-1] != "1" else "2")  # a wrong check digit: not an ID number


def _kinds(text: str) -> list[tuple[str, str]]:
    return [(e.kind, e.masked) for e in find_exposures(text)]


def test_a_name_list_spreadsheet_gives_its_numbers_with_their_column_labels():
    body = files.xlsx(
        [
            ["序号", "姓名", "身份证号码", "手机号码", "补助金额（元）"],
            [1, "王某某", PERSON, 13912345678, 800],
            [2, "李某某", BAD, 13812345678, 800],
        ]
    )
    got = read_attachment(body, "名单.xlsx")
    assert (got.status, got.kind) == ("ok", "xlsx")
    # the phone typed as a number is read as digits, and its column's header is its label
    assert _kinds(got.text) == [
        ("id", PERSON[:4] + "*" * 10 + PERSON[-4:]),
        ("mobile", "139****5678"),
        ("mobile", "138****5678"),
    ]


def test_a_word_notice_with_a_table_and_a_text_pdf_are_read():
    doc = files.docx(
        ["关于拟录用人员的公示", "联系人：张某，手机：13700001111"],
        [["姓名", "身份证号", "办公电话"], ["赵某", PERSON, "13600002222"]],
    )
    got = read_attachment(doc, "公示.docx")
    assert (got.status, got.kind) == ("ok", "docx")
    assert [k for k, _ in _kinds(got.text)] == ["mobile", "id"]  # the 办公电话 column is an office line
    pdf = files.pdf([["关于拟补助对象的公示", f"王某某，身份证号：{PERSON}", "监督电话：025-83331234"]])
    got = read_attachment(pdf, "公示.pdf")
    assert (got.status, got.kind, got.pages) == ("ok", "pdf", 1)
    assert _kinds(got.text) == [("id", PERSON[:4] + "*" * 10 + PERSON[-4:])]


def test_the_format_is_told_by_content_not_by_name():
    assert sniff(files.pdf([["正文"]]), "x.doc") == "pdf"
    assert sniff(files.xlsx([["a"]]), "x.pdf") == "xlsx"
    assert sniff(b"Rar!\x1a\x07\x00" + b"\x00" * 100, "x.rar") == "unknown"
    assert extract(b"Rar!\x1a\x07\x00", "x.rar").status == "unsupported"


def test_table_text_labels_cells_only_under_a_header_row():
    assert (
        table_text([["姓名", "电话"], ["王某", "13912345678"]]).splitlines()[1]
        == "姓名：王某；电话：13912345678"
    )
    numbers = table_text([["13912345678", "13812345678"], ["1", "2"]])
    assert "：" not in numbers  # a first row of numbers is no header


@pytest.mark.slow
def test_a_50_mb_pdf_is_read_within_its_page_bound():
    body = huge_pdf()
    assert len(body) >= 50 * 1024 * 1024
    started = time.monotonic()
    got = read_attachment(body, "huge.pdf", seconds=60)
    elapsed = time.monotonic() - started
    assert got.status == "partial", got
    assert got.pages == 50 and "共 3000 页" in got.notes[0]
    assert elapsed < 45, elapsed


def test_a_zip_bomb_docx_is_refused_before_it_is_unpacked():
    body = bomb_docx()  # 256 MB of XML in about 250 KB
    started = time.monotonic()
    got = read_attachment(body, "bomb.docx")
    assert got.status == "bomb", got
    assert time.monotonic() - started < 5
    # the same bomb whose sizes claim 1 KiB: zipfile stops at the claimed size and fails the CRC
    got = read_attachment(lying_bomb_docx(), "bomb.docx")
    assert got.status == "broken" and "CRC" in got.notes[0], got


def test_an_encrypted_pdf_is_a_typed_problem_and_an_owner_password_alone_is_not():
    assert read_attachment(encrypted_pdf(), "x.pdf").status == "encrypted"
    got = read_attachment(encrypted_pdf(password=""), "x.pdf")  # opens without a password
    assert got.status == "ok" and "身份证号" in got.text


def test_the_worker_is_stopped_at_its_time_and_memory_limits():
    body = huge_pdf(pages=600, size=8 * 1024 * 1024)
    started = time.monotonic()
    got = read_attachment(body, "x.pdf", seconds=0.5)
    assert got.status == "timeout"
    assert time.monotonic() - started < 3
    got = read_attachment(body, "x.pdf", memory_mb=120)
    assert got.status == "memory", got


class _Stats:
    def inc_value(self, *_):
        pass


class _Spider:
    """The attachment-reading part of the portal spider, with a scripted download."""

    def __init__(self, served: dict[str, bytes | Exception], previous: dict | None = None):
        from types import SimpleNamespace

        from scrapy.settings import Settings

        from zwgk.crawler.spiders.attachment_reading import AttachmentReading

        class Spider(AttachmentReading):
            pass

        self.spider = Spider()
        self.spider.crawler = SimpleNamespace(stats=_Stats())
        self.spider.prev = SimpleNamespace(articles=previous or {})
        self.spider._attachment_settings(Settings())
        self.fetched: list[str] = []

        async def fetch(url, portal, **meta):
            from scrapy.http import Response

            self.fetched.append(url)
            got = served[url]
            if isinstance(got, Exception):
                raise got
            return Response(url, status=200, body=got, headers={"Content-Type": "application/octet-stream"})

        self.spider._fetch = fetch

    def read(self, page: str, links: list[dict]):
        import asyncio

        return asyncio.run(self.spider._attachments_of(page, "公示", links, None))


def test_numbers_in_an_attachment_are_kept_masked_and_carried_while_it_cannot_be_read():
    page, url = "http://127.0.0.1/zcwj/t1.html", "http://127.0.0.1/uploads/1/md.xlsx"
    links = [{"url": url, "text": "附件：名单.xlsx", "attachment": True, "status": "ok"}]
    body = files.xlsx([["姓名", "身份证号码"], ["王某", PERSON]])
    rows, records = _Spider({url: body}).read(page, links)
    assert [(r["url"], r["page"], r["kind"], r["masked"]) for r in rows] == [
        (url, page, "id", PERSON[:4] + "*" * 10 + PERSON[-4:])
    ]
    assert PERSON not in repr(rows) and records[0]["status"] == "ok"
    assert "_text" not in records[0] and PERSON not in repr(records)  # the file's text is not kept
    # the next night the download fails: the finding's evidence stays (no 销号 by a failed fetch)
    night2 = _Spider({url: TimeoutError("timed out")}, {page: {"privacy": rows}})
    carried, records = night2.read(page, links)
    assert carried == rows and records[0]["status"] == "fetch_failed"
    # a link that did not answer its check tonight is not downloaded, and its numbers stay too
    unverified = [{**links[0], "status": "unverified"}]
    night3 = _Spider({}, {page: {"privacy": rows}})
    assert night3.read(page, unverified) == (rows, []) and night3.fetched == []
    # read again and clean: nothing carried
    clean = files.xlsx([["姓名", "身份证号码"], ["王某", PERSON[:6] + "********" + PERSON[-4:]]])
    assert _Spider({url: clean}, {page: {"privacy": rows}}).read(page, links)[0] == []
