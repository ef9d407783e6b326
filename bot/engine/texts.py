"""Vietnamese texts of the resident flows (kept together so they can be reviewed in one place)."""

from __future__ import annotations

BTN_MENU = "☰ Menu"
BTN_AGREE = "✅ Đồng ý"
BTN_DISAGREE = "Không đồng ý"
BTN_PRIVACY = "ℹ️ Dữ liệu nào được lưu?"

SORRY = "Xin lỗi, mình gặp trục trặc nhỏ. Bạn thử lại sau ít phút, hoặc bấm Menu nhé."
STALE_BUTTON = "Nút này đã cũ nên mình không làm theo được. Bạn bấm Menu để chọn lại nhé."
MEDIA_NOT_UNDERSTOOD = (
    "Mình chưa xem được ảnh, nhãn dán hay tệp. Bạn gõ chữ hoặc bấm một nút bên dưới giúp mình nhé."
)
VOICE_NOT_UNDERSTOOD = (
    "Mình chưa nghe được tin nhắn thoại. Mình đọc to các lựa chọn: bạn gõ số hoặc bấm nút để chọn nhé."
)
TOO_LONG = "Tin nhắn dài quá nên mình chưa đọc được. Bạn gõ ngắn gọn vài chữ, ví dụ: «cài VNeID»."

WELCOME = (
    "Xin chào! Mình là trợ lý tự động của phong trào «Bình dân học vụ số».\n"
    "Mình hướng dẫn từng bước các kỹ năng số: VNeID, thanh toán QR, dịch vụ công trực tuyến, "
    "an toàn trên mạng, dùng điện thoại và Zalo…\n\n"
    "Bạn đang trò chuyện với một hệ thống tự động, không phải người thật."
)
CONSENT_ASK = (
    "Để ghi nhớ bài bạn đã học, mình cần lưu: tên hiển thị, thôn/xã của bạn và kết quả học. "
    "Dữ liệu chỉ dùng để hướng dẫn bạn và thống kê phong trào của xã.\n"
    "Bạn có đồng ý không?"
)
PRIVACY = (
    "Theo Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân, khi bạn đồng ý mình chỉ lưu:\n"
    "• mã tài khoản trò chuyện và tên hiển thị;\n"
    "• thôn/xã bạn chọn;\n"
    "• bài đã học, kết quả bài kiểm tra, lớp học đã đăng ký.\n"
    "Mình không hỏi số căn cước, số điện thoại hay mật khẩu.\n"
    "Bạn xem dữ liệu bằng lệnh /dulieu, nhận tệp dữ liệu bằng lệnh /taidulieu và xóa toàn bộ bằng lệnh "
    "/xoadulieu bất cứ lúc nào."
)
DECLINED = (
    "Mình tôn trọng lựa chọn của bạn: mình không lưu gì về bạn cả.\n"
    "Vì không lưu được, mình không thể ghi nhớ bài học hay tiến độ của bạn. "
    "Khi nào muốn học, bạn bấm «Tôi đồng ý» hoặc gõ /start nhé."
)
CONSENTED = "Cảm ơn bạn! Giờ bạn cho mình biết bạn ở xã nào nhé."

HELP = (
    "Cách dùng rất đơn giản:\n"
    "• Bấm các nút bên dưới tin nhắn (hoặc gõ số thứ tự của nút).\n"
    "• Gõ điều bạn muốn học, ví dụ: «cài vneid», «quét mã qr», «lừa đảo». Gõ không dấu cũng được.\n"
    "• Lệnh: /menu — menu chính; /tiendo — tiến độ; /dulieu — dữ liệu của tôi; "
    "/taidulieu — tải tệp dữ liệu của tôi; /xoadulieu — xóa dữ liệu; /ma MÃ — nhập mã mời của tổ công nghệ số.\n"
    "Cần người hướng dẫn trực tiếp? Hãy hỏi Tổ công nghệ số cộng đồng ở thôn bạn."
)

ROLE_LABELS = {
    "resident": "người dân",
    "team": "thành viên Tổ công nghệ số cộng đồng",
    "official": "cán bộ xã",
    "admin": "quản trị",
}
