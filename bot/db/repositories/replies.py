"""Reply journal rows (`reply_journal`): written in a turn's transaction, claimed with a lease to be
sent, deleted (before consent) or marked delivered once sent, purged on a schedule.

Claiming is safe for several instances on one database, as in the outbox (repositories/outbox.py):
PostgreSQL locks the candidates with `FOR UPDATE SKIP LOCKED`; SQLite serialises writers, and the
claim is one UPDATE guarded by the lease. The rows a turn writes are leased at once to the instance
whose channel is sending them, so neither a redelivery nor another instance sends them meanwhile.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, bindparam, delete, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ReplyEntry

_J: Table = ReplyEntry.__table__  # type: ignore[assignment]

# How long rows stay leased to the instance that wrote or claimed them (its channel sends and reports
# them); past it, another instance's sweep (or a restart) may send what was never reported.
LEASE = timedelta(minutes=15)
# Delivered rows serve nothing once sent (a redelivery of their update sends nothing); the daily purge
# drops those delivered before this long ago.
DELIVERED_KEPT = timedelta(hours=1)


@dataclass(frozen=True)
class Entry:
    """A claimed row, detached from the session."""

    id: int
    channel: str
    chat_id: str
    body: dict[str, Any]


# Built once and compiled once: the insert runs on every journaled turn (Core, no ORM unit of work). With a
# list of rows SQLAlchemy sends one INSERT … VALUES (…), (…) RETURNING id ("insertmanyvalues"), the ids in
# the rows' order.
_WRITE = insert(_J).returning(_J.c.id, sort_by_parameter_order=True)


async def write(
    session: AsyncSession,
    channel: str,
    chat_id: str,
    user_id: int | None,
    update_key: str | None,
    bodies: Sequence[dict[str, Any]],
    now: datetime,
    owner: str,
    lease: timedelta,
) -> list[int]:
    """One row per reply, in order, in one multi-row INSERT; returns their ids in the same order."""
    if not bodies:
        return []
    until = now + lease
    rows = [
        {"channel": channel, "chat_id": chat_id, "user_id": user_id, "update_key": update_key, "body": body,
         "created_at": now, "delivered_at": None, "lease_owner": owner, "lease_until": until}
        for body in bodies
    ]
    connection = await session.connection()  # Core on the turn's connection: no ORM execution path
    result = await connection.execute(_WRITE, rows)
    return [int(i) for i in result.scalars().all()]


def _free(now: datetime) -> Any:
    return or_(_J.c.lease_until.is_(None), _J.c.lease_until < now)


def _is_postgres(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


async def _lease(session: AsyncSession, where: Any, owner: str, now: datetime, lease: timedelta,
                 limit: int | None) -> list[Entry]:
    candidates = select(_J.c.id).where(_J.c.delivered_at.is_(None), _free(now), where).order_by(_J.c.id)
    if limit is not None:
        candidates = candidates.limit(limit)
    if _is_postgres(session):
        picked = candidates.with_for_update(skip_locked=True).cte("picked")
        target = _J.c.id.in_(select(picked.c.id))
    else:
        target = _J.c.id.in_(candidates.scalar_subquery())
    stmt = (
        update(_J)
        .where(target, _J.c.delivered_at.is_(None), _free(now))
        .values(lease_owner=owner, lease_until=now + lease)
        .returning(_J.c.id, _J.c.channel, _J.c.chat_id, _J.c.body)
    )
    rows = [Entry(int(i), str(c), str(chat), dict(body)) for i, c, chat, body in (await session.execute(stmt)).all()]
    rows.sort(key=lambda e: e.id)
    return rows


async def for_update(
    session: AsyncSession, channel: str, update_key: str, owner: str, now: datetime, lease: timedelta
) -> list[Entry]:
    """The undelivered, unleased replies of one update (a redelivery), leased to `owner`, in order."""
    return await _lease(session, and_(_J.c.channel == channel, _J.c.update_key == update_key), owner, now,
                        lease, None)


async def claim_undelivered(
    session: AsyncSession, owner: str, now: datetime, lease: timedelta, channels: Sequence[str], limit: int
) -> list[Entry]:
    """Up to `limit` undelivered, unleased rows of `channels`, oldest first, leased to `owner`."""
    if not channels or limit <= 0:
        return []
    return await _lease(session, _J.c.channel.in_(list(channels)), owner, now, lease, limit)


async def release_leases(session: AsyncSession, owner: str) -> int:
    """Give back the undelivered rows leased by `owner` (a restarted instance with the same id)."""
    result = await session.execute(
        update(_J).where(_J.c.lease_owner == owner, _J.c.delivered_at.is_(None))
        .values(lease_owner=None, lease_until=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


_DELETE_ANONYMOUS = delete(_J).where(_J.c.id.in_(bindparam("ids", expanding=True)), _J.c.user_id.is_(None))
_MARK = (
    update(_J)
    .where(_J.c.id.in_(bindparam("ids", expanding=True)), _J.c.delivered_at.is_(None))
    .values(delivered_at=bindparam("now"), lease_owner=None, lease_until=None)
)


async def mark_delivered(session: AsyncSession, ids: Sequence[int], now: datetime) -> None:
    """Sent: rows of people who never consented are deleted (they hold a platform chat id); the others
    are marked delivered (purged later, see `purge_delivered`)."""
    if not ids:
        return
    await session.execute(_DELETE_ANONYMOUS, {"ids": list(ids)})
    await session.execute(_MARK, {"ids": list(ids), "now": now})


async def purge_delivered(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(delete(_J).where(_J.c.delivered_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def delete_for_person(session: AsyncSession, user_id: int, channel: str, chat_id: str) -> int:
    """Every row of one person: by their user id, and those written before they consented (chat id)."""
    result = await session.execute(
        delete(_J).where(or_(_J.c.user_id == user_id, and_(_J.c.channel == channel, _J.c.chat_id == chat_id)))
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def undelivered_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(_J).where(_J.c.delivered_at.is_(None))) or 0)
