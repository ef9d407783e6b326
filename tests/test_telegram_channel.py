"""The Telegram adapter (real python-telegram-bot) against the fake Bot API over HTTP."""

from __future__ import annotations

import asyncio
import itertools
import random
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.messages import Button, Document, Incoming, Kind, Reply
from tests.fakes.telegram_harness import BlockedRecorder, RecordingHandler, polling_channel
from tests.fakes.telegram_server import FakeTelegramServer

LESSON_BUTTONS = (
    (Button("Học VNeID", "lesson:vneid"), Button("Thanh toán QR", "lesson:qr")),
    (Button("Về trang chính", "menu"),),
)


async def _until(condition: Callable[[], bool]) -> None:
    while not condition():
        await asyncio.sleep(0.01)


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegramServer]:
    async with FakeTelegramServer() as server:
        yield server


async def test_text_message_is_answered_in_the_same_chat(tg: FakeTelegramServer, tmp_path: Path) -> None:
    handler = RecordingHandler()
    async with polling_channel(tg, handler, tmp_path):
        update_id = tg.push_message(1001, "cai vneid", first_name="Lan", last_name="Nguyễn")
        calls = await tg.wait_for_calls("sendMessage", 1)
    assert calls[0].chat_id == 1001
    assert calls[0].params["text"] == "Bạn vừa gửi: cai vneid"
    [incoming] = handler.seen
    assert incoming == Incoming(
        channel="telegram", user_id="1001", kind=Kind.TEXT, text="cai vneid", update_id=str(update_id),
        display_name="Lan Nguyễn", chat_id="1001",
    )


async def test_photo_from_user_arrives_as_media(tg: FakeTelegramServer, tmp_path: Path) -> None:
    handler = RecordingHandler(lambda inc: [Reply("Mình đã nhận được ảnh.")])
    photo = [{"file_id": "p1", "file_unique_id": "u1", "width": 90, "height": 90}]
    async with polling_channel(tg, handler, tmp_path):
        tg.push_message(1001, None, photo=photo, caption="ảnh màn hình")
        await tg.wait_for_calls("sendMessage", 1)
    assert handler.seen[0].kind == Kind.MEDIA
    assert handler.seen[0].text == "ảnh màn hình"


async def test_buttons_become_an_inline_keyboard(tg: FakeTelegramServer, tmp_path: Path) -> None:
    handler = RecordingHandler(lambda inc: [Reply("Bạn muốn học gì?", buttons=LESSON_BUTTONS)])
    async with polling_channel(tg, handler, tmp_path):
        tg.push_message(1001, "/start")
        [call] = await tg.wait_for_calls("sendMessage", 1)
    assert call.params["reply_markup"] == {"inline_keyboard": [
        [{"text": "Học VNeID", "callback_data": "lesson:vneid"},
         {"text": "Thanh toán QR", "callback_data": "lesson:qr"}],
        [{"text": "Về trang chính", "callback_data": "menu"}],
    ]}


async def test_button_tap_is_answered_and_reaches_handler(tg: FakeTelegramServer, tmp_path: Path) -> None:
    def respond(inc: Incoming) -> list[Reply]:
        if inc.kind == Kind.BUTTON:
            return [Reply(f"Bạn chọn {inc.payload}")]
        return [Reply("Bạn muốn học gì?", buttons=LESSON_BUTTONS)]

    handler = RecordingHandler(respond)
    async with polling_channel(tg, handler, tmp_path):
        tg.push_message(1001, "/start")
        await tg.wait_for_calls("sendMessage", 1)
        update_id = tg.press_button(1001, "Thanh toán QR")
        await tg.wait_for_calls("sendMessage", 2)
    answers = tg.calls_for("answerCallbackQuery")
    assert len(answers) == 1 and len(tg.answered_callbacks) == 1
    pressed = handler.seen[1]
    assert (pressed.kind, pressed.payload, pressed.update_id, pressed.chat_id) == (
        Kind.BUTTON, "lesson:qr", str(update_id), "1001")
    assert answers[0].at < tg.calls_for("sendMessage")[1].at  # spinner stops before the answer comes
    assert tg.sent_texts(1001)[-1] == "Bạn chọn lesson:qr"


async def test_edit_reply_replaces_the_tapped_message(tg: FakeTelegramServer, tmp_path: Path) -> None:
    def respond(inc: Incoming) -> list[Reply]:
        if inc.kind == Kind.BUTTON:
            return [Reply("Bước 2: Mở ứng dụng VNeID.", buttons=((Button("Tiếp", "next"),),), edit=True)]
        return [Reply("Bước 1: Tải ứng dụng VNeID.", buttons=((Button("Tiếp", "next"),),))]

    async with polling_channel(tg, RecordingHandler(respond), tmp_path):
        tg.push_message(1001, "hoc vneid")
        [first] = await tg.wait_for_calls("sendMessage", 1)
        tg.press_button(1001, "Tiếp")
        [edit] = await tg.wait_for_calls("editMessageText", 1)
    assert edit.params["message_id"] == first.result["message_id"]
    assert edit.params["text"] == "Bước 2: Mở ứng dụng VNeID."
    assert len(tg.calls_for("sendMessage")) == 1  # no new message
    shown = tg.chats[1001].messages[first.result["message_id"]]
    assert shown["text"] == "Bước 2: Mở ứng dụng VNeID."


async def test_edit_falls_back_to_new_message_when_telegram_refuses(tg: FakeTelegramServer, tmp_path: Path) -> None:
    image = tmp_path / "step.png"
    image.write_bytes(b"\x89PNG fake image bytes")

    def respond(inc: Incoming) -> list[Reply]:
        if inc.kind == Kind.BUTTON:
            return [Reply("Bước 2", edit=True)]
        return [Reply("Bước 1", image="step.png", buttons=((Button("Tiếp", "next"),),))]

    async with polling_channel(tg, RecordingHandler(respond), tmp_path):
        tg.push_message(1001, "hoc")
        await tg.wait_for_calls("sendPhoto", 1)
        tg.press_button(1001, "Tiếp")
        await tg.wait_for_calls("sendMessage", 1)
    assert len(tg.calls_for("editMessageText", ok=False)) == 1  # a photo has no text to edit
    assert tg.sent_texts(1001) == ["Bước 1", "Bước 2"]


async def test_long_text_is_split_on_paragraphs(tg: FakeTelegramServer, tmp_path: Path) -> None:
    paragraphs = [f"Đoạn {i}: " + ("Không chia sẻ mã OTP cho bất kỳ ai. " * 40).strip() for i in range(12)]
    long_text = "\n\n".join(paragraphs)
    assert len(long_text) > 3 * 4096
    replies = [Reply(long_text, buttons=LESSON_BUTTONS), Reply("Hết bài.")]
    async with polling_channel(tg, RecordingHandler(lambda inc: replies), tmp_path):
        tg.push_message(1001, "an toan")
        await asyncio.wait_for(_until(lambda: tg.sent_texts(1001)[-1:] == ["Hết bài."]), timeout=5)
    calls = tg.calls_for("sendMessage")[:-1]
    texts = [c.params["text"] for c in calls]
    assert all(len(t) <= 4096 for t in texts)
    assert "\n\n".join(texts) == long_text  # nothing lost, cut only between paragraphs
    assert all("reply_markup" not in c.params for c in calls[:-1])
    assert "reply_markup" in calls[-1].params  # buttons under the last part


async def test_image_and_document_replies(tg: FakeTelegramServer, tmp_path: Path) -> None:
    (tmp_path / "media").mkdir()
    (tmp_path / "media" / "qr.png").write_bytes(b"\x89PNG qr")
    long_caption = "Quét mã QR. " * 120
    replies = [
        Reply("Quét mã QR để thanh toán.", image="media/qr.png", buttons=LESSON_BUTTONS),
        Reply(long_caption, image_bytes=b"\x89PNG chart"),
        Reply("Báo cáo tháng 10", document=Document("bao-cao-thang-10.xlsx", b"PK\x03\x04 xlsx")),
    ]
    async with polling_channel(tg, RecordingHandler(lambda inc: replies), tmp_path):
        tg.push_message(1001, "qr")
        await tg.wait_for_calls("sendDocument", 1)
    photos = tg.calls_for("sendPhoto")
    assert photos[0].params["caption"] == "Quét mã QR để thanh toán."
    assert photos[0].files["photo"].size == len(b"\x89PNG qr")
    assert "reply_markup" in photos[0].params
    assert "caption" not in photos[1].params  # too long for a caption: sent as text after the photo
    assert tg.sent_texts(1001)[2] == long_caption.strip()
    [document] = tg.calls_for("sendDocument")
    assert document.files["document"].filename == "bao-cao-thang-10.xlsx"
    assert document.params["caption"] == "Báo cáo tháng 10"
    action = tg.calls_for("sendChatAction")[-1]
    assert action.params["action"] == "upload_document" and action.at < document.at


async def test_missing_image_still_sends_text(tg: FakeTelegramServer, tmp_path: Path) -> None:
    async with polling_channel(tg, RecordingHandler(lambda inc: [Reply("Xem ảnh", image="khong-co.png")]), tmp_path):
        tg.push_message(1001, "x")
        await tg.wait_for_calls("sendMessage", 1)
    assert tg.sent_texts(1001) == ["Xem ảnh"]


async def test_slow_handler_shows_typing(tg: FakeTelegramServer, tmp_path: Path) -> None:
    async with polling_channel(tg, RecordingHandler(delay=0.6), tmp_path, typing_delay=0.2):
        tg.push_message(1001, "chậm")
        [sent] = await tg.wait_for_calls("sendMessage", 1)
    [typing] = tg.calls_for("sendChatAction")
    assert typing.params["action"] == "typing" and typing.at < sent.at


async def test_fast_handler_does_not_show_typing(tg: FakeTelegramServer, tmp_path: Path) -> None:
    async with polling_channel(tg, RecordingHandler(), tmp_path, typing_delay=0.5):
        tg.push_message(1001, "nhanh")
        await tg.wait_for_calls("sendMessage", 1)
    assert tg.calls_for("sendChatAction") == []


async def test_handler_crash_gives_kind_vietnamese_message(tg: FakeTelegramServer, tmp_path: Path) -> None:
    def respond(inc: Incoming) -> list[Reply]:
        raise RuntimeError("database is down")

    async with polling_channel(tg, RecordingHandler(respond), tmp_path):
        tg.push_message(1001, "hello")
        [call] = await tg.wait_for_calls("sendMessage", 1)
    assert "thử lại" in call.params["text"] and "Traceback" not in call.params["text"]


async def test_429_is_retried_after_retry_after(tg: FakeTelegramServer, tmp_path: Path) -> None:
    tg.fail_next("sendMessage", status=429, retry_after=1)
    async with polling_channel(tg, RecordingHandler(), tmp_path):
        tg.push_message(1001, "một")
        tg.push_message(1001, "hai")
        await tg.wait_for_calls("sendMessage", 2, timeout=10)
    [refused] = tg.calls_for("sendMessage", ok=False)
    ok = tg.calls_for("sendMessage")
    assert ok[0].at - refused.at >= 1.0
    assert tg.sent_texts(1001) == ["Bạn vừa gửi: một", "Bạn vừa gửi: hai"]


async def test_server_error_is_retried(tg: FakeTelegramServer, tmp_path: Path) -> None:
    tg.fail_next("sendMessage", status=500, count=2)
    async with polling_channel(tg, RecordingHandler(), tmp_path):
        tg.push_message(1001, "một")
        await tg.wait_for_calls("sendMessage", 1, timeout=10)
    assert len(tg.calls_for("sendMessage", ok=False)) == 2
    assert tg.sent_texts(1001) == ["Bạn vừa gửi: một"]


async def test_blocked_user_triggers_hook(tg: FakeTelegramServer, tmp_path: Path) -> None:
    blocked = BlockedRecorder()
    async with polling_channel(tg, RecordingHandler(), tmp_path, on_blocked=blocked):
        tg.push_message(1001, "xin chào")
        tg.block(1001)
        await tg.wait_for_calls("sendMessage", 1, ok=False)
        await asyncio.sleep(0.1)
    assert blocked.calls == [("telegram", "1001")]


async def test_block_notice_from_telegram_triggers_hook(tg: FakeTelegramServer, tmp_path: Path) -> None:
    blocked = BlockedRecorder()
    state = tg.add_chat(2002, "Bà Tư")
    member = {
        "chat": state.chat, "from": state.user, "date": int(time.time()),
        "old_chat_member": {"user": tg.bot_user, "status": "member"},
        "new_chat_member": {"user": tg.bot_user, "status": "kicked", "until_date": 0},
    }
    handler = RecordingHandler()
    async with polling_channel(tg, handler, tmp_path, on_blocked=blocked):
        tg.push_update({"my_chat_member": member})
        await tg.wait_until_confirmed()
        await asyncio.sleep(0.1)
    assert blocked.calls == [("telegram", "2002")]
    assert handler.seen == []


async def test_per_user_order_with_concurrent_users(tg: FakeTelegramServer, tmp_path: Path) -> None:
    users, per_user = 20, 10
    spans: dict[str, list[tuple[int, float, float]]] = {}
    rng = random.Random(7)

    async def handler(inc: Incoming) -> list[Reply]:
        start = time.monotonic()
        await asyncio.sleep(rng.uniform(0.0, 0.02))
        spans.setdefault(inc.user_id, []).append((int(inc.text or "0"), start, time.monotonic()))
        return [Reply(f"Đã nhận {inc.text}")]

    async with polling_channel(tg, handler, tmp_path):
        for seq in range(per_user):
            for user in range(users):
                tg.push_message(5000 + user, str(seq))
        await tg.wait_for_calls("sendMessage", users * per_user, timeout=20)

    for user in range(users):
        assert [s for s, _, _ in spans[str(5000 + user)]] == list(range(per_user))
        assert tg.sent_texts(5000 + user) == [f"Đã nhận {i}" for i in range(per_user)]
        intervals = spans[str(5000 + user)]
        assert all(a[2] <= b[1] for a, b in itertools.pairwise(intervals))  # never two at once per user
    starts = [(start, 1) for v in spans.values() for _, start, _ in v]
    ends = [(end, -1) for v in spans.values() for _, _, end in v]
    events = sorted(starts + ends)
    running = peak = 0
    for _, delta in events:
        running += delta
        peak = max(peak, running)
    assert peak >= 5  # different users really are handled at the same time


async def test_graceful_stop_finishes_in_flight_update(tg: FakeTelegramServer, tmp_path: Path) -> None:
    handler = RecordingHandler(delay=0.5)
    channel_cm = polling_channel(tg, handler, tmp_path)
    await channel_cm.__aenter__()
    tg.push_message(1001, "đang xử lý")
    await handler.wait_seen(1)
    await channel_cm.__aexit__(None, None, None)  # stop while the handler still sleeps
    assert tg.sent_texts(1001) == ["Bạn vừa gửi: đang xử lý"]
    assert tg.pending_updates == 0  # confirmed: a restart will not see it again

    handler2 = RecordingHandler()
    async with polling_channel(tg, handler2, tmp_path):
        await asyncio.sleep(0.3)
    assert handler2.seen == []
