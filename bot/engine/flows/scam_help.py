"""Someone who was just scammed or hacked: an urgent card first (lock the account, call the police,
what not to do), then the lesson on what to do next."""

from __future__ import annotations

import re

from bot import callbacks as cb
from bot.content.loader import Catalog
from bot.messages import Button, Reply
from bot.text import fold

# Folded phrases that say "it already happened to me" (not "teach me about scams").
_URGENT = re.compile(
    r"\b("
    r"bi lua|lua mat|mat tien|mat het tien|bi lay tien|bi lay mat|bi trom tien|bi rut tien|tru tien"
    r"|lo chuyen|chuyen nham|lo dua (ma )?otp|lo doc (ma )?otp|lo cho (ma )?otp|lo bam"
    r"|bi hack|hack (zalo|facebook|fb|tai khoan|nick)|bi chiem|mat (tai khoan|zalo|nick|facebook)"
    r"|bi ke gian|bi lua dao"
    r")\b"
)
HELP_LESSON = "bi-lua-dao-lam-gi"

URGENT_CARD = (
    "🚨 LÀM NGAY, ĐỪNG CHỜ:\n"
    "1. Gọi ngay tổng đài ngân hàng của bạn (số in sau thẻ ngân hàng) để KHÓA tài khoản, khóa thẻ "
    "và đề nghị tra soát giao dịch.\n"
    "2. Gọi 113 hoặc đến công an xã gần nhất để trình báo. Mang theo thẻ căn cước.\n"
    "3. Bị chiếm Zalo, Facebook: nhờ người thân báo ngay cho bạn bè «đừng chuyển tiền cho tài khoản đó», "
    "rồi đổi mật khẩu.\n\n"
    "⛔ TUYỆT ĐỐI KHÔNG:\n"
    "• không chuyển thêm tiền, kể cả khi ai đó hứa «lấy lại tiền giúp»;\n"
    "• không đọc mã OTP, mật khẩu cho bất kỳ ai;\n"
    "• không bấm vào đường link lạ, không cài ứng dụng theo lời người lạ;\n"
    "• không xóa tin nhắn, lịch sử cuộc gọi: đó là bằng chứng.\n\n"
    "Bạn không có lỗi. Làm càng sớm càng có cơ hội giữ lại tiền."
)


def is_urgent(text: str) -> bool:
    """True when the text says the person was scammed, lost money or had an account taken."""
    return bool(_URGENT.search(fold(text)))


def urgent_replies(catalog: Catalog, more: list[Button]) -> list[Reply]:
    """The urgent card, then the lessons — «what to do» first — under a short line."""
    lesson = catalog.get(HELP_LESSON)
    first = [cb.OpenLesson(lesson.id).button(lesson.title[:60])] if lesson else []
    buttons = first + [b for b in more if not first or b.payload != first[0].payload]
    after = Reply("Sau khi gọi điện, bạn học bài này để biết làm gì tiếp nhé:", buttons=tuple((b,) for b in buttons))
    return [Reply(URGENT_CARD), after]
