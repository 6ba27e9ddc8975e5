"""Text of a downloaded attachment (PDF, DOCX/XLSX, DOC/XLS/WPS/ET), read within fixed bounds.

Why: 公示 lists with full 身份证号 and phone numbers are most often published as an attached
spreadsheet or scanned-then-OCRed PDF, not as page text (privacy.exposed). An attachment is
untrusted input of the worst kind — a zip bomb DOCX, an encrypted or malformed PDF, a 50 MB
spreadsheet — so this module reads it with bounds in bytes, pages, rows and characters, never runs
a macro (nothing here interprets one), and is only ever called inside the attachment worker
process (zwgk/crawler/attachments.py), whose memory and CPU time the operating system limits.

Every outcome is typed (`AttachmentText.status`): ok, partial (a bound cut the reading), encrypted,
bomb (a compressed part claims more than the unpacked-size bound), no_text (a scan: pages without a
text layer), unsupported (a format no library here reads), broken (the file does not parse).
Libraries: pypdf for PDF, openpyxl (read-only) for XLSX, xlrd for XLS/ET, olefile for the
WordDocument stream of DOC/WPS, zipfile + lxml iterparse for DOCX (python-docx builds the whole
document tree in memory, which a bound on the input cannot keep small).
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

MAX_PAGES = 50  # PDF pages read
MAX_ROWS = 5_000  # spreadsheet rows read per sheet
MAX_SHEETS = 20
MAX_CHARS = 500_000  # text kept
MAX_UNPACKED = 40 * 1024 * 1024  # bytes all the parts read from a zip may unpack to
MAX_RATIO = 200  # a zip part unpacking to more than this many times its packed size is a bomb
OLE_STREAM_MAX = 16 * 1024 * 1024


@dataclass
class AttachmentText:
    status: str  # ok | partial | encrypted | bomb | no_text | unsupported | broken
    kind: str  # pdf | docx | xlsx | doc | xls | unknown
    text: str = ""
    pages: int = 0  # pages (PDF) or sheets (spreadsheets) read
    notes: list[str] = field(default_factory=list)


def sniff(body: bytes, url: str = "") -> str:
    """The format by its magic bytes (the extension and Content-Type of a portal often lie)."""
    head = body[:8]
    if head.startswith(b"%PDF") or b"%PDF-" in body[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            names = set(zipfile.ZipFile(io.BytesIO(body)).namelist())
        except (zipfile.BadZipFile, ValueError, OSError):
            return "unknown"
        if "word/document.xml" in names:
            return "docx"
        if "xl/workbook.xml" in names:
            return "xlsx"
        return "unknown"
    if head == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # OLE2 compound file: DOC, XLS, WPS, ET
        try:
            import olefile

            with olefile.OleFileIO(io.BytesIO(body)) as ole:
                if ole.exists("WordDocument"):
                    return "doc"
                if ole.exists("Workbook") or ole.exists("Book"):
                    return "xls"
        except Exception:
            return "unknown"
    return "unknown"


def extract(body: bytes, url: str = "") -> AttachmentText:
    """The attachment's text as one string (tables as `表头：值` pairs), within the bounds above."""
    kind = sniff(body, url)
    reader = {"pdf": _pdf, "docx": _docx, "xlsx": _xlsx, "doc": _doc, "xls": _xls}.get(kind)
    if reader is None:
        return AttachmentText("unsupported", kind)
    try:
        out = reader(body)
    except _Bomb as exc:
        return AttachmentText("bomb", kind, notes=[str(exc)])
    except MemoryError:
        raise  # the worker answers `memory`
    except Exception as exc:
        return AttachmentText("broken", kind, notes=[f"{type(exc).__name__}: {str(exc)[:200]}"])
    if len(out.text) > MAX_CHARS:
        out.text = out.text[:MAX_CHARS]
        out.status = "partial"
        out.notes.append(f"只读取前 {MAX_CHARS} 个字符")
    return out


class _Bomb(Exception):
    pass


def table_text(rows: list[list[str]]) -> str:
    """Rows of a table as text a reader of labels understands: with a header row, every later cell
    is written `表头：值`, so a number in a 手机号码 column carries its label (privacy context)."""
    rows = [[" ".join(c.split()) for c in row] for row in rows if any(c.strip() for c in row)]
    if not rows:
        return ""
    header = rows[0]
    labelled = sum(1 for c in header if c and not re.search(r"\d{5,}", c)) >= max(2, len(header) // 2)
    lines = ["\t".join(header)]
    for row in rows[1:]:
        if labelled:
            lines.append(
                "；".join(
                    f"{header[i] if i < len(header) and header[i] else ''}：{c}"
                    for i, c in enumerate(row)
                    if c
                )
            )
        else:
            lines.append("\t".join(row))
    return "\n".join(lines)


# --- PDF ---------------------------------------------------------------------------------


def _pdf(body: bytes) -> AttachmentText:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(body), strict=False)
    if reader.is_encrypted:
        try:
            opened = bool(reader.decrypt(""))  # many portals' PDFs carry only an owner password
        except Exception:
            opened = False
        if not opened:
            return AttachmentText("encrypted", "pdf", notes=["文件已加密，无法读取内容"])
    total = len(reader.pages)
    parts: list[str] = []
    size = 0
    read = 0
    for page in reader.pages[:MAX_PAGES]:
        text = page.extract_text() or ""
        parts.append(text)
        size += len(text)
        read += 1
        if size > MAX_CHARS:
            break
    text = "\n".join(parts)
    out = AttachmentText("ok", "pdf", text, read)
    if read < total:
        out.status = "partial"
        out.notes.append(f"共 {total} 页，读取前 {read} 页")
    if not text.strip():
        out.status = "no_text"
        out.notes.append("页面没有文字层（扫描件），未能读取文字")
    return out


# --- OOXML (DOCX, XLSX) ----------------------------------------------------------------------


def _open_zip(body: bytes, wanted: list[str]) -> zipfile.ZipFile:
    """The zip, after checking that the parts to be read declare sizes within the bounds. zipfile
    never unpacks past a part's declared size (it fails the CRC instead), so declared sizes bound
    what reading them costs."""
    zf = zipfile.ZipFile(io.BytesIO(body))
    total = 0
    for info in zf.infolist():
        if info.filename not in wanted:
            continue
        total += info.file_size
        if (
            info.compress_size
            and info.file_size / max(info.compress_size, 1) > MAX_RATIO
            and info.file_size > (1 << 20)
        ):
            raise _Bomb(f"压缩部件 {info.filename} 解压后 {info.file_size} 字节（压缩比过高，疑似压缩炸弹）")
    if total > MAX_UNPACKED:
        raise _Bomb(f"解压后 {total} 字节，超过 {MAX_UNPACKED} 字节的上限（疑似压缩炸弹）")
    return zf


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx(body: bytes) -> AttachmentText:
    from lxml import etree

    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    parts = [
        "word/document.xml",
        *sorted(n for n in names if re.fullmatch(r"word/(header|footer|footnotes|endnotes)\d*\.xml", n)),
    ]
    zf = _open_zip(body, parts)
    out: list[str] = []
    for part in parts:
        if part not in names:
            continue
        with zf.open(part) as stream:
            out.append(_docx_part(etree.iterparse(stream, events=("start", "end"), resolve_entities=False)))
    return AttachmentText("ok", "docx", "\n".join(out), 1)


def _docx_part(events) -> str:
    """Paragraph text in order; a table is collected cell by cell and written by `table_text`."""
    lines: list[str] = []
    tables: list[list[list[str]]] = []  # a stack: tables nest
    cells: list[list[str]] = []  # the paragraphs of each open cell, innermost last
    para: list[str] = []
    for event, el in events:
        tag = el.tag
        if event == "start":
            if tag == W + "tbl":
                tables.append([])
            elif tag == W + "tr" and tables:
                tables[-1].append([])
            elif tag == W + "tc":
                cells.append([])
            continue
        if tag == W + "t":
            para.append(el.text or "")
        elif tag == W + "tab":
            para.append("\t")
        elif tag == W + "p":
            (cells[-1] if cells else lines).append("".join(para))
            para = []
        elif tag == W + "tc" and cells:
            text = " ".join(t for t in cells.pop() if t)
            if tables and tables[-1]:
                tables[-1][-1].append(text)
        elif tag == W + "tbl" and tables:
            text = table_text(tables.pop())
            (cells[-1] if cells else lines).append(text)
        if tag in (W + "p", W + "tr", W + "tbl"):
            el.clear()
    return "\n".join(lines)


def _xlsx(body: bytes) -> AttachmentText:
    from openpyxl import load_workbook

    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    _open_zip(body, [n for n in names if n.startswith("xl/") and n.endswith(".xml")])
    wb = load_workbook(io.BytesIO(body), read_only=True, data_only=True, keep_links=False)
    out, notes, sheets = [], [], 0
    try:
        for ws in wb.worksheets[:MAX_SHEETS]:
            sheets += 1
            rows: list[list[str]] = []
            for n, row in enumerate(ws.iter_rows(values_only=True)):
                if n >= MAX_ROWS:
                    notes.append(f"工作表「{ws.title}」只读取前 {MAX_ROWS} 行")
                    break
                rows.append([_cell(v) for v in row])
            out.append(table_text(rows))
        if len(wb.worksheets) > MAX_SHEETS:
            notes.append(f"只读取前 {MAX_SHEETS} 个工作表")
    finally:
        wb.close()
    return AttachmentText("partial" if notes else "ok", "xlsx", "\n".join(out), sheets, notes)


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e19:
        return str(int(value))  # a phone number typed as a number reads 13812345678.0
    return str(value)


# --- OLE2 (DOC, WPS, XLS, ET) ----------------------------------------------------------------------


def _xls(body: bytes) -> AttachmentText:
    import xlrd

    book = xlrd.open_workbook(file_contents=body, on_demand=True, formatting_info=False)
    out, notes, sheets = [], [], 0
    try:
        for i in range(min(book.nsheets, MAX_SHEETS)):
            sheet = book.sheet_by_index(i)
            sheets += 1
            rows = [[_cell(v) for v in sheet.row_values(r)] for r in range(min(sheet.nrows, MAX_ROWS))]
            if sheet.nrows > MAX_ROWS:
                notes.append(f"工作表「{sheet.name}」只读取前 {MAX_ROWS} 行")
            out.append(table_text(rows))
            book.unload_sheet(i)
    finally:
        book.release_resources()
    return AttachmentText("partial" if notes else "ok", "xls", "\n".join(out), sheets, notes)


# Text runs in a WordDocument stream: Word 97+ keeps Chinese text as UTF-16LE pieces.
_RUN = re.compile(r"[\t\r\n\x07\u0020-\u007e\u00b7\u2014-\u201d\u3000-\u303f\u4e00-\u9fff\uff01-\uff5e]{4,}")


def _doc(body: bytes) -> AttachmentText:
    """The text runs of a Word 97 (or WPS) document's WordDocument stream.

    The piece table is not parsed: the stream is read as UTF-16LE and as single bytes, and runs of
    readable characters are kept. That finds the numbers and the labels before them, which is what
    the privacy check needs; the text order may differ from the printed one, hence status partial.
    """
    import olefile

    with olefile.OleFileIO(io.BytesIO(body)) as ole:
        stream = ole.openstream("WordDocument").read(OLE_STREAM_MAX)
    wide = stream[: len(stream) // 2 * 2].decode("utf-16-le", errors="replace")
    narrow = stream.decode("latin-1")
    runs = [m.group(0) for m in _RUN.finditer(wide) if re.search(r"[\u4e00-\u9fff]|\d{6,}", m.group(0))]
    runs += [
        m.group(0)
        for m in re.finditer(r"[\x20-\x7e\t\r\n\x07]{11,}", narrow)
        if re.search(r"\d{11}", m.group(0))
    ]
    text = "\n".join(r.replace("\x07", "\t").replace("\r", "\n") for r in runs)
    return AttachmentText("partial", "doc", text, 1, ["按文本片段读取（未解析版式）"])
