"""The command menus a platform shows beside the message box (Telegram `setMyCommands`), in Vietnamese.

Every command here is registered in the router. Residents get `RESIDENT_COMMANDS` (the bot's default
menu); a team member, official or admin gets, in their own chat, the resident commands plus their role's.
"""

from __future__ import annotations

from bot.db.models import Role

RESIDENT_COMMANDS: list[tuple[str, str]] = [
    ("start", "Bắt đầu học kỹ năng số"),
    ("menu", "Menu chính"),
    ("tiendo", "Xem tiến độ học của bạn"),
    ("lichhoc", "Lịch các lớp học ở thôn, xã"),
    ("help", "Hướng dẫn sử dụng"),
    ("dulieu", "Dữ liệu của bạn: xem, tải về, xóa"),
]

TEAM_COMMANDS: list[tuple[str, str]] = [
    ("todoi", "Chức năng Tổ công nghệ"),
    ("taolop", "Tạo lớp học mới"),
    ("lopcuatoi", "Các lớp bạn phụ trách"),
    ("thongbao", "Gửi thông báo cho người dân"),
    ("ghinhan", "Ghi nhận người được hướng dẫn (không dùng điện thoại)"),
    ("xacnhan", "Xác nhận người học trên điện thoại"),
]

OFFICIAL_COMMANDS: list[tuple[str, str]] = [
    ("thongke", "Thống kê kết quả học"),
    ("baocao", "Báo cáo tháng (tệp Excel)"),
    ("dangnhap", "Đăng nhập trang quản lý"),
    ("nguoiduochuongdan", "Người được hướng dẫn trực tiếp"),
]


def commands_for(role: str) -> list[tuple[str, str]]:
    """The menu of a person holding `role` (a `Role` value)."""
    if role == Role.TEAM:
        return RESIDENT_COMMANDS + TEAM_COMMANDS
    if role == Role.OFFICIAL:
        return RESIDENT_COMMANDS + OFFICIAL_COMMANDS
    if role == Role.ADMIN:  # admins also act as any commune's team
        return RESIDENT_COMMANDS + TEAM_COMMANDS + OFFICIAL_COMMANDS
    return RESIDENT_COMMANDS
