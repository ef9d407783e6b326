"""On the console: «Luôn đọc to bài học» gives a playable voice message with every step and question;
the QR lesson ends with a real task — a QR picture that decodes to a one-person, expiring practice link;
opening it in the web app completes the practice, counts in progress, and the chat says so (outbox)."""

from __future__ import annotations

import array
import asyncio
import io
import math
import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import zxingcpp
from aiohttp.test_utils import TestClient, TestServer
from PIL import Image
from sqlalchemy import func, select

from bot.channels.console import ConsoleChannel
from bot.db.models import OutboxMessage, PracticeTask
from bot.messages import Incoming, Kind
from bot.outbox.pacing import ChannelLimits
from bot.outbox.sender import OutboxSender
from bot.runtime import Runtime
from bot.services import periods, practice, reports, stats
from bot.speech.encode import decode, probe
from bot.speech.scripts import menu_script
from bot.web.app import create_web_app
from tests.support.chat import Chat
from tests.support.clock import Clock

QR_LESSON = "Mã QR là gì và cách trả tiền bằng mã QR"


class Console:
    """The console channel with its output captured; `say` returns what that line printed."""

    def __init__(self, runtime: Runtime) -> None:
        self.out = io.StringIO()
        self.channel = ConsoleChannel(runtime.handle, out=self.out)

    async def say(self, line: str) -> str:
        start = len(self.out.getvalue())
        await self.channel.say(line)
        return self.out.getvalue()[start:]

    async def deliver_outbox(self, runtime: Runtime) -> str:
        """Run the outbox sender with the console as its channel until nothing is pending."""
        start = len(self.out.getvalue())
        sender = OutboxSender(runtime.sessionmaker, {"console": self.channel}, {"console": ChannelLimits(100)}, "t")
        await sender.run_until_idle()
        return self.out.getvalue()[start:]


@pytest.fixture
async def web(runtime: Runtime) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_web_app(runtime), host="127.0.0.1")) as client:
        yield client


def audible(path: Path) -> tuple[float, float]:
    """Seconds and RMS level of a voice file decoded to PCM."""
    pcm = decode(path)
    samples = array.array("h", pcm.samples)
    return pcm.seconds, math.sqrt(sum(s * s for s in samples) / max(1, len(samples)))


def printed(label: str, text: str) -> list[str]:
    return re.findall(rf"^  \({label}: (.+)\)$", text, re.M)


def qr_link(picture: Path) -> str:
    [code] = zxingcpp.read_barcodes(Image.open(picture))
    assert code.format == zxingcpp.BarcodeFormat.QRCode
    return code.text


async def onboarded(runtime: Runtime) -> Console:
    console = Console(runtime)
    for line in ("/start", "Đồng ý", "Hà Long", "Thôn 3"):
        await console.say(line)
    return console


async def to_practice_step(console: Console) -> tuple[list[str], str]:
    """Open the QR lesson and go to its last step; returns every step's output and the last one."""
    await console.say("quet ma qr")
    steps = [await console.say(QR_LESSON)]
    while "Tiếp ▶" in steps[-1]:
        steps.append(await console.say("Tiếp ▶"))
    return steps, steps[-1]


async def test_read_aloud_gives_a_playable_voice_for_every_step_and_the_qr_practice_completes(
    runtime: Runtime, web: TestClient
) -> None:
    console = await onboarded(runtime)
    shown = await console.say("Luôn đọc to bài học")
    assert "Đã bật «Luôn đọc to bài học»" in shown and "🔇 Thôi đọc to bài học" in shown

    steps, last = await to_practice_step(console)
    assert len(steps) == 8 and "Bước 8/8" in last
    voices = [printed("âm thanh", out) for out in steps]
    assert all(len(v) == 1 for v in voices), steps
    paths = [Path(v[0]) for v in voices]
    assert len(set(paths)) == 8
    for path in paths:
        assert probe(path) == ("ogg", "opus")
        seconds, level = audible(path)
        assert seconds > 2 and level > 500, (path, seconds, level)  # it plays, and it is not silence

    # the practice: a QR picture, and the link it encodes printed beside it
    [picture] = printed("ảnh", last)
    [link] = printed("liên kết trong mã QR", last)
    assert qr_link(Path(picture)) == link
    assert link.startswith(f"{runtime.settings.public_base_url}/thuchanh/")
    assert "🔊 Nghe" in last

    quiz = await console.say("Làm bài kiểm tra")
    [question_voice] = printed("âm thanh", quiz)
    assert audible(Path(question_voice))[1] > 500

    page = await web.get(urlsplit(link).path)
    html = await page.text()
    assert page.status == 200
    assert "Bạn đã quét mã QR thành công!" in html and practice.PAGE_TEXT in html

    said = await console.deliver_outbox(runtime)
    assert "Bạn đã quét mã QR thành công" in said and "luôn kiểm tra tên người nhận" in said
    assert "Bài thực hành: 1/1" in await console.say("/tiendo")

    again = await web.get(urlsplit(link).path)  # a second scan counts once, and says so
    assert again.status == 200 and "Bạn đã làm bài thực hành này rồi!" in await again.text()
    assert await console.deliver_outbox(runtime) == ""

    # the commune's statistics count it as «thực hành», apart from completions
    async with runtime.sessionmaker() as session:
        later = periods.all_time(runtime.app_ctx.clock() + timedelta(minutes=1))
        ov = await stats.commune_overview(session, runtime.app_ctx, "ha-long", later)
    assert ov.totals.practiced == 1 and ov.totals.completions == 0
    assert {v.id: v.practiced for v in ov.villages if v.practiced} == {"ha-long-thon-3": 1}
    assert "Thực hành (tự quét mã QR thật): 1 người" in reports.overview_text(ov)


async def test_without_read_aloud_the_voice_comes_only_on_request(runtime: Runtime) -> None:
    console = await onboarded(runtime)
    await console.say("quet ma qr")
    step = await console.say(QR_LESSON)
    assert printed("âm thanh", step) == [] and "🔊 Nghe" in step
    heard = await console.say("🔊 Nghe")
    [voice] = printed("âm thanh", heard)
    assert "bước 1/8" in heard and audible(Path(voice))[1] > 500
    assert "Tiếp ▶" in await console.say("Tiếp ▶")  # the step's buttons still answer after listening


async def practice_rows(runtime: Runtime) -> tuple[int, int]:
    async with runtime.sessionmaker() as session:
        done = await session.scalar(select(func.count()).where(PracticeTask.done_at.is_not(None)))
        told = await session.scalar(select(func.count()).where(OutboxMessage.ref.like("practice:%")))
    return int(done or 0), int(told or 0)


async def test_a_practice_link_expires_and_a_made_up_one_is_unknown(
    runtime: Runtime, web: TestClient, clock: Clock
) -> None:
    console = await onboarded(runtime)
    _, last = await to_practice_step(console)
    [link] = printed("liên kết trong mã QR", last)
    clock.advance(practice.TTL)
    expired = await web.get(urlsplit(link).path)
    assert expired.status == 410 and "Mã QR này đã hết hạn" in await expired.text()
    unknown = await web.get("/thuchanh/khong-phai-ma-that")
    assert unknown.status == 404 and "Không tìm thấy bài thực hành" in await unknown.text()
    assert await practice_rows(runtime) == (0, 0)
    assert "Bài thực hành: 0/1" in await console.say("/tiendo")

    # coming back to the lesson gives a new, working code
    await console.say("/menu")
    again = await console.say("Học tiếp bài đang học")
    [fresh] = printed("liên kết trong mã QR", again)
    assert fresh != link
    assert (await web.get(urlsplit(fresh).path)).status == 200
    assert await practice_rows(runtime) == (1, 1)


async def test_two_scans_at_once_count_once(runtime: Runtime, web: TestClient) -> None:
    console = await onboarded(runtime)
    _, last = await to_practice_step(console)
    [link] = printed("liên kết trong mã QR", last)
    first, second = await asyncio.gather(web.get(urlsplit(link).path), web.get(urlsplit(link).path))
    assert {first.status, second.status} == {200}
    assert await practice_rows(runtime) == (1, 1)


@pytest.mark.parametrize("kind", [Kind.VOICE, Kind.OTHER])
async def test_a_voice_note_or_unsupported_message_gets_a_spoken_numbered_menu(
    runtime: Runtime, chat: Chat, kind: Kind
) -> None:
    await chat.onboard("ba-hoa")
    [reply] = await chat.send(Incoming("console", "ba-hoa", kind, update_id=f"v-{kind}"))
    assert "Mình chưa nghe được tin nhắn thoại" in reply.text
    labels = [b.label for b in reply.all_buttons()]
    assert labels[0] == "📚 Học bài mới" and "🔊 Luôn đọc to bài học" in labels
    assert reply.voice is not None
    seconds, level = audible(Path(reply.voice))
    assert seconds > 5 and level > 500  # the intro and every numbered choice, read aloud
    # the voice says the numbers the screen shows (fixed numbers: 9 is always about listening)
    script = menu_script(reply.text, [(b.number or 0, b.label) for b in reply.numbered()])
    assert "Gõ số 1: 📚 Học bài mới." in script and "Gõ số 9: 🔊 Luôn đọc to bài học." in script
    assert runtime.app_ctx.speech is not None and Path(reply.voice).stem == runtime.app_ctx.speech.key(script)
    photo = await chat.send(Incoming("console", "ba-hoa", Kind.MEDIA, update_id="p-1"))
    assert photo[0].voice is None  # a photo is answered in writing, as before
