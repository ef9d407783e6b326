"""Every row that belongs to one person, for the data export (Decree 13/2023: the right to one's data)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import (
    Announcement,
    Attendance,
    ClassRegistration,
    InviteCode,
    Klass,
    PracticeTask,
)


async def registrations(session: AsyncSession, user_id: int) -> list[tuple[ClassRegistration, Klass]]:
    stmt = (
        select(ClassRegistration, Klass)
        .join(Klass, Klass.id == ClassRegistration.class_id)
        .where(ClassRegistration.user_id == user_id)
        .order_by(ClassRegistration.registered_at, ClassRegistration.id)
    )
    return [(r, k) for r, k in (await session.execute(stmt)).all()]


async def attendances(session: AsyncSession, user_id: int) -> list[tuple[Attendance, Klass]]:
    stmt = (
        select(Attendance, Klass)
        .join(Klass, Klass.id == Attendance.class_id)
        .where(Attendance.user_id == user_id)
        .order_by(Attendance.marked_at, Attendance.id)
    )
    return [(a, k) for a, k in (await session.execute(stmt)).all()]


async def announcements(session: AsyncSession, user_id: int) -> list[Announcement]:
    stmt = select(Announcement).where(Announcement.author_id == user_id).order_by(Announcement.id)
    return list(await session.scalars(stmt))


async def classes_created(session: AsyncSession, user_id: int) -> list[Klass]:
    return list(await session.scalars(select(Klass).where(Klass.created_by == user_id).order_by(Klass.id)))


async def practice_tasks(session: AsyncSession, user_id: int) -> list[PracticeTask]:
    stmt = select(PracticeTask).where(PracticeTask.user_id == user_id).order_by(PracticeTask.id)
    return list(await session.scalars(stmt))


async def invites_used(session: AsyncSession, user_id: int) -> list[InviteCode]:
    stmt = select(InviteCode).where(InviteCode.used_by == user_id).order_by(InviteCode.used_at)
    return list(await session.scalars(stmt))
