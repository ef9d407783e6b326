"""The command menu a platform shows beside the message box (Telegram `setMyCommands`), in Vietnamese.

Every command here is registered in the router; the menu lists what a resident can do. Team and
official commands are answered for their roles and listed in /help.
"""

from __future__ import annotations

RESIDENT_COMMANDS: list[tuple[str, str]] = [
    ("start", "Bắt đầu học kỹ năng số"),
    ("menu", "Menu chính"),
    ("tiendo", "Xem tiến độ học của bạn"),
    ("lichhoc", "Lịch các lớp học ở thôn, xã"),
    ("help", "Hướng dẫn sử dụng"),
    ("dulieu", "Dữ liệu của bạn: xem, tải về, xóa"),
]
