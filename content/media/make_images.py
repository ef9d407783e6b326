"""Draw the lesson pictures in content/media/ (run: .venv/bin/python content/media/make_images.py).

Simple cards and phone mock-ups, drawn with Pillow and DejaVu Sans so Vietnamese diacritics render.
Output is palette PNG, each well under 60 KB.
"""

from __future__ import annotations

import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

OUT = Path(__file__).resolve().parent
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
W, H = 800, 500

INK = (33, 37, 41)
MUTED = (90, 98, 110)
RED = (200, 35, 45)
GREEN = (30, 140, 70)
BLUE = (25, 90, 170)
PAPER = (255, 255, 255)
SOFT_RED = (253, 236, 236)
SOFT_BLUE = (232, 241, 252)
SOFT_GREEN = (232, 246, 236)
GREY = (225, 228, 232)


def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")), size)


def canvas(bg: tuple[int, int, int]) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    img = Image.new("RGB", (W, H), bg)
    return img, ImageDraw.Draw(img)


def centered(d: ImageDraw.ImageDraw, y: int, text: str, f: ImageFont.FreeTypeFont, fill: tuple[int, int, int],
             x0: int = 0, x1: int = W) -> None:
    width = d.textlength(text, font=f)
    d.text(((x0 + x1 - width) / 2, y), text, font=f, fill=fill)


def fake_qr(d: ImageDraw.ImageDraw, x: int, y: int, size: int, seed: int, color: tuple[int, int, int] = INK) -> None:
    """A QR-looking pattern (not a real, scannable code)."""
    n = 21
    m = size / n
    rnd = random.Random(seed)
    d.rectangle([x - m, y - m, x + size + m, y + size + m], fill=PAPER)

    def finder(cx: int, cy: int) -> None:
        d.rectangle([x + cx * m, y + cy * m, x + (cx + 7) * m - 1, y + (cy + 7) * m - 1], fill=color)
        d.rectangle([x + (cx + 1) * m, y + (cy + 1) * m, x + (cx + 6) * m - 1, y + (cy + 6) * m - 1], fill=PAPER)
        d.rectangle([x + (cx + 2) * m, y + (cy + 2) * m, x + (cx + 5) * m - 1, y + (cy + 5) * m - 1], fill=color)

    for r in range(n):
        for c in range(n):
            in_finder = (r < 8 and c < 8) or (r < 8 and c >= n - 8) or (r >= n - 8 and c < 8)
            if not in_finder and rnd.random() < 0.5:
                d.rectangle([x + c * m, y + r * m, x + (c + 1) * m - 1, y + (r + 1) * m - 1], fill=color)
    finder(0, 0)
    finder(n - 7, 0)
    finder(0, n - 7)


def phone(d: ImageDraw.ImageDraw, x: int, y: int, w: int, h: int) -> tuple[int, int, int, int]:
    """Draw a phone outline; return the screen box."""
    d.rounded_rectangle([x, y, x + w, y + h], radius=28, fill=INK)
    screen = (x + 12, y + 40, x + w - 12, y + h - 40)
    d.rounded_rectangle(screen, radius=8, fill=PAPER)
    d.rounded_rectangle([x + w / 2 - 30, y + 16, x + w / 2 + 30, y + 24], radius=4, fill=MUTED)
    return screen


def save(img: Image.Image, name: str) -> None:
    path = OUT / name
    img.quantize(colors=32, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)
    print(f"{path.name}: {path.stat().st_size // 1024} KB")


def vneid_kich_hoat() -> None:
    img, d = canvas(SOFT_BLUE)
    centered(d, 28, "Đăng ký VNeID mức 2", font(40, True), BLUE)
    centered(d, 84, "tại công an xã, phường", font(28), INK)
    d.rounded_rectangle([60, 140, W - 60, 440], radius=20, fill=PAPER, outline=BLUE, width=3)
    items = [
        "Thẻ căn cước gắn chip",
        "Điện thoại số chính chủ",
        "Chụp ảnh khuôn mặt, lấy vân tay",
    ]
    d.text((90, 160), "Mang theo và làm:", font=font(26, True), fill=INK)
    for i, item in enumerate(items):
        y = 215 + i * 70
        d.ellipse([95, y, 139, y + 44], fill=GREEN)
        d.text((104, y + 2), "✓", font=font(32, True), fill=PAPER)
        d.text((160, y + 4), item, font=font(30), fill=INK)
    centered(d, 455, "Không ai được đòi mã OTP, mật khẩu VNeID của bạn", font(22), RED)
    save(img, "vneid-kich-hoat.png")


def qr_thanh_toan() -> None:
    img, d = canvas(SOFT_GREEN)
    fake_qr(d, 50, 130, 210, seed=7)
    centered(d, 360, "Quét mã QR", font(26, True), INK, 20, 290)
    centered(d, 396, "bằng ứng dụng ngân hàng", font(20), MUTED, 20, 290)
    d.line([285, 235, 360, 235], fill=INK, width=6)
    d.polygon([(360, 222), (382, 235), (360, 248)], fill=INK)
    sx0, sy0, sx1, sy1 = phone(d, 400, 15, 340, 470)
    d.rectangle([sx0, sy0, sx1, sy0 + 54], fill=BLUE)
    centered(d, sy0 + 12, "Xác nhận chuyển tiền", font(22, True), PAPER, sx0, sx1)
    rows = [("Người nhận", "NGUYEN THI HOA"), ("Số tiền", "50.000 đ"), ("Nội dung", "Mua rau")]
    for i, (label, value) in enumerate(rows):
        y = sy0 + 75 + i * 80
        d.text((sx0 + 18, y), label, font=font(18), fill=MUTED)
        d.text((sx0 + 18, y + 24), value, font=font(24, True), fill=INK)
    d.rounded_rectangle([sx0 + 8, sy0 + 68, sx1 - 8, sy0 + 130], radius=10, outline=RED, width=4)
    d.rounded_rectangle([sx0 + 20, sy1 - 72, sx1 - 20, sy1 - 20], radius=12, fill=GREEN)
    centered(d, sy1 - 62, "Xác nhận", font(24, True), PAPER, sx0, sx1)
    d.rounded_rectangle([30, 20, 370, 100], radius=14, fill=RED)
    centered(d, 28, "Đọc kỹ tên người nhận", font(24, True), PAPER, 30, 370)
    centered(d, 62, "trước khi bấm Xác nhận!", font(22), PAPER, 30, 370)
    d.line([370, 60, sx0 + 8, sy0 + 96], fill=RED, width=4)
    save(img, "qr-thanh-toan.png")


def qr_gia() -> None:
    img, d = canvas(SOFT_RED)
    centered(d, 24, "Mã QR giả dán đè", font(40, True), RED)
    d.rounded_rectangle([70, 100, 370, 440], radius=16, fill=PAPER, outline=GREY, width=3)
    centered(d, 112, "QUÉT ĐỂ THANH TOÁN", font(20, True), INK, 70, 370)
    fake_qr(d, 115, 150, 210, seed=3)
    sticker = Image.new("RGBA", (230, 250), (0, 0, 0, 0))
    sd = ImageDraw.Draw(sticker)
    sd.rounded_rectangle([0, 0, 229, 249], radius=10, fill=(255, 250, 235, 255), outline=RED, width=4)
    fake_qr(sd, 20, 20, 190, seed=99, color=(60, 20, 20))
    sticker = sticker.rotate(9, expand=True)
    img.paste(sticker, (175, 190), sticker)
    d = ImageDraw.Draw(img)
    tips = ["Mã dán chồng, dán lệch,", "mép bóc dở: đáng ngờ!", "", "Luôn đọc tên người nhận.", "Tên lạ? Dừng lại,", "hỏi chủ quán."]
    for i, line in enumerate(tips):
        d.text((455, 140 + i * 44), line, font=font(25, i in (0, 1)), fill=RED if i < 2 else INK)
    save(img, "qr-gia.png")


def otp_card() -> None:
    img, d = canvas(PAPER)
    d.rounded_rectangle([20, 20, W - 20, H - 20], radius=28, fill=SOFT_RED, outline=RED, width=8)
    centered(d, 50, "MÃ OTP", font(64, True), RED)
    d.rounded_rectangle([250, 140, 550, 220], radius=14, fill=PAPER, outline=INK, width=3)
    centered(d, 150, "• • • • • •", font(44, True), INK)
    d.line([240, 230, 560, 130], fill=RED, width=10)
    centered(d, 250, "KHÔNG chia sẻ với bất kỳ ai", font(36, True), INK)
    centered(d, 320, "Công an, ngân hàng không bao giờ", font(28), INK)
    centered(d, 358, "yêu cầu mã OTP qua điện thoại.", font(28), INK)
    centered(d, 415, "Ai đòi mã OTP là kẻ lừa đảo.", font(28, True), RED)
    save(img, "otp-khong-chia-se.png")


def cuoc_goi() -> None:
    img, d = canvas(SOFT_RED)
    sx0, sy0, sx1, sy1 = phone(d, 40, 15, 300, 470)
    d.rectangle([sx0, sy0, sx1, sy1], fill=(40, 48, 60))
    centered(d, sy0 + 30, "Cuộc gọi đến", font(22), GREY, sx0, sx1)
    centered(d, sy0 + 70, "\"Công an\"", font(34, True), PAPER, sx0, sx1)
    centered(d, sy0 + 120, "Số lạ", font(20), GREY, sx0, sx1)
    centered(d, sy0 + 170, "\"Bạn liên quan vụ án,", font(18), PAPER, sx0, sx1)
    centered(d, sy0 + 196, "chuyển tiền để xác minh\"", font(18), PAPER, sx0, sx1)
    d.ellipse([sx0 + 40, sy1 - 100, sx0 + 110, sy1 - 30], fill=RED)
    d.ellipse([sx1 - 110, sy1 - 100, sx1 - 40, sy1 - 30], fill=GREEN)
    centered(d, sy1 - 80, "Cúp", font(20, True), PAPER, sx0 + 40, sx0 + 110)
    lines = [("Đòi chuyển tiền,", True), ("đòi mã OTP,", True), ("đòi cài ứng dụng lạ", True), ("= LỪA ĐẢO", True),
             ("", False), ("Công an không làm việc", False), ("qua điện thoại, Zalo.", False), ("Cúp máy, hỏi công an xã.", False)]
    for i, (line, bold) in enumerate(lines):
        d.text((380, 60 + i * 46), line, font=font(28, bold), fill=RED if bold else INK)
    save(img, "cuoc-goi-gia-danh.png")


def bi_lua_dao() -> None:
    img, d = canvas(PAPER)
    centered(d, 24, "Lỡ bị lừa? Làm ngay:", font(40, True), RED)
    steps = [
        ("1", "Gọi ngân hàng", "khóa tài khoản, tra soát"),
        ("2", "Giữ bằng chứng", "tin nhắn, số tài khoản, biên lai"),
        ("3", "Trình báo công an xã", "mang theo thẻ căn cước"),
    ]
    for i, (num, head, sub) in enumerate(steps):
        y = 100 + i * 125
        d.rounded_rectangle([50, y, W - 50, y + 105], radius=18, fill=SOFT_BLUE)
        d.ellipse([70, y + 15, 145, y + 90], fill=BLUE)
        centered(d, y + 26, num, font(40, True), PAPER, 70, 145)
        d.text((170, y + 14), head, font=font(32, True), fill=INK)
        d.text((170, y + 58), sub, font=font(24), fill=MUTED)
    centered(d, 468, "Báo cáo: canhbao.khonggianmang.gov.vn", font(20), INK)
    save(img, "bi-lua-dao.png")


def cai_ung_dung() -> None:
    img, d = canvas(SOFT_GREEN)
    centered(d, 28, "Chỉ cài ứng dụng từ kho chính thức", font(34, True), GREEN)
    for i, (name, sub) in enumerate([("CH Play", "điện thoại Android"), ("App Store", "iPhone")]):
        x = 70 + i * 340
        d.rounded_rectangle([x, 100, x + 320, 250], radius=20, fill=PAPER, outline=GREEN, width=4)
        centered(d, 130, name, font(40, True), INK, x, x + 320)
        centered(d, 190, sub, font(24), MUTED, x, x + 320)
    d.rounded_rectangle([70, 290, 730, 370], radius=16, fill=SOFT_RED, outline=RED, width=3)
    centered(d, 308, "✗  Không cài tệp .apk, link lạ gửi qua tin nhắn", font(24, True), RED, 70, 730)
    centered(d, 400, "Xem tên nhà phát triển và đánh giá trước khi cài.", font(24), INK)
    centered(d, 440, "Chỉ cho phép quyền vừa đủ.", font(24), INK)
    save(img, "cai-ung-dung.png")


if __name__ == "__main__":
    vneid_kich_hoat()
    qr_thanh_toan()
    qr_gia()
    otp_card()
    cuoc_goi()
    bi_lua_dao()
    cai_ung_dung()
