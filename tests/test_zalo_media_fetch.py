"""Issue 15, item 11: the Zalo photo fetcher downloads only https URLs on Zalo's media hosts (the
ZALO_MEDIA_HOSTS setting), follows no redirect off them, and stops at the size limit. The fakes
are on 127.0.0.1, allowed by setting the list, as an operator would for a local mirror."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestServer

from bot.channels.media_urls import MediaRefused, MediaUrlPolicy
from bot.channels.zalo import MAX_PHOTO_BYTES, ZaloChannel
from bot.config import PROJECT_ROOT, Settings
from bot.messages import Incoming, Reply

PHOTO = next((PROJECT_ROOT / "content" / "media").rglob("*.png")).read_bytes()


class Photos:
    def __init__(self) -> None:
        self.hits: list[str] = []
        self.server: TestServer | None = None
        self.elsewhere: TestServer | None = None

    def url(self, path: str) -> str:
        assert self.server is not None
        return str(self.server.make_url(path))

    @property
    def origin(self) -> str:
        return self.url("").rstrip("/")


@pytest.fixture
async def photos() -> AsyncIterator[Photos]:
    state = Photos()

    async def photo(request: web.Request) -> web.StreamResponse:
        state.hits.append(request.path)
        return web.Response(body=PHOTO, content_type="image/png")

    async def huge(request: web.Request) -> web.StreamResponse:
        state.hits.append(request.path)
        resp = web.StreamResponse(headers={"Content-Type": "image/jpeg"})  # no Content-Length: streamed
        await resp.prepare(request)
        chunk = b"\xff" * 65536
        for _ in range(MAX_PHOTO_BYTES // len(chunk) + 8):
            await resp.write(chunk)
        await resp.write_eof()
        return resp

    async def away(request: web.Request) -> web.StreamResponse:
        state.hits.append(request.path)
        assert state.elsewhere is not None
        raise web.HTTPFound(str(state.elsewhere.make_url("/p.png")))

    async def local(request: web.Request) -> web.StreamResponse:
        state.hits.append("elsewhere" + request.path)
        return web.Response(body=PHOTO, content_type="image/png")

    app = web.Application()
    app.router.add_get("/p.png", photo)
    app.router.add_get("/huge.jpg", huge)
    app.router.add_get("/away.png", away)
    other = web.Application()
    other.router.add_get("/p.png", local)
    state.server = TestServer(app, host="127.0.0.1")
    state.elsewhere = TestServer(other, host="127.0.0.1")
    await state.server.start_server()
    await state.elsewhere.start_server()
    try:
        yield state
    finally:
        await state.server.close()
        await state.elsewhere.close()


async def nothing(_: Incoming) -> list[Reply]:
    return []


def channel(**kw: object) -> ZaloChannel:
    return ZaloChannel("1:t", "http://127.0.0.1:9", nothing, None, **kw)  # type: ignore[arg-type]


async def test_default_fetcher_refuses_a_local_url(photos: Photos, tmp_path: Path) -> None:
    """The default allowlist is Zalo's media hosts: http://127.0.0.1:… is not fetched at all."""
    zalo = channel()
    try:
        with pytest.raises(MediaRefused):
            await zalo.fetch_media(photos.url("/p.png"), tmp_path / "up")
    finally:
        await zalo.stop(grace_seconds=1)
    assert photos.hits == []  # not even one request
    assert not (tmp_path / "up").exists()


async def test_allowed_origin_is_fetched_but_no_redirect_off_it_and_not_past_the_limit(
    photos: Photos, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    zalo = channel(media_hosts=[photos.origin])
    caplog.set_level(logging.WARNING)
    try:
        saved = await zalo.fetch_media(photos.url("/p.png"), tmp_path / "up")
        assert saved.read_bytes() == PHOTO
        with pytest.raises(MediaRefused):
            await zalo.fetch_media(photos.url("/away.png"), tmp_path / "up")
        with pytest.raises(ValueError, match="larger than"):
            await zalo.fetch_media(photos.url("/huge.jpg"), tmp_path / "up")
    finally:
        await zalo.stop(grace_seconds=1)
    assert photos.hits == ["/p.png", "/away.png", "/huge.jpg"]  # the redirect target was never asked
    assert [p.name for p in (tmp_path / "up").iterdir()] == [saved.name]  # nothing partial kept
    assert any("not on the allowed media hosts" in r.getMessage() for r in caplog.records)


def test_default_policy_allows_only_https_on_zalo_media_hosts() -> None:
    policy = MediaUrlPolicy(Settings(_env_file=None).zalo_media_hosts)  # type: ignore[call-arg]
    for url in [
        "https://photo-stal.zdn.vn/abc/123.jpg",
        "https://s120-ava-talk.zadn.vn/a/b.jpg",
        "https://zdn.vn/x.png",
    ]:
        policy.check(url)
    for url in [
        "http://photo-stal.zdn.vn/abc/123.jpg",  # not https
        "https://zdn.vn.ke-xau.example/x.jpg",  # a look-alike host
        "https://ke-xau.example/zdn.vn/x.jpg",
        "https://photo-stal.zdn.vn@127.0.0.1/x.jpg",  # credentials trick: the host is 127.0.0.1
        "https://127.0.0.1/x.jpg",
        "https://[::1]/x.jpg",
        "https://photo-stal.zdn.vn:8443/x.jpg",  # another port
        "file:///etc/passwd",
        "ftp://zdn.vn/x.jpg",
        "",
        "không phải url",
    ]:
        with pytest.raises(MediaRefused):
            policy.check(url)


def test_an_origin_entry_allows_exactly_that_origin() -> None:
    policy = MediaUrlPolicy(["http://127.0.0.1:8123"])
    policy.check("http://127.0.0.1:8123/p.png")
    for url in ["http://127.0.0.1:8124/p.png", "https://127.0.0.1:8123/p.png", "http://localhost:8123/p.png"]:
        with pytest.raises(MediaRefused):
            policy.check(url)
