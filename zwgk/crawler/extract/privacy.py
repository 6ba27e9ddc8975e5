"""Personal data on a public page: 居民身份证号, mobile numbers, bank card numbers — found and masked.

Why: 泄露个人隐私 is among the 安全 items of 国办秘函〔2019〕19号 (veto level); 公示 lists of
subsidies, 处罚决定 and 招录 results often carry full ID numbers. The monitor must find them and must
never become a second copy: everything it stores or shows (page bodies kept as evidence, article
text, titles, findings) carries the number masked — `3201**********1234` — and the full value is
never written anywhere.

What counts (precision first: a finding accuses a department):
- an 18-character 身份证号 whose GB 11643 check digit is right, whose birth date is a real date
  between 1900 and today, and whose first two digits are a province code (GB/T 2260);
- a mobile number (1[3-9] + 9 digits) next to a personal context (手机/联系电话/联系方式/电话 …)
  and not labelled as an office line (办公电话/值班电话/咨询电话/传真); numbers with an area code
  (0xxx-xxxxxxx) are never personal;
- a bank card number (16–19 digits, Luhn-valid) next to 银行卡/卡号/账号/开户.
Digit runs longer than the pattern (order numbers, 统一社会信用代码 parts) are not split into one.
Masking works on bytes too: the digits are ASCII in every encoding a portal uses (UTF-8, GBK,
GB18030), so a page body is masked before it is stored, same length, same encoding.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54}
    | {61, 62, 63, 64, 65, 71, 81, 82}
)
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"

ID_RE = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{16}[0-9Xx])(?![0-9A-Za-z])")
MOBILE_RE = re.compile(r"(?<![0-9])(1[3-9]\d{9})(?![0-9])")
CARD_RE = re.compile(r"(?<![0-9])(\d{16,19})(?![0-9])")
ID_RE_B = re.compile(rb"(?<![0-9A-Za-z])([1-9]\d{16}[0-9Xx])(?![0-9A-Za-z])")
MOBILE_RE_B = re.compile(rb"(?<![0-9])(1[3-9]\d{9})(?![0-9])")
CARD_RE_B = re.compile(rb"(?<![0-9])(\d{16,19})(?![0-9])")

PERSONAL_PHONE = ("手机", "联系电话", "联系方式", "电话", "Tel", "tel", "电 话")
OFFICE_PHONE = (
    "办公电话",
    "值班电话",
    "咨询电话",
    "监督电话",
    "举报电话",
    "服务电话",
    "传真",
    "热线",
    "办公室电话",
)
CARD_CONTEXT = ("银行卡", "卡号", "银行账号", "账号", "开户", "社保卡")
CONTEXT_CHARS = 16  # characters before a number read for its label


@dataclass(frozen=True)
class Exposure:
    kind: str  # id | mobile | card
    masked: str
    context: str  # the words before it, masked too


def valid_id(number: str, today: date | None = None) -> bool:
    """GB 11643: province code, a real birth date, the check digit."""
    if len(number) != 18 or not number[:17].isdigit():
        return False
    if int(number[:2]) not in PROVINCES:
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    if born.year < 1900 or born > (today or date.today()):
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], WEIGHTS, strict=True))
    return CHECK[total % 11] == number[17].upper()


def luhn(number: str) -> bool:
    digits = [int(d) for d in reversed(number)]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(digits))
    return total % 10 == 0


def mask(number: str) -> str:
    """Keep the first 4 and last 4 (ID, card) or first 3 and last 4 (mobile) characters."""
    head = 3 if len(number) == 11 else 4
    return number[:head] + "*" * (len(number) - head - 4) + number[-4:]


def _before(text: str, start: int) -> str:
    """The label of the number at `start`: the words before it, back to the previous number."""
    return re.split(r"\d", text[max(0, start - CONTEXT_CHARS) : start])[-1]


def _is_personal_mobile(text: str, start: int) -> bool:
    before = _before(text, start)
    if any(word in before for word in OFFICE_PHONE):
        return False
    return any(word in before for word in PERSONAL_PHONE)


def find_exposures(text: str, today: date | None = None) -> list[Exposure]:
    """Every exposed number in `text`, masked, in order (at most 50)."""
    found: list[tuple[int, Exposure]] = []
    taken: set[int] = set()
    for m in ID_RE.finditer(text):
        if valid_id(m.group(1), today):
            found.append((m.start(), Exposure("id", mask(m.group(1)), _masked_context(text, m.start()))))
            taken.add(m.start())
    for m in CARD_RE.finditer(text):
        if m.start() in taken or not luhn(m.group(1)):
            continue
        if any(word in _before(text, m.start()) for word in CARD_CONTEXT):
            found.append((m.start(), Exposure("card", mask(m.group(1)), _masked_context(text, m.start()))))
            taken.add(m.start())
    for m in MOBILE_RE.finditer(text):
        if _is_personal_mobile(text, m.start()):
            found.append((m.start(), Exposure("mobile", mask(m.group(1)), _masked_context(text, m.start()))))
    return [e for _, e in sorted(found, key=lambda pair: pair[0])][:50]


def _masked_context(text: str, start: int) -> str:
    return " ".join(mask_text(_before(text, start)).split())


def mask_text(text: str, today: date | None = None) -> str:
    """`text` with every number that could be personal masked: a valid ID number, any Luhn-valid
    16–19 digit run and any mobile-shaped number, whatever the context — what is stored must not
    hold them even where no finding is made."""
    text = ID_RE.sub(lambda m: mask(m.group(1)) if valid_id(m.group(1), today) else m.group(0), text)
    text = CARD_RE.sub(lambda m: mask(m.group(1)) if luhn(m.group(1)) else m.group(0), text)
    return MOBILE_RE.sub(lambda m: mask(m.group(1)), text)


def mask_bytes(body: bytes, today: date | None = None) -> bytes:
    """`mask_text` on an undecoded page body (ASCII digits in any encoding a portal uses)."""

    def id_sub(m: re.Match) -> bytes:
        value = m.group(1).decode("ascii")
        return mask(value).encode("ascii") if valid_id(value, today) else m.group(0)

    def card_sub(m: re.Match) -> bytes:
        value = m.group(1).decode("ascii")
        return mask(value).encode("ascii") if luhn(value) else m.group(0)

    body = ID_RE_B.sub(id_sub, body)
    body = CARD_RE_B.sub(card_sub, body)
    return MOBILE_RE_B.sub(lambda m: mask(m.group(1).decode("ascii")).encode("ascii"), body)


# Stored values that are identities, not text: an address, a validator, a block signature. Masking
# a card-shaped id inside one would make the next night request (or compare) something else.
VERBATIM_KEYS = frozenset(
    {"url", "final_url", "page", "redirects", "data_endpoint", "validators", "template"}
)


def mask_id_only(text: str, today: date | None = None) -> str:
    """Only valid ID numbers masked: for addresses, where a card- or mobile-shaped run is an id."""
    return ID_RE.sub(lambda m: mask(m.group(1)) if valid_id(m.group(1), today) else m.group(0), text)


def mask_value(value: object, today: date | None = None, _verbatim: bool = False) -> object:
    """`mask_text` through strings, dicts and lists (what a snapshot stores beside its text);
    addresses and validators (`VERBATIM_KEYS`, or a string that is a URL) keep everything but a
    valid ID number."""
    if isinstance(value, str):
        if _verbatim or "://" in value[:12] or value.startswith("/"):
            return mask_id_only(value, today)
        return mask_text(value, today)
    if isinstance(value, dict):
        return {k: mask_value(v, today, _verbatim or k in VERBATIM_KEYS) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_value(v, today, _verbatim) for v in value]
    return value
