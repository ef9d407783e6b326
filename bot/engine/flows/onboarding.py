"""Choosing commune then village: buttons (paged) or a typed name, diacritics optional."""

from __future__ import annotations

from bot import callbacks as cb
from bot.content.places import Commune, Village
from bot.engine import numbers as no
from bot.engine.context import Ctx
from bot.engine.flows.common import menu_reply, paged, rows
from bot.engine.router import router
from bot.messages import Reply
from bot.services import users
from bot.services.errors import UserError
from bot.text import fold

PAGE = no.PAGE_SIZE


def _matches(name: str, query: str) -> bool:
    """ "ha long" matches "Xã Hà Long"; "thon 3" and "3" match "Thôn 3"."""
    n, q = fold(name), fold(query)
    if not q:
        return False
    if n == q or n.split()[-1:] == q.split():
        return True
    return f" {q} " in f" {n} " or (len(q) >= 3 and q in n)


def ask_commune(ctx: Ctx, page: int = 0, intro: str = "Bạn ở xã/phường nào?") -> list[Reply]:
    ctx.set_flow("onboard_commune")
    items = [cb.PickCommune(c.id).button(f"{c.name} ({c.province})") for c in ctx.app.places.communes.values()]
    chunk, nav = paged(items, page, cb.CommunePage)
    text = f"{intro}\nBấm tên xã, hoặc gõ tên xã (không dấu cũng được)."
    return [Reply(text, buttons=rows(*chunk) + nav)]


def ask_village(ctx: Ctx, commune: Commune, page: int = 0, intro: str | None = None) -> list[Reply]:
    ctx.set_flow("onboard_village", commune_id=commune.id)
    items = [cb.PickVillage(v.id).button(v.name) for v in commune.villages]
    chunk, nav = paged(items, page, cb.VillagePage)
    back = (cb.MenuPlace().button("◀ Chọn xã khác", no.UP),)
    text = (intro or f"{commune.name}: bạn ở thôn/xóm/tổ dân phố nào?") + "\nBấm tên, hoặc gõ tên (ví dụ «thôn 3»)."
    return [Reply(text, buttons=rows(*chunk, per_row=2) + nav + (back,))]


async def save_village(ctx: Ctx, village: Village) -> list[Reply]:
    assert ctx.user is not None
    users.set_village(ctx.user, ctx.app.places, village.id)
    label = ctx.app.places.village_label(village.id)
    return [await menu_reply(ctx, f"Đã lưu nơi ở của bạn: {label}.\nBạn muốn làm gì tiếp theo?")]


@router.button(cb.CommunePage)
async def commune_page(ctx: Ctx, arg: cb.CommunePage) -> list[Reply]:
    return ask_commune(ctx, arg.page)


@router.button(cb.PickCommune)
async def pick_commune(ctx: Ctx, arg: cb.PickCommune) -> list[Reply]:
    commune = ctx.app.places.communes.get(arg.commune_id)
    if commune is None:
        return ask_commune(ctx, intro="Mình không tìm thấy xã đó. Bạn chọn lại nhé.")
    return ask_village(ctx, commune)


@router.button(cb.VillagePage)
async def village_page(ctx: Ctx, arg: cb.VillagePage) -> list[Reply]:
    commune = ctx.app.places.communes.get(ctx.data.get("commune_id", ""))
    if commune is None:
        return ask_commune(ctx)
    return ask_village(ctx, commune, arg.page)


@router.button(cb.PickVillage)
async def pick_village(ctx: Ctx, arg: cb.PickVillage) -> list[Reply]:
    places = ctx.app.places
    chosen = ctx.data.get("commune_id") if ctx.flow == "onboard_village" else None
    if not chosen or places.village_commune.get(arg.village_id) != chosen:
        raise UserError("Thôn này không thuộc xã bạn đang chọn. Bạn bấm Menu rồi chọn «Đổi thôn/xã» nhé.")
    return await save_village(ctx, places.villages[arg.village_id])


@router.flow("onboard_commune")
async def typed_commune(ctx: Ctx, text: str) -> list[Reply]:
    found = [c for c in ctx.app.places.communes.values() if _matches(c.name, text)]
    if len(found) == 1:
        return ask_village(ctx, found[0])
    if found:
        ctx.set_flow("onboard_commune")
        buttons = [cb.PickCommune(c.id).button(f"{c.name} ({c.province})") for c in found[:PAGE]]
        return [Reply("Có mấy xã trùng tên, bạn chọn đúng xã của mình nhé:", buttons=rows(*buttons))]
    return ask_commune(ctx, intro=f"Mình chưa tìm thấy xã «{text[:40]}».")


@router.flow("onboard_village")
async def typed_village(ctx: Ctx, text: str) -> list[Reply]:
    commune = ctx.app.places.communes.get(ctx.data.get("commune_id", ""))
    if commune is None:
        return ask_commune(ctx)
    found = [v for v in commune.villages if _matches(v.name, text)]
    if len(found) == 1:
        return await save_village(ctx, found[0])
    if found:
        return ask_village(ctx, commune, intro="Có mấy thôn gần giống, bạn bấm đúng thôn của mình nhé:")
    return ask_village(ctx, commune, intro=f"Mình chưa tìm thấy thôn «{text[:40]}» ở {commune.name}.")


@router.button(cb.MenuPlace)
async def change_place(ctx: Ctx, arg: object) -> list[Reply]:
    return ask_commune(ctx)
