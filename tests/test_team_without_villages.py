"""A team member none of whose villages is in content/places.yaml any more (villages merged, the file
updated) gets one kind refusal from each team action that needs a village (a class, an announcement, a
guided record), never an empty picker or an error."""

from __future__ import annotations

from sqlalchemy import update

from bot.db.models import Role, User
from bot.runtime import Runtime
from tests.support.chat import Chat
from tests.support.seed import TEAM, make_team_member

REFUSAL = "Bạn chưa được giao thôn nào. Hãy nhờ quản trị viên cấp lại mã mời."


async def test_each_village_action_refuses_kindly_and_the_team_home_stays(runtime: Runtime) -> None:
    chat = Chat(runtime, "zalo")
    await make_team_member(runtime, chat, villages=["ha-long-thon-3"])
    async with runtime.sessionmaker() as session, session.begin():
        await session.execute(update(User).where(User.role == Role.TEAM).values(role_village_ids=["ha-long-thon-99"]))
    for command in ("/taolop", "/thongbao", "/ghinhan"):
        replies = await chat.say(TEAM, command)
        assert REFUSAL in replies[-1].text, (command, replies[-1].text)
    home = await chat.say(TEAM, "8")
    assert "Tạo lớp học" in "".join(b.label for row in home[-1].buttons for b in row)
