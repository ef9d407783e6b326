"""Small helpers shared by flows: button rows, paging, the main menu."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot import callbacks as cb
from bot.db.repositories import progress as progress_repo
from bot.engine import numbers as no
from bot.engine import texts
from bot.engine.context import Ctx
from bot.engine.router import router
from bot.messages import Button, Reply, phone_button
from bot.services import guided_claims

Rows = tuple[tuple[Button, ...], ...]
MENU_BUTTON = cb.MenuMain().button(texts.BTN_MENU, no.MENU)
CLAIM_GUIDED = cb.ClaimGuided().button("🤝 Tôi đã học với tổ công nghệ", no.MENU_GUIDED)


def rows(*buttons: Button | None, per_row: int = 1) -> Rows:
    """Arrange buttons `per_row` to a row, skipping None."""
    present = [b for b in buttons if b is not None]
    return tuple(tuple(present[i : i + per_row]) for i in range(0, len(present), per_row))


def paged(
    items: Sequence[Button], page: int, page_kind: Callable[[int], cb.Callback], size: int = no.PAGE_SIZE
) -> tuple[list[Button], Rows]:
    """One page of `items` (numbered 1..size) plus a navigation row: «◀ Trang trước» is always
    number 7 and «Trang sau ▶» always 8, on every page of every list."""
    pages = max(1, -(-len(items) // size))
    page = min(max(page, 0), pages - 1)
    chunk = [Button(b.label, b.payload, i) for i, b in enumerate(items[page * size : (page + 1) * size], start=1)]
    nav = []
    if page > 0:
        nav.append(page_kind(page - 1).button("◀ Trang trước", no.PREV_PAGE))
    if page < pages - 1:
        nav.append(page_kind(page + 1).button("Trang sau ▶", no.NEXT_PAGE))
    return chunk, (tuple(nav),) if nav else ()


HOTLINE_LABEL = "📞 Gọi đường dây nóng của xã"


def commune_hotline(ctx: Ctx) -> str | None:
    """The hotline of the person's commune (places.yaml `hotline`), if it has one."""
    commune = ctx.app.places.communes.get(ctx.user.commune_id or "") if ctx.user else None
    return commune.hotline if commune else None


def hotline_button(ctx: Ctx) -> Button | None:
    hotline = commune_hotline(ctx)
    return phone_button(HOTLINE_LABEL, hotline) if hotline else None


async def menu_reply(ctx: Ctx, text: str = "Bạn muốn làm gì tiếp theo?") -> Reply:
    """The main menu; role-specific entries come from `router.menu_entries`."""
    assert ctx.user is not None
    ctx.set_flow("menu")
    unfinished = await progress_repo.latest_unfinished(ctx.session, ctx.user.id)
    buttons = [
        cb.MenuLearn().button("📚 Học bài mới", no.MENU_LEARN),
        cb.MenuContinue().button("▶️ Học tiếp bài đang học", no.MENU_CONTINUE) if unfinished else None,
        cb.MenuProgress().button("📊 Tiến độ của tôi", no.MENU_PROGRESS),
        cb.ClassList().button("📅 Lịch lớp học", no.MENU_CLASSES),
        cb.MenuHelp().button("❓ Hướng dẫn", no.MENU_HELP),
        cb.MenuPlace().button("🏠 Đổi thôn/xã", no.MENU_PLACE),
        cb.MenuData().button("🔒 Dữ liệu của tôi", no.MENU_DATA),
        *router.extra_menu_buttons(ctx.user),
        CLAIM_GUIDED if await guided_claims.can_claim(ctx.session, ctx.user) else None,
    ]
    return Reply(text, buttons=rows(*buttons))
