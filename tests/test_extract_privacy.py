"""Personal numbers found and masked (zwgk/crawler/extract/privacy.py): ID numbers by GB 11643,
mobiles and bank cards by their context, and the controls that must stay silent."""

from __future__ import annotations

from datetime import date

import pytest

from zwgk.crawler.extract.privacy import WEIGHTS, find_exposures, luhn, mask_bytes, mask_text, valid_id

TODAY = date(2026, 11, 23)


def make_id(region: str, born: str, serial: str) -> str:
    body = region + born + serial
    return body + "10X98765432"[sum(int(d) * w for d, w in zip(body, WEIGHTS, strict=True)) % 11]


def make_card(prefix: str) -> str:
    for last in "0123456789":
        if luhn(prefix + last):
            return prefix + last
    raise AssertionError


ID = make_id("320102", "19800229", "123")  # 1980 is a leap year
CARD = make_card("622202100112345678")  # 19 digits


def test_id_numbers_by_gb_11643():
    assert valid_id(ID, TODAY)
    assert not valid_id(ID[:-1] + ("0" if ID[-1] != "0" else "1"), TODAY)  # wrong check digit
    assert not valid_id(make_id("990102", "19800101", "123"), TODAY)  # no such province
    assert not valid_id(make_id("320102", "19810229", "123"), TODAY)  # 1981-02-29 is no date
    assert not valid_id(make_id("320102", "20300101", "123"), TODAY)  # born in the future


def test_exposures_in_a_public_list():
    text = (
        f"2026年度困难群众救助名单：张某某，身份证号 {ID}，联系电话 13912345678，"
        f"补助资金发放至银行卡号 {CARD}。经办科室办公电话：0551-62345678，值班电话 13800001111。"
    )
    found = find_exposures(text, TODAY)
    assert [e.kind for e in found] == ["id", "mobile", "card"], found
    assert found[0].masked == ID[:4] + "*" * 10 + ID[-4:]
    assert found[1].masked == "139****5678" and found[2].masked.startswith("6222") and "*" in found[2].masked
    for e in found:
        assert ID not in e.context and "13912345678" not in e.context and CARD not in e.context


@pytest.mark.parametrize(
    "text",
    [
        "咨询电话：13800001111（工作日）",  # an office line, labelled so
        "办公电话 0551-62345678 传真 0551-62345679",  # area codes: never personal
        f"索引号 11340100MB1234567X/2026-00123 文号 {ID[:-1]}",  # 17 digits: no ID
        "订单编号 6222021001123456789012",  # 22 digits: not a card
        "下载次数 13912345678",  # a mobile-shaped number with no personal label
        "联系电话 0551-1234567，值班电话 13800001111",  # the nearest label decides
    ],
)
def test_controls_stay_silent(text):
    assert find_exposures(text, TODAY) == []


def test_the_nearest_label_decides():
    found = find_exposures("值班电话 13800001111，联系人手机 13912345678", TODAY)
    assert [e.masked for e in found] == ["139****5678"]


def test_masking_text_and_bytes_keeps_nothing_whole():
    text = f"身份证 {ID} 手机 13912345678 卡号 {CARD} 文号 2026001"
    masked = mask_text(text, TODAY)
    assert ID not in masked and "13912345678" not in masked and CARD not in masked and "2026001" in masked
    for encoding in ("utf-8", "gbk", "gb18030"):
        body = f"<p>{text}</p>".encode(encoding)
        out = mask_bytes(body, TODAY)
        assert len(out) == len(body) and out.decode(encoding) == f"<p>{masked}</p>"


def test_stored_addresses_keep_their_ids_but_never_an_id_number():
    """A 19-digit article id in a link is an address, not a card: masking it would make the next
    night re-check another URL. A valid ID number is masked even there."""
    from zwgk.crawler.extract.privacy import mask_value

    snowflake = make_card("170000000000000000")  # Luhn-valid: card-shaped
    links = [{"url": f"http://127.0.0.1/art/{snowflake}.html", "text": f"卡号 {CARD}", "status": "ok"}]
    stored = mask_value(
        {"links": links, "validators": {"etag": f'"{snowflake}"'}, "note": "手机 13912345678"}
    )
    assert stored["links"][0]["url"] == links[0]["url"] and stored["validators"]["etag"] == f'"{snowflake}"'
    assert CARD not in stored["links"][0]["text"] and "13912345678" not in stored["note"]
    assert ID not in mask_value({"url": f"http://127.0.0.1/q?sfzh={ID}"})["url"]
