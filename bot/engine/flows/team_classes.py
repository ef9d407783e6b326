"""The class wizard: title → villages → place → time → capacity → note → confirm.

Flow states (ctx.flow): class_title, class_villages, class_place, class_time, class_capacity,
class_note, class_confirm. A picked or typed time in the flow "edit_time" goes to team_edits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot import callbacks as cb
from bot.engine import numbers as no
from bot.engine.context import Ctx
from bot.engine.flows import team_announce, team_edits
from bot.engine.flows.common import MENU_BUTTON, rows
from bot.engine.flows.team_common import (
    CANCEL,
    HOME,
    MY_CLASSES,
    abort,
    assigned_villages,
    managed_villages,
    stale,
    time_reply,
    village_name,
    villages_reply,
)
from bot.engine.router import router
from bot.messages import Button, Reply
from bot.services import announcements
from bot.services import classes as svc
from bot.services.classes import ClassDraft
from bot.services.dateparse import EXAMPLES, format_when, parse_when
from bot.services.errors import UserError
from bot.services.roles import require_team
from bot.text import fold

SKIP_NOTE = cb.SkipNote().button("Bỏ qua", no.WIZARD_NEXT)


@router.command("taolop", "tao_lop")
@router.button(cb.NewClass)
async def new_class(ctx: Ctx, arg: object) -> list[Reply]:
    assigned_villages(ctx)
    ctx.set_flow("class_title")
    return [
        Reply(
            "➕ Tạo lớp học — bước 1/6.\nGõ chủ đề buổi học, ví dụ: «Cài đặt và kích hoạt VNeID».", buttons=rows(CANCEL)
        )
    ]


@router.flow("class_title", free_text=True)
async def class_title(ctx: Ctx, text: str) -> list[Reply]:
    try:
        title = svc.check_title(text)
    except UserError as err:
        return [Reply(err.message, buttons=rows(CANCEL))]
    villages = managed_villages(ctx)
    chosen = villages[:1] if len(villages) == 1 else []
    ctx.set_flow("class_villages", title=title, villages=chosen)
    return [
        villages_reply(ctx, "Bước 2/6. Lớp học dành cho thôn nào? Bấm để chọn (chọn được nhiều thôn), rồi bấm «Xong».")
    ]


@router.button(cb.VillagesDone)
async def villages_done(ctx: Ctx, arg: cb.VillagesDone) -> list[Reply]:
    require_team(ctx.user)
    chosen = list(ctx.data.get("villages", []))
    if not chosen:
        return [villages_reply(ctx, "Bạn chưa chọn thôn nào. Bấm vào tên thôn để chọn.")]
    if ctx.flow == "ann_villages":
        return await team_announce.ask_text(ctx, chosen)
    if ctx.flow != "class_villages":
        return stale()
    ctx.set_flow("class_place", **{**ctx.data, "villages": chosen})
    return [
        Reply(
            "Bước 3/6. Lớp học ở đâu? Gõ địa điểm, hoặc bấm gợi ý dưới đây.",
            buttons=rows(_suggestion(ctx), CANCEL),
        )
    ]


def _suggestion(ctx: Ctx) -> Button:
    return cb.SuggestedPlace().button(_suggested_place(ctx, ctx.data["villages"][0]), no.WIZARD_NEXT)


def _suggested_place(ctx: Ctx, village_id: str) -> str:
    return f"Nhà văn hóa {village_name(ctx, village_id).lower()}"


@router.button(cb.SuggestedPlace)
async def suggested_place(ctx: Ctx, arg: cb.SuggestedPlace) -> list[Reply]:
    require_team(ctx.user)
    if ctx.flow != "class_place":
        return stale()
    return await class_place(ctx, _suggested_place(ctx, ctx.data["villages"][0]))


@router.flow("class_place", free_text=True)
async def class_place(ctx: Ctx, text: str) -> list[Reply]:
    try:
        place = svc.check_place(text)
    except UserError as err:  # the suggestion stays: «1» still picks it
        return [Reply(err.message, buttons=rows(_suggestion(ctx), CANCEL))]
    ctx.set_flow("class_time", **{**ctx.data, "place": place})
    return [time_reply(ctx, "Bước 4/6. Lớp học lúc nào? Gõ ngày giờ như bạn vẫn viết, hoặc bấm chọn.\n" + EXAMPLES)]


@router.button(cb.PickTime)
async def picked_time(ctx: Ctx, arg: cb.PickTime) -> list[Reply]:
    require_team(ctx.user)
    if ctx.flow not in ("class_time", "edit_time"):
        return stale()
    moment = datetime.fromtimestamp(arg.minutes * 60, tz=ctx.app.settings.tz)
    return await _accept_time(ctx, moment)


@router.flow("class_time")
@router.flow("edit_time")
async def class_time(ctx: Ctx, text: str) -> list[Reply]:
    try:
        moment = parse_when(text, ctx.now, ctx.app.settings.tz)
    except UserError as err:
        return [time_reply(ctx, err.message)]
    return await _accept_time(ctx, moment)


async def _accept_time(ctx: Ctx, moment: datetime) -> list[Reply]:
    try:
        svc.check_future(moment, ctx.now, ctx.app)
    except UserError as err:
        return [time_reply(ctx, err.message)]
    if ctx.flow == "edit_time":
        return await team_edits.apply_edit(ctx, starts_at=moment)
    ctx.set_flow("class_capacity", **{**ctx.data, "starts_at": moment.isoformat()})
    return [
        Reply(
            f"Đã chọn: {format_when(moment, ctx.app.settings.tz)}.\nBước 5/6. " + CAPACITY_ASK,
        )
    ]


CAPACITY_ASK = (
    "Lớp nhận tối đa bao nhiêu người? Gõ một số, ví dụ 30. Không giới hạn thì gõ «không». "
    "Muốn thôi, gõ «thôi». (Sau này vẫn đổi được số chỗ.)"
)


@dataclass(frozen=True)
class Seats:
    limit: int | None  # None: no limit


async def typed_seats(ctx: Ctx, text: str) -> Seats | list[Reply]:
    """The seats typed on a capacity screen (a count, or no limit for «không»), or the answer instead:
    the error and the question again, or the end of the wizard for «thôi».

    This screen asks for a number, so it shows no numbered buttons (a typed 1 is one seat)."""
    folded = fold(text)
    if folded in STOP_WORDS and ctx.flow == "edit_capacity":  # nothing changed: back to the class
        return await team_edits.class_detail(ctx, cb.ClassDetail(int(ctx.data.get("class_id", 0))))
    if folded in STOP_WORDS:
        return await abort(ctx, cb.TeamAbort())
    if folded in NO_LIMIT_WORDS:
        return Seats(None)
    try:
        return Seats(svc.check_capacity(text))
    except UserError as err:
        return [Reply(err.message + "\n" + CAPACITY_ASK)]


STOP_WORDS = frozenset({"thoi", "huy", "thoi khong lam nua", "dung lai", "thoat"})
NO_NOTE_WORDS = frozenset({"khong", "ko", "k", "khong co", "khong can", "khong co gi", "bo qua", "xong", "ok"})
NO_LIMIT_WORDS = frozenset({"khong", "ko", "k", "khong gioi han", "vo han", "bao nhieu cung duoc", "tuy"})


@router.flow("class_capacity", numbers_are_text=True, free_text=True)
async def class_capacity(ctx: Ctx, text: str) -> list[Reply]:
    seats = await typed_seats(ctx, text)
    return await _accept_capacity(ctx, seats.limit) if isinstance(seats, Seats) else seats


@router.flow("edit_capacity", numbers_are_text=True, free_text=True)
async def new_capacity(ctx: Ctx, text: str) -> list[Reply]:
    seats = await typed_seats(ctx, text)
    return await team_edits.apply_edit(ctx, capacity=seats.limit or 0) if isinstance(seats, Seats) else seats


async def _accept_capacity(ctx: Ctx, capacity: int | None) -> list[Reply]:
    ctx.set_flow("class_note", **{**ctx.data, "capacity": capacity})
    return [
        Reply(
            "Bước 6/6. Có cần dặn gì thêm không (ví dụ: «Mang theo điện thoại và CCCD»)? "
            "Gõ ghi chú, hoặc bấm «Bỏ qua».",
            buttons=rows(SKIP_NOTE, CANCEL),
        )
    ]


@router.button(cb.SkipNote)
async def skip_note(ctx: Ctx, arg: cb.SkipNote) -> list[Reply]:
    require_team(ctx.user)
    if ctx.flow != "class_note":
        return stale()
    return await class_note(ctx, "")


@router.flow("class_note", free_text=True)
async def class_note(ctx: Ctx, text: str) -> list[Reply]:
    note = "" if fold(text) in NO_NOTE_WORDS else text.strip()
    if len(note) > svc.NOTE_MAX:
        return [Reply(f"Ghi chú dài quá. Bạn rút gọn dưới {svc.NOTE_MAX} ký tự nhé.", buttons=rows(SKIP_NOTE, CANCEL))]
    ctx.set_flow("class_confirm", **{**ctx.data, "note": note or None})
    draft = _draft(ctx)
    count = await announcements.recipient_count(ctx.session, ctx.user, draft.village_ids, ctx.app)
    return [
        Reply(
            "Xem lại lớp học:\n\n"
            + svc.class_text(draft, ctx.app.places, ctx.app)
            + f"\n\nKhi xác nhận, bot sẽ báo cho {count} người dân đã đăng ký ở các thôn này.",
            buttons=rows(
                cb.ConfirmClass().button("✅ Xác nhận tạo lớp", no.WIZARD_NEXT),
                cb.NewClass().button("↺ Làm lại từ đầu", no.WIZARD_REDO),
                CANCEL,
            ),
        )
    ]


def _draft(ctx: Ctx) -> ClassDraft:
    data = ctx.data
    return ClassDraft(
        title=data["title"],
        village_ids=list(data["villages"]),
        place=data["place"],
        starts_at=datetime.fromisoformat(data["starts_at"]),
        capacity=data.get("capacity"),
        note=data.get("note"),
    )


@router.button(cb.ConfirmClass)
async def confirm_class(ctx: Ctx, arg: cb.ConfirmClass) -> list[Reply]:
    require_team(ctx.user)
    if ctx.flow != "class_confirm":
        return stale()
    klass = await svc.create_class(ctx.session, ctx.app, ctx.user, _draft(ctx), ctx.now)
    residents = await announcements.recipient_count(ctx.session, ctx.user, klass.village_ids, ctx.app)
    ctx.set_flow("menu")
    return [
        Reply(
            f"✅ Đã tạo lớp «{klass.title}» (mã lớp {klass.id}). Bot đang gửi thông báo đến {residents} người dân; "
            "người đăng ký sẽ được nhắc trước giờ học.",
            buttons=rows(MY_CLASSES, HOME, MENU_BUTTON),
        )
    ]
