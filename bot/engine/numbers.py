"""The fixed numbers of actions on channels where people type numbers (Zalo Bot, console).

One scheme for every flow (docs/conversation.md): the same action keeps the same number wherever it
appears, and a button that is absent leaves a gap instead of shifting the others. Buttons without a
fixed number (list items, quiz choices) take 1, 2, 3... in order, skipping the fixed ones.
"""

from __future__ import annotations

from bot.messages import PUSHED_NUMBERS

MENU = 0  # ☰ Menu (or «✖ Thôi» in a team wizard, which also leads back to the menu)
FORWARD = 1  # Tiếp ▶ / 📝 Làm bài kiểm tra / ✅ yes / the step's main action
BACK = 2  # ◀ Quay lại / the "no" of a yes-no question
LISTEN = 9  # 🔊 Nghe on a lesson step or a question

PAGE_SIZE = 6  # list items 1..6 on every paged list
PREV_PAGE = 7  # ◀ Trang trước
NEXT_PAGE = 8  # Trang sau ▶
PLACE_NOT_LISTED = 9  # «Xã tôi / Thôn tôi không có trong danh sách»: the way out of a place list
OTHER_COMMUNE = 0  # «◀ Chọn xã khác»: back out of the village list (its 0, as «✖ Thôi» in a wizard)

# The main menu: every item has its slot, so «▶️ Học tiếp bài đang học» appearing shifts nothing.
MENU_LEARN = 1
MENU_CONTINUE = 2
MENU_PROGRESS = 3
MENU_CLASSES = 4
MENU_HELP = 5
MENU_PLACE = 6
MENU_DATA = 7
MENU_TEAM = 8
MENU_READ_ALOUD = 9  # 🔊 Luôn đọc to / 🔇 Thôi đọc to: 9 is always about listening
MENU_STATS = 10

# Yes-no questions (consent, deleting data, cancelling a class): 1 yes, 2 no; consent adds 3.
YES = 1
NO = 2
CONSENT_INFO = 3
EXPORT = 3  # /dulieu: 1 delete, 3 download my data, 0 menu

# Team and official screens (docs/conversation.md §1): an action keeps its number on every team or
# official screen. List items (villages, classes, names, announcements) take the free numbers.
TEAM_NEW_CLASS = 1  # ➕ Tạo lớp học
TEAM_MY_CLASSES = 2  # 📋 Lớp của tôi (also «back» from one class)
TEAM_NEW_ANNOUNCEMENT = 3  # 📣 Gửi thông báo
TEAM_ANNOUNCEMENTS = 4  # 📬 Thông báo đã gửi
TEAM_GUIDED = 5  # 🤝 Ghi nhận người được hướng dẫn
TEAM_HOME = MENU_TEAM  # 👥 Tổ công nghệ số: 8, as in the main menu
TEAM_CANCEL = MENU  # ✖ Thôi, không làm nữa: 0, which also leads back to the menu

# A team wizard step: 1 moves on, 2 starts the step again.
WIZARD_NEXT = FORWARD  # ✔ Xong, ✅ Xác nhận tạo lớp, ✅ Gửi, Bỏ qua, the suggested place
WIZARD_REDO = BACK  # ↺ Làm lại từ đầu, ✏️ Viết lại, ↩ Quay lại điểm danh
WALK_IN = 2  # ➕ Thêm người đến không đăng ký (the attendance sheet: 1 saves it, names follow from 3)
ANNOUNCEMENT_STATUS = 1  # 📬 Tình trạng gửi / 🔄 Cập nhật (one announcement)

# One class (team_edits.class_detail): 1 its main action once it has started, 2 back to the list.
CLASS_ATTENDANCE = 1  # ✅ Điểm danh
CLASS_TIME = 3  # 🕗 Đổi giờ
CLASS_PLACE = 4  # 📍 Đổi địa điểm
CLASS_SEATS = 5  # 👥 Đổi số chỗ
CLASS_CANCEL = 6  # ❌ Hủy lớp
CLASS_CHECKIN_POSTER = 10  # 🧾 Mã điểm danh
CLASS_CHECKED_IN = 11  # 👀 Người đã đến
CLASS_LESSON = 12  # 📚 Bài của lớp
CLASS_BACK = 9  # ↩ Về lớp này: the way out of the check-in screens (poster, who came, the lesson list; 7/8 page)

# Official screens (/thongke, /baocao, /dangnhap).
OFFICIAL_REPORT = 1  # 📄 Báo cáo tháng trước
OFFICIAL_WEB = 2  # 🌐 Mở trang thống kê
OFFICIAL_STATS = MENU_STATS  # 📈 Thống kê: 10, as in the main menu
OFFICIAL_GUIDED = 3  # 🤝 Người được hướng dẫn trực tiếp (the records of residents guided without a phone)

# Learning with a helper (issue 13, part 4).
MENU_GUIDED = 11  # «🤝 Tôi đã học với tổ công nghệ» in the main menu (a village with guided records)
TEAM_GUIDED_CONFIRM = 6  # team home: «🔔 Xác nhận người học (N)», only while a match waits
LIST_DONE = 9  # «✔ Xong» under a paged list of toggles (the lessons practised together; 7/8 page)

# Pushed messages (the outbox: announcements of a class, reminders, the check-in follow-up, a guided-learning
# confirmation, the QR-practice congratulation): their choices take 21, 22… in row order (☰ Menu too), a
# block no screen uses (`bot.messages.numbered` skips it), so they can be typed beside her screen's numbers.
PUSHED_FIRST = PUSHED_NUMBERS.start  # 21
PUSHED_LAST = PUSHED_NUMBERS.stop - 1  # 29
