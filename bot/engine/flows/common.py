"""Small helpers shared by flows: button rows, paging, the main menu."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.db.repositories import progress as progress_repo
from bot.engine import texts
from bot.engine.context import Ctx
from bot.engine.router import HandlerFn, router
from bot.messages import Button, Reply

Rows = tuple[tuple[Button, ...], ...]
MENU_BUTTON = Button(texts.BTN_MENU, "m:menu")


def rows(*buttons: Button | None, per_row: int = 1) -> Rows:
    """Arrange buttons `per_row` to a row, skipping None."""
    present = [b for b in buttons if b is not None]
    return tuple(tuple(present[i : i + per_row]) for i in range(0, len(present), per_row))


def paged(items: Sequence[Button], page: int, size: int, page_prefix: str) -> tuple[list[Button], Rows]:
    """One page of `items` plus a navigation row ("◀ Trang trước" / "Trang sau ▶")."""
    pages = max(1, -(-len(items) // size))
    page = min(max(page, 0), pages - 1)
    chunk = list(items[page * size : (page + 1) * size])
    nav = []
    if page > 0:
        nav.append(Button("◀ Trang trước", f"{page_prefix}:{page - 1}"))
    if page < pages - 1:
        nav.append(Button("Trang sau ▶", f"{page_prefix}:{page + 1}"))
    return chunk, (tuple(nav),) if nav else ()


def as_int(arg: str, default: int = 0) -> int:
    try:
        return int(arg)
    except ValueError:
        return default


async def menu_reply(ctx: Ctx, text: str = "Bạn muốn làm gì tiếp theo?") -> Reply:
    """The main menu; role-specific entries come from `router.menu_entries`."""
    assert ctx.user is not None
    ctx.set_flow("menu")
    unfinished = await progress_repo.latest_unfinished(ctx.session, ctx.user.id)
    buttons = [
        Button("📚 Học bài mới", "m:learn"),
        Button("▶️ Học tiếp bài đang học", "m:continue") if unfinished else None,
        Button("📊 Tiến độ của tôi", "m:progress"),
        Button("📅 Lịch lớp học", "cls:list"),
        Button("❓ Hướng dẫn", "m:help"),
        Button("🏠 Đổi thôn/xã", "m:place"),
        Button("🔒 Dữ liệu của tôi", "m:data"),
        *router.extra_menu_buttons(ctx.user),
    ]
    return Reply(text, buttons=rows(*buttons))


MENU_ITEMS: dict[str, HandlerFn] = {}
"""Main-menu buttons `m:<item>`; each item is registered by the module that owns it."""


def menu_item(name: str) -> Callable[[HandlerFn], HandlerFn]:
    def deco(fn: HandlerFn) -> HandlerFn:
        MENU_ITEMS[name] = fn
        return fn

    return deco


@router.button("m")
async def menu_button(ctx: Ctx, arg: str) -> list[Reply]:
    handler = MENU_ITEMS.get(arg)
    if handler is None:
        return [await menu_reply(ctx)]
    return await handler(ctx, "")
