"""Vietnamese texts of the resident flows (kept together so they can be reviewed in one place)."""

from __future__ import annotations

from bot.db.models import Role

BTN_MENU = "☰ Menu"
BTN_AGREE = "✅ Đồng ý"
BTN_DISAGREE = "Không đồng ý"
BTN_PRIVACY = "ℹ️ Dữ liệu nào được lưu?"

SORRY = "Xin lỗi, mình gặp trục trặc nhỏ. Bạn thử lại sau ít phút, hoặc bấm Menu nhé."
STALE_BUTTON = "Nút này đã cũ nên mình không làm theo được. Bạn bấm Menu để chọn lại nhé."
MEDIA_NOT_UNDERSTOOD = (
    "Cảm ơn bạn đã gửi! 😊 Mình chưa xem được ảnh, nhãn dán hay tệp. "
    "Bạn bấm một nút bên dưới, hoặc gõ điều bạn muốn học nhé."
)
VOICE_NOT_UNDERSTOOD = (
    "Mình chưa nghe được tin nhắn thoại. Mình đọc to các lựa chọn: bạn gõ số hoặc bấm nút để chọn nhé."
)
THANKS = "Không có gì đâu bạn! 😊 Khi nào cần, bạn bấm một nút bên dưới để học tiếp nhé."
GREETING = "Chào bạn! 😊 Bạn bấm một nút bên dưới để học tiếp nhé."
WHICH_ONE = "Mình chưa rõ bạn muốn chọn gì. Bạn bấm một nút bên dưới giúp mình nhé."
NOT_A_CHOICE = "Không có lựa chọn số {number} ở đây. Bạn bấm một nút bên dưới giúp mình nhé."
NOT_FOUND = (
    "Mình chưa tìm thấy bài nào về «{query}». Bạn bấm một nút bên dưới, hoặc gõ ngắn hơn, ví dụ: "
    "«vneid», «qr», «otp», «khai sinh», «lừa đảo», «zalo»."
)
TOO_LONG = "Tin nhắn dài quá nên mình chưa đọc được. Bạn gõ ngắn gọn vài chữ, ví dụ: «cài VNeID»."

WELCOME = (
    "Xin chào! Mình là trợ lý tự động của phong trào «Bình dân học vụ số».\n"
    "Mình hướng dẫn từng bước các kỹ năng số: VNeID, thanh toán QR, dịch vụ công trực tuyến, "
    "an toàn trên mạng, dùng điện thoại và Zalo…\n\n"
    "Bạn đang trò chuyện với một hệ thống tự động, không phải người thật."
)
AUTOMATED = "Mình là trợ lý tự động của «Bình dân học vụ số», không phải người thật."
CONSENT_ASK = (
    "Để ghi nhớ bài bạn đã học, mình cần lưu: tên hiển thị, thôn/xã của bạn và kết quả học. "
    "Dữ liệu chỉ dùng để hướng dẫn bạn và thống kê phong trào của xã.\n"
    "Bạn có đồng ý không?"
)
PRIVACY = (
    "Theo Nghị định 13/2023/NĐ-CP về bảo vệ dữ liệu cá nhân, khi bạn đồng ý mình chỉ lưu:\n"
    "• mã tài khoản trò chuyện và tên hiển thị;\n"
    "• thôn/xã bạn chọn;\n"
    "• bài đã học, kết quả bài kiểm tra, lớp học đã đăng ký;\n"
    "• họ tên trên giấy ghi nhận hoàn thành, chỉ khi bạn muốn ghi.\n"
    "Mình không hỏi số căn cước, số điện thoại hay mật khẩu.\n"
    "Bạn xem dữ liệu bằng lệnh /dulieu, nhận tệp dữ liệu bằng lệnh /taidulieu và xóa toàn bộ bằng lệnh "
    "/xoadulieu bất cứ lúc nào."
)
DECLINED = (
    "Mình tôn trọng lựa chọn của bạn: mình không lưu gì về bạn cả.\n"
    "Vì không lưu được, mình không thể ghi nhớ bài học hay tiến độ của bạn. "
    "Khi nào muốn học, bạn bấm «Đồng ý» nhé."
)
CONSENTED = "Cảm ơn bạn! Giờ bạn cho mình biết bạn ở xã nào nhé."
CODE_AFTER_CONSENT = (
    "Mình đã thấy mã mời {code}. Trước khi bạn đồng ý, mình không được lưu gì, kể cả mã này: "
    "bạn đồng ý trước, rồi gửi lại /ma {code} nhé."
)
CODE_KEPT = (
    "Mình đã nhận mã mời {code}. Mình chưa lưu gì cả: bạn bấm «Đồng ý» trong vòng 30 phút thì mình dùng "
    "mã này ngay."
)

HELP = (
    "Cách dùng rất đơn giản:\n"
    "• Bấm một nút bên dưới tin nhắn. Số của mỗi việc luôn giữ nguyên: 0 là Menu, "
    "trong bài học 1 là «Tiếp», 2 là «Quay lại», 9 là «Nghe».\n"
    "• Trả lời như khi nhắn tin cũng được: «ok», «tiếp», «rồi» để học tiếp; «quay lại»; «có», «không».\n"
    "• Gõ điều bạn muốn học, ví dụ: «cài vneid», «quét mã qr», «lừa đảo». Gõ không dấu cũng được.\n"
    "• Lệnh: /menu — menu chính; /tiendo — tiến độ; /dulieu — dữ liệu của bạn; "
    "/taidulieu — tải tệp dữ liệu của bạn; /xoadulieu — xóa dữ liệu; /ma MÃ — nhập mã mời của tổ công nghệ số.\n"
    "Cần người hướng dẫn trực tiếp? Hãy hỏi Tổ công nghệ số cộng đồng ở thôn bạn."
)

ROLE_LABELS: dict[str, str] = {
    Role.RESIDENT: "người dân",
    Role.TEAM: "thành viên Tổ công nghệ số cộng đồng",
    Role.OFFICIAL: "cán bộ xã",
    Role.ADMIN: "quản trị",
}
