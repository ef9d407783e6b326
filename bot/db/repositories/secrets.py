"""Server secrets stored in the database (generated once, read by every instance)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import AppSecret


async def get_or_create(session: AsyncSession, name: str, generate: Callable[[], str], now: datetime) -> str:
    """The stored secret `name`; the first caller stores `generate()` (concurrent first callers agree)."""
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert: Any = postgresql.insert if dialect == "postgresql" else sqlite.insert
    await session.execute(
        insert(AppSecret).values(name=name, value=generate(), created_at=now).on_conflict_do_nothing()
    )
    value = await session.scalar(select(AppSecret.value).where(AppSecret.name == name))
    assert value is not None
    return value
