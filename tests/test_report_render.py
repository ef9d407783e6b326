"""The monthly report as a commune prints it: the demo commune's .xlsx rendered by LibreOffice and
the PDF, each checked page by page (A4, at most 2 pages per sheet, the motto, the signature block,
named fonts, a page that is not blank)."""

from __future__ import annotations

import asyncio
import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image

from bot.formatting import fmt_int
from bot.runtime import Runtime
from bot.services import periods, reports, stats
from bot.services.demo import seed_demo
from bot.services.report_form import FONT_NAME, MOTTO, SIGNER_LEFT, SIGNER_RIGHT

LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")
POPPLER = all(shutil.which(t) for t in ("pdftoppm", "pdftotext", "pdfinfo", "pdffonts"))
needs_poppler = pytest.mark.skipif(not POPPLER, reason="poppler-utils (pdftoppm, pdftotext) not installed")
needs_libreoffice = pytest.mark.skipif(not LIBREOFFICE, reason="LibreOffice (Debian libreoffice-calc) not installed")
A4 = (595, 842)


async def _demo_report(runtime: Runtime) -> tuple[stats.CommuneOverview, bytes, bytes]:
    app = runtime.app_ctx
    async with runtime.sessionmaker() as session, session.begin():
        await seed_demo(session, app, 600, app.clock(), seed=7)
    period = periods.month_period(2026, 10, app.settings.tz)
    async with runtime.sessionmaker() as session:
        ov = await stats.commune_overview(session, app, "ha-long", period, with_trend=False)
    now = app.clock()
    return ov, reports.overview_xlsx(ov, app.settings.tz, now), reports.overview_pdf(ov, app.settings.tz, now)


def _run(*cmd: str) -> str:
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=180).stdout


def _pages(pdf: Path) -> list[tuple[tuple[int, int], str]]:
    """(size in points, text) of every page."""
    n = int(re.search(r"Pages:\s+(\d+)", _run("pdfinfo", str(pdf))).group(1))  # type: ignore[union-attr]
    sizes = re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", _run("pdfinfo", "-f", "1", "-l", str(n), str(pdf)))
    texts = [_run("pdftotext", "-f", str(i), "-l", str(i), "-layout", str(pdf), "-") for i in range(1, n + 1)]
    return [((round(float(w)), round(float(h))), t) for (w, h), t in zip(sizes, texts, strict=True)]


def _check_document(pdf: Path, sheets: int, ov: stats.CommuneOverview) -> None:
    pages = _pages(pdf)
    for size, _text in pages:
        assert size in (A4, A4[::-1]), f"page size {size} is not A4"
    # each sheet starts with the heading block (the motto), so the motto splits the pages by sheet
    starts = [i for i, (_s, text) in enumerate(pages) if MOTTO[0] in text]
    assert len(starts) == sheets, f"{len(starts)} headings for {sheets} sheets"
    bounds = [*starts, len(pages)]
    for k in range(sheets):
        chunk = [text for _s, text in pages[bounds[k] : bounds[k + 1]]]
        assert 1 <= len(chunk) <= 2, f"sheet {k + 1} prints on {len(chunk)} pages"
        whole = "\n".join(chunk)
        assert MOTTO[1] in whole and "ỦY BAN NHÂN DÂN" in whole and "XÃ HÀ LONG" in whole
        assert "Hà Long, ngày 20 tháng 11 năm 2026" in whole
        assert SIGNER_LEFT[0] in whole and SIGNER_RIGHT[0] in whole and SIGNER_RIGHT[1] in whole
    village_text = "\n".join(t for _s, t in pages[bounds[1] : bounds[2]])
    total = next(line for line in village_text.splitlines() if "Tổng cộng" in line)
    assert fmt_int(ov.totals.adults) in total
    # every font is a serif embedded in the file (Times New Roman or its metric twin), none a fallback
    fonts = _run("pdffonts", str(pdf)).splitlines()[2:]
    assert fonts and all(("Serif" in f or "Times" in f) and " yes " in f for f in fonts), fonts
    # a rasterized page has ink on it
    png = pdf.with_suffix("")
    _run("pdftoppm", "-png", "-r", "40", "-f", "2", "-l", "2", "-singlefile", str(pdf), str(png))
    gray = Image.open(png.with_suffix(".png")).convert("L")
    dark = sum(gray.histogram()[:128])  # pixels darker than mid-grey
    assert dark > 0.01 * gray.width * gray.height, "the rendered page is blank"


def _check_fonts_named(body: bytes) -> None:
    wb = load_workbook(io.BytesIO(body))
    for ws in wb.worksheets:
        for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=ws.max_column):
            for cell in row:
                assert cell.font.name == FONT_NAME, (ws.title, cell.coordinate, cell.font.name)
        assert int(ws.page_setup.paperSize or 0) == 9  # A4
        assert ws.page_setup.fitToWidth == 1 and ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows in ("9:9", "$9:$9") and ws.cell(9, 1).value in ("STT", "Mã bài")
    assert wb["Tổng hợp"].page_setup.orientation == "portrait"
    assert wb["Theo thôn"].page_setup.orientation == "landscape"
    styles = zipfile.ZipFile(io.BytesIO(body)).read("xl/styles.xml").decode()
    names = re.findall(r'<name val="([^"]+)"', styles)
    assert names and set(names) == {FONT_NAME}, set(names)


@needs_libreoffice
@needs_poppler
@pytest.mark.slow
async def test_xlsx_prints_as_an_administrative_document(runtime: Runtime, tmp_path: Path) -> None:
    ov, body, _pdf = await _demo_report(runtime)
    _check_fonts_named(body)
    src = tmp_path / "bao-cao.xlsx"
    src.write_bytes(body)
    profile = (tmp_path / "lo-profile").as_uri()  # its own profile: never collides with another soffice
    convert = [LIBREOFFICE or "", f"-env:UserInstallation={profile}", "--headless", "--convert-to", "pdf"]
    await asyncio.to_thread(
        subprocess.run, [*convert, "--outdir", str(tmp_path), str(src)], check=True, capture_output=True, timeout=240
    )
    _check_document(tmp_path / "bao-cao.pdf", 3, ov)


@needs_poppler
async def test_pdf_report(runtime: Runtime, tmp_path: Path) -> None:
    ov, _xlsx, body = await _demo_report(runtime)
    assert body.startswith(b"%PDF-")
    out = tmp_path / "bao-cao.pdf"
    out.write_bytes(body)
    _check_document(out, 3, ov)
    text = _run("pdftotext", str(out), "-")
    assert "Kết quả thực hiện Phong trào “Bình dân học vụ số” tháng 10/2026" in text
    assert "(Số liệu từ ngày 01/10/2026 đến ngày 31/10/2026)" in text
