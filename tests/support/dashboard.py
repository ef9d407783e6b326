"""Dashboard users: a person with a role stored directly, and a one-time login link for them."""

from __future__ import annotations

from bot.db.models import User
from bot.runtime import Runtime
from bot.services import weblogin


async def add_user(runtime: Runtime, name: str, role: str, commune: str | None) -> User:
    now = runtime.app_ctx.clock()
    async with runtime.sessionmaker() as session, session.begin():
        user = User(
            channel="test",
            platform_id=name,
            chat_id=name,
            consent_at=now,
            role=role,
            role_commune_id=commune,
            role_village_ids=[],
            created_at=now,
            last_seen_at=now,
        )
        session.add(user)
    return user


async def new_link(runtime: Runtime, user: User) -> str:
    async with runtime.sessionmaker() as session, session.begin():
        link = await weblogin.create_login_link(session, runtime.app_ctx, user, runtime.app_ctx.clock())
    return "/" + link.split("/", 3)[3]
