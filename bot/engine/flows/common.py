"""Small helpers shared by flows: button rows, paging, the main menu."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot import callbacks as cb
from bot.db.repositories import progress as progress_repo
from bot.engine import texts
from bot.engine.context import Ctx
from bot.engine.router import router
from bot.messages import Button, Reply

Rows = tuple[tuple[Button, ...], ...]
MENU_BUTTON = cb.MenuMain().button(texts.BTN_MENU)


def rows(*buttons: Button | None, per_row: int = 1) -> Rows:
    """Arrange buttons `per_row` to a row, skipping None."""
    present = [b for b in buttons if b is not None]
    return tuple(tuple(present[i : i + per_row]) for i in range(0, len(present), per_row))


def paged(
    items: Sequence[Button], page: int, size: int, page_kind: Callable[[int], cb.Callback]
) -> tuple[list[Button], Rows]:
    """One page of `items` plus a navigation row ("◀ Trang trước" / "Trang sau ▶")."""
    pages = max(1, -(-len(items) // size))
    page = min(max(page, 0), pages - 1)
    chunk = list(items[page * size : (page + 1) * size])
    nav = []
    if page > 0:
        nav.append(page_kind(page - 1).button("◀ Trang trước"))
    if page < pages - 1:
        nav.append(page_kind(page + 1).button("Trang sau ▶"))
    return chunk, (tuple(nav),) if nav else ()


async def menu_reply(ctx: Ctx, text: str = "Bạn muốn làm gì tiếp theo?") -> Reply:
    """The main menu; role-specific entries come from `router.menu_entries`."""
    assert ctx.user is not None
    ctx.set_flow("menu")
    unfinished = await progress_repo.latest_unfinished(ctx.session, ctx.user.id)
    buttons = [
        cb.MenuLearn().button("📚 Học bài mới"),
        cb.MenuContinue().button("▶️ Học tiếp bài đang học") if unfinished else None,
        cb.MenuProgress().button("📊 Tiến độ của tôi"),
        cb.ClassList().button("📅 Lịch lớp học"),
        cb.MenuHelp().button("❓ Hướng dẫn"),
        cb.MenuPlace().button("🏠 Đổi thôn/xã"),
        cb.MenuData().button("🔒 Dữ liệu của tôi"),
        *router.extra_menu_buttons(ctx.user),
    ]
    return Reply(text, buttons=rows(*buttons))
