"""The monthly report as an administrative document (Decree 30/2020/NĐ-CP conventions), format-free.

Both the .xlsx and the PDF are drawn from the same `ReportDoc`: the issuing body (top left), the
national motto (top right), the number and the place-and-date line, a title, the tables and the
signature block. The renderers decide only fonts, sizes and page layout.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.formatting import fmt_date, fmt_int, fmt_pct
from bot.services.periods import period_bounds
from bot.services.stats import AreaStats, CommuneOverview

FONT_NAME = "Times New Roman"
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
SIGNER_LEFT = ("NGƯỜI LẬP BIỂU", "", "(Ký, ghi rõ họ tên)")
SIGNER_RIGHT = ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH", "(Ký tên, đóng dấu)")
MOVEMENT = "Phong trào “Bình dân học vụ số”"

VILLAGE_HEADERS = [
    "Thôn",
    "Người trưởng thành (ước tính)",
    "Người dân đăng ký",
    "Hoạt động 30 ngày",
    "Lượt hoàn thành bài học",
    "Hoàn thành bộ bài cốt lõi",
    "Tỷ lệ bao phủ",
    "Lượt làm bài kiểm tra",
    "Tỷ lệ đạt bài kiểm tra",
    "Lượt tham dự lớp học",
    "Người thực hành (quét mã QR thật)",
    "Được hướng dẫn trực tiếp (không dùng điện thoại)",
    "Đạt mục tiêu",
    "Người hoàn thành thêm trong 4 tuần",
    "Dự kiến đạt 80% (tháng)",
    "Đánh giá tiến độ",
]
LESSON_HEADERS = ["Mã bài", "Tên bài học", "Bài cốt lõi", "Tổng lượt hoàn thành"]

# A cell is a value plus how to show it: "int", "pct", "text".
Cell = tuple[object, str]


@dataclass(frozen=True)
class Table:
    sheet: str  # sheet name in the workbook
    title: str
    headers: list[str]
    widths: list[int]  # in characters (xlsx column widths; the PDF scales them to the page)
    rows: list[list[Cell]]
    landscape: bool
    bold_last: bool = False  # a "Tổng cộng" row


@dataclass(frozen=True)
class ReportDoc:
    issuer: tuple[str, str]  # ("ỦY BAN NHÂN DÂN", "XÃ HÀ LONG")
    number: str  # "Số:      /BC-UBND"
    place_date: str  # "Hà Long, ngày 20 tháng 11 năm 2026"
    subtitle: str  # what and when, under each table's title
    period_line: str  # "(Số liệu từ ngày 01/10/2026 đến ngày 31/10/2026)"
    tables: list[Table]


def place_name(commune_name: str) -> str:
    """ "Xã Hà Long" -> "Hà Long" (the place in the date line)."""
    for prefix in ("Xã ", "Phường ", "Thị trấn ", "Đặc khu "):
        if commune_name.startswith(prefix):
            return commune_name[len(prefix) :]
    return commune_name


def date_line(place: str, when: datetime) -> str:
    """Decree 30: days below 10 and months 1-2 take a leading zero."""
    month = f"{when.month:02d}" if when.month < 3 else str(when.month)
    return f"{place}, ngày {when.day:02d} tháng {month} năm {when.year}"


def yes_no(flag: bool) -> str:
    return "Đạt" if flag else "Chưa đạt"


def show(cell: Cell) -> str:
    """A cell as text (the PDF, and the width estimate)."""
    value, kind = cell
    if value is None:
        return "–"
    if kind == "int" and isinstance(value, int):
        return fmt_int(value)
    if kind == "pct" and isinstance(value, float):
        return fmt_pct(value)
    return str(value)


def _rate(x: float | None) -> float | None:
    return round(x, 4) if x is not None else None


def village_cells(a: AreaStats) -> list[Cell]:
    return [
        (a.name, "text"),
        (a.adults, "int"),
        (a.registered, "int"),
        (a.active_30d, "int"),
        (a.completions, "int"),
        (a.covered, "int"),
        (round(a.coverage, 4), "pct"),
        (a.quiz_attempts, "int"),
        (_rate(a.quiz_pass_rate), "pct"),
        (a.attendance, "int"),
        (a.practiced, "int"),
        (a.guided, "int"),
        (yes_no(a.meets_target), "text"),
        *_pace_cells(a),
    ]


def _pace_cells(a: AreaStats) -> list[Cell]:
    p = a.pace
    if p is None or not a.adults:
        return [(None, "int"), ("–", "text"), ("–", "text")]
    return [(p.gained, "int"), (p.reach_month, "text"), (p.verdict, "text")]


def _pace_rows(ov: CommuneOverview) -> list[tuple[str, str, Cell]]:
    p = ov.totals.pace
    if p is None:
        return []
    return [
        ("Người hoàn thành bộ bài cốt lõi trong 4 tuần qua", "người", (p.gained, "int")),
        ("Dự kiến đạt mục tiêu (theo tốc độ 4 tuần qua)", "tháng", (p.reach_month, "text")),
        (f"Đánh giá tiến độ (hạn {fmt_date(p.campaign_end)})", "", (p.verdict, "text")),
    ]


def _summary(ov: CommuneOverview) -> Table:
    t = ov.totals
    rows: list[tuple[str, str, Cell]] = [
        ("Người trưởng thành (ước tính)", "người", (t.adults, "int")),
        ("Người dân đăng ký", "người", (t.registered, "int")),
        ("Hoạt động trong 30 ngày", "người", (t.active_30d, "int")),
        ("Lượt hoàn thành bài học trong kỳ", "lượt", (t.completions, "int")),
        ("Người hoàn thành bộ bài cốt lõi (lũy kế)", "người", (t.covered, "int")),
        ("Trong đó: học cùng Tổ công nghệ số, không dùng điện thoại", "người", (t.guided_core, "int")),
        ("Tỷ lệ bao phủ", "%", (round(t.coverage, 4), "pct")),
        ("Mục tiêu", "%", (ov.target, "pct")),
        ("Đánh giá", "", (yes_no(t.meets_target), "text")),
        *_pace_rows(ov),
        ("Lượt làm bài kiểm tra", "lượt", (t.quiz_attempts, "int")),
        ("Tỷ lệ đạt bài kiểm tra", "%", (_rate(t.quiz_pass_rate), "pct")),
        ("Số lớp học đã tổ chức", "lớp", (ov.classes, "int")),
        ("Lượt tham dự lớp học", "lượt", (t.attendance, "int")),
        ("Người thực hành (tự quét mã QR thật)", "người", (t.practiced, "int")),
        ("Người được hướng dẫn trực tiếp (không dùng điện thoại)", "người", (t.guided, "int")),
        ("Số bài cốt lõi", "bài", (ov.core_count, "int")),
    ]
    return Table(
        "Tổng hợp",
        "BÁO CÁO",
        ["STT", "Chỉ tiêu", "Đơn vị tính", "Kết quả"],
        [6, 40, 14, 32],
        [[(n, "int"), (label, "text"), (unit, "text"), value] for n, (label, unit, value) in enumerate(rows, 1)],
        landscape=False,
    )


def _villages(ov: CommuneOverview) -> Table:
    rows = [[(n, "int"), *village_cells(a)] for n, a in enumerate(ov.villages, 1)]
    total = village_cells(ov.totals)
    total[0] = ("Tổng cộng", "text")
    rows.append([("", "text"), *total])
    return Table(
        "Theo thôn",
        "BIỂU 01: KẾT QUẢ THEO THÔN",
        ["STT", *VILLAGE_HEADERS],
        [5, 18, 12, 10, 10, 11, 11, 9, 11, 10, 10, 10, 12, 9, 12, 11, 11],
        rows,
        landscape=True,
        bold_last=True,
    )


def _lessons(ov: CommuneOverview) -> Table:
    villages = ov.villages
    rows: list[list[Cell]] = [
        [
            (lesson.id, "text"),
            (lesson.title, "text"),
            ("Có" if lesson.core else "Không", "text"),
            (lesson.completions, "int"),
            *[(lesson.by_village.get(v.id, 0), "int") for v in villages],
        ]
        for lesson in ov.lessons
    ]
    return Table(
        "Theo bài học",
        "BIỂU 02: KẾT QUẢ THEO BÀI HỌC",
        [*LESSON_HEADERS, *[v.name for v in villages]],
        [24, 48, 8, 12] + [10] * len(villages),
        rows,
        landscape=True,
    )


def build(ov: CommuneOverview, tz: ZoneInfo, now: datetime) -> ReportDoc:
    first, last = period_bounds(ov.period, tz)
    span = f"từ ngày {fmt_date(first)} đến ngày {fmt_date(last)}" if first else f"đến ngày {fmt_date(last)}"
    return ReportDoc(
        issuer=("ỦY BAN NHÂN DÂN", ov.name.upper()),
        number="Số:        /BC-UBND",
        place_date=date_line(place_name(ov.name), now.astimezone(tz)),
        subtitle=f"Kết quả thực hiện {MOVEMENT} {ov.period.label}",
        period_line=f"(Số liệu {span})",
        tables=[_summary(ov), _villages(ov), _lessons(ov)],
    )
