"""The fixed vocabularies of the content format, kept in one place."""

from __future__ import annotations

TOPICS: dict[str, str] = {
    "vneid": "Định danh điện tử VNeID",
    "thanh-toan-qr": "Thanh toán QR, ngân hàng số",
    "dich-vu-cong": "Dịch vụ công trực tuyến",
    "y-te-so": "Y tế số",
    "an-toan-so": "An toàn trên mạng",
    "dien-thoai": "Điện thoại thông minh, Zalo",
    "kinh-doanh-so": "Bán hàng trực tuyến",
    "tri-tue-nhan-tao": "Trợ lý trí tuệ nhân tạo",
}

# Areas of the basic digital knowledge & skills framework for citizens
# (Khung kiến thức, kỹ năng số cơ bản — Decision 757/QĐ-BKHCN, 29/4/2025).
FRAMEWORK_AREAS: dict[str, str] = {
    "thiet-bi-so": "Sử dụng thiết bị số",
    "thong-tin-du-lieu": "Khai thác thông tin và dữ liệu",
    "giao-tiep-hop-tac": "Giao tiếp và hợp tác trên môi trường số",
    "an-toan-so": "An toàn và bảo vệ trên môi trường số",
    "dich-vu-cong-tien-ich": "Sử dụng dịch vụ công trực tuyến và tiện ích số",
    "kinh-te-so": "Tham gia kinh tế số",
    "tri-tue-nhan-tao": "Ứng dụng trí tuệ nhân tạo",
}

LEVELS: dict[str, str] = {"co-ban": "Cơ bản", "nang-cao": "Nâng cao"}

STEP_HARD_LIMIT = 600  # characters; a phone screen. Authors aim for <= 350.
CHOICE_LIMIT = 60  # characters; choices become buttons

# Real tasks a lesson step can give (`practice:` on a step); bot/services/practice.py does each one.
PRACTICE_KINDS: dict[str, str] = {
    "qr-scan": "Quét mã QR bằng camera hoặc Zalo: mã mở trang thực hành của bot",
}

# Link buttons on a lesson step (`links:`): official sites only. A host matches itself and its subdomains.
LINK_HOSTS = ("gov.vn",)
LINK_LABEL_LIMIT = 40  # characters; the label is a button
LINKS_PER_STEP = 2
COMMUNE_HOTLINE = "xa"  # `phone: xa` dials the learner's commune hotline (places.yaml `hotline`)
PHONE_PATTERN = r"^\+?[0-9][0-9 .]{1,18}[0-9]$"  # as written on a poster: 113, 0237 3123 456, +84 237...
