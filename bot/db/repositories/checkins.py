"""Class check-in: codes and tokens of classes, who checked in, who did not come. The SQL."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Attendance, ClassRegistration, ClassStatus, Klass, User


async def codes_between(session: AsyncSession, after: datetime, until: datetime) -> set[str]:
    """Check-in codes of classes (not cancelled) starting in [after, until]."""
    rows = await session.scalars(
        select(Klass.checkin_code).where(
            Klass.checkin_code.is_not(None),
            Klass.status != ClassStatus.CANCELLED,
            Klass.starts_at >= after,
            Klass.starts_at <= until,
        )
    )
    return {code for code in rows if code}


async def with_code(session: AsyncSession, code: str, after: datetime, until: datetime) -> list[Klass]:
    """Classes (not cancelled) with this code starting in [after, until], earliest first."""
    rows = await session.scalars(
        select(Klass)
        .where(
            Klass.checkin_code == code,
            Klass.status != ClassStatus.CANCELLED,
            Klass.starts_at >= after,
            Klass.starts_at <= until,
        )
        .order_by(Klass.starts_at, Klass.id)
    )
    return list(rows)


async def by_token(session: AsyncSession, token: str) -> Klass | None:
    return await session.scalar(select(Klass).where(Klass.checkin_token == token))


async def attendance_row(session: AsyncSession, class_id: int, user_id: int) -> Attendance | None:
    return await session.scalar(
        select(Attendance).where(Attendance.class_id == class_id, Attendance.user_id == user_id)
    )


async def add_once(session: AsyncSession, row: Attendance) -> bool:
    """Insert the row unless (class, user) already has one; True if it was added."""
    try:
        async with session.begin_nested():
            session.add(row)
        return True
    except IntegrityError:
        return False


async def present_users(session: AsyncSession, class_id: int) -> list[tuple[User, Attendance]]:
    """People (with an account) marked present, in the order they arrived or were ticked."""
    rows = await session.execute(
        select(User, Attendance)
        .join(Attendance, Attendance.user_id == User.id)
        .where(Attendance.class_id == class_id)
        .order_by(Attendance.marked_at, Attendance.id)
    )
    return [(u, a) for u, a in rows.all()]


async def no_shows(session: AsyncSession, class_id: int) -> list[User]:
    """Registered (not cancelled) people with no attendance row for the class, who have not blocked the bot."""
    came = select(Attendance.user_id).where(Attendance.class_id == class_id, Attendance.user_id.is_not(None))
    rows = await session.scalars(
        select(User)
        .join(ClassRegistration, ClassRegistration.user_id == User.id)
        .where(
            ClassRegistration.class_id == class_id,
            ClassRegistration.cancelled_at.is_(None),
            User.blocked_at.is_(None),
            User.id.not_in(came),
        )
        .order_by(User.id)
    )
    return list(rows)


async def held_between(session: AsyncSession, after: datetime, until: datetime) -> list[Klass]:
    """Classes (scheduled or done, not cancelled) that started in (after, until]."""
    rows = await session.scalars(
        select(Klass)
        .where(Klass.status != ClassStatus.CANCELLED, Klass.starts_at > after, Klass.starts_at <= until)
        .order_by(Klass.starts_at, Klass.id)
    )
    return list(rows)


async def lessons_attended(session: AsyncSession, user_id: int) -> list[tuple[str, datetime]]:
    """(lesson id, class start) of classes with a marked lesson that she attended."""
    rows = await session.execute(
        select(Klass.lesson_id, Klass.starts_at)
        .join(Attendance, Attendance.class_id == Klass.id)
        .where(Attendance.user_id == user_id, Klass.lesson_id.is_not(None), Klass.status != ClassStatus.CANCELLED)
        .order_by(Klass.starts_at)
    )
    return [(str(lesson), when) for lesson, when in rows.all()]
