"""Zalo OA window accounting in SQL: her last message (exact) and the OA messages sent since.

The window runs from `COALESCE(oa_last_message_at, last_seen_at)` (rows from before migration 0013 have
only the 10-minute `last_seen_at`). Only consented people have a row, so nothing is written before consent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import OutboxMessage, User

OA = "zalo_oa"
PENDING = "pending"  # outbox status (repositories/outbox.py)


def last_message() -> ColumnElement[datetime]:
    return func.coalesce(User.oa_last_message_at, User.last_seen_at)


async def message_received(session: AsyncSession, platform_id: str, at: datetime) -> None:
    """She wrote at `at`: the window restarts and nothing is sent in it yet (an older redelivery changes nothing)."""
    await session.execute(
        update(User)
        .where(User.channel == OA, User.platform_id == platform_id,
               or_(User.oa_last_message_at.is_(None), User.oa_last_message_at < at))
        .values(oa_last_message_at=at, oa_sent_since=0)
        .execution_options(synchronize_session=False)
    )


async def messages_sent(session: AsyncSession, platform_id: str, count: int, at: datetime) -> None:
    """`count` OA messages went to her (`at` starts the window of someone who consented in this very turn)."""
    await session.execute(
        update(User)
        .where(User.channel == OA, User.platform_id == platform_id)
        .values(oa_sent_since=User.oa_sent_since + count,
                oa_last_message_at=func.coalesce(User.oa_last_message_at, at))
        .execution_options(synchronize_session=False)
    )


def _pending_elsewhere(ref: str | None) -> ColumnElement[int]:
    """Her pending OA outbox rows (of other refs than `ref`): sends already promised in the window."""
    q = select(func.count(OutboxMessage.id)).where(
        OutboxMessage.user_id == User.id, OutboxMessage.status == PENDING, OutboxMessage.channel == OA,
    )
    if ref is not None:
        q = q.where(OutboxMessage.ref != ref)
    return q.scalar_subquery()


def over_quota(quota: int, needed: int, ref: str | None) -> ColumnElement[bool]:
    return User.oa_sent_since + _pending_elsewhere(ref) + needed > quota


async def count_unreachable(
    session: AsyncSession, where: ColumnElement[bool], since: datetime, quota: int, needed: int
) -> tuple[int, int]:
    """(outside the window, inside it but over the quota) among reachable OA people matching `where`."""
    silent = last_message() < since
    base = and_(where, User.blocked_at.is_(None), User.channel == OA)
    row = (await session.execute(
        select(
            func.count().filter(silent),
            func.count().filter(and_(~silent, over_quota(quota, needed, None))),
        ).where(base)
    )).one()
    return int(row[0] or 0), int(row[1] or 0)


async def mark_unreachable(
    session: AsyncSession, ref: str, since: datetime, quota: int, needed: int, window_status: str, quota_status: str
) -> tuple[int, int]:
    """Mark `ref`'s pending OA rows of people outside the window, then of those over the quota; the counts."""
    out: list[int] = []
    for status, who, error in (
        (window_status, last_message() < since, "counted ahead: outside Zalo's interaction window"),
        (quota_status, over_quota(quota, needed, ref), "counted ahead: Zalo's reply quota for the window is used up"),
    ):
        users = select(User.id).where(who)
        result = await session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.ref == ref, OutboxMessage.status == PENDING, OutboxMessage.channel == OA,
                   OutboxMessage.user_id.in_(users))
            .values(status=status, error=error)
            .execution_options(synchronize_session=False)
        )
        out.append(int(result.rowcount or 0))  # type: ignore[attr-defined]
    return out[0], out[1]


def in_villages(village_ids: Sequence[str]) -> ColumnElement[bool]:
    return User.village_id.in_(list(village_ids))


def in_commune(commune_id: str) -> ColumnElement[bool]:
    return User.commune_id == commune_id
