"""A team member attaches a photo to an announcement; a resident's photo is never downloaded."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.db.models import Announcement, OutboxMessage
from bot.messages import Incoming, Kind
from bot.runtime import Runtime
from tests.support.chat import Chat
from tests.support.photos import PHOTO, FakeFetcher
from tests.support.seed import TEAM, make_team_member, resident


async def test_photo_with_caption_is_previewed_and_sent_with_the_announcement(
    runtime: Runtime, chat: Chat, tmp_path: Path
) -> None:
    runtime.settings.uploads_dir = tmp_path / "uploads"
    fetch = FakeFetcher()
    runtime.app_ctx.media_fetchers = {"console": fetch}
    await make_team_member(runtime, chat)
    await resident(runtime, chat, "a", "Thôn 3")

    # A resident's photo outside any photo step is not downloaded.
    await chat.send(Incoming("console", "a", Kind.MEDIA, media_ref="resident-photo", update_id="p1"))
    assert fetch.calls == []

    await chat.say(TEAM, "/thongbao")
    await chat.tap(TEAM, "Thôn 3")
    await chat.tap(TEAM, "Xong")
    got = await chat.send(Incoming("console", TEAM, Kind.MEDIA, media_ref="anh1", update_id="p2"))
    assert "Đã nhận ảnh" in got[0].text
    preview = await chat.say(TEAM, "Mẫu mã QR giả dán đè lên mã của quán: bà con kiểm tra tên người nhận!")
    assert preview[0].image and Path(preview[0].image).is_file()
    assert "Sẽ gửi đến 1 người" in preview[0].text
    await chat.tap(TEAM, "Gửi")
    async with runtime.sessionmaker() as session:
        ann = await session.scalar(select(Announcement))
        row = await session.scalar(select(OutboxMessage))
    assert ann is not None and row is not None
    assert ann.image_path == row.image_path == preview[0].image
    assert fetch.calls == ["anh1"]


async def test_channel_without_photo_support_gets_a_kind_reply(runtime: Runtime, chat: Chat) -> None:
    await make_team_member(runtime, chat)
    await chat.say(TEAM, "/thongbao")
    await chat.tap(TEAM, "Thôn 3")
    await chat.tap(TEAM, "Xong")
    got = await chat.send(Incoming("console", TEAM, Kind.MEDIA, media_ref="x", text="Chú thích", update_id="p3"))
    assert "chưa nhận được ảnh" in got[0].text


async def test_zalo_fetches_a_photo_url_into_the_uploads_folder(tmp_path: Path) -> None:
    from aiohttp import web
    from aiohttp.test_utils import TestServer

    from bot.channels.zalo import ZaloChannel

    async def photo(request: web.Request) -> web.Response:
        return web.Response(body=PHOTO.read_bytes(), content_type="image/png")

    async def page(request: web.Request) -> web.Response:
        return web.Response(text="<html></html>", content_type="text/html")

    app = web.Application()
    app.router.add_get("/p.png", photo)
    app.router.add_get("/page", page)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()

    async def nothing(_: Incoming) -> list:  # type: ignore[type-arg]
        return []

    channel = ZaloChannel(  # the fake's origin is allowed as an operator would allow a local mirror
        "1:t", str(server.make_url("")), nothing, lambda *_: None,  # type: ignore[arg-type]
        media_hosts=[str(server.make_url("")).rstrip("/")],
    )
    try:
        saved = await channel.fetch_media(str(server.make_url("/p.png")), tmp_path / "up")
        assert saved.parent == tmp_path / "up" and saved.read_bytes() == PHOTO.read_bytes()
        try:
            await channel.fetch_media(str(server.make_url("/page")), tmp_path / "up")
        except ValueError as err:
            assert "not an image" in str(err)
        else:
            raise AssertionError("a web page was accepted as a photo")
    finally:
        await channel.stop(grace_seconds=1)
        await server.close()
