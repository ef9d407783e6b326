"""Realistic demo data (`hocvuso demo seed`): residents, progress, quiz attempts, classes, attendance.

Demo residents have channel "demo" and demo classes carry DEMO_NOTE, so seeding again replaces them
and never touches real people.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app_context import AppContext
from bot.db.models import Attendance, ClassRegistration, ClassStatus, Klass, LessonProgress, QuizAttempt, Role, User

DEMO_CHANNEL = "demo"
DEMO_NOTE = "Dữ liệu mẫu (hocvuso demo seed)"
MAX_RESIDENTS = 200_000

_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương"]
_MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang"]
_GIVEN = [
    "An",
    "Bình",
    "Cúc",
    "Dũng",
    "Hà",
    "Hải",
    "Hoa",
    "Hùng",
    "Lan",
    "Liên",
    "Mai",
    "Nam",
    "Phúc",
    "Sơn",
    "Tâm",
    "Thảo",
    "Thủy",
    "Tuấn",
    "Vân",
    "Xuân",
]
_PLACES = ["Nhà văn hóa thôn", "Hội trường UBND xã", "Trường tiểu học", "Bưu điện văn hóa xã"]


@dataclass(frozen=True)
class DemoSummary:
    residents: int
    completions: int
    quiz_attempts: int
    classes: int
    attendance: int


_DAY = 86_400  # seconds


def _between(rng: random.Random, start: datetime, end: datetime) -> datetime:
    if end <= start:
        return start
    return start + timedelta(seconds=int(rng.random() * (end - start).total_seconds()))


async def clear_demo(session: AsyncSession) -> None:
    """Remove earlier demo data (cascades to progress, attempts, registrations, attendance)."""
    await session.execute(delete(Klass).where(Klass.note == DEMO_NOTE))
    await session.execute(delete(User).where(User.channel == DEMO_CHANNEL))


async def seed_demo(
    session: AsyncSession, app: AppContext, residents: int, now: datetime, seed: int = 2025
) -> DemoSummary:
    """Replace the demo data with `residents` residents spread over the villages by adult population."""
    if not 1 <= residents <= MAX_RESIDENTS:
        raise ValueError(f"--residents must be between 1 and {MAX_RESIDENTS}")
    rng = random.Random(seed)
    await clear_demo(session)
    villages = list(app.places.villages.values())
    weights = [v.adults for v in villages]
    lessons = list(app.catalog.lessons)
    core = app.catalog.core_ids
    others = [lid for lid in lessons if lid not in core]
    start = now - timedelta(days=150)

    people: list[dict[str, Any]] = []
    for i in range(residents):
        village = rng.choices(villages, weights)[0]
        created = _between(rng, start, now - timedelta(hours=1))
        name = f"{rng.choice(_FAMILY)} {rng.choice(_MIDDLE)} {rng.choice(_GIVEN)}"
        people.append(
            dict(
                channel=DEMO_CHANNEL,
                platform_id=f"demo-{i + 1}",
                chat_id=f"demo-{i + 1}",
                display_name=name,
                commune_id=app.places.village_commune[village.id],
                village_id=village.id,
                consent_at=created,
                role=Role.RESIDENT,
                role_village_ids=[],
                created_at=created,
                last_seen_at=_between(rng, created, now),
            )
        )
    await session.execute(insert(User), people)
    ids = dict(
        (await session.execute(select(User.platform_id, User.id).where(User.channel == DEMO_CHANNEL))).all()
    )

    progress: list[dict[str, Any]] = []
    attempts: list[dict[str, Any]] = []
    for p in people:
        uid = ids[p["platform_id"]]
        # keen learners go through the core set first; others dip into a few lessons
        keen = rng.betavariate(2.0, 1.2)
        plan = core + rng.sample(others, k=min(len(others), int(keen * len(others))))
        n_started = max(1, int(len(plan) * min(1.0, keen * 1.4)))
        t = p["created_at"]
        for lid in plan[:n_started]:
            # a few days between lessons; a lesson not reached by `now` is simply not started yet
            started = t + timedelta(seconds=int(rng.uniform(0.2, 10) * _DAY))
            if started >= now:
                break
            done = rng.random() < 0.55 + 0.45 * keen
            finished = started + timedelta(seconds=int(rng.uniform(0.01, 3) * _DAY)) if done else None
            if finished is not None and finished >= now:  # still in the middle of it
                done, finished = False, None
            progress.append(
                dict(
                    user_id=uid,
                    lesson_id=lid,
                    step=0 if done else rng.randint(0, 3),
                    started_at=started,
                    completed_at=finished,
                    completed_commune_id=p["commune_id"] if done else None,
                    completed_village_id=p["village_id"] if done else None,
                )
            )
            place = dict(user_id=uid, lesson_id=lid, answers=[], commune_id=p["commune_id"], village_id=p["village_id"])
            if done and rng.random() < 0.3:
                attempts.append({**place, "score": 1, "passed": False, "finished_at": started})
            if done:
                attempts.append({**place, "score": 3, "passed": True, "finished_at": finished})
                t = finished or t
            elif rng.random() < 0.4:
                attempts.append({**place, "score": 1, "passed": False, "finished_at": started})
    if progress:
        await session.execute(insert(LessonProgress), progress)
    if attempts:
        await session.execute(insert(QuizAttempt), attempts)

    by_village: dict[str, list[int]] = {}
    for p in people:
        by_village.setdefault(p["village_id"], []).append(ids[p["platform_id"]])
    n_classes = n_attendance = 0
    for commune in app.places.communes.values():
        for k in range(8):
            village = rng.choice(commune.villages)
            upcoming = k >= 6
            when = (
                now + timedelta(days=rng.randint(2, 20))
                if upcoming
                else _between(rng, start + timedelta(days=20), now - timedelta(days=1))
            )
            local = when.astimezone(app.settings.tz)  # classes happen in the daytime or early evening
            when = local.replace(hour=rng.choice([8, 9, 14, 15, 19]), minute=0, second=0, microsecond=0)
            class_lesson = rng.choice(core) if core else None
            title = app.catalog.lessons[class_lesson].title if class_lesson else "Kỹ năng số cơ bản"
            klass = Klass(
                commune_id=commune.id,
                village_ids=[village.id],
                title=f"Lớp: {title}"[:200],
                lesson_id=class_lesson,
                place=f"{rng.choice(_PLACES)} {village.name}",
                starts_at=when,
                capacity=30,
                note=DEMO_NOTE,
                status=ClassStatus.SCHEDULED if upcoming else ClassStatus.DONE,
                created_at=when - timedelta(days=7),
                updated_at=when - timedelta(days=7),
            )
            session.add(klass)
            await session.flush()
            n_classes += 1
            pool = by_village.get(village.id, [])
            registered = rng.sample(pool, k=min(len(pool), rng.randint(5, 25)))
            if registered:
                await session.execute(
                    insert(ClassRegistration),
                    [dict(class_id=klass.id, user_id=u, registered_at=when - timedelta(days=3)) for u in registered],
                )
            if upcoming:
                continue
            came = [
                dict(class_id=klass.id, user_id=u, walk_in_name=None, village_id=village.id, marked_at=when)
                for u in registered
                if rng.random() < 0.75
            ]
            came += [
                dict(
                    class_id=klass.id,
                    user_id=None,
                    walk_in_name=f"{rng.choice(_FAMILY)} {rng.choice(_GIVEN)}",
                    village_id=village.id,
                    marked_at=when,
                )
                for _ in range(rng.randint(0, 4))
            ]
            if came:
                await session.execute(insert(Attendance), came)
            n_attendance += len(came)
    completions = sum(1 for r in progress if r["completed_at"] is not None)
    return DemoSummary(residents, completions, len(attempts), n_classes, n_attendance)
