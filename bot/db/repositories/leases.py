"""Named leases: one holder at a time among instances (the scheduler's leader)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Lease


async def acquire(session: AsyncSession, name: str, owner: str, now: datetime, ttl: timedelta) -> bool:
    """Take or renew the lease `name` for `owner` unless another owner holds it unexpired."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(Lease)
    stmt = insert.values(name=name, owner=owner, expires_at=now + ttl).on_conflict_do_update(
        index_elements=["name"],
        set_={"owner": owner, "expires_at": now + ttl},
        where=or_(Lease.owner == owner, Lease.expires_at < now),
    )
    await session.execute(stmt)
    holder = await session.scalar(select(Lease.owner).where(Lease.name == name))
    return holder == owner


async def release(session: AsyncSession, name: str, owner: str) -> None:
    await session.execute(
        update(Lease)
        .where(Lease.name == name, Lease.owner == owner)
        .values(expires_at=datetime(2000, 1, 1, tzinfo=UTC))
        .execution_options(synchronize_session=False)
    )
