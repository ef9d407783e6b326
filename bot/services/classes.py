"""Classes held by community tech teams: create, edit, cancel, register, attendance, reminders.

Every function re-checks the caller's role and scope (ids from button payloads are never
trusted) and takes `now` explicitly, so tests drive time. Notifications go through the outbox.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot import callbacks as cb
from bot.app_context import AppContext
from bot.content.places import Places
from bot.db.models import Attendance, Klass, Role, User
from bot.db.repositories import classes as repo
from bot.db.repositories import outbox as outbox_repo
from bot.messages import Button
from bot.services.dateparse import format_when
from bot.services.errors import Forbidden, UserError
from bot.services.outbox import enqueue_for_users
from bot.services.roles import can_manage_village, require_team

TITLE_MAX = 200
PLACE_MAX = 200
NOTE_MAX = 1000
NAME_MAX = 128
ATTENDANCE_WINDOW = timedelta(days=14)  # attendance can be marked up to two weeks after the class


@dataclass
class ClassDraft:
    """What a team member typed, before it becomes a class."""

    title: str
    village_ids: list[str]
    place: str
    starts_at: datetime  # aware
    capacity: int | None = None
    note: str | None = None
    lesson_id: str | None = None


@dataclass(frozen=True)
class ClassView:
    klass: Klass
    registered: int
    mine: bool  # the viewer is registered

    @property
    def full(self) -> bool:
        return self.klass.capacity is not None and self.registered >= self.klass.capacity


@dataclass(frozen=True)
class SheetLine:
    user_id: int
    name: str
    present: bool


@dataclass(frozen=True)
class AttendanceSheet:
    klass: Klass
    registered: list[SheetLine]
    walk_ins: list[str]

    @property
    def present_count(self) -> int:
        return sum(1 for line in self.registered if line.present) + len(self.walk_ins)


# ---------- texts ----------
def villages_label(klass_village_ids: list[str], commune_id: str, places: Places) -> str:
    if not klass_village_ids:
        commune = places.communes.get(commune_id)
        return f"toàn {commune.name}" if commune else "toàn xã"
    return ", ".join(places.villages[v].name if v in places.villages else v for v in klass_village_ids)


def class_text(klass: Klass | ClassDraft, places: Places, app: AppContext, registered: int | None = None) -> str:
    """The class card shown in previews, lists and notifications."""
    tz = app.settings.tz
    commune_id = klass.commune_id if isinstance(klass, Klass) else _commune_of(klass.village_ids, places)
    lines = [
        f"📘 {klass.title}",
        f"🕗 {format_when(klass.starts_at, tz)}",
        f"📍 {klass.place} ({villages_label(list(klass.village_ids), commune_id or '', places)})",
    ]
    if klass.capacity:
        taken = f", đã có {registered} người đăng ký" if registered is not None else ""
        lines.append(f"👥 Tối đa {klass.capacity} người{taken}")
    elif registered is not None:
        lines.append(f"👥 Đã có {registered} người đăng ký")
    if klass.note:
        lines.append(f"📝 {klass.note}")
    return "\n".join(lines)


def _commune_of(village_ids: list[str], places: Places) -> str | None:
    communes = {places.village_commune.get(v) for v in village_ids}
    return communes.pop() if len(communes) == 1 else None


def _register_buttons(class_id: int) -> list[list[Button]]:
    return [[cb.ClassRegister(class_id).button("✅ Tôi sẽ tham gia")], [cb.ClassList().button("📅 Lịch lớp học")]]


def unregister_button(class_id: int, label: str = "❌ Hủy đăng ký") -> Button:
    """The one «Hủy đăng ký» button: in the class list, after registering, on edits and reminders."""
    return cb.ClassUnregister(class_id).button(label)


# ---------- checks ----------
def check_title(text: str) -> str:
    title = " ".join(text.split())
    if len(title) < 3:
        raise UserError("Tên lớp ngắn quá. Bạn gõ chủ đề buổi học, ví dụ: «Cài đặt và kích hoạt VNeID».")
    if len(title) > TITLE_MAX:
        raise UserError(f"Tên lớp dài quá ({len(title)} ký tự). Bạn rút gọn dưới {TITLE_MAX} ký tự nhé.")
    return title


def check_place(text: str) -> str:
    place = " ".join(text.split())
    if len(place) < 3:
        raise UserError("Bạn ghi rõ địa điểm giúp mình, ví dụ: «Nhà văn hóa thôn 3».")
    if len(place) > PLACE_MAX:
        raise UserError(f"Địa điểm dài quá. Bạn rút gọn dưới {PLACE_MAX} ký tự nhé.")
    return place


def check_capacity(text: str) -> int:
    digits = text.strip().replace(".", "")
    if not re.fullmatch(r"-?[0-9]{1,9}", digits):
        raise UserError("Số chỗ phải là một số, ví dụ: 30. Nếu không giới hạn, bấm «Không giới hạn».")
    value = int(digits)
    if value <= 0:
        raise UserError("Số chỗ phải lớn hơn 0.")
    if value > 10_000:
        raise UserError("Số chỗ lớn quá. Bạn kiểm tra lại nhé.")
    return value


def check_future(starts_at: datetime, now: datetime, app: AppContext) -> None:
    if starts_at <= now:
        raise UserError(
            f"Thời gian {format_when(starts_at, app.settings.tz)} đã qua rồi. "
            "Bạn chọn một thời điểm trong tương lai nhé."
        )
    if starts_at > now + timedelta(days=366):
        raise UserError("Lớp học chỉ xếp lịch trước tối đa một năm. Bạn kiểm tra lại năm nhé.")


def validate_draft(user: User | None, draft: ClassDraft, places: Places, app: AppContext, now: datetime) -> str:
    """Check a draft completely; returns its commune id."""
    require_team(user)
    assert user is not None
    if not draft.village_ids:
        raise UserError("Bạn chưa chọn thôn nào cho lớp học.")
    for village_id in draft.village_ids:
        if village_id not in places.villages:
            raise UserError("Thôn này không có trong danh sách. Bạn chọn thôn bằng nút bấm nhé.")
        require_team(user, village_id)
    commune_id = _commune_of(draft.village_ids, places)
    if commune_id is None:
        raise UserError("Các thôn của một lớp phải cùng một xã.")
    check_title(draft.title)
    check_place(draft.place)
    check_future(draft.starts_at, now, app)
    if draft.capacity is not None and draft.capacity <= 0:
        raise UserError("Số chỗ phải lớn hơn 0.")
    if draft.note and len(draft.note) > NOTE_MAX:
        raise UserError(f"Ghi chú dài quá. Bạn rút gọn dưới {NOTE_MAX} ký tự nhé.")
    return commune_id


def can_manage_class(user: User, klass: Klass) -> bool:
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.TEAM:
        return False
    if not klass.village_ids:
        return user.role_commune_id == klass.commune_id
    return all(can_manage_village(user, v) for v in klass.village_ids)


async def managed_class(session: AsyncSession, user: User | None, class_id: int) -> Klass:
    """The class, if `user` may manage it (team member of all its villages, or admin)."""
    require_team(user)
    assert user is not None
    klass = await repo.get(session, class_id)
    if klass is None:
        raise UserError("Không tìm thấy lớp học này. Có thể lớp đã bị xóa.")
    if not can_manage_class(user, klass):
        raise Forbidden("Bạn chỉ quản lý được lớp học ở các thôn được giao.")
    return klass


# ---------- team side ----------
async def create_class(
    session: AsyncSession, app: AppContext, user: User | None, draft: ClassDraft, now: datetime
) -> Klass:
    """Save the class and notify the residents of its villages."""
    commune_id = validate_draft(user, draft, app.places, app, now)
    assert user is not None
    klass = await repo.add(
        session,
        Klass(
            commune_id=commune_id,
            village_ids=list(draft.village_ids),
            title=check_title(draft.title),
            lesson_id=draft.lesson_id,
            place=check_place(draft.place),
            starts_at=draft.starts_at,
            capacity=draft.capacity,
            note=draft.note or None,
            status=repo.SCHEDULED,
            created_by=user.id,
            created_at=now,
            updated_at=now,
        ),
    )
    residents = await repo.residents_of_villages(session, klass.village_ids)
    text = (
        "📢 Lớp học mới ở thôn mình!\n\n" + class_text(klass, app.places, app) + "\n\nBấm «Tôi sẽ tham gia» để đăng ký."
    )
    await enqueue_for_users(session, app, f"cn:{klass.id}", residents, text, now, _register_buttons(klass.id))
    return klass


async def team_classes(session: AsyncSession, user: User | None, now: datetime) -> list[Klass]:
    """Classes this member manages: upcoming ones and those of the last two weeks (for attendance)."""
    require_team(user)
    assert user is not None
    communes = None if user.role == Role.ADMIN else [user.role_commune_id or ""]
    found = await repo.in_communes_since(session, communes, now - ATTENDANCE_WINDOW)
    return [k for k in found if can_manage_class(user, k)]


async def update_class(
    session: AsyncSession,
    app: AppContext,
    user: User | None,
    class_id: int,
    now: datetime,
    *,
    starts_at: datetime | None = None,
    place: str | None = None,
    title: str | None = None,
    capacity: int | None = None,
    note: str | None = None,
) -> Klass:
    """Change a scheduled class; everyone registered is told what changed."""
    klass = await managed_class(session, user, class_id)
    if klass.status != repo.SCHEDULED:
        raise UserError("Lớp này đã hủy hoặc đã kết thúc, không sửa được nữa.")
    changes: list[str] = []
    if starts_at is not None and starts_at != klass.starts_at:
        check_future(starts_at, now, app)
        changes.append(
            f"giờ học: {format_when(klass.starts_at, app.settings.tz)} → {format_when(starts_at, app.settings.tz)}"
        )
        klass.starts_at = starts_at
        # Reminders computed for the old time are withdrawn; new ones follow the new time.
        await outbox_repo.cancel_pending(session, f"cr:{klass.id}:%")
    if place is not None and check_place(place) != klass.place:
        changes.append(f"địa điểm: {klass.place} → {check_place(place)}")
        klass.place = check_place(place)
    if title is not None and check_title(title) != klass.title:
        changes.append(f"tên lớp: {check_title(title)}")
        klass.title = check_title(title)
    if capacity is not None and capacity != klass.capacity:
        if capacity <= 0:
            raise UserError("Số chỗ phải lớn hơn 0.")
        changes.append(f"số chỗ: {capacity}")
        klass.capacity = capacity
    if note is not None and note != (klass.note or ""):
        changes.append("ghi chú mới")
        klass.note = note or None
    if not changes:
        raise UserError("Không có gì thay đổi so với lịch cũ.")
    klass.updated_at = now
    registered = await repo.registered_users(session, klass.id)
    text = (
        f"✏️ Lớp «{klass.title}» đã thay đổi ({'; '.join(changes)}).\n\n"
        + class_text(klass, app.places, app)
        + "\n\nNếu không đi được nữa, bạn bấm «Hủy đăng ký»."
    )
    buttons = [[unregister_button(klass.id)]]
    edit_ref = f"ce:{klass.id}:{int(now.timestamp())}:{secrets.token_hex(3)}"  # every edit is its own message
    await enqueue_for_users(session, app, edit_ref, registered, text, now, buttons)
    return klass


async def cancel_class(
    session: AsyncSession, app: AppContext, user: User | None, class_id: int, now: datetime
) -> tuple[Klass, int]:
    """Cancel a scheduled class; returns it and how many registered people are told."""
    klass = await managed_class(session, user, class_id)
    if klass.status != repo.SCHEDULED:
        raise UserError("Lớp này đã hủy hoặc đã kết thúc rồi.")
    klass.status = repo.CANCELLED
    klass.updated_at = now
    await outbox_repo.cancel_pending(session, f"cr:{klass.id}:%")
    await outbox_repo.cancel_pending(session, f"cn:{klass.id}")
    registered = await repo.registered_users(session, klass.id)
    text = (
        f"❌ Lớp «{klass.title}» lúc {format_when(klass.starts_at, app.settings.tz)} tại {klass.place} đã bị HỦY.\n"
        "Xin lỗi bà con vì sự thay đổi. Tổ công nghệ số sẽ báo lịch mới sau."
    )
    await enqueue_for_users(session, app, f"cx:{klass.id}", registered, text, now)
    return klass, len(registered)


# ---------- resident side ----------
def visible_to(user: User, klass: Klass) -> bool:
    if user.commune_id != klass.commune_id:
        return False
    return not klass.village_ids or user.village_id in klass.village_ids


async def upcoming_for_resident(session: AsyncSession, user: User, now: datetime) -> list[ClassView]:
    """Upcoming classes of my village and commune-wide ones of my commune."""
    if not user.commune_id:
        return []
    found = [k for k in await repo.upcoming_in_commune(session, user.commune_id, now) if visible_to(user, k)]
    ids = [k.id for k in found]
    counts = await repo.registered_counts(session, ids)
    mine = await repo.registered_class_ids(session, user.id, ids)
    return [ClassView(k, counts.get(k.id, 0), k.id in mine) for k in found]


async def class_for_resident(session: AsyncSession, user: User, class_id: int, now: datetime) -> ClassView:
    klass = await repo.get(session, class_id)
    if klass is None or not visible_to(user, klass):
        raise UserError("Không tìm thấy lớp học này ở thôn của bạn.")
    counts = await repo.registered_counts(session, [klass.id])
    mine = await repo.registered_class_ids(session, user.id, [klass.id])
    return ClassView(klass, counts.get(klass.id, 0), klass.id in mine)


async def register(session: AsyncSession, user: User, class_id: int, now: datetime) -> Klass:
    """Register `user` for a class of their village (capacity permitting)."""
    klass = await repo.get(session, class_id)
    if klass is None or not visible_to(user, klass):
        raise UserError("Lớp học này không dành cho thôn của bạn, hoặc không còn nữa.")
    if klass.status == repo.CANCELLED:
        raise UserError("Rất tiếc, lớp học này đã bị hủy.")
    if klass.status != repo.SCHEDULED or klass.starts_at <= now:
        raise UserError("Lớp học này đã bắt đầu hoặc đã kết thúc, không đăng ký được nữa.")
    reg = await repo.get_registration(session, klass.id, user.id)
    if reg is not None and reg.cancelled_at is None:
        return klass  # already registered: tapping twice changes nothing
    if klass.capacity is not None and await repo.count_registered(session, klass.id) >= klass.capacity:
        raise UserError("Rất tiếc, lớp đã đủ chỗ. Bạn theo dõi các lớp sau nhé.")
    if reg is None:
        await repo.add_registration(session, klass.id, user.id, now)
    else:
        reg.cancelled_at = None
        reg.registered_at = now
    return klass


async def unregister(session: AsyncSession, user: User, class_id: int, now: datetime) -> Klass:
    klass = await repo.get(session, class_id)
    reg = await repo.get_registration(session, class_id, user.id) if klass else None
    if klass is None or reg is None or reg.cancelled_at is not None:
        raise UserError("Bạn chưa đăng ký lớp này.")
    reg.cancelled_at = now
    await outbox_repo.cancel_pending(session, f"cr:{klass.id}:%", user_id=user.id)
    return klass


# ---------- attendance ----------
async def attendance_sheet(session: AsyncSession, user: User | None, class_id: int, now: datetime) -> AttendanceSheet:
    klass = await managed_class(session, user, class_id)
    if klass.status == repo.CANCELLED:
        raise UserError("Lớp này đã bị hủy, không điểm danh được.")
    if klass.starts_at > now:
        raise UserError("Lớp chưa diễn ra. Bạn điểm danh khi lớp đã bắt đầu nhé.")
    if klass.starts_at < now - ATTENDANCE_WINDOW:
        raise UserError("Đã quá 14 ngày sau buổi học, không điểm danh được nữa.")
    rows = await repo.attendance_of(session, klass.id)
    present = {a.user_id for a in rows if a.user_id is not None}
    registered = await repo.registered_users(session, klass.id)
    lines = [SheetLine(u.id, u.display_name or f"Người dùng #{u.id}", u.id in present) for u in registered]
    walk_ins = [a.walk_in_name for a in rows if a.user_id is None and a.walk_in_name]
    return AttendanceSheet(klass, lines, walk_ins)


async def toggle_attendance(
    session: AsyncSession, user: User | None, class_id: int, resident_id: int, now: datetime
) -> bool:
    """Mark a registered resident present, or unmark; returns the new state."""
    sheet = await attendance_sheet(session, user, class_id, now)
    assert user is not None
    line = next((entry for entry in sheet.registered if entry.user_id == resident_id), None)
    if line is None:
        raise UserError("Người này không có trong danh sách đăng ký của lớp.")
    if line.present:
        await repo.remove_attendance(session, class_id, resident_id)
        return False
    resident = await session.get(User, resident_id)
    await repo.add_attendance(
        session,
        Attendance(
            class_id=class_id,
            user_id=resident_id,
            village_id=resident.village_id if resident else None,
            marked_by=user.id,
            marked_at=now,
        ),
    )
    return True


async def add_walk_in(session: AsyncSession, user: User | None, class_id: int, name: str, now: datetime) -> str:
    sheet = await attendance_sheet(session, user, class_id, now)
    assert user is not None
    clean = " ".join(name.split())
    if len(clean) < 2:
        raise UserError("Bạn gõ họ tên người đến học, ví dụ: «Nguyễn Văn An».")
    if len(clean) > NAME_MAX:
        raise UserError("Tên dài quá. Bạn rút gọn giúp mình nhé.")
    if clean.casefold() in (w.casefold() for w in sheet.walk_ins):
        raise UserError(f"«{clean}» đã có trong danh sách rồi.")
    village = sheet.klass.village_ids[0] if len(sheet.klass.village_ids) == 1 else None
    await repo.add_attendance(
        session,
        Attendance(
            class_id=class_id, user_id=None, walk_in_name=clean, village_id=village, marked_by=user.id, marked_at=now
        ),
    )
    return clean


async def finish_attendance(session: AsyncSession, user: User | None, class_id: int, now: datetime) -> AttendanceSheet:
    """Close the sheet: the class is marked done and the count kept for statistics."""
    sheet = await attendance_sheet(session, user, class_id, now)
    sheet.klass.status = repo.DONE
    sheet.klass.updated_at = now
    return sheet


# ---------- reminders (called by the scheduler's tick) ----------
def reminder_ref(klass: Klass, offset: int) -> str:
    return f"cr:{klass.id}:{offset}:{int(klass.starts_at.timestamp()) // 60}"


def _reminder_text(klass: Klass, offset: int, app: AppContext) -> str:
    if offset >= 24 * 60:
        when = "ngày mai" if offset == 24 * 60 else f"sau {offset // (24 * 60)} ngày"
    elif offset >= 60:
        when = f"sau {offset // 60} giờ nữa" if offset % 60 == 0 else f"sau {offset} phút nữa"
    else:
        when = f"sau {offset} phút nữa"
    return (
        f"⏰ Nhắc lịch: lớp «{klass.title}» bắt đầu {when}.\n\n"
        + class_text(klass, app.places, app)
        + "\n\nNhớ mang theo điện thoại đã sạc pin và CCCD nhé!"
    )


async def enqueue_due_reminders(session: AsyncSession, app: AppContext, now: datetime) -> int:
    """Write the reminders that are due now for registered people; returns rows added.

    For each upcoming class only the latest due offset is sent (after downtime, a stale
    1-day reminder is not sent together with the 1-hour one). Reminders of classes that
    have started are never sent: pending ones are marked expired.
    """
    await expire_stale_reminders(session, now)
    offsets = sorted({o for o in app.settings.reminder_offsets_minutes if o > 0})
    if not offsets:
        return 0
    added = 0
    for klass in await repo.scheduled_between(session, now, now + timedelta(minutes=offsets[-1])):
        due = [o for o in offsets if klass.starts_at - timedelta(minutes=o) <= now]
        if not due:
            continue
        offset = due[0]
        users = await repo.registered_users(session, klass.id)
        added += await enqueue_for_users(
            session,
            app,
            reminder_ref(klass, offset),
            users,
            _reminder_text(klass, offset, app),
            now,
            [[unregister_button(klass.id)]],
        )
    return added


async def expire_stale_reminders(session: AsyncSession, now: datetime) -> int:
    """Pending reminders whose class has started (the minute is in the ref) are withdrawn."""
    expired = 0
    for ref in await outbox_repo.pending_refs(session, "cr:%"):
        try:
            starts_minute = int(ref.rsplit(":", 1)[1])
        except ValueError:
            continue
        if starts_minute * 60 <= now.timestamp():
            expired += await outbox_repo.cancel_pending(session, ref, status=outbox_repo.EXPIRED)
    return expired


async def next_reminder_at(session: AsyncSession, app: AppContext, now: datetime) -> datetime | None:
    """When the next reminder becomes due (for the scheduler's precise wake-up)."""
    offsets = sorted({o for o in app.settings.reminder_offsets_minutes if o > 0})
    if not offsets:
        return None
    moments = [
        k.starts_at - timedelta(minutes=o)
        for k in await repo.scheduled_between(session, now, now + timedelta(days=400))
        for o in offsets
        if k.starts_at - timedelta(minutes=o) > now
    ]
    return min(moments) if moments else None


async def registered_users(session: AsyncSession, klass: Klass) -> list[User]:
    """Who registered for a class the caller already may manage (see `managed_class`)."""
    return list(await repo.registered_users(session, klass.id))


async def count_registered(session: AsyncSession, klass: Klass) -> int:
    return await repo.count_registered(session, klass.id)
