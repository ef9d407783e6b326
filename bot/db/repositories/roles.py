"""Role holders and the audit of role changes."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.db.models import Role, RoleChange, User


async def audit(session: AsyncSession, user: User, source: str, code: str | None, now: datetime) -> None:
    session.add(RoleChange(
        user_id=user.id, role=user.role, commune_id=user.role_commune_id,
        village_ids=list(user.role_village_ids or []), source=source, code=code, changed_at=now,
    ))


async def holders(session: AsyncSession) -> list[User]:
    """Everyone with a role other than resident, by id."""
    return list(await session.scalars(select(User).where(User.role != Role.RESIDENT).order_by(User.id)))
