"""Team member conversations: create / edit / cancel classes, attendance, announcements.

Flow states (ctx.flow): class_title → class_villages → class_place → class_time →
class_capacity → class_note → class_confirm; edit_time, edit_place; att_walkin;
ann_villages → ann_text → ann_confirm. Payloads use the prefix "tm". Every step re-checks
the role in the services; ids in payloads are only hints.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from bot.db.models import Role, User
from bot.engine.context import Ctx
from bot.engine.flows.common import MENU_BUTTON, as_int, menu_reply, rows
from bot.engine.router import router
from bot.messages import Button, Reply
from bot.services import announcements
from bot.services import classes as svc
from bot.services.classes import ClassDraft
from bot.services.dateparse import EXAMPLES, format_when, parse_when
from bot.services.errors import UserError
from bot.services.roles import require_team

HOME = Button("👥 Tổ công nghệ số", "tm:home")
CANCEL = Button("✖ Thôi, không làm nữa", "tm:abort")
NO_LIMIT = Button("Không giới hạn", "tm:cap:0")
DATE_CHOICES = ((1, 8, "Sáng mai 8:00"), (1, 14, "Chiều mai 14:00"), (2, 8, "Sáng ngày kia 8:00"))


@router.menu_entry
def team_menu_entry(user: User) -> list[Button]:
    return [HOME] if user.role in (Role.TEAM, Role.ADMIN) else []


def managed_villages(ctx: Ctx) -> list[str]:
    user = require_team(ctx.user)
    if user.role == Role.ADMIN:
        return list(ctx.app.places.villages)
    return [v for v in (user.role_village_ids or []) if v in ctx.app.places.villages]


def _village_name(ctx: Ctx, village_id: str) -> str:
    village = ctx.app.places.villages.get(village_id)
    return village.name if village else village_id


# ---------- home ----------
@router.button("tm")
async def on_button(ctx: Ctx, arg: str) -> list[Reply]:
    require_team(ctx.user)
    action, _, rest = arg.partition(":")
    handler = _ACTIONS.get(action)
    if handler is None:
        return await home(ctx, "")
    return await handler(ctx, rest)


@router.command("todoi", "to_cong_nghe")
async def home(ctx: Ctx, arg: str) -> list[Reply]:
    require_team(ctx.user)
    ctx.set_flow("menu")
    return [
        Reply(
            "👥 Tổ công nghệ số cộng đồng — bạn muốn làm gì?",
            buttons=rows(
                Button("➕ Tạo lớp học", "tm:new"),
                Button("📋 Lớp của tôi", "tm:mine"),
                Button("📣 Gửi thông báo", "tm:ann"),
                Button("📬 Thông báo đã gửi", "tm:anns"),
                MENU_BUTTON,
            ),
        )
    ]


async def abort(ctx: Ctx, arg: str) -> list[Reply]:
    return [await menu_reply(ctx, "Đã hủy, không có gì được lưu.")]


# ---------- create a class ----------
@router.command("taolop", "tao_lop")
async def new_class(ctx: Ctx, arg: str) -> list[Reply]:
    if not managed_villages(ctx):
        raise UserError("Bạn chưa được giao thôn nào. Hãy nhờ quản trị viên cấp lại mã mời.")
    ctx.set_flow("class_title")
    return [
        Reply(
            "➕ Tạo lớp học — bước 1/6.\nGõ chủ đề buổi học, ví dụ: «Cài đặt và kích hoạt VNeID».", buttons=rows(CANCEL)
        )
    ]


@router.flow("class_title")
async def class_title(ctx: Ctx, text: str) -> list[Reply]:
    try:
        title = svc.check_title(text)
    except UserError as err:
        return [Reply(err.message, buttons=rows(CANCEL))]
    villages = managed_villages(ctx)
    chosen = villages[:1] if len(villages) == 1 else []
    ctx.set_flow("class_villages", title=title, villages=chosen)
    return [
        _villages_reply(ctx, "Bước 2/6. Lớp học dành cho thôn nào? Bấm để chọn (chọn được nhiều thôn), rồi bấm «Xong».")
    ]


def _villages_reply(ctx: Ctx, text: str) -> Reply:
    chosen = set(ctx.data.get("villages", []))
    buttons = [
        Button(f"{'☑' if v in chosen else '☐'} {_village_name(ctx, v)}", f"tm:v:{i}")
        for i, v in enumerate(managed_villages(ctx))
    ]
    return Reply(text, buttons=rows(*buttons, Button("✔ Xong", "tm:vdone"), CANCEL))


async def toggle_village(ctx: Ctx, arg: str) -> list[Reply]:
    if ctx.flow not in ("class_villages", "ann_villages"):
        return _stale()
    villages = managed_villages(ctx)
    index = as_int(arg, -1)
    if not 0 <= index < len(villages):
        return [_villages_reply(ctx, "Thôn này không có trong danh sách của bạn. Bạn bấm nút để chọn thôn nhé.")]
    chosen = list(ctx.data.get("villages", []))
    village = villages[index]
    chosen.remove(village) if village in chosen else chosen.append(village)
    ctx.update_data(villages=chosen)
    names = ", ".join(_village_name(ctx, v) for v in chosen) or "chưa chọn thôn nào"
    return [_villages_reply(ctx, f"Đã chọn: {names}. Bấm «Xong» khi chọn đủ.")]


@router.flow("class_villages")
@router.flow("ann_villages")
async def typed_village(ctx: Ctx, text: str) -> list[Reply]:
    return [_villages_reply(ctx, "Thôn này không có trong danh sách của bạn. Bạn bấm nút để chọn thôn nhé.")]


async def villages_done(ctx: Ctx, arg: str) -> list[Reply]:
    chosen = list(ctx.data.get("villages", []))
    if not chosen:
        return [_villages_reply(ctx, "Bạn chưa chọn thôn nào. Bấm vào tên thôn để chọn.")]
    if ctx.flow == "ann_villages":
        return await _ann_ask_text(ctx, chosen)
    if ctx.flow != "class_villages":
        return _stale()
    ctx.set_flow("class_place", **{**ctx.data, "villages": chosen})
    suggestion = f"Nhà văn hóa {_village_name(ctx, chosen[0]).lower()}"
    return [
        Reply(
            "Bước 3/6. Lớp học ở đâu? Gõ địa điểm, hoặc bấm gợi ý dưới đây.",
            buttons=rows(Button(suggestion, "tm:pl"), CANCEL),
        )
    ]


async def suggested_place(ctx: Ctx, arg: str) -> list[Reply]:
    if ctx.flow != "class_place":
        return _stale()
    return await class_place(ctx, f"Nhà văn hóa {_village_name(ctx, ctx.data['villages'][0]).lower()}")


@router.flow("class_place")
async def class_place(ctx: Ctx, text: str) -> list[Reply]:
    try:
        place = svc.check_place(text)
    except UserError as err:
        return [Reply(err.message, buttons=rows(CANCEL))]
    ctx.set_flow("class_time", **{**ctx.data, "place": place})
    return [_time_reply(ctx, "Bước 4/6. Lớp học lúc nào? Gõ ngày giờ như bạn vẫn viết, hoặc bấm chọn.\n" + EXAMPLES)]


def _time_reply(ctx: Ctx, text: str) -> Reply:
    tz = ctx.app.settings.tz
    today = ctx.now.astimezone(tz).date()
    buttons = []
    for days, hour, label in DATE_CHOICES:
        moment = datetime.combine(today + timedelta(days=days), time(hour), tzinfo=tz)
        buttons.append(Button(f"{label} ({moment:%d/%m})", f"tm:t:{int(moment.timestamp()) // 60}"))
    return Reply(text, buttons=rows(*buttons, CANCEL))


async def picked_time(ctx: Ctx, arg: str) -> list[Reply]:
    if ctx.flow not in ("class_time", "edit_time"):
        return _stale()
    moment = datetime.fromtimestamp(as_int(arg) * 60, tz=ctx.app.settings.tz)
    return await _accept_time(ctx, moment)


@router.flow("class_time")
@router.flow("edit_time")
async def class_time(ctx: Ctx, text: str) -> list[Reply]:
    try:
        moment = parse_when(text, ctx.now, ctx.app.settings.tz)
    except UserError as err:
        return [_time_reply(ctx, err.message)]
    return await _accept_time(ctx, moment)


async def _accept_time(ctx: Ctx, moment: datetime) -> list[Reply]:
    try:
        svc.check_future(moment, ctx.now, ctx.app)
    except UserError as err:
        return [_time_reply(ctx, err.message)]
    if ctx.flow == "edit_time":
        return await _apply_edit(ctx, starts_at=moment)
    ctx.set_flow("class_capacity", **{**ctx.data, "starts_at": moment.isoformat()})
    return [
        Reply(
            f"Đã chọn: {format_when(moment, ctx.app.settings.tz)}.\n"
            "Bước 5/6. Lớp nhận tối đa bao nhiêu người? Gõ một số (ví dụ 30), hoặc bấm «Không giới hạn».",
            buttons=rows(NO_LIMIT),
        )
    ]


async def picked_capacity(ctx: Ctx, arg: str) -> list[Reply]:
    if ctx.flow != "class_capacity":
        return _stale()
    return await _accept_capacity(ctx, as_int(arg) or None)


@router.flow("class_capacity", numbers_are_text=True)
async def class_capacity(ctx: Ctx, text: str) -> list[Reply]:
    try:
        capacity = svc.check_capacity(text)
    except UserError as err:
        return [Reply(err.message, buttons=rows(NO_LIMIT))]
    return await _accept_capacity(ctx, capacity)


async def _accept_capacity(ctx: Ctx, capacity: int | None) -> list[Reply]:
    ctx.set_flow("class_note", **{**ctx.data, "capacity": capacity})
    return [
        Reply(
            "Bước 6/6. Có cần dặn gì thêm không (ví dụ: «Mang theo điện thoại và CCCD»)? "
            "Gõ ghi chú, hoặc bấm «Bỏ qua».",
            buttons=rows(Button("Bỏ qua", "tm:note"), CANCEL),
        )
    ]


async def skip_note(ctx: Ctx, arg: str) -> list[Reply]:
    if ctx.flow != "class_note":
        return _stale()
    return await class_note(ctx, "")


@router.flow("class_note")
async def class_note(ctx: Ctx, text: str) -> list[Reply]:
    note = text.strip()
    if len(note) > svc.NOTE_MAX:
        return [
            Reply(
                f"Ghi chú dài quá. Bạn rút gọn dưới {svc.NOTE_MAX} ký tự nhé.",
                buttons=rows(Button("Bỏ qua", "tm:note"), CANCEL),
            )
        ]
    ctx.set_flow("class_confirm", **{**ctx.data, "note": note or None})
    draft = _draft(ctx)
    count = await announcements.recipient_count(ctx.session, ctx.user, draft.village_ids, ctx.app)
    return [
        Reply(
            "Xem lại lớp học:\n\n"
            + svc.class_text(draft, ctx.app.places, ctx.app)
            + f"\n\nKhi xác nhận, bot sẽ báo cho {count} người dân đã đăng ký ở các thôn này.",
            buttons=rows(Button("✅ Xác nhận tạo lớp", "tm:ok"), Button("↺ Làm lại từ đầu", "tm:new"), CANCEL),
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


async def confirm_class(ctx: Ctx, arg: str) -> list[Reply]:
    if ctx.flow != "class_confirm":
        return _stale()
    klass = await svc.create_class(ctx.session, ctx.app, ctx.user, _draft(ctx), ctx.now)
    residents = await announcements.recipient_count(ctx.session, ctx.user, klass.village_ids, ctx.app)
    ctx.set_flow("menu")
    return [
        Reply(
            f"✅ Đã tạo lớp «{klass.title}» (mã lớp {klass.id}). Bot đang gửi thông báo đến {residents} người dân; "
            "người đăng ký sẽ được nhắc trước giờ học.",
            buttons=rows(Button("📋 Lớp của tôi", "tm:mine"), HOME, MENU_BUTTON),
        )
    ]


# ---------- my classes: edit, cancel ----------
@router.command("lopcuatoi", "lop_cua_toi")
async def my_classes(ctx: Ctx, arg: str) -> list[Reply]:
    found = await svc.team_classes(ctx.session, ctx.user, ctx.now)
    ctx.set_flow("menu")
    if not found:
        return [
            Reply(
                "Bạn chưa có lớp học nào (trong 14 ngày qua và sắp tới).",
                buttons=rows(Button("➕ Tạo lớp học", "tm:new"), HOME),
            )
        ]
    tz = ctx.app.settings.tz
    marks = {"scheduled": "", "cancelled": " (đã hủy)", "done": " (đã điểm danh)"}
    buttons = [
        Button(f"{k.starts_at.astimezone(tz):%d/%m %H:%M} {k.title[:30]}{marks.get(k.status, '')}", f"tm:k:{k.id}")
        for k in found[:20]
    ]
    return [Reply("📋 Lớp của bạn. Bấm vào một lớp để sửa, hủy hoặc điểm danh.", buttons=rows(*buttons, HOME))]


async def class_detail(ctx: Ctx, arg: str) -> list[Reply]:
    klass = await svc.managed_class(ctx.session, ctx.user, as_int(arg))
    registered = await svc.repo.registered_users(ctx.session, klass.id)
    names = ", ".join(u.display_name or f"#{u.id}" for u in registered[:30]) or "chưa có ai"
    text = svc.class_text(klass, ctx.app.places, ctx.app, len(registered)) + f"\n\nĐã đăng ký: {names}"
    buttons: list[Button] = []
    if klass.status == "scheduled" and klass.starts_at > ctx.now:
        buttons += [
            Button("🕗 Đổi giờ", f"tm:et:{klass.id}"),
            Button("📍 Đổi địa điểm", f"tm:ep:{klass.id}"),
            Button("❌ Hủy lớp", f"tm:x:{klass.id}"),
        ]
    if klass.status != "cancelled" and klass.starts_at <= ctx.now:
        buttons.append(Button("✅ Điểm danh", f"tm:att:{klass.id}"))
    if klass.status == "cancelled":
        text += "\n\n(Lớp này đã hủy.)"
    return [Reply(text, buttons=rows(*buttons, Button("📋 Lớp của tôi", "tm:mine"), HOME))]


async def edit_time(ctx: Ctx, arg: str) -> list[Reply]:
    klass = await svc.managed_class(ctx.session, ctx.user, as_int(arg))
    ctx.set_flow("edit_time", class_id=klass.id)
    return [
        _time_reply(
            ctx, f"Giờ hiện tại: {format_when(klass.starts_at, ctx.app.settings.tz)}.\nGõ ngày giờ mới. {EXAMPLES}"
        )
    ]


async def edit_place(ctx: Ctx, arg: str) -> list[Reply]:
    klass = await svc.managed_class(ctx.session, ctx.user, as_int(arg))
    ctx.set_flow("edit_place", class_id=klass.id)
    return [Reply(f"Địa điểm hiện tại: {klass.place}.\nGõ địa điểm mới.", buttons=rows(CANCEL))]


@router.flow("edit_place")
async def typed_new_place(ctx: Ctx, text: str) -> list[Reply]:
    try:
        place = svc.check_place(text)
    except UserError as err:
        return [Reply(err.message, buttons=rows(CANCEL))]
    return await _apply_edit(ctx, place=place)


async def _apply_edit(ctx: Ctx, **changes: object) -> list[Reply]:
    class_id = int(ctx.data.get("class_id", 0))
    klass = await svc.update_class(ctx.session, ctx.app, ctx.user, class_id, ctx.now, **changes)  # type: ignore[arg-type]
    told = await svc.repo.count_registered(ctx.session, klass.id)
    ctx.set_flow("menu")
    return [
        Reply(
            "✅ Đã cập nhật lớp:\n\n"
            + svc.class_text(klass, ctx.app.places, ctx.app)
            + f"\n\nĐã báo cho {told} người đăng ký.",
            buttons=rows(Button("📋 Lớp của tôi", "tm:mine"), HOME),
        )
    ]


async def ask_cancel(ctx: Ctx, arg: str) -> list[Reply]:
    klass = await svc.managed_class(ctx.session, ctx.user, as_int(arg))
    told = await svc.repo.count_registered(ctx.session, klass.id)
    return [
        Reply(
            f"Bạn chắc chắn muốn HỦY lớp «{klass.title}» ({format_when(klass.starts_at, ctx.app.settings.tz)})?\n"
            f"Bot sẽ báo cho {told} người đã đăng ký.",
            buttons=rows(Button("❌ Đúng, hủy lớp", f"tm:xok:{klass.id}"), Button("Không hủy", f"tm:k:{klass.id}")),
        )
    ]


async def confirm_cancel(ctx: Ctx, arg: str) -> list[Reply]:
    klass, told = await svc.cancel_class(ctx.session, ctx.app, ctx.user, as_int(arg), ctx.now)
    ctx.set_flow("menu")
    return [
        Reply(
            f"Đã hủy lớp «{klass.title}». Bot đang báo cho {told} người đã đăng ký.",
            buttons=rows(Button("📋 Lớp của tôi", "tm:mine"), HOME),
        )
    ]


# ---------- attendance ----------
async def attendance(ctx: Ctx, arg: str, note: str = "") -> list[Reply]:
    sheet = await svc.attendance_sheet(ctx.session, ctx.user, as_int(arg), ctx.now)
    ctx.set_flow("menu")
    return [_sheet_reply(sheet, note)]


def _sheet_reply(sheet: svc.AttendanceSheet, note: str = "") -> Reply:
    k = sheet.klass
    buttons = [
        Button(f"{'☑' if line.present else '☐'} {line.name[:40]}", f"tm:ap:{k.id}:{line.user_id}")
        for line in sheet.registered
    ]
    walk = ("\nNgười đến không đăng ký: " + ", ".join(sheet.walk_ins)) if sheet.walk_ins else ""
    text = (
        f"{note}✅ Điểm danh lớp «{k.title}». Bấm tên người có mặt (bấm lại để bỏ).{walk}\n"
        f"Có mặt: {sheet.present_count} người."
    )
    return Reply(
        text.strip(),
        buttons=rows(
            *buttons,
            Button("➕ Thêm người đến không đăng ký", f"tm:aw:{k.id}"),
            Button("✔ Xong, lưu điểm danh", f"tm:afin:{k.id}"),
        ),
    )


async def toggle_present(ctx: Ctx, arg: str) -> list[Reply]:
    class_part, _, user_part = arg.partition(":")
    await svc.toggle_attendance(ctx.session, ctx.user, as_int(class_part), as_int(user_part), ctx.now)
    return await attendance(ctx, class_part)


async def ask_walk_in(ctx: Ctx, arg: str) -> list[Reply]:
    sheet = await svc.attendance_sheet(ctx.session, ctx.user, as_int(arg), ctx.now)
    ctx.set_flow("att_walkin", class_id=sheet.klass.id)
    return [
        Reply(
            "Gõ họ tên người đến học mà không đăng ký (nhiều người thì mỗi người một dòng hoặc cách nhau "
            "bằng dấu phẩy).",
            buttons=rows(Button("↩ Quay lại điểm danh", f"tm:att:{sheet.klass.id}")),
        )
    ]


@router.flow("att_walkin")
async def typed_walk_in(ctx: Ctx, text: str) -> list[Reply]:
    class_id = int(ctx.data.get("class_id", 0))
    names = [n for n in text.replace("\n", ",").split(",") if n.strip()]
    if not names:
        raise UserError("Bạn gõ họ tên người đến học, ví dụ: «Nguyễn Văn An».")
    added = [await svc.add_walk_in(ctx.session, ctx.user, class_id, name, ctx.now) for name in names]
    return await attendance(ctx, str(class_id), note=f"Đã thêm: {', '.join(added)}.\n")


async def finish_attendance(ctx: Ctx, arg: str) -> list[Reply]:
    sheet = await svc.finish_attendance(ctx.session, ctx.user, as_int(arg), ctx.now)
    ctx.set_flow("menu")
    return [
        Reply(
            f"Đã lưu điểm danh lớp «{sheet.klass.title}»: {sheet.present_count} người có mặt. "
            "Số liệu này được tính vào thống kê của xã.",
            buttons=rows(Button("📋 Lớp của tôi", "tm:mine"), HOME),
        )
    ]


# ---------- announcements ----------
@router.command("thongbao", "thong_bao")
async def new_announcement(ctx: Ctx, arg: str) -> list[Reply]:
    villages = managed_villages(ctx)
    if not villages:
        raise UserError("Bạn chưa được giao thôn nào. Hãy nhờ quản trị viên cấp lại mã mời.")
    if len(villages) == 1:
        ctx.set_flow("ann_villages", villages=villages)
        return await _ann_ask_text(ctx, villages)
    ctx.set_flow("ann_villages", villages=[])
    return [_villages_reply(ctx, "📣 Gửi thông báo. Gửi cho thôn nào? Bấm để chọn, rồi bấm «Xong».")]


async def _ann_ask_text(ctx: Ctx, villages: list[str]) -> list[Reply]:
    count = await announcements.recipient_count(ctx.session, ctx.user, villages, ctx.app)
    ctx.set_flow("ann_text", villages=villages)
    names = ", ".join(_village_name(ctx, v) for v in villages)
    return [
        Reply(
            f"Gửi đến: {names} ({count} người).\nGõ nội dung thông báo. Muốn kèm ảnh, gửi ảnh "
            "(chú thích của ảnh sẽ là nội dung).",
            buttons=rows(CANCEL),
        )
    ]


async def _fetch_photo(ctx: Ctx) -> str:
    """Download the photo the team member just sent (only now, because a flow asked for it)."""
    fetch = ctx.app.media_fetchers.get(ctx.incoming.channel)
    if fetch is None or not ctx.incoming.media_ref:
        raise UserError("Kênh này chưa nhận được ảnh. Bạn gõ nội dung bằng chữ nhé.")
    try:
        path = await fetch(ctx.incoming.media_ref, ctx.app.settings.uploads_dir)
    except Exception as exc:
        raise UserError("Mình chưa tải được ảnh này. Bạn gửi lại ảnh, hoặc gõ nội dung bằng chữ nhé.") from exc
    return str(path)


@router.flow("ann_text", accepts_media=True)
async def ann_text(ctx: Ctx, text: str) -> list[Reply]:
    villages = list(ctx.data.get("villages", []))
    image = ctx.data.get("image")
    if ctx.incoming.media_ref:
        image = await _fetch_photo(ctx)
        if not text:
            ctx.set_flow("ann_text", villages=villages, image=image)
            return [Reply("Đã nhận ảnh. Giờ bạn gõ nội dung thông báo đi kèm ảnh.", buttons=rows(CANCEL))]
    try:
        clean = announcements.check_text(text)
    except UserError as err:
        return [Reply(err.message, buttons=rows(CANCEL))]
    count = await announcements.recipient_count(ctx.session, ctx.user, villages, ctx.app)
    ctx.set_flow("ann_confirm", villages=villages, text=clean, image=image)
    return [
        Reply(
            "Xem trước tin nhắn bà con sẽ nhận:\n\n"
            + announcements.message_text(clean, villages, ctx.app)
            + f"\n\n👥 Sẽ gửi đến {count} người. Gửi ngay?",
            buttons=rows(Button("✅ Gửi", "tm:aok"), Button("✏️ Viết lại", "tm:aedit"), CANCEL),
            image=image,
        )
    ]


async def ann_rewrite(ctx: Ctx, arg: str) -> list[Reply]:
    if ctx.flow != "ann_confirm":
        return _stale()
    return await _ann_ask_text(ctx, list(ctx.data.get("villages", [])))


async def ann_confirm(ctx: Ctx, arg: str) -> list[Reply]:
    if ctx.flow != "ann_confirm":
        return _stale()
    ann, count = await announcements.send(
        ctx.session,
        ctx.app,
        ctx.user,
        ctx.data.get("text", ""),
        list(ctx.data.get("villages", [])),
        ctx.now,
        image_path=ctx.data.get("image"),
    )
    ctx.set_flow("menu")
    return [
        Reply(
            f"📣 Đã xếp hàng gửi thông báo đến {count} người. Bot gửi dần để không bị chặn; "
            "bấm nút dưới đây để xem tình trạng.",
            buttons=rows(Button("📬 Tình trạng gửi", f"tm:as:{ann.id}"), HOME),
        )
    ]


async def ann_list(ctx: Ctx, arg: str) -> list[Reply]:
    found = await announcements.recent(ctx.session, ctx.user)
    if not found:
        return [Reply("Bạn chưa gửi thông báo nào.", buttons=rows(Button("📣 Gửi thông báo", "tm:ann"), HOME))]
    tz = ctx.app.settings.tz
    buttons = [Button(f"{a.created_at.astimezone(tz):%d/%m %H:%M} {a.text[:30]}", f"tm:as:{a.id}") for a in found]
    return [Reply("📬 Thông báo bạn đã gửi gần đây:", buttons=rows(*buttons, HOME))]


async def ann_status(ctx: Ctx, arg: str) -> list[Reply]:
    ann, d = await announcements.delivery(ctx.session, ctx.user, as_int(arg))
    return [
        Reply(
            f"📬 Thông báo «{ann.text[:60]}»\n"
            f"• Đã gửi: {d.sent}\n• Đang chờ gửi: {d.pending}\n• Lỗi: {d.failed}\n"
            f"• Người dùng đã chặn bot: {d.blocked}\n"
            f"Tổng: {d.total} người.",
            buttons=rows(Button("🔄 Cập nhật", f"tm:as:{ann.id}"), HOME),
        )
    ]


def _stale() -> list[Reply]:
    return [
        Reply(
            "Bước này đã qua hoặc đã hết hạn. Bạn bắt đầu lại từ menu Tổ công nghệ số nhé.",
            buttons=rows(HOME, MENU_BUTTON),
        )
    ]


_ACTIONS = {
    "home": home,
    "abort": abort,
    "new": new_class,
    "v": toggle_village,
    "vdone": villages_done,
    "pl": suggested_place,
    "t": picked_time,
    "cap": picked_capacity,
    "note": skip_note,
    "ok": confirm_class,
    "mine": my_classes,
    "k": class_detail,
    "et": edit_time,
    "ep": edit_place,
    "x": ask_cancel,
    "xok": confirm_cancel,
    "att": attendance,
    "ap": toggle_present,
    "aw": ask_walk_in,
    "afin": finish_attendance,
    "ann": new_announcement,
    "aedit": ann_rewrite,
    "aok": ann_confirm,
    "anns": ann_list,
    "as": ann_status,
}
