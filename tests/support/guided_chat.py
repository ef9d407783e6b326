"""Learning with a helper (bot/engine/flows/team_guided.py, guided_claim.py), typed with numbers only as on
Zalo: a team member records a person guided without a phone."""

from __future__ import annotations

from tests.support.chat import Chat
from tests.support.seed import TEAM

LAN = "ba-lan"


def shown(chat: Chat, user: str) -> dict[int, str]:
    return {b.number or 0: b.label for b in chat.last[user][-1].numbered()} if chat.buttons(user) else {}


async def say(chat: Chat, user: str, *lines: str) -> str:
    for line in lines:
        await chat.say(user, line)
    return chat.text(user)


async def record_by_numbers(chat: Chat, name: str, year: str, village_number: str, all_core: bool) -> str:
    """The whole wizard typed as on Zalo: every step a number or a typed answer."""
    home = await say(chat, TEAM, "/todoi")
    assert shown(chat, TEAM)[5] == "🤝 Ghi nhận người được hướng dẫn"
    assert "bước 1/5" in await say(chat, TEAM, "5") and not chat.buttons(TEAM)  # a text question, no buttons
    del home
    assert "sinh năm nào" in await say(chat, TEAM, name) and not chat.buttons(TEAM)
    assert "Năm sinh là 4 chữ số, từ 1900 đến 2026" in await say(chat, TEAM, "1800")
    assert "thôn nào" in await say(chat, TEAM, year)
    assert "Bước 4/5" in await say(chat, TEAM, village_number)
    if all_core:  # the 10 core lessons come first: 6 on page 1, 4 on page 2
        await say(chat, TEAM, "1 2 3 4 5 6", "8", "1 2 3 4")
    else:
        await say(chat, TEAM, "1", "2", "2")  # a toggle twice is off again: one lesson
    review = await say(chat, TEAM, "9")
    assert "Bước 5/5" in review and shown(chat, TEAM)[1] == "✅ Bác/cô/chú đã đồng ý cho lưu thông tin"
    return await say(chat, TEAM, "1")

