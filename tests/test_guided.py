"""Learning with a helper (issue 13, part 4), numbers only as on Zalo: a team member records a resident
guided without a phone; she shows in /thongke, on the dashboard and in the xlsx as «được hướng dẫn trực
tiếp»; officials see who recorded her and when, and remove a record (the counts drop, her name goes, the
removal is audited); a team member of another village is refused; later she starts on a phone, says she
learnt with the team, a team member confirms, and her progress holds the recorded lessons."""

from __future__ import annotations

import io
import json
import re
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.db.models import GuidedEvent, GuidedPerson, OutboxMessage, User
from bot.runtime import Runtime
from bot.services import guided, invites, periods, stats
from bot.services.errors import Forbidden
from bot.web.app import create_web_app
from tests.support.chat import Chat
from tests.support.clock import Clock
from tests.support.dashboard import add_user, new_link
from tests.support.guided_chat import LAN, record_by_numbers, say, shown
from tests.support.reports import table
from tests.support.seed import TEAM, make_team_member

OTHER_TEAM, OFFICIAL = "team-2", "can-bo"


@pytest.fixture
async def web(runtime: Runtime) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(create_web_app(runtime), host="127.0.0.1")) as client:
        yield client


async def official_chat(runtime: Runtime, chat: Chat) -> None:
    await chat.onboard(OFFICIAL, "Hà Long", "Thôn 1")
    async with runtime.sessionmaker() as session, session.begin():
        places, now = runtime.app_ctx.places, runtime.app_ctx.clock()
        code = await invites.create_invite(session, places, "official", "ha-long", [], now)
    await chat.say(OFFICIAL, f"/ma {code.code}")


async def overview(runtime: Runtime, clock: Clock) -> stats.CommuneOverview:
    async with runtime.sessionmaker() as session:
        return await stats.commune_overview(session, runtime.app_ctx, "ha-long", periods.all_time(clock()))


async def test_guided_record_counts_is_audited_removed_and_continues_on_a_phone(
    runtime: Runtime, chat: Chat, web: TestClient, clock: Clock
) -> None:
    await make_team_member(runtime, chat, TEAM)  # Thôn 3 and Thôn 2
    async with runtime.sessionmaker() as session, session.begin():
        member = await session.scalar(select(User).where(User.platform_id == TEAM))
        assert member is not None
        member.display_name = "Anh Tâm"

    saved = await record_by_numbers(chat, "Nguyễn Thị Lan", "1956", "2", all_core=True)
    assert "✅ Đã ghi nhận Nguyễn Thị Lan (sinh 1956, Thôn 3): 10 bài" in saved
    saved = await record_by_numbers(chat, "Trần Văn Hòa", "1948", "1", all_core=False)
    assert "Trần Văn Hòa (sinh 1948, Thôn 2): 1 bài" in saved
    clock.advance(timedelta(minutes=1))

    # counted apart from self-learners; Lan learnt every core lesson, so she counts in the coverage
    ov = await overview(runtime, clock)
    assert ov.totals.guided == 2 and ov.totals.registered == 0 and ov.totals.core_finished == 0
    assert ov.totals.guided_core == 1 and ov.totals.covered == 1
    by_id = {v.id: v for v in ov.villages}
    assert (by_id["ha-long-thon-3"].guided, by_id["ha-long-thon-2"].guided) == (1, 1)

    # a team member of another village cannot record there (the server checks, whatever the chat sends)
    await make_team_member(runtime, chat, OTHER_TEAM, villages=["ha-long-thon-1"])
    async with runtime.sessionmaker() as session, session.begin():
        other = await session.scalar(select(User).where(User.platform_id == OTHER_TEAM))
        with pytest.raises(Forbidden):
            await guided.record(session, runtime.app_ctx, other, guided.Draft("Lê Thị Mai", 1950, "ha-long-thon-3",
                                                                              ["zalo-co-ban"]), clock())
    await say(chat, OTHER_TEAM, "/todoi", "5", "Lê Thị Mai", "1950")
    assert "Thôn: Thôn 1." in chat.text(OTHER_TEAM)  # the only village offered is her own
    await chat.tap_payload(OTHER_TEAM, "tm:gv:1")  # a forged village button changes nothing
    assert "Bước này đã qua" in chat.text(OTHER_TEAM)

    # /thongke, the official's list and the audit trail
    await official_chat(runtime, chat)
    text = await say(chat, OFFICIAL, "/thongke")
    assert "Được hướng dẫn trực tiếp (không dùng điện thoại): 2 người" in text
    assert "trong đó 1 người học cùng Tổ công nghệ số" in text
    assert "Thôn 3: 1/" in text and "· 1 được hướng dẫn" in text
    number = next(n for n, label in shown(chat, OFFICIAL).items() if label == "🤝 Người được hướng dẫn trực tiếp")
    listed = await say(chat, OFFICIAL, str(number))
    assert "2 ghi nhận" in listed
    labels = shown(chat, OFFICIAL)
    hoa = next(n for n, label in labels.items() if label.startswith("Trần Văn Hòa (1948) · Thôn 2 · 1 bài"))
    trail = await say(chat, OFFICIAL, str(hoa))
    assert "Lịch sử:" in trail and re.search(r"• \d\d:\d\d \d\d/\d\d/2026 — ghi nhận — Anh Tâm", trail)

    # dashboard and xlsx
    official = await add_user(runtime, "cb-web", "official", "ha-long")
    login = await web.post(await new_link(runtime, official), headers={"Origin": str(web.make_url("")).rstrip("/")},
                           allow_redirects=False)
    assert login.status == 302
    html = await (await web.get("/xa/ha-long")).text()
    card = re.search(r'data-stat="guided"><span class="label">Được hướng dẫn trực tiếp</span>'
                     r'<span class="value">(\d+)<', html)
    assert card and card.group(1) == "2"
    row = re.search(r'<tr[^>]*data-village="ha-long-thon-3">(.*?)</tr>', html, re.S)
    assert row and 'data-label="Được hướng dẫn trực tiếp">1<' in row.group(1)
    xlsx = load_workbook(io.BytesIO(await (await web.get("/xa/ha-long/xuat.xlsx")).read()))
    head, rows = table(xlsx["Theo thôn"])
    col = head.index("Được hướng dẫn trực tiếp (không dùng điện thoại)")
    assert {r[1]: r[col] for r in rows}["Thôn 3"] == 1 and {r[1]: r[col] for r in rows}["Tổng cộng"] == 2
    summary = {r[1]: r[3] for r in table(xlsx["Tổng hợp"])[1]}
    assert summary["Người được hướng dẫn trực tiếp (không dùng điện thoại)"] == 2

    # the official removes Hòa's record: counts drop, his name goes, the removal is in the trail
    assert "Xóa ghi nhận «Trần Văn Hòa»" in await say(chat, OFFICIAL, "1")
    assert "Không xóa" in shown(chat, OFFICIAL)[2]
    await say(chat, OFFICIAL, "ok")  # a yes word never removes
    assert "Đã xóa" not in chat.text(OFFICIAL)
    assert "Đã xóa ghi nhận" in await say(chat, OFFICIAL, "1")
    ov = await overview(runtime, clock)
    assert ov.totals.guided == 1 and ov.totals.covered == 1
    async with runtime.sessionmaker() as session:
        hoa_row = await session.scalar(select(GuidedPerson).where(GuidedPerson.village_id == "ha-long-thon-2"))
        assert hoa_row is not None and hoa_row.full_name is None and hoa_row.birth_year is None
        actions = list(await session.scalars(select(GuidedEvent.action).where(GuidedEvent.guided_id == hoa_row.id)))
    assert actions == ["recorded", "removed"]
    page = await (await web.get("/xa/ha-long/huong-dan")).text()  # the trail on the dashboard too
    assert "Nguyễn Thị Lan (1956)" in page and "Trần Văn Hòa" not in page and "(đã xóa thông tin)" in page
    assert "— ghi nhận —\n        Anh Tâm (thành viên Tổ công nghệ số cộng đồng)" in page
    assert re.search(r"— xóa ghi nhận —\s+(cán bộ xã|tài khoản số \d+ \(cán bộ xã\))", page)
    await say(chat, OFFICIAL, "2")  # back to the list
    gone = next(n for n, label in shown(chat, OFFICIAL).items() if "đã xóa" in label)
    assert re.search(r"— xóa ghi nhận — ", await say(chat, OFFICIAL, str(gone)))

    # later, on a phone: Lan consents, chooses Thôn 3 and says she learnt with the team
    await chat.onboard(LAN, "Hà Long", "Thôn 3")
    assert shown(chat, LAN)[11] == "🤝 Tôi đã học với tổ công nghệ"
    assert "họ và tên" in await say(chat, LAN, "11") and not chat.buttons(LAN)
    assert "chưa tìm thấy" in await say(chat, LAN, "Nguyen Thi Lan", "1957")  # wrong year: nothing matched
    await say(chat, LAN, "1", "nguyen thi lan", "1956")  # «Gõ lại»; diacritics and case do not matter
    assert "Mình đã nhờ Tổ công nghệ số" in chat.text(LAN)
    async with runtime.sessionmaker() as session:
        asked = list(await session.scalars(select(OutboxMessage).where(OutboxMessage.ref.like("guided:%:claim:%"))))
    assert len(asked) == 1 and "Nguyễn Thị Lan (sinh 1956, Thôn 3)" in asked[0].text
    assert asked[0].chat_id == TEAM and next(row[0][1] for row in asked[0].buttons).startswith("tm:gmy:")

    # the team member confirms by numbers: team home 6, then 1
    await say(chat, TEAM, "/todoi")
    assert shown(chat, TEAM)[6] == "🔔 Xác nhận người học (1)"
    assert "Nguyễn Thị Lan" in await say(chat, TEAM, "6")
    assert "10 bài đã được ghi vào tiến độ" in await say(chat, TEAM, "1")
    progress = await say(chat, LAN, "/tiendo")
    assert "Bộ kỹ năng số cơ bản (bài cốt lõi): 10/10." in progress
    assert "🤝 Học cùng Tổ công nghệ số: 10 bài" in progress
    ov = await overview(runtime, clock)  # counted once: now as a resident who finished the core set
    assert (ov.totals.guided, ov.totals.guided_core, ov.totals.core_finished, ov.totals.covered) == (1, 0, 1, 1)
    async with runtime.sessionmaker() as session:
        told = await session.scalar(select(func.count()).where(OutboxMessage.ref.like("guided:%:ok")))
    assert told == 1

    # her data: in the export; deleting it deletes her name and year on the record
    await say(chat, LAN, "/taidulieu")
    doc = next(r.document for r in chat.last[LAN] if r.document)
    mine = json.loads(doc.content)["hoc_cung_to_cong_nghe"]
    assert mine[0]["ho_ten"] == "Nguyễn Thị Lan" and mine[0]["nam_sinh"] == 1956 and len(mine[0]["bai_hoc"]) == 10
    await say(chat, LAN, "/xoadulieu")
    await chat.tap(LAN, "Xóa hết")
    async with runtime.sessionmaker() as session:
        lan = await session.scalar(select(GuidedPerson).where(GuidedPerson.village_id == "ha-long-thon-3"))
        assert lan is not None and (lan.full_name, lan.birth_year, lan.user_id) == (None, None, None)
        quoted = await session.scalar(select(func.count()).where(OutboxMessage.text.like("%Nguyễn Thị Lan%")))
    assert quoted == 0  # the request the team member got, which named her, is gone too


async def test_a_refused_match_links_nothing(runtime: Runtime, chat: Chat, clock: Clock) -> None:
    await make_team_member(runtime, chat, TEAM)
    await record_by_numbers(chat, "Phạm Thị Thu", "1960", "2", all_core=False)
    await chat.onboard(LAN, "Hà Long", "Thôn 3")
    await say(chat, LAN, "11", "Phạm Thị Thu", "1960")
    assert "đang chờ tổ trả lời" in await say(chat, LAN, "11")  # asked once; no second question
    await say(chat, TEAM, "/xacnhan")
    assert "Đã ghi: không phải" in await say(chat, TEAM, "2")
    assert "Học cùng Tổ" not in await say(chat, LAN, "/tiendo")
    async with runtime.sessionmaker() as session:
        row = await session.scalar(select(GuidedPerson))
        assert row is not None and row.user_id is None and row.claim_user_id is None
        told = await session.scalar(select(func.count()).where(OutboxMessage.ref.like("guided:%:no:%")))
    assert told == 1
    clock.advance(timedelta(minutes=1))
    assert (await overview(runtime, clock)).totals.guided == 1  # still a guided person of the village
