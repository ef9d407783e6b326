"""A team member creating a class through the chat (bot/engine/flows/team_classes.py), every wizard step typed
or tapped."""

from __future__ import annotations

from tests.support.chat import Chat
from tests.support.seed import TEAM


async def create_class_via_chat(
    chat: Chat, when: str = "thứ 7 tuần này 14h", title: str = "Cài đặt và kích hoạt VNeID"
) -> str:
    """/taolop in Thôn 3 at the village hall, 30 seats, no note; returns the confirmation's text."""
    await chat.say(TEAM, "/taolop")
    await chat.say(TEAM, title)
    await chat.tap(TEAM, "Thôn 3")
    await chat.tap(TEAM, "Xong")
    await chat.say(TEAM, "Nhà văn hóa thôn 3")
    await chat.say(TEAM, when)
    await chat.say(TEAM, "30")
    await chat.tap(TEAM, "Bỏ qua")
    await chat.tap(TEAM, "Xác nhận")
    return chat.text(TEAM)

