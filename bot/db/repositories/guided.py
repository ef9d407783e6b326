"""Residents guided without a phone (guided_people, guided_lessons, guided_events): SQL only."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from bot.db.models import GuidedEvent, GuidedLesson, GuidedPerson, OutboxMessage, Role, User

_ACTIVE = GuidedPerson.removed_at.is_(None)


async def add(session: AsyncSession, person: GuidedPerson, lesson_ids: Sequence[str]) -> GuidedPerson:
    session.add(person)
    await session.flush()
    session.add_all(GuidedLesson(guided_id=person.id, lesson_id=lid) for lid in dict.fromkeys(lesson_ids))
    await session.flush()
    return person


async def add_event(session: AsyncSession, guided_id: int, action: str, actor_id: int | None, at: datetime) -> int:
    event = GuidedEvent(guided_id=guided_id, action=action, actor_id=actor_id, at=at)
    session.add(event)
    await session.flush()
    return event.id


async def get(session: AsyncSession, guided_id: int, *, lock: bool = False) -> GuidedPerson | None:
    stmt = select(GuidedPerson).where(GuidedPerson.id == guided_id)
    if lock:
        stmt = stmt.with_for_update()
    return await session.scalar(stmt)


async def lessons_of(session: AsyncSession, ids: Sequence[int]) -> dict[int, list[str]]:
    if not ids:
        return {}
    rows = await session.execute(
        select(GuidedLesson.guided_id, GuidedLesson.lesson_id)
        .where(GuidedLesson.guided_id.in_(list(ids)))
        .order_by(GuidedLesson.guided_id, GuidedLesson.lesson_id)
    )
    out: dict[int, list[str]] = {i: [] for i in ids}
    for gid, lid in rows.all():
        out[gid].append(lid)
    return out


async def in_commune(session: AsyncSession, commune_id: str, offset: int, limit: int) -> list[GuidedPerson]:
    """Records of the commune, removed ones included (their audit stays), newest first."""
    stmt = (
        select(GuidedPerson)
        .where(GuidedPerson.commune_id == commune_id)
        .order_by(GuidedPerson.recorded_at.desc(), GuidedPerson.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return list(await session.scalars(stmt))


async def count_in_commune(session: AsyncSession, commune_id: str) -> int:
    stmt = select(func.count()).where(GuidedPerson.commune_id == commune_id)
    return int(await session.scalar(stmt) or 0)


async def events(session: AsyncSession, guided_id: int) -> list[tuple[GuidedEvent, User | None]]:
    stmt = (
        select(GuidedEvent, User)
        .outerjoin(User, User.id == GuidedEvent.actor_id)
        .where(GuidedEvent.guided_id == guided_id)
        .order_by(GuidedEvent.at, GuidedEvent.id)
    )
    return [(e, u) for e, u in (await session.execute(stmt)).all()]


async def events_of(session: AsyncSession, ids: Sequence[int]) -> dict[int, list[tuple[GuidedEvent, User | None]]]:
    out: dict[int, list[tuple[GuidedEvent, User | None]]] = {i: [] for i in ids}
    if not ids:
        return out
    stmt = (
        select(GuidedEvent, User)
        .outerjoin(User, User.id == GuidedEvent.actor_id)
        .where(GuidedEvent.guided_id.in_(list(ids)))
        .order_by(GuidedEvent.at, GuidedEvent.id)
    )
    for e, u in (await session.execute(stmt)).all():
        out[e.guided_id].append((e, u))
    return out


async def matches(session: AsyncSession, village_id: str, name_key: str, birth_year: int) -> list[GuidedPerson]:
    """Active records not linked to a phone yet with this folded name, year and village (oldest first)."""
    stmt = (
        select(GuidedPerson)
        .where(
            GuidedPerson.village_id == village_id,
            GuidedPerson.name_key == name_key,
            GuidedPerson.birth_year == birth_year,
            GuidedPerson.user_id.is_(None),
            _ACTIVE,
        )
        .order_by(GuidedPerson.recorded_at, GuidedPerson.id)
        .with_for_update()
    )
    return list(await session.scalars(stmt))


async def open_in_village(session: AsyncSession, village_id: str) -> bool:
    """Is there an active record in the village not linked to a phone yet (so «Tôi đã học với tổ» helps)?"""
    stmt = select(GuidedPerson.id).where(
        GuidedPerson.village_id == village_id,
        GuidedPerson.user_id.is_(None),
        GuidedPerson.name_key.is_not(None),
        _ACTIVE,
    ).limit(1)
    return await session.scalar(stmt) is not None


async def linked_to(session: AsyncSession, user_id: int) -> list[GuidedPerson]:
    stmt = select(GuidedPerson).where(GuidedPerson.user_id == user_id).order_by(GuidedPerson.id)
    return list(await session.scalars(stmt))


async def claimed_by(session: AsyncSession, user_id: int) -> list[GuidedPerson]:
    stmt = select(GuidedPerson).where(
        GuidedPerson.claim_user_id == user_id, GuidedPerson.user_id.is_(None), _ACTIVE
    )
    return list(await session.scalars(stmt))


async def pending_claims(session: AsyncSession, village_ids: Sequence[str]) -> list[GuidedPerson]:
    """Records in these villages a resident asked to be matched with, waiting for a team member."""
    if not village_ids:
        return []
    stmt = (
        select(GuidedPerson)
        .where(
            GuidedPerson.village_id.in_(list(village_ids)),
            GuidedPerson.claim_user_id.is_not(None),
            GuidedPerson.user_id.is_(None),
            _ACTIVE,
        )
        .order_by(GuidedPerson.claimed_at, GuidedPerson.id)
    )
    return list(await session.scalars(stmt))


async def team_of_commune(session: AsyncSession, commune_id: str) -> list[User]:
    """Team members of the commune (their villages are checked by the caller)."""
    stmt = select(User).where(User.role == Role.TEAM, User.role_commune_id == commune_id).order_by(User.id)
    return list(await session.scalars(stmt))


async def forget_messages(session: AsyncSession, guided_id: int) -> None:
    """The match requests sent to team members about this record carry her name and year: delete them."""
    await session.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.ref.like(f"guided:{guided_id}:claim:%"))
        .execution_options(synchronize_session=False)
    )


# ---------------------------------------------------------------- statistics


def _range(col: Any, start: datetime | None, end: datetime) -> ColumnElement[bool]:
    return and_(col >= start, col < end) if start is not None else col < end


async def guided_by_village(
    session: AsyncSession, commune_id: str, start: datetime | None, end: datetime
) -> dict[str, int]:
    """village -> people guided without a phone (records not removed) recorded in the period."""
    stmt = (
        select(GuidedPerson.village_id, func.count())
        .where(GuidedPerson.commune_id == commune_id, _ACTIVE, _range(GuidedPerson.recorded_at, start, end))
        .group_by(GuidedPerson.village_id)
    )
    return {v: int(n) for v, n in (await session.execute(stmt)).all()}


async def guided_core_by_village(
    session: AsyncSession, commune_id: str, core_ids: Sequence[str], end: datetime
) -> dict[str, int]:
    """village -> guided people, not linked to a phone account, whose recorded lessons (before `end`) hold
    every core lesson. Linked ones count through their account's progress, so nobody counts twice."""
    core = sorted(set(core_ids))
    if not core:
        return {}
    per_person = (
        select(GuidedLesson.guided_id)
        .where(GuidedLesson.lesson_id.in_(core))
        .group_by(GuidedLesson.guided_id)
        .having(func.count() == len(core))
        .subquery()
    )
    stmt = (
        select(GuidedPerson.village_id, func.count())
        .join(per_person, per_person.c.guided_id == GuidedPerson.id)
        .where(
            GuidedPerson.commune_id == commune_id,
            _ACTIVE,
            GuidedPerson.user_id.is_(None),
            GuidedPerson.recorded_at < end,
        )
        .group_by(GuidedPerson.village_id)
    )
    return {v: int(n) for v, n in (await session.execute(stmt)).all()}
