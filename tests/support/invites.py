"""Invite codes the tests need, made straight in the database (bot/services/invites.py)."""

from __future__ import annotations

from bot.runtime import Runtime
from bot.services.invites import create_invite


async def code_for(runtime: Runtime, role: str, commune: str, villages: list[str]) -> str:
    async with runtime.sessionmaker() as session, session.begin():
        invite = await create_invite(session, runtime.app_ctx.places, role, commune, villages, runtime.app_ctx.clock())
        return invite.code

