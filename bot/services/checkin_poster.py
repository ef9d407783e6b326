"""The printable A5 check-in poster of a class: PNG (Pillow) and PDF (fpdf2), same content.

Class title, lesson, time, place, the QR code of the check-in link and the numeric code in large
print, in Vietnamese. The font must carry every Vietnamese glyph: Liberation Sans (Debian
fonts-liberation2 / fonts-liberation) when installed, else DejaVu Sans, which matplotlib ships in its
wheel. Nothing is downloaded.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import segno
from fpdf import FPDF
from PIL import Image, ImageDraw, ImageFont

from bot.app_context import AppContext
from bot.db.models import Klass
from bot.services import checkin
from bot.services.classes import villages_label
from bot.services.dateparse import format_when

PDF_MIME = "application/pdf"
PNG_MIME = "image/png"
_FONT_DIRS = (Path("/usr/share/fonts/truetype/liberation2"), Path("/usr/share/fonts/truetype/liberation"))
A5_MM = (148.0, 210.0)
DPI = 200
_PX_PER_MM = DPI / 25.4


@dataclass(frozen=True)
class SansFont:
    regular: Path
    bold: Path


def find_sans() -> SansFont:
    for folder in _FONT_DIRS:
        regular, bold = folder / "LiberationSans-Regular.ttf", folder / "LiberationSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return SansFont(regular, bold)
    mpl = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    return SansFont(mpl / "DejaVuSans.ttf", mpl / "DejaVuSans-Bold.ttf")


@dataclass(frozen=True)
class PosterText:
    """What the poster says, line by line (the same on the PNG and the PDF)."""

    heading: str
    title: str
    lesson: str | None
    when: str
    place: str
    scan: str
    code_intro: str
    code_line: str
    code: str
    footer: str
    link: str


def poster_text(app: AppContext, klass: Klass) -> PosterText:
    assert klass.checkin_code and klass.checkin_token, "ensure_code() first"
    tz = app.settings.tz
    opens, closes = checkin.window(klass)
    lesson = app.catalog.get(klass.lesson_id) if klass.lesson_id else None
    return PosterText(
        heading="ĐIỂM DANH LỚP HỌC — BÌNH DÂN HỌC VỤ SỐ",
        title=klass.title,
        lesson=f"Bài học: {lesson.title}" if lesson else None,
        when=f"Thời gian: {format_when(klass.starts_at, tz)}",
        place=f"Địa điểm: {klass.place} ({villages_label(list(klass.village_ids), klass.commune_id, app.places)})",
        scan="Quét mã QR bằng camera điện thoại hoặc Zalo",
        code_intro="hoặc nhắn cho bot trên Zalo / Telegram:",
        code_line=f"điểm danh {klass.checkin_code}",
        code=klass.checkin_code,
        footer=(
            f"Điểm danh mở từ {opens.astimezone(tz):%H:%M} đến {closes.astimezone(tz):%H:%M} "
            f"ngày {klass.starts_at.astimezone(tz):%d/%m/%Y}."
        ),
        link=checkin.web_link(app, klass.checkin_token),
    )


def _qr_png(link: str, scale: int) -> bytes:
    out = io.BytesIO()
    segno.make(link, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


# ---------- PNG ----------
def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        trial = f"{current} {word}".strip()
        if draw.textlength(trial, font=font) <= width or not current:
            current = trial
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


def render_png(text: PosterText) -> bytes:
    fonts = find_sans()
    w, h = round(A5_MM[0] * _PX_PER_MM), round(A5_MM[1] * _PX_PER_MM)
    margin = round(10 * _PX_PER_MM)
    image = Image.new("RGB", (w, h), "white")
    draw = ImageDraw.Draw(image)

    def font(size_mm: float, bold: bool = False) -> ImageFont.FreeTypeFont:
        return ImageFont.truetype(str(fonts.bold if bold else fonts.regular), round(size_mm * _PX_PER_MM))

    y = float(margin)

    def lines(value: str, size_mm: float, bold: bool = False, gap_mm: float = 1.5) -> None:
        nonlocal y
        f = font(size_mm, bold)
        for line in _wrap(draw, value, f, w - 2 * margin):
            draw.text((w / 2, y), line, font=f, fill="black", anchor="ma")
            y += size_mm * 1.25 * _PX_PER_MM
        y += gap_mm * _PX_PER_MM

    lines(text.heading, 4.2, bold=True, gap_mm=3)
    lines(text.title, 8, bold=True, gap_mm=2)
    if text.lesson:
        lines(text.lesson, 4.8)
    lines(text.when, 4.8)
    lines(text.place, 4.8, gap_mm=3)
    modules = segno.make(text.link, error="m").symbol_size(scale=1, border=4)[0]
    scale = max(1, int(round(62 * _PX_PER_MM) // modules))  # whole pixels per module: sharp to scan
    qr = Image.open(io.BytesIO(_qr_png(text.link, scale))).convert("RGB")
    side = qr.width
    image.paste(qr, (round((w - side) / 2), round(y)))
    y += side + 2 * _PX_PER_MM
    lines(text.scan, 4.5)
    lines(text.code_intro, 4.5, gap_mm=1)
    lines(text.code_line, 9, bold=True, gap_mm=0.5)
    lines(text.code, 22, bold=True, gap_mm=2)
    lines(text.footer, 3.8)
    out = io.BytesIO()
    image.save(out, format="PNG", dpi=(DPI, DPI))
    return out.getvalue()


# ---------- PDF ----------
def render_pdf(text: PosterText) -> bytes:
    fonts = find_sans()
    pdf = FPDF(orientation="P", unit="mm", format=A5_MM)
    pdf.set_auto_page_break(False)
    pdf.set_margins(10, 10, 10)
    pdf.add_font("Sans", "", str(fonts.regular))
    pdf.add_font("Sans", "B", str(fonts.bold))
    pdf.set_title(f"Điểm danh: {text.title}")
    pdf.add_page()

    def lines(value: str, size_pt: float, bold: bool = False, gap: float = 1.5) -> None:
        pdf.set_font("Sans", "B" if bold else "", size_pt)
        pdf.multi_cell(0, size_pt * 0.45, value, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    lines(text.heading, 12, bold=True, gap=3)
    lines(text.title, 22, bold=True, gap=2)
    if text.lesson:
        lines(text.lesson, 13)
    lines(text.when, 13)
    lines(text.place, 13, gap=3)
    side = 62.0
    pdf.image(io.BytesIO(_qr_png(text.link, 10)), x=(A5_MM[0] - side) / 2, y=pdf.get_y(), w=side, h=side)
    pdf.set_y(pdf.get_y() + side + 2)
    lines(text.scan, 12)
    lines(text.code_intro, 12, gap=1)
    lines(text.code_line, 26, bold=True, gap=0.5)
    lines(text.code, 60, bold=True, gap=2)
    lines(text.footer, 10)
    return bytes(pdf.output())


def filename(klass: Klass, ext: str) -> str:
    return f"diem-danh-lop-{klass.id}.{ext}"


def save_png(app: AppContext, png: bytes) -> Path:
    """The PNG where channels that send pictures by URL (Zalo) find it: /media/practice/<hash>.png."""
    folder = app.settings.practice_dir
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"poster-{hashlib.sha256(png).hexdigest()[:32]}.png"
    if not path.exists():
        path.write_bytes(png)
    return path
