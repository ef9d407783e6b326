"""The certificate: after the last core quiz result, the name asked once (optional), then the name,
village, date, lessons and a code that an official checks on the dashboard or with the CLI."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.db.models import Certificate
from bot.runtime import Runtime
from bot.web.dashboard import setup_dashboard
from tests.support.chat import Chat
from tests.support.cli import run_cli
from tests.support.dashboard import add_user, new_link

CODE = re.compile(r"Mã xác nhận: ([A-Z0-9]{4}-[A-Z0-9]{4})")


async def pass_core(runtime: Runtime, chat: Chat, user: str) -> None:
    catalog = runtime.app_ctx.catalog
    await chat.onboard(user)
    for lesson_id in catalog.core_ids:
        await chat.tap_payload(user, f"qz:{lesson_id}")
        for i, q in enumerate(catalog.lessons[lesson_id].quiz.questions):
            replies = await chat.tap_payload(user, f"q:{i}:{q.answer}")
        assert not any("GIẤY GHI NHẬN" in r.text for r in replies)  # never before the last result


async def certificates(runtime: Runtime) -> list[Certificate]:
    async with runtime.sessionmaker() as session:
        return list(await session.scalars(select(Certificate)))


async def test_name_is_asked_after_the_last_result_then_the_certificate(runtime: Runtime, chat: Chat) -> None:
    await pass_core(runtime, chat, "ba")
    texts = [r.text for r in chat.last["ba"]]
    assert texts[0].startswith("✅ Đúng rồi!")
    assert "Bạn đã hoàn thành bài" in texts[1]
    assert "Bạn muốn ghi họ tên nào trên giấy?" in texts[2]
    assert [(b.number, b.label) for b in chat.buttons("ba")] == [(1, "Không ghi tên")]
    assert await certificates(runtime) == []

    await chat.say("ba", "thon 3 xa ha long")  # not a name (digits): asked again, nothing issued
    assert "Mình chưa đọc được tên đó" in chat.text("ba") and await certificates(runtime) == []
    await chat.say("ba", "  Nguyễn   Thị Lan ")
    text = chat.text("ba")
    assert text.startswith("🏅 GIẤY GHI NHẬN HOÀN THÀNH")
    assert "Ghi nhận: Nguyễn Thị Lan\n" in text
    assert "Nơi ở: Thôn 3, Xã Hà Long\n" in text
    day = runtime.app_ctx.clock().astimezone(runtime.app_ctx.settings.tz).strftime("%d/%m/%Y")
    assert f"Ngày: {day}\n" in text
    catalog = runtime.app_ctx.catalog
    for n, lesson_id in enumerate(catalog.core_ids, start=1):
        assert f"{n}. {catalog.lessons[lesson_id].title}" in text
    code = CODE.search(text)
    assert code is not None
    [cert] = await certificates(runtime)
    assert (cert.code, cert.full_name, cert.village_id) == (code.group(1), "Nguyễn Thị Lan", "ha-long-thon-3")

    await chat.say("ba", "/tiendo")  # asked once: progress first, then the same certificate
    again = [r.text for r in chat.last["ba"]]
    assert again[0].startswith("📊") and CODE.search(again[1]).group(1) == cert.code  # type: ignore[union-attr]
    assert len(await certificates(runtime)) == 1


@pytest.mark.parametrize("typed", ["1", "khong", "Không ghi tên"])
async def test_the_name_is_optional(runtime: Runtime, chat: Chat, typed: str) -> None:
    await pass_core(runtime, chat, "ong")
    await chat.say("ong", typed)
    assert "Ghi nhận: người học (không ghi tên)" in chat.text("ong")
    [cert] = await certificates(runtime)
    assert cert.full_name is None


async def test_deleting_my_data_deletes_the_certificate(runtime: Runtime, chat: Chat) -> None:
    await pass_core(runtime, chat, "co")
    await chat.say("co", "Trần Văn Minh")
    await chat.say("co", "/xoadulieu")
    await chat.tap("co", "Xóa hết")
    async with runtime.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(Certificate)) == 0


async def test_cli_checks_a_code(runtime: Runtime, chat: Chat, database_url: str) -> None:
    await pass_core(runtime, chat, "chu")
    await chat.say("chu", "Lê Văn Tám")
    code = CODE.search(chat.text("chu")).group(1)  # type: ignore[union-attr]
    typed = code.lower().replace("-", " ")  # read over the phone: lower case, a space
    done = run_cli("certificate", "check", typed, database_url=database_url, timeout=60)
    assert done.returncode == 0, done.stderr
    assert f"HỢP LỆ: giấy ghi nhận mã {code}" in done.stdout
    assert "Họ tên: Lê Văn Tám" in done.stdout and "Nơi ở: Thôn 3, Xã Hà Long" in done.stdout
    other = "AAAA-AAAA" if code != "AAAA-AAAA" else "BBBB-BBBB"
    wrong = run_cli("certificate", "check", other, database_url=database_url, timeout=60)
    assert wrong.returncode == 1 and f"không có giấy ghi nhận nào mang mã {other}" in wrong.stdout
    junk = run_cli("certificate", "check", "xin chao", database_url=database_url, timeout=60)
    assert junk.returncode == 1 and "không phải mã giấy ghi nhận" in junk.stdout
    assert "Traceback" not in done.stderr + wrong.stderr + junk.stderr


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[TestClient]:
    app = web.Application()
    setup_dashboard(app, runtime.sessionmaker, runtime.app_ctx)
    async with TestClient(TestServer(app, host="127.0.0.1")) as c:
        yield c


async def test_dashboard_page_checks_a_code_for_officials_only(
    runtime: Runtime, chat: Chat, client: TestClient
) -> None:
    await pass_core(runtime, chat, "bac")
    await chat.say("bac", "Phạm Thị Hoa")
    code = CODE.search(chat.text("bac")).group(1)  # type: ignore[union-attr]

    anonymous = await client.get(f"/giay-ghi-nhan?ma={code}", allow_redirects=False)
    assert anonymous.status == 302 and anonymous.headers["Location"] == "/dangnhap"

    official = await add_user(runtime, "cb", "official", "bach-ngoc")
    path = await new_link(runtime, official)
    origin = {"Origin": str(client.make_url("")).rstrip("/")}
    assert (await client.post(path, headers=origin, allow_redirects=False)).status == 302
    form = await client.get("/giay-ghi-nhan")
    assert form.status == 200 and 'name="ma"' in await form.text()
    page = await client.get("/giay-ghi-nhan", params={"ma": code.lower()})
    body = await page.text()
    assert page.status == 200 and f"Hợp lệ: mã {code}" in body
    assert "Phạm Thị Hoa" in body and "Thôn 3, Xã Hà Long" in body
    assert page.headers["Cache-Control"] == "no-store"
    missing = await client.get("/giay-ghi-nhan", params={"ma": "ZZZZ-ZZZZ" if code != "ZZZZ-ZZZZ" else "YYYY-YYYY"})
    assert missing.status == 404 and "Không hợp lệ" in await missing.text()
