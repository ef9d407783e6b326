"""Outbox rows: one message to one recipient, claimed with a lease, marked once sent.

Claiming is safe for several sender processes on one database: on PostgreSQL the candidate
rows are locked with `FOR UPDATE SKIP LOCKED`; on SQLite the claim is a single UPDATE
statement (SQLite serialises writers), guarded by `lease_until < now`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, and_, bindparam, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import OutboxMessage, User

PENDING, SENT, FAILED, BLOCKED, CANCELLED, EXPIRED = (
    "pending",
    "sent",
    "failed",
    "blocked",
    "cancelled",
    "expired",
)
# Zalo OA refused the message for its interaction window (-230/-305) or the person's reply quota (-311):
# final for this message, never retried; counted apart from errors (see services/announcements.py).
OUT_OF_WINDOW, OUT_OF_QUOTA = "zalo_window", "zalo_quota"
INSERT_CHUNK = 500


@dataclass(frozen=True)
class Recipient:
    user_id: int
    channel: str
    chat_id: str


@dataclass(frozen=True)
class Claimed:
    """A claimed row, detached from the session (the sender works without an open transaction)."""

    id: int
    user_id: int | None
    channel: str
    chat_id: str
    text: str
    buttons: list[Any]
    image_path: str | None
    attempts: int


def _insert(session: AsyncSession) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(OutboxMessage)


def _is_postgres(session: AsyncSession) -> bool:
    return session.bind is not None and session.bind.dialect.name == "postgresql"


async def enqueue(
    session: AsyncSession,
    ref: str,
    recipients: Iterable[Recipient],
    text: str,
    now: datetime,
    buttons: list[Any] | None = None,
    image_path: str | None = None,
    due_at: datetime | None = None,
) -> int:
    """Write one pending row per recipient; rows already there for (ref, user) are kept. Returns rows added."""
    rows = [
        {
            "ref": ref,
            "user_id": r.user_id,
            "channel": r.channel,
            "chat_id": r.chat_id,
            "text": text,
            "buttons": buttons or [],
            "image_path": image_path,
            "status": PENDING,
            "attempts": 0,
            "next_attempt_at": due_at or now,
            "created_at": now,
        }
        for r in recipients
    ]
    added = 0
    for start in range(0, len(rows), INSERT_CHUNK):
        chunk = rows[start : start + INSERT_CHUNK]
        stmt = _insert(session).values(chunk).on_conflict_do_nothing(index_elements=["ref", "user_id"])
        result = await session.execute(stmt)
        added += max(result.rowcount or 0, 0)  # type: ignore[attr-defined]
    return added


async def claim(
    session: AsyncSession, owner: str, now: datetime, limit: int, lease: timedelta, channels: Sequence[str]
) -> list[Claimed]:
    """Lease up to `limit` due pending rows of `channels` to `owner` (commit right after)."""
    if limit <= 0 or not channels:
        return []
    free = or_(OutboxMessage.lease_until.is_(None), OutboxMessage.lease_until < now)
    candidates = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.status == PENDING,
            OutboxMessage.next_attempt_at <= now,
            OutboxMessage.channel.in_(list(channels)),
            free,
        )
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if _is_postgres(session):
        # A CTE is evaluated once; an IN (subquery ... LIMIT) may be re-scanned and lease too many rows.
        picked = candidates.with_for_update(skip_locked=True).cte("picked")
        target = OutboxMessage.id.in_(select(picked.c.id))
    else:
        target = OutboxMessage.id.in_(candidates.scalar_subquery())
    stmt = (
        update(OutboxMessage)
        .where(target, OutboxMessage.status == PENDING, free)
        .values(lease_owner=owner, lease_until=now + lease)
        .returning(
            OutboxMessage.id,
            OutboxMessage.user_id,
            OutboxMessage.channel,
            OutboxMessage.chat_id,
            OutboxMessage.text,
            OutboxMessage.buttons,
            OutboxMessage.image_path,
            OutboxMessage.attempts,
        )
        .execution_options(synchronize_session=False)
    )
    result = await session.execute(stmt)
    claimed = [Claimed(*row) for row in result.all()]
    claimed.sort(key=lambda c: c.id)
    return claimed


async def blocked_user_ids(session: AsyncSession, user_ids: Iterable[int]) -> set[int]:
    ids = list({u for u in user_ids if u is not None})
    if not ids:
        return set()
    rows = await session.scalars(select(User.id).where(User.id.in_(ids), User.blocked_at.is_not(None)))
    return set(rows)


async def release_leases(session: AsyncSession, owner: str) -> int:
    """Give back every pending row leased by `owner` (a restarted instance with the same id)."""
    result = await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.lease_owner == owner, OutboxMessage.status == PENDING)
        .values(lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


_OUTBOX: Table = OutboxMessage.__table__  # type: ignore[assignment]
# Outcomes are written many times a second during a broadcast: plain Core statements, built once
# (the ORM-enabled UPDATE costs noticeably more CPU per execution and nothing here needs it).
_MARK = (
    update(_OUTBOX)
    .where(_OUTBOX.c.id.in_(bindparam("ids", expanding=True)), _OUTBOX.c.status == PENDING)
    .values(
        status=bindparam("status"), attempts=_OUTBOX.c.attempts + 1, lease_owner=None, lease_until=None,
        error=bindparam("error"),
    )
)
_MARK_SENT = _MARK.values(sent_at=bindparam("now"))


async def mark(
    session: AsyncSession, ids: Sequence[int], status: str, now: datetime, error: str | None = None
) -> None:
    """Final outcome for rows: sent / failed / blocked / expired."""
    if not ids:
        return
    params: dict[str, Any] = {"ids": list(ids), "status": status, "error": error}
    if status == SENT:
        params["now"] = now
    await session.execute(_MARK_SENT if status == SENT else _MARK, params)


async def retry_later(
    session: AsyncSession, row_id: int, at: datetime, error: str, count_attempt: bool = True
) -> None:
    """Put the row back until `at`; `count_attempt=False` when the channel, not the row, had to wait."""
    await session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == row_id, OutboxMessage.status == PENDING)
        .values(
            attempts=OutboxMessage.attempts + (1 if count_attempt else 0),
            next_attempt_at=at,
            lease_owner=None,
            lease_until=None,
            error=error[:300],
        )
        .execution_options(synchronize_session=False)
    )


async def cancel_pending(
    session: AsyncSession, ref_like: str, user_id: int | None = None, status: str = CANCELLED
) -> int:
    """Withdraw pending rows whose ref matches the SQL LIKE pattern (optionally for one user)."""
    conditions = [OutboxMessage.ref.like(ref_like), OutboxMessage.status == PENDING]
    if user_id is not None:
        conditions.append(OutboxMessage.user_id == user_id)
    result = await session.execute(
        update(OutboxMessage)
        .where(and_(*conditions))
        .values(status=status, lease_owner=None, lease_until=None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


async def pending_refs(session: AsyncSession, ref_like: str) -> list[str]:
    rows = await session.scalars(
        select(OutboxMessage.ref)
        .where(OutboxMessage.ref.like(ref_like), OutboxMessage.status == PENDING)
        .distinct()
    )
    return list(rows)


async def status_counts(session: AsyncSession, ref: str) -> dict[str, int]:
    rows = await session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.ref == ref)
        .group_by(OutboxMessage.status)
    )
    return {status: count for status, count in rows.all()}


async def next_due_at(session: AsyncSession, channels: Sequence[str]) -> datetime | None:
    """When the earliest pending row becomes due (None when nothing is pending)."""
    return await session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status == PENDING, OutboxMessage.channel.in_(list(channels))
        )
    )
