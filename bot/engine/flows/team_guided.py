"""A team member records a resident they guided without a phone: name → year of birth → village →
lessons practised together → her spoken consent (a button) → saved. And the matches a resident asked
for later on her phone, which a team member of the village confirms or refuses.

Flow states (ctx.flow): guided_name, guided_year (both take typed text and show no buttons; «thôi»
stops), guided_village, guided_lessons (typed numbers toggle, «1 3 5» several at once), guided_consent.
Every step re-checks the role; the village is checked on the server again when the record is saved.
"""

from __future__ import annotations

import re

from bot import callbacks as cb
from bot.engine import numbers as no
from bot.engine.context import Ctx
from bot.engine.flows.common import MENU_BUTTON, paged, rows
from bot.engine.flows.team_classes import STOP_WORDS
from bot.engine.flows.team_common import CANCEL, HOME, abort, assigned_villages, managed_villages, stale, village_name
from bot.engine.router import router
from bot.messages import Button, Reply
from bot.services import guided as svc
from bot.services import guided_claims as claims
from bot.services.errors import UserError
from bot.services.roles import require_team
from bot.text import fold

STEPS = 5
NAME_ASK = (
    "Gõ họ và tên của bác/cô/chú bạn vừa hướng dẫn, ví dụ «Nguyễn Thị Lan» (như người đó sẽ tự xưng sau này). "
    "Muốn thôi, gõ «thôi»."
)
YEAR_ASK = "Bác/cô/chú {name} sinh năm nào? Gõ 4 chữ số, ví dụ 1956. Muốn thôi, gõ «thôi»."
AGAIN = cb.GuidedStart().button("➕ Ghi nhận người khác")


def _stop(text: str) -> bool:
    return fold(text) in STOP_WORDS


@router.command("ghinhan", "ghi_nhan")
@router.button(cb.GuidedStart)
async def start(ctx: Ctx, arg: object) -> list[Reply]:
    assigned_villages(ctx)
    ctx.set_flow("guided_name")
    return [Reply(f"🤝 Ghi nhận người được hướng dẫn (không dùng điện thoại) — bước 1/{STEPS}.\n" + NAME_ASK)]


@router.flow("guided_name", numbers_are_text=True, free_text=True)
async def typed_name(ctx: Ctx, text: str) -> list[Reply]:
    require_team(ctx.user)
    if _stop(text):
        return await abort(ctx, cb.TeamAbort())
    try:
        name = svc.check_name(text)
    except UserError as err:
        return [Reply(err.message + "\n" + NAME_ASK)]
    ctx.set_flow("guided_year", name=name)
    return [Reply(f"Bước 2/{STEPS}. " + YEAR_ASK.format(name=name))]


@router.flow("guided_year", numbers_are_text=True, free_text=True)
async def typed_year(ctx: Ctx, text: str) -> list[Reply]:
    require_team(ctx.user)
    if _stop(text):
        return await abort(ctx, cb.TeamAbort())
    name = ctx.data.get("name", "")
    try:
        year = svc.check_year(text, ctx.now, ctx.app)
    except UserError as err:
        return [Reply(err.message + "\n" + YEAR_ASK.format(name=name))]
    villages = managed_villages(ctx)
    ctx.set_flow("guided_village", name=name, year=year)
    if len(villages) == 1:
        return _village_chosen(ctx, villages[0])
    return [_villages_reply(ctx, f"Bước 3/{STEPS}. Bác/cô/chú {name} ở thôn nào? Bấm tên thôn.")]


def _villages_reply(ctx: Ctx, text: str, page: int = 0) -> Reply:
    items = [cb.GuidedVillage(i).button(village_name(ctx, v)) for i, v in enumerate(managed_villages(ctx))]
    chunk, nav = paged(items, page, cb.GuidedVillagePage)
    return Reply(text, buttons=rows(*chunk) + nav + rows(CANCEL))


@router.button(cb.GuidedVillagePage)
async def village_page(ctx: Ctx, arg: cb.GuidedVillagePage) -> list[Reply]:
    require_team(ctx.user)
    if ctx.flow != "guided_village":
        return stale()
    return [_villages_reply(ctx, "Bấm tên thôn.", arg.page)]


@router.flow("guided_village")
async def typed_village(ctx: Ctx, text: str) -> list[Reply]:
    return [_villages_reply(ctx, "Thôn này không có trong danh sách của bạn. Bạn bấm tên thôn nhé.")]


@router.button(cb.GuidedVillage)
async def picked_village(ctx: Ctx, arg: cb.GuidedVillage) -> list[Reply]:
    require_team(ctx.user)
    if ctx.flow != "guided_village":
        return stale()
    villages = managed_villages(ctx)
    if not arg.index < len(villages):
        return [_villages_reply(ctx, "Thôn này không có trong danh sách của bạn. Bạn bấm tên thôn nhé.")]
    return _village_chosen(ctx, villages[arg.index])


def _village_chosen(ctx: Ctx, village_id: str) -> list[Reply]:
    ctx.set_flow("guided_lessons", **{**ctx.data, "village": village_id, "lessons": [], "page": 0})
    return [_lessons_reply(ctx, f"Thôn: {village_name(ctx, village_id)}.\n" + _lessons_ask())]


def _lessons_ask() -> str:
    return (
        f"Bước 4/{STEPS}. Hai người đã học cùng nhau những bài nào? Bấm tên bài để đánh dấu ☑ "
        "(bấm lại để bỏ), rồi bấm «✔ Xong»."
    )


def _lessons_reply(ctx: Ctx, text: str) -> Reply:
    choices = svc.lesson_choices(ctx.app)
    chosen = set(ctx.data.get("lessons", []))
    items = []
    for i, lid in enumerate(choices):
        lesson = ctx.app.catalog.lessons[lid]
        items.append(cb.GuidedToggle(i).button(f"{'☑' if lid in chosen else '☐'} {lesson.title}"))
    chunk, nav = paged(items, int(ctx.data.get("page", 0)), cb.GuidedLessonPage)
    done = cb.GuidedLessonsDone().button(f"✔ Xong ({len(chosen)} bài)", no.LIST_DONE)
    return Reply(text, buttons=rows(*chunk) + nav + rows(done, CANCEL))


@router.button(cb.GuidedLessonPage)
async def lesson_page(ctx: Ctx, arg: cb.GuidedLessonPage) -> list[Reply]:
    require_team(ctx.user)
    if ctx.flow != "guided_lessons":
        return stale()
    ctx.update_data(page=arg.page)
    return [_lessons_reply(ctx, _lessons_ask())]


def _toggle(ctx: Ctx, indexes: list[int]) -> str:
    choices = svc.lesson_choices(ctx.app)
    chosen = list(ctx.data.get("lessons", []))
    for index in indexes:
        if index < len(choices):
            lid = choices[index]
            chosen.remove(lid) if lid in chosen else chosen.append(lid)
    ctx.update_data(lessons=chosen)
    titles = [ctx.app.catalog.lessons[lid].title for lid in choices if lid in chosen]
    return f"Đã chọn {len(titles)} bài" + (": " + "; ".join(titles) if titles else "") + ".\n" + _lessons_ask()


@router.button(cb.GuidedToggle)
async def toggle_lesson(ctx: Ctx, arg: cb.GuidedToggle) -> list[Reply]:
    require_team(ctx.user)
    if ctx.flow != "guided_lessons":
        return stale()
    return [_lessons_reply(ctx, _toggle(ctx, [arg.index]))]


@router.flow("guided_lessons")
async def typed_lessons(ctx: Ctx, text: str) -> list[Reply]:
    """«1 3 5» or «1, 3, 5»: several lessons of this page at once."""
    require_team(ctx.user)
    numbers = [int(n) for n in re.findall(r"\d+", text)]
    page = int(ctx.data.get("page", 0))
    wanted = [page * no.PAGE_SIZE + n - 1 for n in numbers if 1 <= n <= no.PAGE_SIZE]
    if not numbers or len(wanted) != len(numbers):
        return [_lessons_reply(ctx, f"Bạn gõ số của bài (1 đến {no.PAGE_SIZE}), ví dụ «1 3 5».\n" + _lessons_ask())]
    return [_lessons_reply(ctx, _toggle(ctx, wanted))]


@router.button(cb.GuidedLessonsDone)
async def lessons_done(ctx: Ctx, arg: cb.GuidedLessonsDone) -> list[Reply]:
    require_team(ctx.user)
    if ctx.flow != "guided_lessons":
        return stale()
    chosen = list(ctx.data.get("lessons", []))
    if not chosen:
        return [_lessons_reply(ctx, "Bạn chưa chọn bài nào. " + _lessons_ask())]
    data = ctx.data
    ctx.set_flow("guided_consent", **data)
    titles = [ctx.app.catalog.lessons[lid].title for lid in chosen if lid in ctx.app.catalog.lessons]
    text = (
        f"Bước 5/{STEPS}. Xem lại:\n• Họ tên: {data['name']}\n• Năm sinh: {data['year']}\n"
        f"• Thôn: {village_name(ctx, data['village'])}\n• Bài đã học cùng nhau ({len(titles)}): " + "; ".join(titles)
        + "\n\nBạn đọc cho bác/cô/chú nghe: «Tổ công nghệ số xin lưu họ tên, năm sinh, thôn và các bài bác/cô/chú "
        "đã học, để tính vào kết quả của thôn và để sau này học tiếp trên điện thoại. Cán bộ xã xem được. "
        "Muốn xóa lúc nào, bác/cô/chú báo tổ hoặc cán bộ xã là được.»\n"
        "Chỉ khi người đó đồng ý bằng lời, bạn mới bấm «✅ Bác/cô/chú đã đồng ý cho lưu thông tin»."
    )
    return [
        Reply(
            text,
            buttons=rows(
                cb.GuidedConsent().button("✅ Bác/cô/chú đã đồng ý cho lưu thông tin", no.YES),
                cb.GuidedNoConsent().button("Không đồng ý — không lưu gì", no.NO),
                CANCEL,
            ),
        )
    ]


@router.button(cb.GuidedNoConsent)
async def no_consent(ctx: Ctx, arg: cb.GuidedNoConsent) -> list[Reply]:
    require_team(ctx.user)
    ctx.set_flow("menu")
    return [Reply("Đã hiểu, mình không lưu gì về người này. Cảm ơn bạn đã hướng dẫn bà con!",
                  buttons=rows(AGAIN, HOME, MENU_BUTTON))]


@router.button(cb.GuidedConsent)
async def consent(ctx: Ctx, arg: cb.GuidedConsent) -> list[Reply]:
    require_team(ctx.user)
    if ctx.flow != "guided_consent":
        return stale()
    data = ctx.data
    draft = svc.Draft(data["name"], int(data["year"]), data["village"], list(data["lessons"]))
    person = await svc.record(ctx.session, ctx.app, ctx.user, draft, ctx.now)
    ctx.set_flow("menu")
    return [
        Reply(
            f"✅ Đã ghi nhận {person.full_name} (sinh {person.birth_year}, {village_name(ctx, person.village_id)}): "
            f"{len(draft.lesson_ids)} bài học cùng tổ. Người này được tính là «được hướng dẫn trực tiếp» của thôn.\n"
            "Khi có điện thoại, bác/cô/chú chọn «🤝 Tôi đã học với tổ công nghệ» trong menu và gõ họ tên, năm sinh; "
            "bạn sẽ được nhờ xác nhận, rồi các bài này được ghi vào tiến độ của người đó.",
            buttons=rows(AGAIN, HOME, MENU_BUTTON),
        )
    ]


# ---------- matches a resident asked for on her phone ----------
@router.command("xacnhan", "xac_nhan")
@router.button(cb.GuidedPending)
async def pending(ctx: Ctx, arg: object) -> list[Reply]:
    waiting = await claims.pending_for(ctx.session, ctx.app, ctx.user)
    if not waiting:
        return [Reply("Không có ai đang chờ bạn xác nhận.", buttons=rows(HOME, MENU_BUTTON))]
    if len(waiting) == 1:
        return _match_reply(ctx, waiting[0])
    items = [
        cb.GuidedMatch(e.person.id).button(f"{e.person.full_name} ({e.person.birth_year}) — "
                                           f"{village_name(ctx, e.person.village_id)}")
        for e in waiting[: no.PAGE_SIZE]
    ]
    return [Reply("🔔 Những người đang chờ bạn xác nhận. Bấm tên người.",
                  buttons=rows(*[Button(b.label, b.payload, i) for i, b in enumerate(items, 1)], HOME, MENU_BUTTON))]


def _match_reply(ctx: Ctx, entry: svc.Entry) -> list[Reply]:
    text = claims.claim_text(ctx.app, entry.person, entry.lessons)
    text += "\nCác bài đã ghi: " + "; ".join(svc.in_curriculum_order(ctx.app, entry.lessons))
    yes, no_ = (b for [b] in claims.confirm_buttons(entry.person.id))
    return [Reply(text, buttons=rows(Button(yes.label, yes.payload, no.YES), Button(no_.label, no_.payload, no.NO),
                                     MENU_BUTTON))]


@router.button(cb.GuidedMatch)
async def show_match(ctx: Ctx, arg: cb.GuidedMatch) -> list[Reply]:
    waiting = {e.person.id: e for e in await claims.pending_for(ctx.session, ctx.app, ctx.user)}
    if arg.guided_id not in waiting:
        return [Reply("Yêu cầu này đã được trả lời rồi.", buttons=rows(HOME, MENU_BUTTON))]
    return _match_reply(ctx, waiting[arg.guided_id])


@router.button(cb.GuidedMatchYes)
async def match_yes(ctx: Ctx, arg: cb.GuidedMatchYes) -> list[Reply]:
    result = await claims.answer(ctx.session, ctx.app, ctx.user, arg.guided_id, True, ctx.now)
    ctx.set_flow("menu")
    return [Reply(f"✅ Đã xác nhận. {result.added} bài đã được ghi vào tiến độ của bác ấy; bot đang báo cho bác ấy.",
                  buttons=rows(HOME, MENU_BUTTON))]


@router.button(cb.GuidedMatchNo)
async def match_no(ctx: Ctx, arg: cb.GuidedMatchNo) -> list[Reply]:
    await claims.answer(ctx.session, ctx.app, ctx.user, arg.guided_id, False, ctx.now)
    ctx.set_flow("menu")
    return [Reply("Đã ghi: không phải người bạn đã hướng dẫn. Không có gì được nối.", buttons=rows(HOME, MENU_BUTTON))]
