"""List records from data endpoints and inline script data (docs/portal-patterns.md §4, §8).

Script-rendered lists load their entries from JSON (Hubei `zcwj.json`, NFRA DocInfo, jpaas
listData) or from Hanweb's dataproxy XML (`<recordset><record><![CDATA[<li>…</li>]]>`). Reading
those records gives the same entries the browser would show, with the metadata the JSON carries
(索引号, 发布机构, 文号 ...) and no article fetches. When the data cannot be read from the page, the
endpoint URLs we can build are reported so the spider (or a person) can fetch them.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

from . import platforms
from .dates import parse_date
from .dom import abs_url, norm_space
from .lists import item_entry
from .model import ListEntry

_TITLE_KEYS = (
    "title",
    "filename",
    "doctitle",
    "showtitle",
    "name",
    "docname",
    "subject",
    "fileName",
    "wjmc",
    "bt",
)
_URL_KEYS = ("url", "pcurl", "docurl", "docpuburl", "link", "href", "urls", "path", "linkurl", "puburl")
_DATE_KEYS = (
    "pubdate",
    "publishdate",
    "publishtime",
    "docreltime",
    "releasetime",
    "docdate",
    "fbrq",
    "cwrq",
    "pubtime",
    "date",
    "time",
    "createtime",
    "writetime",
    "publisheddate",
)
_FIELD_KEYS = {
    "idxid": "索引号",
    "indexno": "索引号",
    "syh": "索引号",
    "publisher": "发布机构",
    "fbjg": "发布机构",
    "filenum": "文号",
    "fwzh": "文号",
    "documentno": "文号",
    "effectivestate": "有效性",
    "subjectclass": "主题分类",
    "pubdate": "发布日期",
    "contentsource": "来源",
}
_CST = timedelta(hours=8)
_TAGS = re.compile(r"<[^<>]+>")  # [^<>]: an unclosed "<" never rescans the rest


def _lower_map(record: dict) -> dict[str, object]:
    return {str(k).lower(): v for k, v in record.items()}


def _to_date(value: object, ref: date | None) -> tuple[date | None, str | None]:
    if value is None or value == "":
        return None, None
    if isinstance(value, int | float) and value > 10**11:  # epoch milliseconds (jpaas releaseTime)
        try:
            moment = datetime.fromtimestamp(value / 1000, tz=UTC) + _CST
        except (OverflowError, OSError, ValueError):  # 1e20: no date at all, not a crash
            return None, str(value)[:40]
        return moment.date(), str(value)
    text = str(value)
    return parse_date(text, ref), text


def _url_value(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("pc") or value.get("url") or next(iter(value.values()), None)
    if isinstance(value, str) and value.strip().startswith("{"):
        try:
            return _url_value(json.loads(value))
        except ValueError:
            return None
    return value if isinstance(value, str) and value.strip() else None


def record_entry(record: dict, base_url: str, ref: date | None = None) -> ListEntry | None:
    """One JSON record -> entry (title, absolute url, date, extra fields), or None."""
    low = _lower_map(record)
    title = next((norm_space(_TAGS.sub("", str(low[k]))) for k in _TITLE_KEYS if low.get(k.lower())), None)
    url = next((_url_value(low[k]) for k in _URL_KEYS if _url_value(low.get(k))), None)
    if url is None:  # records with ids only: the platform builds the detail URL (NFRA DocInfo)
        url = next(
            (u for p in platforms.PLATFORMS if p.record_url is not None and (u := p.record_url(low))), None
        )
    if not title or not url:
        return None
    absolute = abs_url(base_url, url)
    if absolute is None:
        return None
    found, raw = None, None
    for key in _DATE_KEYS:
        if key in low and low[key] not in (None, ""):
            found, raw = _to_date(low[key], ref)
            if found:
                break
    fields = {}
    for key, label in _FIELD_KEYS.items():
        value = low.get(key)
        if isinstance(value, str) and value.strip() and label not in fields:
            fields[label] = norm_space(value)
    return ListEntry(title=title, url=absolute, date=found, raw_date=raw, fields=fields)


def _record_lists(node: object, depth: int = 0):
    """Every list of dicts inside a JSON document, outermost first."""
    if depth > 6:
        return
    if isinstance(node, list):
        if node and all(isinstance(x, dict) for x in node):
            yield node
        for x in node[:50]:
            yield from _record_lists(x, depth + 1)
    elif isinstance(node, dict):
        for value in node.values():
            yield from _record_lists(value, depth + 1)


def entries_from_records(doc: object, base_url: str, ref: date | None = None) -> list[ListEntry]:
    """Entries of the first record list in `doc` where most records map to entries."""
    for records in _record_lists(doc):
        entries = [e for e in (record_entry(r, base_url, ref) for r in records) if e is not None]
        if entries and len(entries) >= 0.5 * len(records):
            return entries
    return []


def parse_json(text: str) -> object | None:
    stripped = text.strip().lstrip("\ufeff")
    if not stripped or stripped[0] not in "[{":
        # JSONP: callback({...});
        match = re.match(r"^[\w.$]+\s*\((.*)\)\s*;?\s*$", stripped, re.S)
        if not match:
            return None
        stripped = match.group(1)
    try:
        return json.loads(stripped)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than any real list
        return None


def entries_from_data_document(
    text: str, url: str, ref: date | None = None
) -> tuple[list[ListEntry], int | None, str] | None:
    """A platform's own data answer (Hanweb dataproxy XML …): entries, the column's total, a note."""
    for platform in platforms.PLATFORMS:
        if platform.data_document is not None:
            found = platform.data_document(text, url, ref, item_entry)
            if found is not None:
                return found
    return None


_ARRAY_START = re.compile(r"[:=]\s*\[\s*\{")
MAX_SCRIPT_ARRAYS = 200  # record arrays tried per page; a real page assigns a handful


def entries_from_scripts(scripts: list[str], base_url: str, ref: date | None = None) -> list[ListEntry]:
    """Record arrays assigned in inline scripts (jpaas `listData = {articleList: [...]}`)."""
    decoder = json.JSONDecoder()
    best: list[ListEntry] = []
    attempts = 0
    for script in scripts:
        done = 0  # decoded up to here: arrays nested in a decoded value are not decoded again
        for match in _ARRAY_START.finditer(script):
            start = script.index("[", match.start())
            if start < done:
                continue
            attempts += 1
            if attempts > MAX_SCRIPT_ARRAYS:
                return best
            try:
                value, done = decoder.raw_decode(script, start)  # in place: no copy of the rest
            except (ValueError, RecursionError):
                continue
            entries = entries_from_records(value, base_url, ref)
            dated = [e for e in entries if e.date]
            if len(dated) >= 2 and len(entries) > len(best):
                best = entries
    return best


def find_endpoints(page_url: str, raw: str, scripts: list[str]) -> list[str]:
    """Data endpoints a script-rendered list loads from, as absolute URLs (best effort): what each
    platform's script would request (platforms/), first come first."""
    endpoints: list[str] = []
    code = "\n".join(scripts)
    for platform in platforms.PLATFORMS:
        if platform.endpoints is None:
            continue
        for url in platform.endpoints(page_url, raw, code):
            if url not in endpoints:
                endpoints.append(url)
    return endpoints[:20]
