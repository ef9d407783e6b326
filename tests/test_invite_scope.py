"""Issue 15, item 7 (scope): redeeming an invite replaces the person's role and scope instead of
adding to it, and only after a confirmation that says what changes. A Hà Long team member who
redeems a Bạch Ngọc code no longer manages Hà Long's villages; an official who is sent a team code
keeps the official role unless they confirm."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import Role, User
from bot.runtime import Runtime
from tests.support.chat import Chat
from tests.support.invites import code_for
from tests.support.seed import TEAM, make_team_member


async def person(runtime: Runtime, pid: str) -> User:
    async with runtime.sessionmaker() as session:
        return (await session.execute(select(User).where(User.platform_id == pid))).scalar_one()


async def test_a_new_code_replaces_the_scope_after_confirmation(runtime: Runtime, chat: Chat) -> None:
    await make_team_member(runtime, chat, villages=["ha-long-thon-3"])
    code = await code_for(runtime, "team", "bach-ngoc", ["bach-ngoc-xom-1"])
    await chat.say(TEAM, f"/ma {code}")
    asked = chat.text(TEAM)
    assert "Xã Hà Long" in asked and "Xã Bạch Ngọc" in asked and "thay" in asked
    before = await person(runtime, TEAM)
    assert before.role_commune_id == "ha-long"  # nothing changes before the confirmation
    await chat.tap(TEAM, "Đổi quyền")
    assert "Bạn đã được cấp quyền" in chat.text(TEAM)
    after = await person(runtime, TEAM)
    assert after.role == Role.TEAM and after.role_commune_id == "bach-ngoc"
    assert after.role_village_ids == ["bach-ngoc-xom-1"]  # Hà Long's village is gone, not kept alongside


async def test_an_official_is_asked_and_can_keep_the_role(runtime: Runtime, chat: Chat) -> None:
    await chat.onboard("can-bo")
    await chat.say("can-bo", f"/ma {await code_for(runtime, 'official', 'ha-long', [])}")
    assert (await person(runtime, "can-bo")).role == Role.OFFICIAL  # the first role needs no confirmation
    team_code = await code_for(runtime, "team", "ha-long", ["ha-long-thon-3"])
    await chat.say("can-bo", f"/ma {team_code}")
    assert "cán bộ xã" in chat.text("can-bo") and "Tổ công nghệ số" in chat.text("can-bo")
    await chat.tap("can-bo", "Giữ nguyên")
    kept = await person(runtime, "can-bo")
    assert kept.role == Role.OFFICIAL and kept.role_commune_id == "ha-long"
    await chat.say("nguoi-khac", "/start")
    await chat.tap("nguoi-khac", "Đồng ý")
    await chat.say("nguoi-khac", f"/ma {team_code}")  # the code was not used up by the refusal
    assert "Bạn đã được cấp quyền" in chat.text("nguoi-khac")
