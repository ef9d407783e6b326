"""Someone who was just scammed or hacked gets the urgent card before any lesson menu."""

from __future__ import annotations

import pytest

from tests.support.chat import Chat

URGENT = [
    "toi bi lua roi phai lam sao",
    "Tôi bị lừa rồi phải làm sao",
    "mat tien",
    "mất tiền rồi",
    "bi hack zalo",
    "bị hack Zalo",
    "lo chuyen tien cho ke gian",
    "me toi lo doc ma otp",
]


@pytest.mark.parametrize("typed", URGENT)
async def test_urgent_card_comes_first_then_the_what_to_do_lesson(chat: Chat, typed: str) -> None:
    await chat.onboard("ba")
    replies = await chat.say("ba", typed)
    card = replies[0].text
    assert card.startswith("🚨")
    assert "tổng đài ngân hàng" in card and "KHÓA" in card
    assert "113" in card and "công an xã" in card
    assert "không chuyển thêm tiền" in card and "OTP" in card and "đường link" in card
    assert not replies[0].buttons  # nothing to tap before reading what to do
    lessons = [b.payload for b in chat.buttons("ba")]
    assert lessons[0] == "l:bi-lua-dao-lam-gi"
    assert len(lessons) == len(set(lessons))


async def test_urgent_card_also_mid_lesson(chat: Chat) -> None:
    await chat.onboard("ong")
    await chat.say("ong", "vneid")
    await chat.tap("ong", "VNeID")
    replies = await chat.say("ong", "bi lua mat tien roi")
    assert replies[0].text.startswith("🚨")


@pytest.mark.parametrize("typed", ["lua dao", "qr", "cach cai vneid", "tin gia"])
async def test_learning_about_scams_is_a_plain_search(chat: Chat, typed: str) -> None:
    await chat.onboard("co")
    replies = await chat.say("co", typed)
    assert not any(r.text.startswith("🚨") for r in replies)
