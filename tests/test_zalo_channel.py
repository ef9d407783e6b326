"""ZaloChannel (real aiohttp client) against the fake Zalo Bot API on 127.0.0.1."""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.channels.base import PermanentFailure, QuotaExceeded, RecipientBlocked, RetryLater
from bot.channels.zalo import GROUP_NOTICE, ZaloChannel
from bot.messages import Button, Incoming, Reply
from tests.fakes.zalo_server import DEFAULT_TOKEN, FakeZaloServer, make_update

SECRET = "bi-mat-webhook-123"
MENU = (
    (Button("Học VNeID", "topic:vneid"),),
    (Button("Thanh toán QR", "topic:qr"),),
    (Button("An toàn số", "topic:safe"),),
)


class Recorder:
    """Test handler: remembers every event and answers with a menu."""

    def __init__(self) -> None:
        self.events: list[Incoming] = []
        self.blocked: list[tuple[str, str]] = []
        self.quota: list[str] = []
        self.behaviour: Callable[[Incoming], Awaitable[list[Reply]]] | None = None

    async def handle(self, incoming: Incoming) -> list[Reply]:
        self.events.append(incoming)
        if self.behaviour is not None:
            return await self.behaviour(incoming)
        return [Reply(text=f"Chào {incoming.display_name}! Bạn muốn học gì?", buttons=MENU)]

    async def on_blocked(self, channel: str, user_id: str) -> None:
        self.blocked.append((channel, user_id))

    async def on_quota(self, channel: str) -> None:
        self.quota.append(channel)

    async def wait_events(self, count: int, within: float = 5.0) -> list[Incoming]:
        deadline = time.monotonic() + within
        while len(self.events) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"only {len(self.events)} of {count} events")
            await asyncio.sleep(0.01)
        return self.events


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeZaloServer]:
    server = FakeZaloServer(max_poll_wait=0.2)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def rec() -> Recorder:
    return Recorder()


@pytest_asyncio.fixture
async def make_channel(fake: FakeZaloServer, rec: Recorder) -> AsyncIterator[Callable[..., ZaloChannel]]:
    made: list[ZaloChannel] = []

    def factory(**kwargs: object) -> ZaloChannel:
        options: dict[str, object] = {
            "media_base_url": None,
            "webhook_secret": SECRET,
            "rate_per_second": 50.0,
            "poll_timeout": 1,
            "poll_min_interval": 0.02,
            "on_quota": rec.on_quota,
            "retry_base_delay": 0.01,
            "max_attempts": 4,
        }
        options.update(kwargs)
        base_url = str(options.pop("base_url", fake.base_url))
        channel = ZaloChannel(DEFAULT_TOKEN, base_url, rec.handle, rec.on_blocked, **options)  # type: ignore[arg-type]
        made.append(channel)
        return channel

    yield factory
    for channel in made:
        await channel.stop(grace_seconds=5)


async def run_polling(channel: ZaloChannel) -> asyncio.Task[None]:
    task = asyncio.create_task(channel.start_polling())
    await asyncio.sleep(0)
    return task


@pytest_asyncio.fixture
async def webhook_url(make_channel: Callable[..., ZaloChannel]) -> AsyncIterator[tuple[ZaloChannel, str]]:
    channel = make_channel()
    app = web.Application()
    app.router.add_post("/webhook/zalo", channel.webhook_handler)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield channel, str(server.make_url("/webhook/zalo"))
    await server.close()


# --- polling ----------------------------------------------------------------------------


async def test_polling_text_gets_a_reply_with_numbered_choices(
    fake: FakeZaloServer, rec: Recorder, make_channel: Callable[..., ZaloChannel]
) -> None:
    channel = make_channel()
    task = await run_polling(channel)
    fake.push_update(make_update("u-lan", "cai vneid", message_id="m1", display_name="Bà Lan"))
    sent = await fake.wait_sent(1)
    assert sent[0]["chat_id"] == "u-lan"
    assert sent[0]["text"] == (
        "Chào Bà Lan! Bạn muốn học gì?\n\n1. Học VNeID\n2. Thanh toán QR\n3. An toàn số\n"
        "Gõ 1, 2 hoặc 3 để chọn."
    )
    event = rec.events[0]
    assert (event.channel, event.user_id, event.text, event.update_id) == (
        "zalo",
        "u-lan",
        "cai vneid",
        "u-lan:m1",
    )
    methods = [c.method for c in fake.calls]
    assert methods[0] == "deleteWebhook" and "getUpdates" in methods
    await channel.stop()
    await asyncio.wait_for(task, 3)


async def test_polling_removes_a_webhook_left_from_an_earlier_run(
    fake: FakeZaloServer, rec: Recorder, make_channel: Callable[..., ZaloChannel]
) -> None:
    fake.webhook = {"url": "https://old.example/webhook/zalo", "secret_token": SECRET, "updated_at": 1}
    channel = make_channel()
    task = await run_polling(channel)
    fake.push_update(make_update("u1", "xin chào"))
    await fake.wait_sent(1)
    assert fake.webhook["url"] == ""
    await channel.stop()
    await asyncio.wait_for(task, 3)


@pytest.mark.parametrize(("style", "http_status"), [("http", 408), ("body", 200)])
async def test_empty_polls_are_silent_and_polling_continues(
    fake: FakeZaloServer,
    rec: Recorder,
    make_channel: Callable[..., ZaloChannel],
    caplog: pytest.LogCaptureFixture,
    style: str,
    http_status: int,
) -> None:
    fake.empty_poll_style = style
    caplog.set_level(logging.WARNING, logger="bot.channels")
    channel = make_channel()
    task = await run_polling(channel)
    await asyncio.sleep(0.9)  # several 0.2 s empty polls
    empty = [c for c in fake.calls_to("getUpdates") if c.status == http_status]
    assert len(empty) >= 3
    assert rec.events == [] and fake.sent == []
    assert [r for r in caplog.records if r.name.startswith("bot.channels")] == []
    fake.push_update(make_update("u2", "bat dau"))
    await fake.wait_sent(1)
    assert rec.events[0].text == "bat dau"
    await channel.stop()
    await asyncio.wait_for(task, 3)


async def test_long_reply_is_split_and_choices_come_last(
    fake: FakeZaloServer, rec: Recorder, make_channel: Callable[..., ZaloChannel]
) -> None:
    lesson = "\n\n".join(
        f"Bước {i}: " + "Mở ứng dụng VNeID và làm theo hướng dẫn. " * 20 for i in range(1, 8)
    )
    assert len(lesson) > 5000

    async def long_reply(_: Incoming) -> list[Reply]:
        return [
            Reply(text=lesson, buttons=((Button("Tiếp tục", "next"), Button("Làm bài kiểm tra", "quiz")),))
        ]

    rec.behaviour = long_reply
    channel = make_channel()
    task = await run_polling(channel)
    fake.push_update(make_update("u3", "1"))
    await asyncio.sleep(0.5)
    texts = fake.texts_to("u3")
    assert len(texts) >= 3
    assert all(len(t) <= 2000 for t in texts)
    assert texts[-1].endswith("1. Tiếp tục\n2. Làm bài kiểm tra\nGõ 1 hoặc 2 để chọn.")
    assert not any("Gõ 1 hoặc 2" in t for t in texts[:-1])
    steps = [line.split(":")[0] for t in texts for line in t.split("\n\n") if line.startswith("Bước")]
    assert steps == [f"Bước {i}" for i in range(1, 8)]
    await channel.stop()
    await asyncio.wait_for(task, 3)


async def test_image_is_sent_with_its_public_url(
    fake: FakeZaloServer, rec: Recorder, make_channel: Callable[..., ZaloChannel]
) -> None:
    async def step(_: Incoming) -> list[Reply]:
        return [
            Reply(
                text="Bước 1: Mở ứng dụng VNeID.",
                image="/srv/hocvuso/content/media/vneid-1.png",
                buttons=((Button("Tiếp", "next"),),),
            )
        ]

    rec.behaviour = step
    channel = make_channel(media_base_url="https://hocvuso.example.vn/media")
    task = await run_polling(channel)
    fake.push_update(make_update("u4", "hoc"))
    sent = await fake.wait_sent(1)
    assert sent[0]["method"] == "sendPhoto"
    assert sent[0]["photo"] == "https://hocvuso.example.vn/media/vneid-1.png"
    assert sent[0]["caption"] == "Bước 1: Mở ứng dụng VNeID.\n\n1. Tiếp\nGõ 1 để chọn."
    await channel.stop()
    await asyncio.wait_for(task, 3)


async def test_refused_photo_url_still_delivers_the_words(
    fake: FakeZaloServer, make_channel: Callable[..., ZaloChannel]
) -> None:
    channel = make_channel(media_base_url="https://hocvuso.example.vn/media")
    fake.fail_next("sendPhoto", 400, description="Bad Request: cannot download photo")
    await channel.send("u5", Reply(text="Bước 2: Quét mã QR.", image="content/media/qr-2.png"))
    assert fake.sent == [
        {**fake.sent[0], "method": "sendMessage", "chat_id": "u5", "text": "Bước 2: Quét mã QR."}
    ]


# --- ordering -----------------------------------------------------------------------------


async def test_one_users_updates_are_handled_in_order_while_users_run_concurrently(
    fake: FakeZaloServer, rec: Recorder, make_channel: Callable[..., ZaloChannel]
) -> None:
    b_done = asyncio.Event()
    finished: list[str] = []

    async def behaviour(incoming: Incoming) -> list[Reply]:
        if incoming.user_id == "A":
            if incoming.text == "a0":
                # Blocks until B is handled: deadlocks (times out) if users were serialised.
                await asyncio.wait_for(b_done.wait(), 3)
            await asyncio.sleep(0.05 - 0.01 * int(incoming.text[1:]))  # later ones are faster
        else:
            b_done.set()
        finished.append(incoming.text or "")
        return [Reply(text=f"đã nhận {incoming.text}")]

    rec.behaviour = behaviour
    channel = make_channel()
    for i in range(4):
        channel.dispatch_raw(make_update("A", f"a{i}"))
    channel.dispatch_raw(make_update("B", "b0"))
    await fake.wait_sent(5)
    assert [f for f in finished if f.startswith("a")] == ["a0", "a1", "a2", "a3"]
    assert finished.index("b0") < finished.index("a0")
    assert fake.texts_to("A") == ["đã nhận a0", "đã nhận a1", "đã nhận a2", "đã nhận a3"]


async def test_stop_finishes_in_flight_and_queued_updates(
    fake: FakeZaloServer, rec: Recorder, make_channel: Callable[..., ZaloChannel]
) -> None:
    async def slow(incoming: Incoming) -> list[Reply]:
        await asyncio.sleep(0.2)
        return [Reply(text=f"xong {incoming.text}")]

    rec.behaviour = slow
    channel = make_channel()
    channel.dispatch_raw(make_update("A", "1"))
    channel.dispatch_raw(make_update("A", "2"))
    await asyncio.sleep(0.05)
    await channel.stop(grace_seconds=5)
    assert fake.texts_to("A") == ["xong 1", "xong 2"]


async def test_handler_crash_gets_a_kind_vietnamese_answer(
    fake: FakeZaloServer, rec: Recorder, make_channel: Callable[..., ZaloChannel]
) -> None:
    async def boom(_: Incoming) -> list[Reply]:
        raise RuntimeError("database is down")

    rec.behaviour = boom
    channel = make_channel()
    channel.dispatch_raw(make_update("A", "hi"))
    sent = await fake.wait_sent(1)
    assert sent[0]["text"].startswith("Xin lỗi")
    assert "Traceback" not in sent[0]["text"] and "database" not in sent[0]["text"]


# --- webhook ------------------------------------------------------------------------------


async def test_webhook_with_the_right_secret_is_processed(
    fake: FakeZaloServer, rec: Recorder, webhook_url: tuple[ZaloChannel, str]
) -> None:
    _, url = webhook_url
    status, _ = await fake.post_webhook(url, make_update("w1", "chao", message_id="mw1"), secret=SECRET)
    assert status == 200
    sent = await fake.wait_sent(1)
    assert sent[0]["chat_id"] == "w1" and "1. Học VNeID" in sent[0]["text"]
    assert rec.events[0].update_id == "w1:mw1"


async def test_webhook_accepts_an_unwrapped_update(
    fake: FakeZaloServer, rec: Recorder, webhook_url: tuple[ZaloChannel, str]
) -> None:
    _, url = webhook_url
    status, _ = await fake.post_webhook(url, make_update("w2", "chao"), secret=SECRET, wrap=False)
    assert status == 200
    await fake.wait_sent(1)
    assert rec.events[0].user_id == "w2"


@pytest.mark.parametrize("secret", [None, "", "sai-mat-khau-123", SECRET + "x", "bí-mật-sai-ü"])
async def test_webhook_with_missing_or_wrong_secret_is_refused(
    fake: FakeZaloServer, rec: Recorder, webhook_url: tuple[ZaloChannel, str], secret: str | None
) -> None:
    _, url = webhook_url
    status, _ = await fake.post_webhook(url, make_update("w3", "chao"), secret=secret)
    assert status == 401
    await asyncio.sleep(0.2)
    assert rec.events == [] and fake.sent == []


async def test_webhook_answers_before_the_handler_finishes(
    fake: FakeZaloServer, rec: Recorder, webhook_url: tuple[ZaloChannel, str]
) -> None:
    release = asyncio.Event()

    async def waits(_: Incoming) -> list[Reply]:
        await asyncio.wait_for(release.wait(), 5)
        return [Reply(text="xong")]

    rec.behaviour = waits
    _, url = webhook_url
    status, _ = await asyncio.wait_for(fake.post_webhook(url, make_update("w4", "1"), secret=SECRET), 2)
    assert status == 200 and fake.sent == []
    release.set()
    await fake.wait_sent(1)


async def test_redelivered_webhook_message_is_handled_once(
    fake: FakeZaloServer, rec: Recorder, webhook_url: tuple[ZaloChannel, str]
) -> None:
    _, url = webhook_url
    update = make_update("w5", "cai vneid", message_id="dup-1")
    for _ in range(2):
        status, _ = await fake.post_webhook(url, update, secret=SECRET)
        assert status == 200
    await fake.wait_sent(1)
    await asyncio.sleep(0.3)
    assert [e.update_id for e in rec.events] == ["w5:dup-1"]
    assert len(fake.texts_to("w5")) == 1


async def test_set_webhook_registers_url_and_secret(
    fake: FakeZaloServer, make_channel: Callable[..., ZaloChannel]
) -> None:
    channel = make_channel(webhook_secret=None)
    await channel.set_webhook("https://hocvuso.example.vn/webhook/zalo", "mot-bi-mat-dai")
    assert fake.webhook["url"] == "https://hocvuso.example.vn/webhook/zalo"
    assert fake.webhook["secret_token"] == "mot-bi-mat-dai"
    assert (await channel.api.get_webhook_info())["url"] == "https://hocvuso.example.vn/webhook/zalo"
    with pytest.raises(ValueError):
        await channel.set_webhook("https://hocvuso.example.vn/webhook/zalo", "ngan")


# --- failures -----------------------------------------------------------------------------


async def test_429_quota_pauses_the_channel_logs_once_and_tells_admins_once(
    fake: FakeZaloServer,
    rec: Recorder,
    make_channel: Callable[..., ZaloChannel],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.channels")
    channel = make_channel()
    channel.quota.first_pause = 0.4
    fake.fail_next("sendMessage", 429, times=1000)  # the monthly quota is used up
    with pytest.raises(QuotaExceeded) as err:
        await channel.send("q1", Reply(text="Thông báo 1"))
    assert err.value.retry_after == pytest.approx(0.4)
    for i in range(20):  # the rest of the broadcast: refused here, Zalo is not called again
        with pytest.raises(QuotaExceeded):
            await channel.send(f"q{i}", Reply(text="Thông báo"))
    assert len(fake.calls_to("sendMessage")) == 1
    await asyncio.sleep(0.05)
    assert rec.quota == ["zalo"]
    assert "quota exceeded" in (channel.quota.note() or "")
    await asyncio.sleep(0.4)  # after the pause one message is tried; still out of quota: longer pause
    with pytest.raises(QuotaExceeded) as err:
        await channel.send("q1", Reply(text="Thông báo 1"))
    assert err.value.retry_after == pytest.approx(0.8)
    assert len(fake.calls_to("sendMessage")) == 2
    assert rec.quota == ["zalo"]  # told once per episode
    quota_logs = [r for r in caplog.records if "quota exceeded" in r.getMessage()]
    assert len(quota_logs) == 1
    assert [c.status for c in fake.calls_to("sendMessage")] == [429, 429]


async def test_quota_back_resumes_sending(
    fake: FakeZaloServer, rec: Recorder, make_channel: Callable[..., ZaloChannel]
) -> None:
    channel = make_channel()
    channel.quota.first_pause = 0.1
    fake.fail_next("sendMessage", 429)
    with pytest.raises(QuotaExceeded):
        await channel.send("r1", Reply(text="Lịch học tối thứ Bảy"))
    await asyncio.sleep(0.15)
    await channel.send("r1", Reply(text="Lịch học tối thứ Bảy"))
    assert fake.texts_to("r1") == ["Lịch học tối thứ Bảy"]
    assert channel.quota.note() is None


async def test_a_reply_during_a_quota_pause_is_not_attempted(
    fake: FakeZaloServer, rec: Recorder, make_channel: Callable[..., ZaloChannel]
) -> None:
    channel = make_channel()
    fake.fail_next("sendMessage", 429, times=1000)
    channel.dispatch_raw(make_update("A", "1"))
    channel.dispatch_raw(make_update("A", "2"))
    channel.dispatch_raw(make_update("A", "3"))
    await rec.wait_events(3)
    await asyncio.sleep(0.2)
    assert len(fake.calls_to("sendMessage")) == 1 and rec.quota == ["zalo"]


async def test_403_is_an_internal_error_retried_and_delivered(
    fake: FakeZaloServer, rec: Recorder, make_channel: Callable[..., ZaloChannel]
) -> None:
    channel = make_channel()
    fake.fail_next("sendMessage", 403, times=2)
    await channel.send("r3", Reply(text="Họp thôn lúc 19 giờ"))
    assert [c.status for c in fake.calls_to("sendMessage")] == [403, 403, 200]
    assert fake.texts_to("r3") == ["Họp thôn lúc 19 giờ"]


async def test_persistent_403_is_retry_later_and_nobody_is_marked_blocked(
    fake: FakeZaloServer, rec: Recorder, make_channel: Callable[..., ZaloChannel]
) -> None:
    channel = make_channel(max_attempts=2)
    fake.fail_next("sendMessage", 403, times=100)
    with pytest.raises(RetryLater):
        await channel.send("r4", Reply(text="x"))
    task = await run_polling(channel)
    fake.push_update(make_update("u-403", "hi"))
    await rec.wait_events(1)
    await asyncio.sleep(0.3)
    assert rec.blocked == []
    await channel.stop()
    await asyncio.wait_for(task, 3)


@pytest.mark.parametrize("status", [500, 502, 503])
async def test_5xx_is_retried(
    fake: FakeZaloServer, make_channel: Callable[..., ZaloChannel], status: int
) -> None:
    channel = make_channel()
    fake.fail_next("sendMessage", status, times=2)
    await channel.send("r3", Reply(text="Họp thôn lúc 19 giờ"))
    assert [c.status for c in fake.calls_to("sendMessage")] == [status, status, 200]
    assert fake.texts_to("r3") == ["Họp thôn lúc 19 giờ"]


async def test_5xx_beyond_the_attempts_becomes_retry_later(
    fake: FakeZaloServer, make_channel: Callable[..., ZaloChannel]
) -> None:
    channel = make_channel(max_attempts=3)
    fake.fail_next("sendMessage", 503, times=5)
    with pytest.raises(RetryLater):
        await channel.send("r4", Reply(text="x"))
    assert len(fake.calls_to("sendMessage")) == 3


async def test_network_failure_becomes_retry_later(make_channel: Callable[..., ZaloChannel]) -> None:
    import socket

    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    channel = make_channel(base_url=f"http://127.0.0.1:{port}", max_attempts=2)
    with pytest.raises(RetryLater) as err:
        await channel.send("r5", Reply(text="x"))
    assert DEFAULT_TOKEN not in str(err.value)


async def test_bad_request_is_a_permanent_failure(
    fake: FakeZaloServer, make_channel: Callable[..., ZaloChannel]
) -> None:
    channel = make_channel()
    fake.fail_next("sendMessage", 400, description="Bad Request: chat not found")
    with pytest.raises(PermanentFailure):
        await channel.send("r6", Reply(text="x"))
    assert len(fake.calls_to("sendMessage")) == 1


async def test_a_refusal_saying_blocked_marks_the_person_blocked(
    fake: FakeZaloServer, rec: Recorder, make_channel: Callable[..., ZaloChannel]
) -> None:
    """Defensive: Zalo publishes no 'blocked' code; a non-403 refusal saying so is taken at its word."""
    channel = make_channel()
    fake.fail_next("sendMessage", 400, description="User has blocked the bot")
    channel.dispatch_raw(make_update("u-chan", "hi"))
    await rec.wait_events(1)
    for _ in range(100):
        if rec.blocked:
            break
        await asyncio.sleep(0.02)
    assert rec.blocked == [("zalo", "u-chan")]
    fake.fail_next("sendMessage", 400, description="User has blocked the bot")
    with pytest.raises(RecipientBlocked):
        await channel.send("u-chan", Reply(text="Thông báo lớp học"))
    assert fake.sent == []


# --- polling: Zalo's replays, the gap between polls ---------------------------------------


async def test_replayed_updates_are_answered_once_and_polls_keep_a_one_second_gap(
    fake: FakeZaloServer, rec: Recorder, make_channel: Callable[..., ZaloChannel]
) -> None:
    fake.replays = 3  # Zalo hands consumed updates back, at once while any is waiting
    channel = make_channel(poll_min_interval=1.0)
    task = await run_polling(channel)
    fake.push_update(make_update("u-rep", "xin chao", message_id="r-1"))
    await fake.wait_sent(1)
    for _ in range(60):  # the three replays come back on the next polls
        if len(fake.calls_to("getUpdates")) >= 5:
            break
        await asyncio.sleep(0.1)
    starts = [c.at for c in fake.calls_to("getUpdates")]
    assert len(starts) >= 5
    assert min(b - a for a, b in itertools.pairwise(starts)) >= 0.95
    assert [e.update_id for e in rec.events] == ["u-rep:r-1"]
    assert len(fake.texts_to("u-rep")) == 1
    await channel.stop()
    await asyncio.wait_for(task, 3)


# --- what the engine cannot read: voice, unsupported, groups -------------------------------


async def test_voice_and_unsupported_messages_reach_the_engine_as_such(
    fake: FakeZaloServer, rec: Recorder, make_channel: Callable[..., ZaloChannel]
) -> None:
    channel = make_channel()
    channel.dispatch_raw(make_update("u-v", voice="https://voice.zdn.vn/abc.aac"))
    channel.dispatch_raw(make_update("u-v", event="message.unsupported.received"))
    events = await rec.wait_events(2)
    assert [e.kind.value for e in events] == ["voice", "other"]
    assert all(e.media_ref is None for e in events)


async def test_a_group_chat_gets_a_private_only_notice_once_and_the_engine_sees_nothing(
    fake: FakeZaloServer, rec: Recorder, make_channel: Callable[..., ZaloChannel]
) -> None:
    channel = make_channel()
    for i in range(3):
        channel.dispatch_raw(make_update("u-g", f"@Bot hoc vneid {i}", chat_id="group-1", chat_type="GROUP"))
    sent = await fake.wait_sent(1)
    await asyncio.sleep(0.2)
    assert [(m["chat_id"], m["text"]) for m in fake.sent] == [("group-1", GROUP_NOTICE)]
    assert sent[0]["text"].startswith("Xin chào! Mình chỉ trả lời tin nhắn riêng")
    assert rec.events == []


async def test_get_webhook_info_404_means_no_webhook_and_send_voice_takes_an_aac_url(
    fake: FakeZaloServer, make_channel: Callable[..., ZaloChannel]
) -> None:
    channel = make_channel()
    assert await channel.api.get_webhook_info() is None
    assert fake.calls_to("getWebhookInfo")[0].status == 404
    await channel.api.send_voice("u-voice", "https://hocvuso.example.vn/media/chao.aac")
    assert fake.sent[0]["method"] == "sendVoice"
    assert fake.sent[0]["voice_url"] == "https://hocvuso.example.vn/media/chao.aac"
    with pytest.raises(ValueError):
        await channel.api.send_voice("u-voice", "https://hocvuso.example.vn/media/chao.mp3")


async def test_outgoing_calls_respect_the_rate_limit(
    fake: FakeZaloServer, make_channel: Callable[..., ZaloChannel]
) -> None:
    fake.set_rate_limit(21)  # the platform would answer 429 above this
    channel = make_channel(rate_per_second=20.0)
    started = time.monotonic()
    await asyncio.gather(*(channel.send(f"c{i}", Reply(text=f"tin {i}")) for i in range(30)))
    elapsed = time.monotonic() - started
    assert len(fake.sent) == 30
    assert [c for c in fake.calls_to("sendMessage") if c.status == 429] == []
    assert elapsed >= 29 / 20 * 0.9
