"""Attendance after a class: the sheet, ticking registered people, walk-ins, closing the sheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Attendance, ClassStatus, Klass, User
from bot.db.repositories import checkins as checkins_repo
from bot.db.repositories import classes as repo
from bot.services.classes import ATTENDANCE_WINDOW, managed_class
from bot.services.errors import UserError

NAME_MAX = 128


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
    checked_in: list[SheetLine] = field(default_factory=list)  # came without registering (self check-in)

    @property
    def present_count(self) -> int:
        return sum(1 for line in self.registered if line.present) + len(self.checked_in) + len(self.walk_ins)


# ---------- texts ----------
async def attendance_sheet(session: AsyncSession, user: User | None, class_id: int, now: datetime) -> AttendanceSheet:
    klass = await managed_class(session, user, class_id)
    if klass.status == ClassStatus.CANCELLED:
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
    listed = {u.id for u in registered}
    others = [
        SheetLine(u.id, u.display_name or f"Người dùng #{u.id}", True)
        for u, _row in await checkins_repo.present_users(session, klass.id)
        if u.id not in listed
    ]
    return AttendanceSheet(klass, lines, walk_ins, others)


async def toggle_attendance(
    session: AsyncSession, user: User | None, class_id: int, resident_id: int, now: datetime
) -> bool:
    """Mark a registered resident present, or unmark; returns the new state."""
    sheet = await attendance_sheet(session, user, class_id, now)
    assert user is not None
    line = next((entry for entry in [*sheet.registered, *sheet.checked_in] if entry.user_id == resident_id), None)
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
    sheet.klass.status = ClassStatus.DONE
    sheet.klass.updated_at = now
    return sheet


async def drop_walk_in_names(session: AsyncSession, now: datetime, retention: timedelta) -> int:
    """Walk-in names are people who never agreed to anything: kept only `retention` (the daily job)."""
    return await repo.drop_walk_in_names(session, now - retention)

