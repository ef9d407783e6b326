"""People the tests need in the database: a team member (through a real invite), a resident."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import User
from bot.runtime import Runtime
from bot.services import invites
from tests.support.chat import Chat

TEAM = "team-1"


async def make_team_member(runtime: Runtime, chat: Chat, user: str = TEAM, villages: list[str] | None = None) -> None:
    await chat.onboard(user, "Hà Long", "Thôn 1")
    async with runtime.sessionmaker() as session, session.begin():
        invite = await invites.create_invite(
            session,
            runtime.app_ctx.places,
            "team",
            "ha-long",
            villages if villages is not None else ["ha-long-thon-3", "ha-long-thon-2"],
            runtime.app_ctx.clock(),
        )
    await chat.say(user, f"/ma {invite.code}")


async def resident(runtime: Runtime, chat: Chat, user: str, village: str = "Thôn 3", name: str | None = None) -> int:
    await chat.onboard(user, "Hà Long", village)
    async with runtime.sessionmaker() as session, session.begin():
        db_user = await session.scalar(select(User).where(User.platform_id == user))
        assert db_user is not None
        db_user.display_name = name or f"Bà {user}"
        return db_user.id
