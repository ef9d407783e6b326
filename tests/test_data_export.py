"""Issue 15, item 14: /dulieu gives the person their data as a file (Decree 13/2023, art. 9: the right to
obtain one's data). Telegram and the console get a JSON file; Zalo Bot cannot send files, so the same
JSON arrives as text messages that join back into the file."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import pytest_asyncio

from bot.channels.zalo_render import render
from bot.messages import Reply
from bot.runtime import Runtime
from tests.fakes.zalo_server import FakeZaloServer
from tests.support.chat import Chat
from tests.support.zalo_bot import Resident, fake_zalo_bot, polling, push_to


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeZaloServer]:
    async with fake_zalo_bot() as server:
        yield server


def exported(replies: list[Reply]) -> dict:
    docs = [r.document for r in replies if r.document is not None]
    assert len(docs) == 1, [r.text for r in replies]
    assert docs[0].filename.endswith(".json") and docs[0].mime_type == "application/json"
    return json.loads(docs[0].content.decode("utf-8"))


async def test_my_data_export_holds_everything_stored_about_me(runtime: Runtime, chat: Chat) -> None:
    catalog = runtime.app_ctx.catalog
    lesson = catalog.lessons["vneid-kich-hoat"]
    await chat.onboard("lan")
    await chat.tap_payload("lan", "l:vneid-kich-hoat")
    await chat.tap_payload("lan", "qz:vneid-kich-hoat")
    for i, q in enumerate(lesson.quiz.questions):  # choices are shuffled per attempt: tap the right one
        await chat.tap_payload("lan", f"q:{i}:{q.answer}")
    await chat.say("lan", "/dulieu")
    assert "Tải dữ liệu của tôi" in " ".join(b.label for b in chat.buttons("lan"))
    replies = await chat.tap("lan", "Tải dữ liệu của tôi")
    assert "tệp" in " ".join(r.text for r in replies)
    data = exported(replies)
    person = data["nguoi_dung"]
    assert person["kenh"] == "console" and person["ma_tai_khoan"] == "lan"
    assert person["noi_o"] == "Thôn 3, Xã Hà Long"
    assert person["vai_tro"] == "resident" and person["dong_y_luc"]
    progress = {p["bai_hoc"]: p for p in data["tien_do_hoc"]}
    assert progress["vneid-kich-hoat"]["hoan_thanh_luc"] is not None
    assert progress["vneid-kich-hoat"]["ten_bai"] == lesson.title
    attempts = data["bai_kiem_tra"]
    assert len(attempts) == 1 and attempts[0]["dat"] is True
    assert attempts[0]["diem"] == len(lesson.quiz.questions)
    assert data["dang_ky_lop"] == [] and data["giay_ghi_nhan"] == [] and "ngay_xuat" in data
    # Also reachable as a command, and nothing for someone who never agreed.
    replies = await chat.say("lan", "/taidulieu")
    assert exported(replies)["nguoi_dung"]["ma_tai_khoan"] == "lan"
    replies = await chat.say("stranger", "/taidulieu")
    assert all(r.document is None for r in replies) and "không lưu dữ liệu nào" in chat.text("stranger")


def test_zalo_shows_a_json_file_as_text_that_joins_back() -> None:
    from bot.messages import Document

    payload = {"nguoi_dung": {"ten": "Bà Lan " * 400}, "tien_do_hoc": [{"bai_hoc": f"bai-{i}"} for i in range(200)]}
    content = json.dumps(payload, ensure_ascii=False, indent=1).encode()
    assert len(content) > 4000
    calls = render(Reply("📄 Dữ liệu của bạn", document=Document("du-lieu.json", content, "application/json")))
    assert all(len(c.text) <= 2000 for c in calls)
    assert not any("không gửi được qua Zalo" in c.text for c in calls)
    assert calls[0].text == "📄 Dữ liệu của bạn"
    assert json.loads("".join(c.text for c in calls[1:])) == payload


async def test_zalo_resident_gets_their_data_as_messages(runtime: Runtime, fake: FakeZaloServer) -> None:
    async with polling(runtime, fake):
        resident = Resident(fake, push_to(fake), "zalo-ba-lan")
        out = await resident.say("xin chào")
        out = await resident.choose(out, "Đồng ý")
        out = await resident.say("ha long")
        out = await resident.say("thon 3")
        out = await resident.say("/dulieu")
        before = resident.seen
        out = await resident.choose(out, "Tải dữ liệu của tôi")
        texts = fake.texts_to(resident.user)[before:]
        start = next(i for i, t in enumerate(texts) if t.lstrip().startswith("{"))
        data, _ = json.JSONDecoder().raw_decode("".join(texts[start:]))  # the choices follow the file
        assert data["nguoi_dung"]["ma_tai_khoan"] == "zalo-ba-lan"
        assert data["nguoi_dung"]["ten_hien_thi"] == "Bà Lan"
        assert "không gửi được qua Zalo" not in out
