"""Hostile attachments, as the tests serve and read them: a 50 MB PDF, a zip bomb DOCX (declared and
lying variants), an encrypted PDF. Built with the demo network's makers (zwgk_demonet/files.py)."""

from __future__ import annotations

import io
import zipfile

from zwgk_demonet import files

MB = 1024 * 1024


def huge_pdf(pages: int = 3000, size: int = 50 * MB) -> bytes:
    """A real, readable PDF of `pages` pages padded to `size` bytes."""
    text = [[f"第{i + 1}页 汇总数据 联系电话：0571-87654321"] * 40 for i in range(pages)]
    body = files.pdf(text)
    return files.pdf(text, padding=max(0, size - len(body)))


def bomb_docx(unpacked: int = 256 * MB) -> bytes:
    """A DOCX whose document.xml unpacks to `unpacked` bytes from about a thousandth of that."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w") as f:
            chunk = b"0" * MB
            for _ in range(unpacked // MB):
                f.write(chunk)
    return buf.getvalue()


def lying_bomb_docx(unpacked: int = 256 * MB) -> bytes:
    """The same bomb with its central directory rewritten to claim 1 KiB: the sizes lie, the
    deflate stream still unpacks to `unpacked`."""
    data = bytearray(bomb_docx(unpacked))
    at = data.find(b"PK\x01\x02")
    while at != -1:
        name_len = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + name_len] == b"word/document.xml":
            data[at + 24 : at + 28] = (1024).to_bytes(4, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def encrypted_pdf(password: str = "secret") -> bytes:
    from pypdf import PdfReader, PdfWriter

    plain = files.pdf([["拟补助对象名单", "身份证号：110101199003074514"]])
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(plain)))
    writer.encrypt(user_password=password, owner_password="owner", algorithm="AES-256")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


HOSTILE_FILES = {
    "huge.pdf": lambda: (huge_pdf(), files.PDF),
    "bomb.docx": lambda: (bomb_docx(), files.DOCX),
    "locked.pdf": lambda: (encrypted_pdf(), files.PDF),
}
