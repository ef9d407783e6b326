"""Targets per village (coverage, pace over the last 4 weeks, projected month to pass 80%, «chưa đạt»
by the campaign's end), checked against an independent day-by-day computation over the generated
records; team members, officials and admins are not counted as residents."""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from fractions import Fraction

from openpyxl import load_workbook

import bot.engine.flows.official  # noqa: F401  (registers /thongke)
from bot.db.models import LessonProgress, QuizAttempt, User
from bot.runtime import Runtime
from bot.services import periods, reports, stats
from bot.services.invites import create_invite
from tests.support.chat import Chat
from tests.support.stats_data import Dataset, expected_villages, generate, store


def _finishers(runtime: Runtime, data: Dataset, cid: str, before: datetime) -> dict[str, int]:
    """village -> residents with every core lesson completed in the commune before `before`."""
    core = set(runtime.app_ctx.catalog.core_ids)
    out: dict[str, int] = {}
    for p in data.people:
        here = [d for d in p.done if d.lesson in core and d.commune == cid and d.at < before]
        if {d.lesson for d in here} == core:
            out[here[0].village] = out.get(here[0].village, 0) + 1
    return out


def _projection(adults: int, now_count: int, gained: int, today: date) -> date | None:
    """Walk forward day by day at the 4-week rate until more than 80% of adults (whole people) finish."""
    if now_count * 5 > adults * 4:
        return today
    if gained == 0:
        return None
    rate = Fraction(gained, 28)
    day = 0
    while (now_count + rate * day).__floor__() * 5 <= adults * 4:
        day += 1
    return today + timedelta(days=day)


async def _staff(runtime: Runtime, village: str) -> None:
    """A team member, an official and an admin living in `village`, each with the whole core set done."""
    core = runtime.app_ctx.catalog.core_ids
    at = runtime.app_ctx.clock() - timedelta(days=3)
    async with runtime.sessionmaker() as session, session.begin():
        for role in ("team", "official", "admin"):
            u = User(
                channel="test",
                platform_id=f"staff-{role}",
                chat_id=f"staff-{role}",
                commune_id="ha-long",
                village_id=village,
                consent_at=at,
                created_at=at,
                last_seen_at=at,
                role=role,
                role_commune_id="ha-long",
                role_village_ids=[],
            )
            session.add(u)
            await session.flush()
            for lid in core:
                session.add(
                    LessonProgress(
                        user_id=u.id,
                        lesson_id=lid,
                        step=0,
                        started_at=at,
                        completed_at=at,
                        completed_commune_id="ha-long",
                        completed_village_id=village,
                    )
                )
                session.add(
                    QuizAttempt(
                        user_id=u.id,
                        lesson_id=lid,
                        answers=[],
                        score=3,
                        passed=True,
                        commune_id="ha-long",
                        village_id=village,
                        finished_at=at,
                    )
                )


async def test_pace_matches_an_independent_computation(runtime: Runtime, chat: Chat) -> None:
    app = runtime.app_ctx
    data = generate(runtime, seed=13, n=420)
    await store(runtime, data)
    await _staff(runtime, "ha-long-thon-1")
    now = app.clock()
    today = now.astimezone(app.settings.tz).date()
    period = periods.all_time(now)
    exp = expected_villages(runtime, data, "ha-long", period)
    at_end = _finishers(runtime, data, "ha-long", now)
    at_start = _finishers(runtime, data, "ha-long", now - timedelta(days=28))
    villages = app.places.communes["ha-long"].villages
    assert sum(at_end.values()) > sum(at_start.values())  # the data has a pace to measure

    for campaign_end in (date(2026, 12, 31), date(2031, 6, 30)):
        app.settings = app.settings.model_copy(update={"campaign_end": campaign_end})
        async with runtime.sessionmaker() as session:
            ov = await stats.commune_overview(session, app, "ha-long", period, with_trend=False)
        rows = {a.id: a for a in ov.villages}
        verdicts = []
        for v in villages:
            a, pace = rows[v.id], rows[v.id].pace
            assert pace is not None
            # staff are not residents: the village counts only the generated residents
            assert (a.registered, a.core_finished) == (exp[v.id]["registered"], exp[v.id]["core"])
            gained = at_end.get(v.id, 0) - at_start.get(v.id, 0)
            assert pace.gained == gained, v.id
            reach = _projection(v.adults, at_end.get(v.id, 0), gained, today)
            assert reach != today and not pace.reached  # the seeded villages are far from 80%
            assert pace.reach_on == reach, v.id
            expected_month = "–" if reach is None else f"{reach:%m/%Y}"
            assert pace.reach_month == expected_month, v.id
            on_track = reach is not None and reach <= campaign_end
            assert pace.on_track == on_track and pace.verdict == ("Đúng tiến độ" if on_track else "Chưa đạt")
            verdicts.append(pace.verdict)

            # the same figures in the report's village table and in the chat text
            text = reports.overview_text(ov)
            assert pace.pace_text() in text
            if not on_track:
                assert f"chưa đạt (hạn {campaign_end:%d/%m/%Y})" in pace.pace_text()
        body = reports.overview_xlsx(ov, app.settings.tz, now)
        ws = load_workbook(io.BytesIO(body))["Theo thôn"]
        table = {r[1]: r for r in ws.iter_rows(min_row=10, values_only=True) if r[1]}
        for v in villages:
            pace = rows[v.id].pace
            assert pace is not None
            assert table[v.name][-3:] == (pace.gained, pace.reach_month, pace.verdict)
        if campaign_end.year == 2026:
            assert "Chưa đạt" in verdicts
        else:
            assert "Đúng tiến độ" in verdicts

    # /thongke shows the pace per village
    await chat.onboard("canbo")
    async with runtime.sessionmaker() as session, session.begin():
        invite = await create_invite(session, app.places, "official", "ha-long", [], app.clock())
    await chat.say("canbo", f"/ma {invite.code}")
    await chat.say("canbo", "/thongke")
    shown = chat.text("canbo")
    async with runtime.sessionmaker() as session:
        ov = await stats.commune_overview(session, app, "ha-long", periods.all_time(app.clock()), with_trend=False)
    first = ov.villages[0].pace
    assert first is not None and first.pace_text() in shown and "Tiến độ:" in shown
