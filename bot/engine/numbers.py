"""The fixed numbers of actions on channels where people type numbers (Zalo Bot, console).

One scheme for every flow (docs/conversation.md): the same action keeps the same number wherever it
appears, and a button that is absent leaves a gap instead of shifting the others. Buttons without a
fixed number (list items, quiz choices) take 1, 2, 3... in order, skipping the fixed ones.
"""

from __future__ import annotations

MENU = 0  # ☰ Menu (or «✖ Thôi» in a team wizard, which also leads back to the menu)
FORWARD = 1  # Tiếp ▶ / 📝 Làm bài kiểm tra / ✅ yes / the step's main action
BACK = 2  # ◀ Quay lại / the "no" of a yes-no question
LISTEN = 9  # 🔊 Nghe on a lesson step or a question

PAGE_SIZE = 6  # list items 1..6 on every paged list
PREV_PAGE = 7  # ◀ Trang trước
NEXT_PAGE = 8  # Trang sau ▶
UP = 9  # one level up from a list (the village list's «◀ Chọn xã khác»)

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
