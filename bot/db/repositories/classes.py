"""Classes, registrations, attendance and announcements: the SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Attendance, ClassRegistration, ClassStatus, Klass, User


async def add(session: AsyncSession, klass: Klass) -> Klass:
    session.add(klass)
    await session.flush()
    return klass


async def get(session: AsyncSession, class_id: int) -> Klass | None:
    return await session.get(Klass, class_id)


async def lock(session: AsyncSession, class_id: int) -> Klass | None:
    """The class, locked until the transaction ends (FOR UPDATE on PostgreSQL; SQLite has one writer):
    registrations that count its seats then take turns."""
    return await session.get(Klass, class_id, with_for_update=True, populate_existing=True)


async def upcoming_in_commune(session: AsyncSession, commune_id: str, now: datetime, limit: int = 50) -> list[Klass]:
    rows = await session.scalars(
        select(Klass)
        .where(Klass.commune_id == commune_id, Klass.status == ClassStatus.SCHEDULED, Klass.starts_at > now)
        .order_by(Klass.starts_at, Klass.id)
        .limit(limit)
    )
    return list(rows)


async def scheduled_between(session: AsyncSession, after: datetime, until: datetime) -> list[Klass]:
    """Scheduled classes starting in (after, until]."""
    rows = await session.scalars(
        select(Klass)
        .where(Klass.status == ClassStatus.SCHEDULED, Klass.starts_at > after, Klass.starts_at <= until)
        .order_by(Klass.starts_at)
    )
    return list(rows)


async def in_communes_since(
    session: AsyncSession, commune_ids: Sequence[str] | None, since: datetime, limit: int = 100
) -> list[Klass]:
    """Classes (any status) starting after `since`, optionally only in `commune_ids`."""
    stmt = select(Klass).where(Klass.starts_at > since)
    if commune_ids is not None:
        stmt = stmt.where(Klass.commune_id.in_(list(commune_ids)))
    rows = await session.scalars(stmt.order_by(Klass.starts_at, Klass.id).limit(limit))
    return list(rows)


async def get_registration(session: AsyncSession, class_id: int, user_id: int) -> ClassRegistration | None:
    return await session.scalar(
        select(ClassRegistration).where(ClassRegistration.class_id == class_id, ClassRegistration.user_id == user_id)
    )


async def add_registration(session: AsyncSession, class_id: int, user_id: int, now: datetime) -> ClassRegistration:
    reg = ClassRegistration(class_id=class_id, user_id=user_id, registered_at=now)
    session.add(reg)
    await session.flush()
    return reg


async def count_registered(session: AsyncSession, class_id: int) -> int:
    return int(
        await session.scalar(
            select(func.count()).where(ClassRegistration.class_id == class_id, ClassRegistration.cancelled_at.is_(None))
        )
        or 0
    )


async def registered_counts(session: AsyncSession, class_ids: Sequence[int]) -> dict[int, int]:
    if not class_ids:
        return {}
    rows = await session.execute(
        select(ClassRegistration.class_id, func.count())
        .where(ClassRegistration.class_id.in_(list(class_ids)), ClassRegistration.cancelled_at.is_(None))
        .group_by(ClassRegistration.class_id)
    )
    return {cid: n for cid, n in rows.all()}


async def registered_users(session: AsyncSession, class_id: int) -> list[User]:
    """People with an active registration, in registration order."""
    rows = await session.scalars(
        select(User)
        .join(ClassRegistration, ClassRegistration.user_id == User.id)
        .where(ClassRegistration.class_id == class_id, ClassRegistration.cancelled_at.is_(None))
        .order_by(ClassRegistration.registered_at, ClassRegistration.id)
    )
    return list(rows)


async def registered_class_ids(session: AsyncSession, user_id: int, class_ids: Sequence[int]) -> set[int]:
    if not class_ids:
        return set()
    rows = await session.scalars(
        select(ClassRegistration.class_id).where(
            ClassRegistration.user_id == user_id,
            ClassRegistration.class_id.in_(list(class_ids)),
            ClassRegistration.cancelled_at.is_(None),
        )
    )
    return set(rows)


# ---------- attendance ----------
async def attendance_of(session: AsyncSession, class_id: int) -> list[Attendance]:
    rows = await session.scalars(select(Attendance).where(Attendance.class_id == class_id).order_by(Attendance.id))
    return list(rows)


async def add_attendance(session: AsyncSession, row: Attendance) -> None:
    session.add(row)
    await session.flush()


async def remove_attendance(session: AsyncSession, class_id: int, user_id: int) -> int:
    result = await session.execute(
        delete(Attendance).where(Attendance.class_id == class_id, Attendance.user_id == user_id)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


async def drop_walk_in_names(session: AsyncSession, before: datetime) -> int:
    """Forget the names of walk-in attendees marked before `before` (the attendance rows stay)."""
    result = await session.execute(
        update(Attendance)
        .where(Attendance.user_id.is_(None), Attendance.walk_in_name.is_not(None), Attendance.marked_at < before)
        .values(walk_in_name=None)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]

