"""Dashboard over real HTTP (aiohttp test server on 127.0.0.1): login links, sessions, scoping, exports."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook

from bot.db.models import User
from bot.runtime import Runtime
from bot.services import periods
from bot.web.dashboard import COOKIE, setup_dashboard
from tests.support.clock import Clock
from tests.support.dashboard import add_user, new_link
from tests.support.stats_data import expected_villages, generate, store

COMMUNE_PAGES = [
    "", "/thon/{v}", "/bai-hoc", "/lop-hoc", "/huong-dan", "/bieu-do.png", "/xu-huong.png", "/xuat.xlsx", "/xuat.csv"
]


@pytest.fixture
async def client(runtime: Runtime) -> AsyncIterator[TestClient]:
    app = web.Application()
    setup_dashboard(app, runtime.sessionmaker, runtime.app_ctx)
    async with TestClient(TestServer(app, host="127.0.0.1")) as c:
        yield c


def same_origin(client: TestClient) -> dict[str, str]:
    """What a browser sends with the confirm page's form: the page's own origin."""
    return {"Origin": str(client.make_url("")).rstrip("/")}


async def login(client: TestClient, runtime: Runtime, user: User) -> None:
    path = await new_link(runtime, user)
    resp = await client.post(path, headers=same_origin(client), allow_redirects=False)
    assert resp.status == 302


async def test_link_login_once_then_overview(client: TestClient, runtime: Runtime, clock: Clock) -> None:
    data = generate(runtime, n=120)
    await store(runtime, data)
    official = await add_user(runtime, "cb", "official", "ha-long")
    path = await new_link(runtime, official)

    page = await client.get(path)  # a chat app's link preview may GET it: that must not use it up
    assert page.status == 200 and "Vào trang thống kê" in await page.text()
    resp = await client.post(path, headers=same_origin(client), allow_redirects=False)
    assert resp.status == 302 and resp.headers["Location"] == "/"
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    raw = resp.cookies[COOKIE].value
    async with runtime.sessionmaker() as session:  # only the hash is stored
        from sqlalchemy import text

        stored = (await session.execute(text("select session_hash from web_sessions"))).scalars().all()
        tokens = (await session.execute(text("select token_hash from web_login_tokens"))).scalars().all()
    assert raw not in stored and path.rsplit("/", 1)[1] not in tokens and len(stored) == 1

    home = await client.get("/")
    assert str(home.url).endswith("/xa/ha-long")
    html = await home.text()
    exp = expected_villages(runtime, data, "ha-long", periods.all_time(clock()))
    registered = sum(e["registered"] for e in exp.values())
    assert re.search(rf'data-stat="registered">.*?<span class="value">{registered}</span>', html)
    assert home.headers["Cache-Control"] == "no-store"

    # reused and expired links are refused
    again = await client.post(path, headers=same_origin(client), allow_redirects=False)
    assert again.status == 403 and "đã được dùng" in await again.text()
    assert (await client.get(path)).status == 403
    late = await new_link(runtime, official)
    clock.advance(timedelta(minutes=10, seconds=1))
    expired = await client.post(late, headers=same_origin(client), allow_redirects=False)
    assert expired.status == 403 and "hết hạn" in await expired.text()
    assert (await client.post("/dangnhap/khong-co", headers=same_origin(client), allow_redirects=False)).status == 403


async def test_no_session_redirects_to_login(client: TestClient) -> None:
    for path in ["/", "/xa", "/xa/ha-long", "/xa/ha-long/xuat.xlsx", "/xa/ha-long/thon/ha-long-thon-1"]:
        resp = await client.get(path, allow_redirects=False)
        assert resp.status == 302 and resp.headers["Location"] == "/dangnhap", path
    resp = await client.get("/xa/ha-long", cookies={COOKIE: "forged"}, allow_redirects=False)
    assert resp.status == 302


async def test_official_never_sees_another_commune(client: TestClient, runtime: Runtime) -> None:
    official = await add_user(runtime, "cb", "official", "ha-long")
    await login(client, runtime, official)
    for page in COMMUNE_PAGES:
        own = await client.get("/xa/ha-long" + page.format(v="ha-long-thon-1"))
        assert own.status == 200, page
        other = await client.get("/xa/bach-ngoc" + page.format(v="bach-ngoc-xom-1"))
        assert other.status == 403, page
        assert "xã mình" in await other.text()
    # a village of commune B under commune A's URL is not shown either
    assert (await client.get("/xa/ha-long/thon/bach-ngoc-xom-1")).status == 404
    communes = await client.get("/xa")
    html = await communes.text()
    assert "Xã Hà Long" in html and "Xã Bạch Ngọc" not in html


async def test_admin_sees_every_commune(client: TestClient, runtime: Runtime) -> None:
    admin = await add_user(runtime, "ad", "admin", None)
    await login(client, runtime, admin)
    html = await (await client.get("/")).text()
    for commune in runtime.app_ctx.places.communes.values():
        assert commune.name in html
    assert (await client.get("/xa/bach-ngoc/lop-hoc")).status == 200
    assert (await client.get("/xa/khong-ton-tai")).status == 404


async def test_sessions_expire_and_logout_needs_csrf(client: TestClient, runtime: Runtime, clock: Clock) -> None:
    official = await add_user(runtime, "cb", "official", "ha-long")
    await login(client, runtime, official)
    assert (await client.get("/xa/ha-long")).status == 200
    bad = await client.post("/dangxuat", data={"csrf": "nope"}, allow_redirects=False)
    assert bad.status == 403
    assert (await client.get("/xa/ha-long", allow_redirects=False)).status == 200
    html = await (await client.get("/xa/ha-long")).text()
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', html).group(1)
    out = await client.post("/dangxuat", data={"csrf": csrf}, allow_redirects=False)
    assert out.status == 302 and out.headers["Location"] == "/dangnhap"
    assert (await client.get("/xa/ha-long", allow_redirects=False)).status == 302

    await login(client, runtime, official)
    clock.advance(timedelta(hours=runtime.settings.session_hours, minutes=1))
    assert (await client.get("/xa/ha-long", allow_redirects=False)).status == 302


async def test_role_removed_ends_access(client: TestClient, runtime: Runtime) -> None:
    official = await add_user(runtime, "cb", "official", "ha-long")
    await login(client, runtime, official)
    async with runtime.sessionmaker() as session, session.begin():
        (await session.get(User, official.id)).role = "resident"
    assert (await client.get("/xa/ha-long", allow_redirects=False)).status == 302


async def test_exports_and_period_filter(client: TestClient, runtime: Runtime) -> None:
    data = generate(runtime, n=120, seed=5)
    await store(runtime, data)
    official = await add_user(runtime, "cb", "official", "bach-ngoc")
    await login(client, runtime, official)
    resp = await client.get("/xa/bach-ngoc/xuat.xlsx?ky=2026-10")
    assert resp.status == 200
    assert 'filename="bao-cao-bach-ngoc-10-2026.xlsx"' in resp.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(await resp.read()))
    period = periods.month_period(2026, 10, runtime.app_ctx.settings.tz)
    exp = expected_villages(runtime, data, "bach-ngoc", period)
    rows = {r[1]: r[1:] for r in wb["Theo thôn"].iter_rows(min_row=10, values_only=True)}  # after STT
    for v in runtime.app_ctx.places.communes["bach-ngoc"].villages:
        assert rows[v.name][4] == exp[v.id]["completions"]
    csv = await client.get("/xa/bach-ngoc/xuat.csv?ky=30d")
    assert csv.status == 200 and (await csv.read()).startswith("\ufeffThôn".encode())
    bad = await client.get("/xa/bach-ngoc?ky=abc")
    assert bad.status == 400 and "Khoảng thời gian không hợp lệ" in await bad.text()
