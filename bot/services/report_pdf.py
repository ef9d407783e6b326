"""The report as a PDF (fpdf2): the same administrative document as the workbook, ready to forward.

The font must carry every Vietnamese glyph. Liberation Serif (Debian fonts-liberation, metric-
compatible with Times New Roman) is preferred; DejaVu Serif, which matplotlib ships in its wheel, is
the fallback that is always there. Nothing is downloaded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import matplotlib
from fpdf import FPDF, Align
from fpdf.fonts import FontFace

from bot.services.report_form import MOTTO, SIGNER_LEFT, SIGNER_RIGHT, ReportDoc, Table, build, show
from bot.services.stats import CommuneOverview

PDF_MIME = "application/pdf"
FAMILY = "Serif"
_STYLES = ("", "B", "I", "BI")
_LIBERATION = tuple(f"LiberationSerif-{s}" for s in ("Regular", "Bold", "Italic", "BoldItalic"))
_DEJAVU = ("DejaVuSerif", "DejaVuSerif-Bold", "DejaVuSerif-Italic", "DejaVuSerif-BoldItalic")
_FONT_DIRS = (Path("/usr/share/fonts/truetype/liberation2"), Path("/usr/share/fonts/truetype/liberation"))
_HEAD_FILL = (231, 238, 247)

logging.getLogger("fontTools").setLevel(logging.WARNING)  # it logs every subset step at INFO


class FontMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class SerifFont:
    name: str
    files: tuple[Path, Path, Path, Path]  # regular, bold, italic, bold italic


def find_serif() -> SerifFont:
    """Liberation Serif if installed, else matplotlib's DejaVu Serif; one clear error if neither is."""
    for folder in _FONT_DIRS:
        files = tuple(folder / f"{n}.ttf" for n in _LIBERATION)
        if all(f.is_file() for f in files):
            return SerifFont("Liberation Serif", files)  # type: ignore[arg-type]
    mpl = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    files = tuple(mpl / f"{n}.ttf" for n in _DEJAVU)
    if all(f.is_file() for f in files):
        return SerifFont("DejaVu Serif", files)  # type: ignore[arg-type]
    raise FontMissing("no serif font with Vietnamese glyphs: install Debian fonts-liberation (Liberation Serif)")


class _Doc(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 9)
        self.cell(0, 5, f"Trang {self.page_no()}/{{nb}}", align="C")


def _pair(pdf: FPDF, left: str, right: str, style_l: str, style_r: str, size: float = 12, under: bool = False) -> None:
    """One line of the two header blocks (left ~45% of the width, right the rest), centred in each."""
    width = pdf.epw
    lw = width * 0.45
    y = pdf.get_y()
    pdf.set_font(FAMILY, style_l, size)
    pdf.set_xy(pdf.l_margin, y)
    pdf.cell(lw, 6, left, align="C")
    pdf.set_font(FAMILY, style_r, size)
    pdf.set_xy(pdf.l_margin + lw, y)
    pdf.cell(width - lw, 6, right, align="C")
    if under:  # the short rule under the issuer and under the motto
        pdf.set_line_width(0.3)
        for x0, w, text, style in ((pdf.l_margin, lw, left, style_l), (pdf.l_margin + lw, width - lw, right, style_r)):
            pdf.set_font(FAMILY, style, size)
            tw = pdf.get_string_width(text) * (0.4 if x0 == pdf.l_margin else 1.0)
            pdf.line(x0 + (w - tw) / 2, y + 6.3, x0 + (w + tw) / 2, y + 6.3)
    pdf.set_xy(pdf.l_margin, y + 6.5)


def _head(pdf: FPDF, doc: ReportDoc, table: Table) -> None:
    _pair(pdf, doc.issuer[0], MOTTO[0], "B", "B")
    _pair(pdf, doc.issuer[1], MOTTO[1], "B", "B", 13, under=True)
    pdf.ln(2)
    _pair(pdf, doc.number, doc.place_date, "", "I")
    pdf.ln(5)
    for text, style, size in ((table.title, "B", 14), (doc.subtitle, "B", 13), (doc.period_line, "I", 12)):
        pdf.set_font(FAMILY, style, size)
        pdf.multi_cell(0, 6.5, text, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)


def _table(pdf: FPDF, table: Table) -> None:
    total = sum(table.widths)
    widths = tuple(pdf.epw * w / total for w in table.widths)
    align = tuple("LEFT" if kind == "text" else "RIGHT" for _v, kind in table.rows[0]) if table.rows else None
    pdf.set_font(FAMILY, "", 10 if table.landscape else 11)
    with pdf.table(
        col_widths=widths,
        text_align=align or "LEFT",
        headings_style=FontFace(emphasis="BOLD", fill_color=_HEAD_FILL),
        repeat_headings=1,
        line_height=pdf.font_size * 1.45,
        align=Align.C,
        width=pdf.epw,
    ) as t:
        head = t.row()
        for text in table.headers:
            head.cell(text, align="C")
        for i, cells in enumerate(table.rows, start=1):
            style = FontFace(emphasis="BOLD") if table.bold_last and i == len(table.rows) else None
            row = t.row(style=style)
            for cell in cells:
                row.cell(show(cell) if cell[0] != "" else "")


def _signature(pdf: FPDF, table: Table) -> None:
    if pdf.will_page_break(40):  # the block stays together
        pdf.add_page(orientation="L" if table.landscape else "P")
    pdf.ln(6)
    for left, right in zip(SIGNER_LEFT, SIGNER_RIGHT, strict=True):
        _pair(pdf, left, right, "I" if left.startswith("(") else "B", "I" if right.startswith("(") else "B")


def pdf_document(doc: ReportDoc) -> bytes:
    font = find_serif()
    pdf = _Doc(orientation="P", unit="mm", format="A4")
    for style, path in zip(_STYLES, font.files, strict=True):
        pdf.add_font(FAMILY, style, str(path))
    pdf.set_lang("vi")
    pdf.set_title(f"{doc.tables[0].title} {doc.subtitle}")
    pdf.set_creator("hocvuso-bot")
    pdf.set_auto_page_break(True, margin=18)
    for table in doc.tables:
        if table.landscape:  # Decree 30 margins, sides swapped for landscape
            pdf.set_margins(20, 25, 20)
        else:
            pdf.set_margins(30, 20, 15)
        pdf.add_page(orientation="L" if table.landscape else "P")
        _head(pdf, doc, table)
        _table(pdf, table)
        _signature(pdf, table)
    return bytes(pdf.output())


def overview_pdf(ov: CommuneOverview, tz: ZoneInfo, now: datetime) -> bytes:
    """The report as a PDF: the summary (portrait), then the village and lesson tables (landscape)."""
    return pdf_document(build(ov, tz, now))
