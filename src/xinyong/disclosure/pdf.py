"""Credit reports as PDF in Chinese, with an embedded CJK font (DIS-7, DIS-10).

fpdf2 is used: pure Python, it embeds only the glyphs a report uses (a report is tens of KB, not the 20 MB of
the font) and reads the TrueType collections Debian ships. The font is looked for in the deployment's data
directory first (``fonts/``), then among the system's CJK fonts; a platform without one refuses to issue a
report, saying what to install, rather than printing empty boxes.

The renderer is pure: content in, bytes out. What goes into a report is decided in ``disclosure.reports``;
the documents a list procedure serves (``lists.documents``) use the same layout and call themselves 文书.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import WrapMode, XPos, YPos

from xinyong.errors import XinyongError


@dataclass(frozen=True)
class FontFile:
    path: Path
    index: int = 0  # the face inside a TrueType collection


# Debian's fonts-noto-cjk (face 2 of the collection is Simplified Chinese), then other common CJK fonts.
SYSTEM_FONTS = (
    FontFile(Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"), 2),
    FontFile(Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"), 2),
    FontFile(Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"), 0),
    FontFile(Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"), 0),
    FontFile(Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"), 0),
)


def find_font(data_dir: Path) -> FontFile:
    own = sorted(p for p in (data_dir / "fonts").glob("*") if p.suffix.lower() in (".ttf", ".otf", ".ttc"))
    for candidate in [FontFile(p) for p in own] + list(SYSTEM_FONTS):
        if candidate.path.is_file():
            return candidate
    raise XinyongError(
        "report.font_missing",
        "未找到中文字体，无法生成信用报告：请安装 fonts-noto-cjk（Debian：apt-get install fonts-noto-cjk），"
        f"或将 TTF/OTF 字体放入 {data_dir / 'fonts'}",
    )


@dataclass(frozen=True)
class Entry:
    """One item in a report: a heading, a line of facts, its fields, its history, and a mark when it is
    under objection, repaired or no longer public (never silently dropped from the subject's own report)."""

    title: str
    meta: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    history: list[str] = field(default_factory=list)
    mark: str | None = None


@dataclass(frozen=True)
class Section:
    """A numbered part: paragraphs of running text (a served document's wording), then its entries."""

    title: str
    entries: list[Entry]
    empty: str = "未查询到相关信息。"
    note: str | None = None
    paragraphs: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class ReportContent:
    title: str
    number: str
    code: str
    verify_url: str
    as_of: str
    issued_to: str
    subject: list[tuple[str, str]]
    sections: list[Section]
    notes: list[str]
    # What the document calls itself (编号, 核验) and how its header names the date and the addressee.
    noun: str = "报告"
    as_of_label: str = "信息截止日期"
    issued_to_label: str = "报告出具对象"
    subject_heading: str = "信用主体基本信息"


class _Document(FPDF):
    def __init__(self, content: ReportContent, font: FontFile) -> None:
        super().__init__(format="A4")
        self.content = content
        self.add_font("cjk", fname=str(font.path), collection_font_number=font.index)
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(18, 18, 18)
        self.alias_nb_pages()

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("cjk", size=8)
        self.set_text_color(110, 110, 110)
        number = f"{self.content.noun}编号 {self.content.number}"
        self.cell(0, 6, f"{number}    第 {self.page_no()} 页 / 共 {{nb}} 页", align="C")


def _text(doc: _Document, text: str, *, size: float = 10.5, height: float = 6, color: int = 30) -> None:
    doc.set_font("cjk", size=size)
    doc.set_text_color(color, color, color)
    doc.multi_cell(0, height, text, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _pairs(doc: _Document, pairs: list[tuple[str, str]], *, size: float = 10) -> None:
    doc.set_font("cjk", size=size)
    label_width = 46
    for label, value in pairs:
        if doc.get_y() > doc.h - 30:  # a pair is never split across pages
            doc.add_page()
        top = doc.get_y()
        doc.set_text_color(90, 90, 90)
        doc.multi_cell(label_width, 5.5, label, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        label_bottom = doc.get_y()
        doc.set_xy(doc.l_margin + label_width, top)
        doc.set_text_color(30, 30, 30)
        doc.multi_cell(0, 5.5, value or "—", wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        doc.set_y(max(doc.get_y(), label_bottom))


def _heading(doc: _Document, text: str) -> None:
    if doc.get_y() > doc.h - 45:  # a heading never ends a page alone
        doc.add_page()
    doc.ln(3)
    doc.set_fill_color(11, 74, 139)
    doc.set_text_color(255, 255, 255)
    doc.set_font("cjk", size=12)
    doc.cell(0, 8, f"  {text}", fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    doc.ln(2)


def render(content: ReportContent, font: FontFile) -> bytes:
    doc = _Document(content, font)
    doc.set_title(content.title)
    doc.set_creator("xinyong")
    doc.add_page()
    doc.set_font("cjk", size=20)
    doc.set_text_color(11, 74, 139)
    doc.cell(0, 14, content.title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    _pairs(
        doc,
        [
            (f"{content.noun}编号", content.number),
            (content.as_of_label, content.as_of),
            (content.issued_to_label, content.issued_to),
        ],
    )
    _heading(doc, f"一、{content.subject_heading}")
    _pairs(doc, content.subject)
    for number, section in enumerate(content.sections, start=2):
        _heading(doc, f"{_ORDINALS[number]}、{section.title}")
        if section.note:
            _text(doc, section.note, size=9, color=90)
        for paragraph in section.paragraphs:
            _text(doc, paragraph)
        if not section.entries and not section.paragraphs:
            _text(doc, section.empty)
        for entry in section.entries:
            doc.set_font("cjk", size=11)
            doc.set_text_color(20, 20, 20)
            title = f"{entry.title}【{entry.mark}】" if entry.mark else entry.title
            doc.multi_cell(0, 7, title, wrapmode=WrapMode.CHAR, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            _text(doc, entry.meta, size=9, height=5, color=90)
            _pairs(doc, entry.fields, size=9)
            for line in entry.history:
                _text(doc, f"· {line}", size=8.5, height=4.8, color=90)
            doc.ln(2)
    noun = content.noun
    _heading(doc, f"{_ORDINALS[len(content.sections) + 2]}、{noun}核验")
    _pairs(
        doc,
        [
            (f"{noun}编号", content.number),
            ("验证码", content.code),
            ("核验地址", content.verify_url),
        ],
    )
    _text(
        doc,
        f"凭{noun}编号和验证码可在上述地址核验本{noun}是否由平台出具，并可上传本文件比对其摘要；"
        "内容经过任何改动的文件无法通过核验。",
        size=9,
        color=90,
    )
    for note in content.notes:
        _text(doc, note, size=8.5, height=4.8, color=110)
    return bytes(doc.output())


_ORDINALS = {i: c for i, c in enumerate("〇一二三四五六七八九十", start=0)} | {11: "十一", 12: "十二"}
