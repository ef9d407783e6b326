"""The morning after a class: registered residents who did not come get one kind message with the
lesson the class covered and the next class in their village.

Written to the outbox by the scheduler's tick from FOLLOWUP_TIME local on the day after the class
(until FOLLOWUP_CATCH_UP later, if the bot was down at 08:00). The ref `cns:<class id>` and the
outbox's unique (ref, user) make it once per class and person, whatever restarts or repeated ticks
happen; the sender then respects each channel's rules (Zalo OA's 48-hour window: rows of people
silent longer are skipped here, as for reminders).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot import callbacks as cb
from bot.app_context import AppContext
from bot.db.models import Klass, User
from bot.db.repositories import checkins as repo
from bot.db.repositories import classes as classes_repo
from bot.messages import Button
from bot.services.classes import class_text
from bot.services.dateparse import format_when
from bot.services.outbox import enqueue_for_users

FOLLOWUP_TIME = time(8, 0)
FOLLOWUP_CATCH_UP = timedelta(hours=12)
LOOK_BACK = timedelta(days=2)


def followup_ref(klass: Klass) -> str:
    return f"cns:{klass.id}"


def followup_moment(app: AppContext, klass: Klass) -> datetime:
    """08:00 local on the day after the class started."""
    day = klass.starts_at.astimezone(app.settings.tz).date() + timedelta(days=1)
    return datetime.combine(day, FOLLOWUP_TIME, tzinfo=app.settings.tz)


async def _next_class(session: AsyncSession, klass: Klass, village_id: str | None, now: datetime) -> Klass | None:
    for other in await classes_repo.upcoming_in_commune(session, klass.commune_id, now):
        if other.id != klass.id and (not other.village_ids or village_id in other.village_ids):
            return other
    return None


def _message(app: AppContext, klass: Klass, upcoming: Klass | None) -> tuple[str, list[list[Button]]]:
    lesson = app.catalog.get(klass.lesson_id) if klass.lesson_id else None
    lines = [
        f"Chào bạn! Hôm qua bạn đã đăng ký lớp «{klass.title}» ({format_when(klass.starts_at, app.settings.tz)}, "
        f"{klass.place}) mà chưa đến được. Không sao cả, mình gửi bạn bài của lớp để bạn học lúc rảnh nhé."
    ]
    buttons: list[list[Button]] = []
    if lesson:
        lines.append(f"\n📘 Lớp đã học bài «{lesson.title}». Bấm «📚 Học bài này» để học ngay trong chat.")
        buttons.append([cb.OpenLesson(lesson.id).button("📚 Học bài này")])
    if upcoming:
        lines.append("\n📅 Lớp tiếp theo ở thôn bạn:\n" + class_text(upcoming, app.places, app))
        lines.append("Bấm «Tôi sẽ tham gia» để đăng ký.")
        buttons.append([cb.ClassRegister(upcoming.id).button("✅ Tôi sẽ tham gia")])
    else:
        lines.append("\nKhi có lớp mới ở thôn bạn, mình sẽ báo ngay.")
    buttons.append([cb.MenuMain().button("☰ Menu")])
    return "\n".join(lines), buttons


async def enqueue_no_show_messages(session: AsyncSession, app: AppContext, now: datetime) -> int:
    """Write the due «sorry we missed you» messages; returns rows added (0 when all were written before)."""
    added = 0
    for klass in await repo.held_between(session, now - LOOK_BACK, now):
        moment = followup_moment(app, klass)
        if not moment <= now < moment + FOLLOWUP_CATCH_UP:
            continue
        by_village: dict[str | None, list[User]] = {}
        for person in await repo.no_shows(session, klass.id):
            by_village.setdefault(person.village_id, []).append(person)
        ref = followup_ref(klass)
        for village_id, people in by_village.items():
            text, buttons = _message(app, klass, await _next_class(session, klass, village_id, now))
            # people Zalo's OA would refuse (silent 48 h, quota used) are marked by enqueue_for_users
            added += await enqueue_for_users(session, app, ref, people, text, now, buttons)
    return added
