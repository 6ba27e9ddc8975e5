"""Word documents of the 周通报 and 月考核 in 公文 layout (GB/T 9704-2012), written with python-docx.

Offices edit, stamp and file Word documents, not web pages: the notice is issued from this file.
The layout follows the standard's usual values: A4, margins 37/35/28/26 mm, body in 3号 (16 pt)
仿宋 with 28 pt fixed line spacing and a two-character first-line indent, the 发文机关标志 in red
小标宋 over a red rule, 一、 headings in 黑体 and （一） in 楷体, the 附件说明 after the body, the
落款 and 成文日期 to the right, the 附件 on pages of their own, page numbers 「— 1 —」 at the foot.

Font names are the ones Chinese offices install (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312, 黑体); each
run also names the Windows font that stands in for it (仿宋, 楷体, 宋体) in the document's font
table, so a machine without the GB2312 fonts shows the same families, not a Latin fallback.
Everything shown comes from the same view as the HTML page (weekly.WeeklyView, monthly.MonthlyView),
so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

TITLE_FONT, BODY_FONT, HEAD_FONT, KAI_FONT = "方正小标宋简体", "仿宋_GB2312", "黑体", "楷体_GB2312"
# The font a machine without the first uses (w:altName in the font table).
ALT_FONTS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", KAI_FONT: "楷体", HEAD_FONT: "SimHei"}
RED = RGBColor(0xE6, 0x00, 0x12)
BODY_PT, TITLE_PT, MAST_PT = 16, 22, 26


def cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


class Gongwen:
    """A 公文 being written: paragraphs in the standard's styles, tables for the 附件."""

    def __init__(self) -> None:
        self.doc = Document()
        sec = self.doc.sections[0]
        sec.page_width, sec.page_height = Mm(210), Mm(297)
        sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
        sec.left_margin, sec.right_margin = Mm(28), Mm(26)
        normal = self.doc.styles["Normal"]
        normal.font.size = Pt(BODY_PT)
        self._fonts(normal.element.get_or_add_rPr(), BODY_FONT)
        fmt = normal.paragraph_format
        fmt.line_spacing_rule, fmt.line_spacing = WD_LINE_SPACING.EXACTLY, Pt(28)
        fmt.space_before = fmt.space_after = Pt(0)
        self._page_numbers(sec)
        self._alt_names()

    # -- fonts -----------------------------------------------------------------------------------
    @staticmethod
    def _fonts(rpr, east_asia: str) -> None:
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            fonts = OxmlElement("w:rFonts")
            rpr.insert(0, fonts)
        for attr in ("w:ascii", "w:hAnsi"):
            fonts.set(qn(attr), "Times New Roman")
        fonts.set(qn("w:eastAsia"), east_asia)

    def _alt_names(self) -> None:
        """Name each office font's stand-in in the font table (w:font/w:altName)."""
        fonts_part = next(
            (p for p in self.doc.part.package.iter_parts() if p.partname.endswith("fontTable.xml")), None
        )
        if fonts_part is None:  # pragma: no cover - python-docx's template always has one
            return
        from lxml import etree

        root = etree.fromstring(fonts_part.blob)
        for name, alt in ALT_FONTS.items():
            font = etree.SubElement(root, qn("w:font"))
            font.set(qn("w:name"), name)
            alt_el = etree.SubElement(font, qn("w:altName"))
            alt_el.set(qn("w:val"), alt)
            charset = etree.SubElement(font, qn("w:charset"))
            charset.set(qn("w:val"), "86")  # GB2312
        # python-docx keeps the font table as a generic part (not an XmlPart): its bytes are replaced
        fonts_part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _page_numbers(self, sec) -> None:
        """「— N —」 at the foot of every page in 4号 (14 pt), a PAGE field Word fills in."""
        p = sec.footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self._run(p, "— ", BODY_FONT, 14)
        run = p.add_run()
        for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
            if kind:
                el = OxmlElement("w:fldChar")
                el.set(qn("w:fldCharType"), kind)
            else:
                el = OxmlElement("w:instrText")
                el.set(qn("xml:space"), "preserve")
                el.text = text
            run._r.append(el)
        self._run(p, " —", BODY_FONT, 14)

    # -- paragraphs ------------------------------------------------------------------------------
    def _run(self, p, text: str, font: str = BODY_FONT, size: float = BODY_PT, bold=False, color=None):
        run = p.add_run(text)
        run.font.size = Pt(size)
        run.bold = bold
        if color is not None:
            run.font.color.rgb = color
        self._fonts(run._r.get_or_add_rPr(), font)
        return run

    def para(
        self,
        text: str = "",
        *,
        font: str = BODY_FONT,
        size: float = BODY_PT,
        align=None,
        indent: bool = True,
        bold: bool = False,
        color=None,
    ):
        p = self.doc.add_paragraph()
        if align is not None:
            p.alignment = align
        if indent and align is None:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        if text:
            self._run(p, text, font, size, bold, color)
        return p

    def masthead(self, issuer: str, numbers: Sequence[str]) -> None:
        """发文机关标志 in red over the 期号/文号 line and the red rule."""
        self.para(issuer, font=TITLE_FONT, size=MAST_PT, align=WD_ALIGN_PARAGRAPH.CENTER, color=RED)
        p = self.para("　　".join(n for n in numbers if n), align=WD_ALIGN_PARAGRAPH.CENTER)
        p.paragraph_format.space_before = Pt(12)
        border = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for k, v in (("w:val", "single"), ("w:sz", "18"), ("w:space", "4"), ("w:color", "E60012")):
            bottom.set(qn(k), v)
        border.append(bottom)
        p._p.get_or_add_pPr().append(border)

    def title(self, text: str) -> None:
        p = self.para(text, font=TITLE_FONT, size=TITLE_PT, align=WD_ALIGN_PARAGRAPH.CENTER)
        p.paragraph_format.space_before = Pt(28)
        p.paragraph_format.line_spacing = Pt(36)
        p.paragraph_format.space_after = Pt(14)

    def recipients(self, text: str) -> None:
        if text:
            self.para(f"{text}：", indent=False)

    def heading(self, text: str) -> None:
        self.para(text, font=HEAD_FONT)

    def subheading(self, text: str) -> None:
        self.para(text, font=KAI_FONT)

    def annex_note(self, names: Sequence[str]) -> None:
        """附件说明: 「附件：1. …」 after the body, two characters in."""
        for i, name in enumerate(names, 1):
            head = "附件：" if i == 1 else "　　　"
            self.para(f"{head}{i}. {name}" if len(names) > 1 else f"附件：{name}")

    def signature(self, issuer: str, day: date) -> None:
        """落款 and 成文日期, right-aligned with four characters to spare."""
        self.para()
        for text in (issuer, cn_date(day)):
            p = self.para(text, align=WD_ALIGN_PARAGRAPH.RIGHT)
            p.paragraph_format.right_indent = Pt(BODY_PT * 4)

    def annex(self, n: int | None, title: str) -> None:
        """A 附件 on a page of its own: 「附件N」 in 黑体 top left, then its title."""
        p = self.doc.add_paragraph()
        p.add_run().add_break(WD_BREAK.PAGE)
        self.para(f"附件{n}" if n else "附件", font=HEAD_FONT, indent=False)
        p = self.para(title, font=TITLE_FONT, size=18, align=WD_ALIGN_PARAGRAPH.CENTER)
        p.paragraph_format.space_after = Pt(10)

    def table(self, header: Sequence[str], rows: Sequence[Sequence[Any]], widths_mm: Sequence[float]) -> None:
        """A 附件 table in 4号 仿宋 (14 pt), header row in 黑体, repeated on each page."""
        t = self.doc.add_table(rows=1, cols=len(header))
        t.style = "Table Grid"
        t.alignment = WD_TABLE_ALIGNMENT.CENTER
        hdr = t.rows[0]
        tr_pr = hdr._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        tr_pr.append(repeat)
        for cell, text in zip(hdr.cells, header, strict=True):
            self._cell(cell, text, HEAD_FONT)
        for row in rows:
            cells = t.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                self._cell(cell, "—" if value is None else str(value), BODY_FONT)
        for row in t.rows:
            for cell, w in zip(row.cells, widths_mm, strict=True):
                cell.width = Mm(w)

    def _cell(self, cell, text: str, font: str) -> None:
        p = cell.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
        p.paragraph_format.first_line_indent = None
        self._run(p, text, font, 12)

    def save(self, path: Path) -> Path:
        self.doc.save(str(path))
        return path


__all__ = ["Gongwen", "cn_date"]
