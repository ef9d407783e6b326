"""A resident checks in at a village class: «điểm danh 4821» typed anywhere (also «/diemdanh 4821»),
or the poster's Telegram deep link (/start dd_<token>). Before consent nothing is stored: the key rides
in the «Đồng ý» button's payload (c:yesdd:KEY) and, for a typed «1» / «đồng ý» (Zalo), waits in the
process's memory like an invite code (bot/pending_codes.py, value «dd:KEY»); «đồng ý 4821» also
works anywhere. The check-in is applied right after consenting."""

from __future__ import annotations

from bot import callbacks as cb
from bot.engine import numbers as no
from bot.engine import texts
from bot.engine.context import Ctx
from bot.engine.flows.common import MENU_BUTTON, rows
from bot.engine.flows.start import CONSENT_BUTTONS, PENDING_KINDS, START_ARGS, agree, pending_key
from bot.engine.router import router
from bot.messages import Reply
from bot.services import checkin as svc
from bot.services.dateparse import format_when

ASK_CODE = (
    "Bạn gõ «điểm danh» kèm mã số in trên áp phích ở lớp học, ví dụ: diem danh 4821. "
    "Hoặc quét mã QR trên áp phích bằng camera điện thoại."
)


def _place(ctx: Ctx, result: svc.Result) -> str:
    assert result.klass is not None
    return f"«{result.klass.title}» ({result.klass.place})"


def result_text(ctx: Ctx, result: svc.Result, key: str) -> str:
    tz = ctx.app.settings.tz
    klass = result.klass
    if result.outcome is svc.Outcome.UNKNOWN or klass is None:
        shown = f"«{key}» " if svc.is_code(key) else ""
        return (
            f"Mình không tìm thấy lớp học nào có mã điểm danh {shown}hôm nay. Bạn xem lại mã số in trên áp phích "
            "ở lớp, rồi gõ lại, ví dụ: diem danh 4821. Chưa có gì được ghi lại."
        )
    opens, closes = svc.window(klass)
    if result.outcome is svc.Outcome.CANCELLED:
        return f"Lớp {_place(ctx, result)} đã bị hủy, nên không điểm danh được. Chưa có gì được ghi lại."
    if result.outcome is svc.Outcome.TOO_EARLY:
        return (
            f"Lớp {_place(ctx, result)} học lúc {format_when(klass.starts_at, tz)}. Chưa đến giờ điểm danh: "
            f"bạn điểm danh từ {opens.astimezone(tz):%H:%M} (nửa tiếng trước giờ học) nhé. Chưa có gì được ghi lại."
        )
    if result.outcome is svc.Outcome.CLOSED:
        return (
            f"Lớp {_place(ctx, result)} đã kết thúc lúc {closes.astimezone(tz):%H:%M} "
            f"ngày {closes.astimezone(tz):%d/%m}, nên không điểm danh bằng mã được nữa. Nếu bạn đã đến lớp, "
            "bạn nhờ Tổ công nghệ số điểm danh giúp nhé. Chưa có gì được ghi lại."
        )
    lesson = ctx.app.catalog.get(klass.lesson_id) if klass.lesson_id else None
    about = f"\nBài hôm nay: «{lesson.title}» — bài này sẽ được ghi «đã học tại lớp» cho bạn." if lesson else ""
    if result.outcome is svc.Outcome.ALREADY:
        return f"Bạn đã điểm danh lớp {_place(ctx, result)} rồi — mình chỉ tính một lần. Chúc bạn học vui!{about}"
    return f"✅ Đã điểm danh! Chào mừng bạn đến lớp {_place(ctx, result)}. Chúc bạn học vui!{about}"


async def check_in_with(ctx: Ctx, key: str, buttons: bool = True) -> list[Reply]:
    if not key:
        return [Reply(ASK_CODE, buttons=rows(MENU_BUTTON) if ctx.user else ())]
    if ctx.user is None:
        return await _before_consent(ctx, key)
    result = await svc.check_in(ctx.session, ctx.user, key, ctx.now)
    klass = result.klass
    lesson = ctx.app.catalog.get(klass.lesson_id) if klass and klass.lesson_id else None
    done = result.outcome in (svc.Outcome.CHECKED_IN, svc.Outcome.ALREADY)
    learn = cb.OpenLesson(lesson.id).button("📚 Mở bài hôm nay", no.FORWARD) if done and lesson else None
    return [Reply(result_text(ctx, result, key), buttons=rows(learn, MENU_BUTTON) if buttons else ())]


async def _before_consent(ctx: Ctx, key: str) -> list[Reply]:
    """Nothing stored: a wrong or closed code is said at once; otherwise consent first, the key kept in
    the «Đồng ý» payload (or, where numbers are typed, in the words «đồng ý 4821» she is asked to send)."""
    found = await svc.resolve(ctx.session, key, ctx.now)
    if found.outcome is not svc.Outcome.OPEN or found.klass is None:
        return [Reply(result_text(ctx, found, key) + "\n\n" + texts.CONSENT_ASK, buttons=rows(*CONSENT_BUTTONS))]
    intro = f"Bạn đang điểm danh lớp «{found.klass.title}». Trước khi điểm danh, mình cần bạn đồng ý cho mình lưu."
    ctx.app.pending_codes.remember(pending_key(ctx), PENDING + key, ctx.now)
    yes = cb.ConsentYesCheckin(key).button(texts.BTN_AGREE, no.YES)
    after = "\n(Bạn đồng ý thì mình điểm danh cho bạn ngay.)"
    return [Reply(intro + "\n\n" + texts.CONSENT_ASK + after, buttons=rows(yes, *CONSENT_BUTTONS[1:]))]


@router.command("diemdanh", "diem_danh", public=True)
async def checkin_command(ctx: Ctx, arg: str) -> list[Reply]:
    return await check_in_with(ctx, "".join(arg.split())[:64])


@router.phrase(svc.typed_checkin, public=True)
async def typed_checkin(ctx: Ctx, code: str) -> list[Reply]:
    return await check_in_with(ctx, code)


async def _deep_link(ctx: Ctx, arg: str) -> list[Reply] | None:
    key = svc.key_of_start_arg(arg)
    return None if key is None else await check_in_with(ctx, key)


START_ARGS.append(_deep_link)


PENDING = "dd:"  # a check-in key waiting in pending_codes for her typed «Đồng ý»


async def _consent_then_check_in(ctx: Ctx, key: str) -> list[Reply]:
    was_new = ctx.user is None
    after = await agree(ctx)
    checked = await check_in_with(ctx, key, buttons=not was_new)
    return [*checked, *after] if was_new else checked


@router.button(cb.ConsentYesCheckin, public=True)
async def consent_and_check_in(ctx: Ctx, arg: cb.ConsentYesCheckin) -> list[Reply]:
    return await _consent_then_check_in(ctx, arg.key)


PENDING_KINDS[PENDING] = _consent_then_check_in


@router.phrase(svc.typed_agree_with_code, public=True)
async def typed_agree_and_check_in(ctx: Ctx, code: str) -> list[Reply]:
    return await _consent_then_check_in(ctx, code)
