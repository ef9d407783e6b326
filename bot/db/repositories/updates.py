"""Processed platform updates (idempotency keys)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import ProcessedUpdate


def _claim_statement(insert: Any) -> Any:
    return (
        insert(ProcessedUpdate.__table__)  # Core, not the ORM bulk-insert path
        .values(channel=bindparam("channel"), update_id=bindparam("update_id"), processed_at=bindparam("at"))
        .on_conflict_do_nothing()
    )


# Built once: this runs on every update, and building the statement costs more than executing it.
_CLAIM = {"postgresql": _claim_statement(pg_insert), "sqlite": _claim_statement(sqlite_insert)}


async def claim(session: AsyncSession, channel: str, update_id: str, now: datetime) -> bool:
    """Record the update as processed; False if it already was (a redelivery)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    result = await session.execute(_CLAIM[dialect], {"channel": channel, "update_id": update_id, "at": now})
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def delete_prefixed(session: AsyncSession, channel: str, prefix: str) -> int:
    """Delete the keys of `channel` that start with `prefix` (a range scan on the primary key)."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    result = await session.execute(
        delete(ProcessedUpdate).where(
            ProcessedUpdate.channel == channel, ProcessedUpdate.update_id >= prefix, ProcessedUpdate.update_id < upper
        )
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def purge_before(session: AsyncSession, cutoff: datetime) -> int:
    result = await session.execute(delete(ProcessedUpdate).where(ProcessedUpdate.processed_at < cutoff))
    return int(result.rowcount)  # type: ignore[attr-defined]
