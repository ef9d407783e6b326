"""Choosing commune then village: buttons (paged) or a typed name — diacritics, spacing and small typos
ignored, a confirmation when the match is not exact — or «Xã tôi / Thôn tôi không có trong danh sách»
(9 at both levels), which records nothing and says whom to ask."""

from __future__ import annotations

from bot import callbacks as cb
from bot.content.place_match import COMMUNE_WORDS, VILLAGE_WORDS, find
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


NOT_LISTED = (
    "Không sao. Mình mới phục vụ các xã trong danh sách, nên mình không ghi gì về nơi ở của bạn.\n"
    "Muốn xã mình được thêm vào, bạn hỏi cán bộ văn hóa – xã hội ở Ủy ban nhân dân xã, "
    "hoặc Tổ công nghệ số cộng đồng nơi bạn ở.\n"
    "Trong lúc chờ, bạn vẫn học được mọi bài."
)


VILLAGE_NOT_LISTED = (
    "Không sao, mình không ghi gì về nơi ở của bạn.\n"
    "Muốn thôn/xóm của bạn được thêm vào danh sách của {commune}, bạn hỏi Tổ công nghệ số cộng đồng "
    "hoặc cán bộ văn hóa – xã hội ở Ủy ban nhân dân {commune}. Thôn mới sáp nhập hoặc đổi tên thì "
    "bạn chọn tên thôn mới, hoặc bấm «Đổi thôn/xã» để tìm lại.\n"
    "Trong lúc chờ, bạn vẫn học được mọi bài."
)


COMMUNE_MISSING = cb.CommuneNotListed().button("Xã tôi không có trong danh sách", no.PLACE_NOT_LISTED)
VILLAGE_WAYS_OUT = (
    cb.VillageNotListed().button("Thôn tôi không có trong danh sách", no.PLACE_NOT_LISTED),
    cb.MenuPlace().button("◀ Chọn xã khác", no.OTHER_COMMUNE),
)


def _commune_label(c: Commune) -> str:
    return f"{c.name} ({c.province})"


def _examples(commune: Commune) -> str:
    """«ví dụ «xóm 1» hoặc «Ngọc Lâm»» from the commune's own village names."""
    numbered = next((v.name for v in commune.villages if any(ch.isdigit() for ch in v.name)), None)
    named = next((v.name for v in commune.villages if not any(ch.isdigit() for ch in v.name)), None)
    shown = [numbered[:1].lower() + numbered[1:]] if numbered else []
    if named:
        first, _, rest = named.partition(" ")
        shown.append(rest if rest and fold(first) in VILLAGE_WORDS else named)
    return " hoặc ".join(f"«{x}»" for x in shown)


def ask_commune(ctx: Ctx, page: int = 0, intro: str = "Bạn ở xã/phường nào?") -> list[Reply]:
    ctx.set_flow("onboard_commune")
    items = [cb.PickCommune(c.id).button(_commune_label(c)) for c in ctx.app.places.communes.values()]
    chunk, nav = paged(items, page, cb.CommunePage)
    text = f"{intro}\nBấm tên xã, hoặc gõ tên xã (không dấu cũng được)."
    return [Reply(text, buttons=rows(*chunk) + nav + rows(COMMUNE_MISSING))]


def ask_village(ctx: Ctx, commune: Commune, page: int = 0, intro: str | None = None) -> list[Reply]:
    ctx.set_flow("onboard_village", commune_id=commune.id)
    items = [cb.PickVillage(v.id).button(v.name) for v in commune.villages]
    chunk, nav = paged(items, page, cb.VillagePage)
    ask = intro or f"{commune.name}: bạn ở thôn/xóm/tổ dân phố nào?"
    text = f"{ask}\nBấm tên, hoặc gõ tên (ví dụ {_examples(commune)})."
    return [Reply(text, buttons=rows(*chunk, per_row=2) + nav + rows(*VILLAGE_WAYS_OUT))]


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
    communes = ctx.app.places.communes
    found = find({c.id: c.name for c in communes.values()}, text, COMMUNE_WORDS)
    if found.single and found.exact:
        return ask_village(ctx, communes[found.single])
    if found.single:
        c = communes[found.single]
        return [_confirm(f"Có phải {_commune_label(c)} không?", cb.PickCommune(c.id), cb.CommunePage(0))]
    if found.ids:
        buttons = [cb.PickCommune(cid).button(_commune_label(communes[cid])) for cid in found.ids[:PAGE]]
        return [Reply("Có mấy xã gần giống, bạn chọn đúng xã của mình nhé:", buttons=rows(*buttons, COMMUNE_MISSING))]
    return ask_commune(ctx, intro=f"Mình chưa tìm thấy xã «{text[:40]}».")


@router.flow("onboard_village")
async def typed_village(ctx: Ctx, text: str) -> list[Reply]:
    commune = ctx.app.places.communes.get(ctx.data.get("commune_id", ""))
    if commune is None:
        return ask_commune(ctx)
    villages = {v.id: v for v in commune.villages}
    found = find({v.id: v.name for v in commune.villages}, text, VILLAGE_WORDS)
    if found.single and found.exact:
        return await save_village(ctx, villages[found.single])
    if found.single:
        v = villages[found.single]
        return [_confirm(f"Có phải {v.name}, {commune.name} không?", cb.PickVillage(v.id), cb.VillagePage(0))]
    if found.ids:
        buttons = [cb.PickVillage(vid).button(villages[vid].name) for vid in found.ids[:PAGE]]
        return [
            Reply("Có mấy thôn gần giống, bạn chọn đúng thôn của mình nhé:", buttons=rows(*buttons, *VILLAGE_WAYS_OUT))
        ]
    return ask_village(ctx, commune, intro=f"Mình chưa tìm thấy thôn «{text[:40]}» ở {commune.name}.")


def _confirm(question: str, yes: cb.Callback, no_: cb.Callback) -> Reply:
    """«Có phải … không?» with 1 yes / 2 no; the flow stays, so she can also type the name again."""
    return Reply(question, buttons=rows(yes.button("✅ Đúng rồi", no.YES), no_.button("Không, chọn lại", no.NO)))


@router.button(cb.CommuneNotListed)
async def commune_not_listed(ctx: Ctx, arg: object) -> list[Reply]:
    """Her commune is not served: nothing is recorded; she is told whom to ask and can still learn."""
    return [await menu_reply(ctx, NOT_LISTED)]


@router.button(cb.VillageNotListed)
async def village_not_listed(ctx: Ctx, arg: object) -> list[Reply]:
    """Her village is not in the commune's list: nothing is recorded (an earlier place stays as it was);
    she is told whom to ask."""
    assert ctx.user is not None
    commune = ctx.app.places.communes.get(ctx.data.get("commune_id", "")) if ctx.flow == "onboard_village" else None
    where = commune.name if commune else "xã"
    kept = ctx.app.places.village_label(ctx.user.village_id) if ctx.user.village_id else None
    text = VILLAGE_NOT_LISTED.format(commune=where) + (f"\nNơi ở cũ của bạn vẫn giữ nguyên: {kept}." if kept else "")
    return [await menu_reply(ctx, text)]


@router.button(cb.MenuPlace)
async def change_place(ctx: Ctx, arg: object) -> list[Reply]:
    return ask_commune(ctx)
