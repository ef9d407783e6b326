"""Typed places are found: typos, missing diacritics and spaces, thôn/xóm interchangeable; a
confirmation when the match is not exact; «Xã tôi / Thôn tôi không có trong danh sách» (9) records nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.config import PROJECT_ROOT
from bot.content.place_match import COMMUNE_WORDS, VILLAGE_WORDS, find
from bot.content.places import load_places
from bot.db.models import User
from bot.messages import Reply
from bot.runtime import Runtime
from tests.support.chat import Chat
from tests.support.replies import text as text_of

PLACES = load_places(PROJECT_ROOT / "content" / "places.yaml")
COMMUNES = {c.id: c.name for c in PLACES.communes.values()}


def villages(commune_id: str) -> dict[str, str]:
    return {v.id: v.name for v in PLACES.communes[commune_id].villages}


@pytest.mark.parametrize(
    ("typed", "commune_id", "exact"),
    [
        ("halong", "ha-long", True),
        ("Hà Long", "ha-long", True),
        ("xa ha long", "ha-long", True),
        ("ha lonh", "ha-long", False),
        ("bach ngco", "bach-ngoc", False),
        ("bachngoc", "bach-ngoc", True),
        ("thuong hog", "thuong-hong", False),
        ("tra bong", "dong-tra-bong", False),
    ],
)
def test_communes_found_despite_typos(typed: str, commune_id: str, exact: bool) -> None:
    found = find(COMMUNES, typed, COMMUNE_WORDS)
    assert found.ids == (commune_id,)
    assert found.exact is exact


@pytest.mark.parametrize(
    ("commune_id", "typed", "village_id", "exact"),
    [
        ("ha-long", "thon3", "ha-long-thon-3", True),
        ("ha-long", "xom 3", "ha-long-thon-3", True),  # village words are interchangeable
        ("ha-long", "ban 3", "ha-long-thon-3", True),
        ("ha-long", "dongxa", "ha-long-dong-xa", True),
        ("ha-long", "trung son", "ha-long-trung-son", True),
        ("ha-long", "bai thuog", "ha-long-bai-thuong", False),
        ("bach-ngoc", "ngoc lan", "bach-ngoc-ngoc-lam", False),
        ("bach-ngoc", "thon 1", "bach-ngoc-xom-1", True),
        ("thuong-hong", "an loc", "thuong-hong-an-loc", True),
    ],
)
def test_villages_found_despite_typos(commune_id: str, typed: str, village_id: str, exact: bool) -> None:
    found = find(villages(commune_id), typed, VILLAGE_WORDS)
    assert found.ids == (village_id,)
    assert found.exact is exact


@pytest.mark.parametrize(("commune_id", "typed"), [("ha-long", "13"), ("ha-long", "thon 4"), ("bach-ngoc", "thon3"),
                                                    ("ha-long", "thon"), ("ha-long", "qwerty")])
def test_numbers_and_nonsense_match_nothing(commune_id: str, typed: str) -> None:
    assert find(villages(commune_id), typed, VILLAGE_WORDS).ids == ()


async def village_of(runtime: Runtime, user: str) -> str | None:
    async with runtime.sessionmaker() as session:
        return await session.scalar(select(User.village_id).where(User.platform_id == user))


async def consent(chat: Chat, user: str) -> None:
    await chat.say(user, "/start")
    await chat.say(user, "1")


async def test_typo_asks_for_confirmation_then_numbers_only(runtime: Runtime, chat: Chat) -> None:
    await consent(chat, "ba")
    replies = await chat.say("ba", "bach ngco")
    assert replies[-1].text == "Có phải Xã Bạch Ngọc (Nghệ An) không?"
    assert [(b.number, b.label) for b in chat.buttons("ba")] == [(1, "✅ Đúng rồi"), (2, "Không, chọn lại")]
    await chat.say("ba", "1")
    assert "Xã Bạch Ngọc: bạn ở thôn/xóm/tổ dân phố nào?" in chat.text("ba")
    assert "ví dụ «xóm 1» hoặc «Ngọc Lâm»" in chat.text("ba")  # the commune's own names, not «thôn 3»
    await chat.say("ba", "ngoc lan")
    assert chat.text("ba") == "Có phải Xóm Ngọc Lâm, Xã Bạch Ngọc không?"
    assert await village_of(runtime, "ba") is None  # nothing saved before she says yes
    await chat.say("ba", "1")
    assert "Đã lưu nơi ở của bạn: Xóm Ngọc Lâm, Xã Bạch Ngọc." in chat.text("ba")
    assert await village_of(runtime, "ba") == "bach-ngoc-ngoc-lam"


async def test_saying_no_to_the_guess_shows_the_list_again(runtime: Runtime, chat: Chat) -> None:
    await consent(chat, "ong")
    await chat.say("ong", "ha lonh")
    await chat.say("ong", "2")
    assert "Bạn ở xã/phường nào?" in chat.text("ong")
    await chat.say("ong", "halong")  # exact once spacing is ignored: no question
    await chat.say("ong", "thon3")
    assert "Đã lưu nơi ở của bạn: Thôn 3, Xã Hà Long." in chat.text("ong")


async def test_commune_not_listed_records_nothing_and_says_whom_to_ask(runtime: Runtime, chat: Chat) -> None:
    await consent(chat, "co")
    await chat.tap("co", "Xã tôi không có trong danh sách")
    text = chat.text("co")
    assert "không ghi gì về nơi ở của bạn" in text
    assert "Ủy ban nhân dân xã" in text and "Tổ công nghệ số cộng đồng" in text
    assert any("Học bài mới" in b.label for b in chat.buttons("co"))
    async with runtime.sessionmaker() as session:
        user = (await session.scalars(select(User).where(User.platform_id == "co"))).one()
    assert user.village_id is None and user.commune_id is None


async def test_village_not_listed_is_9_like_the_commune_one_records_nothing_and_says_whom_to_ask(
    runtime: Runtime, chat: Chat
) -> None:
    await consent(chat, "ut")
    communes = await chat.say("ut", "/start")
    assert number_of(communes, "Xã tôi không có trong danh sách") == 9
    shown = await chat.say("ut", "ha long")
    assert number_of(shown, "Thôn tôi không có trong danh sách") == 9
    assert number_of(shown, "Chọn xã khác") == 0
    assert "Bạn ở xã/phường nào?" in text_of(await chat.say("ut", "0"))  # 0: back to the communes
    await chat.say("ut", "ha long")
    replies = await chat.say("ut", "9")
    said = text_of(replies)
    assert "không ghi gì về nơi ở của bạn" in said
    assert "Tổ công nghệ số cộng đồng" in said and "Ủy ban nhân dân Xã Hà Long" in said
    assert any("Học bài mới" in b.label for b in chat.buttons("ut"))
    async with runtime.sessionmaker() as session:
        user = (await session.scalars(select(User).where(User.platform_id == "ut"))).one()
    assert user.village_id is None and user.commune_id is None

    # changing an existing place: «9» keeps the old one and says so
    await chat.say("ut", "/start")
    await chat.say("ut", "ha long")
    await chat.say("ut", "thon 3")
    await chat.say("ut", "6")  # 🏠 Đổi thôn/xã
    await chat.say("ut", "bach ngoc")
    kept = text_of(await chat.say("ut", "9"))
    assert "Nơi ở cũ của bạn vẫn giữ nguyên: Thôn 3, Xã Hà Long." in kept
    assert await village_of(runtime, "ut") == "ha-long-thon-3"


async def test_yes_word_confirms_the_guess(runtime: Runtime, chat: Chat) -> None:
    await consent(chat, "chu")
    await chat.say("chu", "ha lonh")
    await chat.say("chu", "co")
    assert "Xã Hà Long: bạn ở thôn/xóm/tổ dân phố nào?" in chat.text("chu")
    await chat.say("chu", "bai thuog")
    await chat.say("chu", "ok")
    assert await village_of(runtime, "chu") == "ha-long-bai-thuong"


def number_of(replies: list[Reply], part: str) -> int | None:
    shown = [r for r in replies if r.buttons]
    return next((b.number for b in shown[-1].numbered() if part in b.label), None) if shown else None
