"""Issue 15, item 7 (admin side): every role change is audited (who, when, which code or the CLI),
`hocvuso role list` shows who holds which role, `hocvuso role revoke --user ID` takes it away."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.db.models import Role, RoleChange, User
from bot.runtime import Runtime
from tests.support.chat import Chat
from tests.support.cli import run_cli
from tests.support.invites import code_for


async def test_role_changes_are_audited_listed_and_revoked(runtime: Runtime, chat: Chat) -> None:
    await chat.onboard("to-vien")
    code = await code_for(runtime, "team", "ha-long", ["ha-long-thon-3"])
    await chat.say("to-vien", f"/ma {code}")
    async with runtime.sessionmaker() as session:
        member = (await session.execute(select(User).where(User.platform_id == "to-vien"))).scalar_one()
        audit = list(await session.scalars(select(RoleChange).where(RoleChange.user_id == member.id)))
    assert [(a.role, a.commune_id, a.village_ids, a.source, a.code) for a in audit] == [
        (Role.TEAM, "ha-long", ["ha-long-thon-3"], "invite", code)
    ]
    assert audit[0].changed_at == runtime.app_ctx.clock()

    url = runtime.settings.database_url
    listed = await asyncio.to_thread(run_cli, "role", "list", database_url=url)
    assert listed.returncode == 0, listed.stderr
    line = next(row for row in listed.stdout.splitlines() if row.split()[:1] == [str(member.id)])
    assert "team" in line and "ha-long" in line and "ha-long-thon-3" in line

    revoked = await asyncio.to_thread(run_cli, "role", "revoke", "--user", str(member.id), database_url=url)
    assert revoked.returncode == 0, revoked.stderr
    missing = await asyncio.to_thread(run_cli, "role", "revoke", "--user", "999999", database_url=url)
    assert missing.returncode == 2 and "999999" in missing.stderr
    async with runtime.sessionmaker() as session:
        after = await session.get(User, member.id)
        audit = list(await session.scalars(select(RoleChange).where(RoleChange.user_id == member.id)
                                           .order_by(RoleChange.id)))
    assert after is not None and after.role == Role.RESIDENT and after.role_commune_id is None
    assert after.role_village_ids == []
    assert [(a.role, a.source) for a in audit] == [(Role.TEAM, "invite"), (Role.RESIDENT, "cli")]
    listed = await asyncio.to_thread(run_cli, "role", "list", database_url=url)
    assert not [row for row in listed.stdout.splitlines() if row.split()[:1] == [str(member.id)]]
