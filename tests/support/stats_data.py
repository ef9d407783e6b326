"""A seeded statistics dataset whose answers are computed here, independently, with plain Python over
the generated records (no SQL): `generate` makes it, `store` writes it, `expected_villages` counts."""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from bot.db.models import Attendance, Klass, LessonProgress, QuizAttempt, User
from bot.runtime import Runtime
from bot.services import periods

VN = timedelta(hours=7)  # Asia/Ho_Chi_Minh has no DST


@dataclass
class Done:
    lesson: str
    at: datetime
    commune: str
    village: str


@dataclass
class Person:
    commune: str
    village: str
    created_at: datetime
    last_seen_at: datetime
    started: dict[str, datetime] = field(default_factory=dict)
    done: list[Done] = field(default_factory=list)
    id: int = 0


@dataclass
class Quiz:
    person: int  # index into people
    lesson: str
    passed: bool
    at: datetime
    commune: str
    village: str


@dataclass
class Class_:
    commune: str
    starts_at: datetime
    status: str
    attendees: list[str]  # village of each attendance row


@dataclass
class Dataset:
    people: list[Person]
    quizzes: list[Quiz]
    classes: list[Class_]


T0 = datetime(2026, 8, 1, tzinfo=UTC)


def _when(rng: random.Random, after: datetime, until: datetime) -> datetime:
    span = (until - after).total_seconds()
    return after + timedelta(seconds=int(rng.random() * span))


def generate(runtime: Runtime, seed: int = 7, n: int = 260) -> Dataset:
    """Residents in two communes; some completed lessons while living in another commune."""
    rng = random.Random(seed)
    places = runtime.app_ctx.places
    lessons = list(runtime.app_ctx.catalog.lessons)
    core = set(runtime.app_ctx.catalog.core_ids)
    now = runtime.app_ctx.clock()
    communes = ["ha-long", "bach-ngoc"]
    people: list[Person] = []
    quizzes: list[Quiz] = []
    for _ in range(n):
        cid = rng.choice(communes)
        village = rng.choice(places.communes[cid].villages).id
        created = _when(rng, T0, now - timedelta(days=1))
        person = Person(cid, village, created, _when(rng, created, now))
        # 12% lived in the other commune before and took some lessons there
        other = None
        if rng.random() < 0.12:
            oc = communes[1 - communes.index(cid)]
            other = (oc, rng.choice(places.communes[oc].villages).id)
        diligent = rng.random() < 0.35  # finishes every core lesson (wherever they lived then)
        for lesson in lessons:
            sure = diligent and lesson in core
            if sure or rng.random() < 0.6:
                started = _when(rng, created, now)
                person.started[lesson] = started
                if sure or rng.random() < 0.6:
                    at = _when(rng, started, now)
                    where = other if other and rng.random() < 0.5 else (cid, village)
                    person.done.append(Done(lesson, at, where[0], where[1]))
                    if rng.random() < 0.4:  # a failed attempt before the pass
                        quizzes.append(Quiz(len(people), lesson, False, started, where[0], where[1]))
                    quizzes.append(Quiz(len(people), lesson, True, at, where[0], where[1]))
                elif rng.random() < 0.5:
                    quizzes.append(Quiz(len(people), lesson, False, _when(rng, started, now), cid, village))
        people.append(person)
    classes: list[Class_] = []
    for i in range(8):
        cid = communes[i % 2]
        vids = [v.id for v in places.communes[cid].villages]
        starts = _when(rng, T0, now)
        status = "cancelled" if i == 5 else ("done" if starts < now else "scheduled")
        classes.append(Class_(cid, starts, status, [rng.choice(vids) for _ in range(rng.randint(2, 9))]))
    return Dataset(people, quizzes, classes)


async def store(runtime: Runtime, data: Dataset) -> None:
    async with runtime.sessionmaker() as session, session.begin():
        users = []
        for i, p in enumerate(data.people):
            users.append(
                User(
                    channel="test",
                    platform_id=f"p{i}",
                    chat_id=f"p{i}",
                    commune_id=p.commune,
                    village_id=p.village,
                    consent_at=p.created_at,
                    created_at=p.created_at,
                    last_seen_at=p.last_seen_at,
                    role_village_ids=[],
                )
            )
        session.add_all(users)
        await session.flush()
        progress = []
        for p, u in zip(data.people, users, strict=True):
            p.id = u.id
            finished = {d.lesson: d for d in p.done}
            for lesson, started in p.started.items():
                d = finished.get(lesson)
                progress.append(
                    dict(
                        user_id=u.id,
                        lesson_id=lesson,
                        step=0,
                        started_at=started,
                        completed_at=d.at if d else None,
                        completed_commune_id=d.commune if d else None,
                        completed_village_id=d.village if d else None,
                    )
                )
        await session.execute(insert(LessonProgress), progress)
        await session.execute(
            insert(QuizAttempt),
            [
                dict(
                    user_id=users[q.person].id,
                    lesson_id=q.lesson,
                    answers=[],
                    score=0,
                    passed=q.passed,
                    commune_id=q.commune,
                    village_id=q.village,
                    finished_at=q.at,
                )
                for q in data.quizzes
            ],
        )
        for c in data.classes:
            k = Klass(
                commune_id=c.commune,
                village_ids=[],
                title="Lớp",
                place="Nhà văn hóa",
                starts_at=c.starts_at,
                status=c.status,
            )
            session.add(k)
            await session.flush()
            for v in c.attendees:
                session.add(Attendance(class_id=k.id, walk_in_name="Khách", village_id=v))


def in_period(at: datetime, period: periods.Period) -> bool:
    return (period.start is None or at >= period.start) and at < period.end


def expected_villages(runtime: Runtime, data: Dataset, cid: str, period: periods.Period) -> dict[str, dict]:
    core = set(runtime.app_ctx.catalog.core_ids)
    now = min(runtime.app_ctx.clock(), period.end)
    out: dict[str, dict] = defaultdict(Counter)
    for p in data.people:
        if p.commune == cid and p.created_at < period.end:
            out[p.village]["registered"] += 1
            if p.last_seen_at >= now - timedelta(days=30):
                out[p.village]["active"] += 1
        for d in p.done:
            if d.commune == cid and in_period(d.at, period):
                out[d.village]["completions"] += 1
        core_here = [d for d in p.done if d.lesson in core and d.commune == cid and d.at < period.end]
        if {d.lesson for d in core_here} == core:
            villages = {d.village for d in core_here}
            assert len(villages) == 1  # the generator keeps one village per commune
            out[villages.pop()]["core"] += 1
    for q in data.quizzes:
        if q.commune == cid and in_period(q.at, period):
            out[q.village]["attempts"] += 1
            out[q.village]["passed"] += int(q.passed)
    for c in data.classes:
        if c.commune == cid and c.status != "cancelled" and in_period(c.starts_at, period):
            for v in c.attendees:
                out[v]["attendance"] += 1
    return out
