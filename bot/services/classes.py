"""Classes held by community tech teams: the texts, the checks, create / edit / cancel and the lists.

Every function re-checks the caller's role and scope (ids from button payloads are never
trusted) and takes `now` explicitly, so tests drive time. Notifications go through the outbox.
Residents' registration, attendance and reminders live in their own modules beside this one.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app_context import AppContext
from bot.content.places import Places
from bot.db.models import ClassStatus, Klass, Role, User
from bot.db.repositories import classes as repo
from bot.db.repositories import outbox as outbox_repo
from bot.db.repositories import people
from bot.services.dateparse import format_when
from bot.services.errors import Forbidden, UserError
from bot.services.outbox import enqueue_for_users
from bot.services.registration import register_buttons, unregister_button
from bot.services.roles import can_manage_village, require_team

TITLE_MAX = 200
PLACE_MAX = 200
NOTE_MAX = 1000
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
        raise UserError("Số chỗ phải là một số, ví dụ: 30. Không giới hạn thì gõ «không».")
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
            status=ClassStatus.SCHEDULED,
            created_by=user.id,
            created_at=now,
            updated_at=now,
        ),
    )
    residents = await people.residents_of_villages(session, klass.village_ids)
    text = (
        "📢 Lớp học mới ở thôn mình!\n\n" + class_text(klass, app.places, app) + "\n\nBấm «Tôi sẽ tham gia» để đăng ký."
    )
    await enqueue_for_users(session, app, f"cn:{klass.id}", residents, text, now, register_buttons(klass.id))
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
    capacity: int | None = None,  # 0 = no limit
    note: str | None = None,
) -> Klass:
    """Change a scheduled class; everyone registered is told what changed."""
    klass = await managed_class(session, user, class_id)
    if klass.status != ClassStatus.SCHEDULED:
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
    if capacity is not None and (capacity or None) != klass.capacity:
        if capacity < 0:
            raise UserError("Số chỗ phải lớn hơn 0.")
        changes.append(f"số chỗ: {capacity}" if capacity else "số chỗ: không giới hạn")
        klass.capacity = capacity or None  # 0 = no limit
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
    if klass.status != ClassStatus.SCHEDULED:
        raise UserError("Lớp này đã hủy hoặc đã kết thúc rồi.")
    klass.status = ClassStatus.CANCELLED
    klass.updated_at = now
    await outbox_repo.cancel_pending(session, f"cr:{klass.id}:%")
    await outbox_repo.cancel_pending(session, f"cn:{klass.id}")
    registered = await repo.registered_users(session, klass.id)
    text = (
        f"❌ Lớp «{klass.title}» lúc {format_when(klass.starts_at, app.settings.tz)} tại {klass.place} đã bị HỦY.\n"
        "Xin lỗi bạn vì sự thay đổi. Tổ công nghệ số sẽ báo lịch mới sau."
    )
    await enqueue_for_users(session, app, f"cx:{klass.id}", registered, text, now)
    return klass, len(registered)


async def registered_users(session: AsyncSession, klass: Klass) -> list[User]:
    """Who registered for a class the caller already may manage (see `managed_class`)."""
    return list(await repo.registered_users(session, klass.id))


async def count_registered(session: AsyncSession, klass: Klass) -> int:
    return await repo.count_registered(session, klass.id)
