"""The web app's edges (issue 15): security headers on every response, no server banner, /metrics
not public, no login token in the access log, no login from another site's form."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.runtime import Runtime
from bot.web.app import create_web_app
from bot.web.dashboard import COOKIE
from bot.web.security import app_runner
from tests.fakes.process_cluster import free_port
from tests.support.dashboard import add_user, new_link

HEADERS = ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy")


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[TestClient]:
    async def webhook(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = create_web_app(runtime, webhooks={"telegram": webhook}, probes={"telegram": lambda: True})
    async with TestClient(TestServer(app, host="127.0.0.1")) as c:
        yield c


async def test_every_response_has_security_headers_and_no_server_banner(client: TestClient) -> None:
    """Item 12: not only dashboard pages — JSON, metrics, static files, webhooks, 404s and 405s too."""
    requests = [
        ("GET", "/healthz", 200),
        ("GET", "/metrics", 200),
        ("GET", "/static/dashboard.css", 200),
        ("GET", "/dangnhap", 200),
        ("POST", "/webhook/telegram", 200),
        ("GET", "/khong-co-trang-nay", 404),
        ("GET", "/webhook/telegram", 405),
        ("GET", "/media/uploads/khong-co.jpg", 404),
    ]
    for method, path, status in requests:
        resp = await client.request(method, path, allow_redirects=False)
        assert resp.status == status, (path, resp.status)
        for name in HEADERS:
            assert name in resp.headers, (path, name)
        assert resp.headers["X-Frame-Options"] == "DENY"
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
        assert "Server" not in resp.headers, (path, resp.headers.get("Server"))


async def test_metrics_need_a_bearer_token_or_a_direct_local_request(runtime: Runtime) -> None:
    """Item 12: with METRICS_TOKEN set, /metrics needs `Authorization: Bearer <token>`; without it,
    only a direct request from this machine (not one a reverse proxy forwarded) is answered."""
    open_app = create_web_app(runtime)
    async with TestClient(TestServer(open_app, host="127.0.0.1")) as c:
        assert (await c.get("/metrics")).status == 200  # Prometheus on the same host
        proxied = await c.get("/metrics", headers={"X-Forwarded-For": "203.0.113.9"})
        assert proxied.status == 403
        assert "hocvuso_" not in await proxied.text()

    runtime.app_ctx.settings = runtime.settings.model_copy(update={"metrics_token": "scrape-me-123"})
    runtime.settings = runtime.app_ctx.settings
    token_app = create_web_app(runtime)
    async with TestClient(TestServer(token_app, host="127.0.0.1")) as c:
        for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": "scrape-me-123"}):
            resp = await c.get("/metrics", headers=headers)
            assert resp.status == 401, headers
            assert "hocvuso_" not in await resp.text()
        ok = await c.get("/metrics", headers={"Authorization": "Bearer scrape-me-123"})
        assert ok.status == 200 and "hocvuso_updates_total" in await ok.text()
        assert (await c.get("/healthz")).status == 200  # health stays open for load balancers


async def test_login_post_from_another_site_does_not_log_the_browser_in(client: TestClient, runtime: Runtime) -> None:
    """Item 5 (login CSRF): a form on another site posting our link must not log this browser in."""
    official = await add_user(runtime, "cb", "official", "ha-long")
    path = await new_link(runtime, official)
    own = str(client.make_url("")).rstrip("/")
    forged = [
        {"Origin": "https://ke-xau.example"},
        {"Origin": "null"},
        {"Referer": "https://ke-xau.example/trang"},
        {},  # neither Origin nor Referer: nothing says it is our page
    ]
    for headers in forged:
        resp = await client.post(path, headers=headers, allow_redirects=False)
        assert resp.status == 403, headers
        assert COOKIE not in resp.cookies
        assert "Yêu cầu không hợp lệ" in await resp.text()
    # the link was not used up by the refused attempts; our own page's form works
    ok = await client.post(path, headers={"Origin": own}, allow_redirects=False)
    assert ok.status == 302 and COOKIE in ok.cookies
    other = await new_link(runtime, official)
    by_referer = await client.post(other, headers={"Referer": f"{own}{other}"}, allow_redirects=False)
    assert by_referer.status == 302  # a browser that sends only a Referer
    public = await new_link(runtime, official)  # behind a proxy: the origin is PUBLIC_BASE_URL's
    behind_proxy = await client.post(
        public, headers={"Origin": runtime.settings.public_base_url}, allow_redirects=False
    )
    assert behind_proxy.status == 302


async def test_access_log_never_holds_a_login_token(runtime: Runtime, caplog: pytest.LogCaptureFixture) -> None:
    """Item 4: the runner `hocvuso run` serves with logs requests without path or query secrets."""
    official = await add_user(runtime, "cb", "official", "ha-long")
    path = await new_link(runtime, official)
    token = path.rsplit("/", 1)[1]
    runner = app_runner(create_web_app(runtime))
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port).start()
    caplog.set_level(logging.INFO, logger="aiohttp.access")
    try:
        async with aiohttp.ClientSession(f"http://127.0.0.1:{port}") as http:
            async with http.get(path) as resp:
                assert resp.status == 200
            async with http.get(f"{path}?ma=bi-mat-456", headers={"Referer": f"http://x{path}"}) as resp:
                assert resp.status == 200
            async with http.post(path, headers={"Origin": f"http://127.0.0.1:{port}"}, allow_redirects=False) as r:
                assert r.status == 302
    finally:
        await runner.cleanup()
    lines = [r.getMessage() for r in caplog.records if r.name == "aiohttp.access"]
    assert len(lines) == 3, lines
    assert all(token not in line and "bi-mat-456" not in line for line in lines), lines
    assert sum('"GET /dangnhap/…"' in line for line in lines) == 2 and '"POST /dangnhap/…" 302' in lines[2]

