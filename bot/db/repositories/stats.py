"""Statistics queries. Every function returns database-side aggregates (GROUP BY), never raw rows.

Conventions:
- registered residents are counted by `users.commune_id / village_id` (where they live now);
- completions, core-set finishers and quiz attempts by the place recorded at the time
  (`lesson_progress.completed_*`, `quiz_attempts.commune_id / village_id`);
- attendance by `attendance.village_id` of classes held in the commune;
- only people with the resident role count: team members, officials and admins trying a lesson
  are not residents reached by the campaign.
Time bounds are aware UTC datetimes; `start` is inclusive, `end` exclusive; `start=None` = no lower bound.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Date, Select, and_, bindparam, case, cast, distinct, func, literal, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import ColumnElement

from bot.db.models import (
    Attendance,
    ClassRegistration,
    ClassStatus,
    Klass,
    LessonProgress,
    QuizAttempt,
    Role,
    User,
)

NO_VILLAGE = ""  # key used for rows without a village


def _in_range(col: Any, start: datetime | None, end: datetime) -> ColumnElement[bool]:
    return and_(col >= start, col < end) if start is not None else col < end


def _key(value: str | None) -> str:
    return value or NO_VILLAGE


# The overview's statements are built once (Core tables, bound parameters) and reused: building
# and coercing a statement costs more Python time than executing these indexed aggregates.
_U, _LP, _QA = User.__table__.c, LessonProgress.__table__.c, QuizAttempt.__table__.c
_K, _A = Klass.__table__.c, Attendance.__table__.c
_RESIDENT = _U.role == Role.RESIDENT
_LP_RESIDENTS = LessonProgress.__table__.join(User.__table__, _U.id == _LP.user_id)
_QA_RESIDENTS = QuizAttempt.__table__.join(User.__table__, _U.id == _QA.user_id)


def _bound_range(col: Any, has_start: bool) -> ColumnElement[bool]:
    end = col < bindparam("end")
    return and_(col >= bindparam("start"), end) if has_start else end


def _params(commune_id: str, start: datetime | None, end: datetime, **more: Any) -> dict[str, Any]:
    out = {"c": commune_id, "end": end, **more}
    if start is not None:
        out["start"] = start
    return out


@cache
def _residents_stmt() -> Select[Any]:
    active = func.sum(case((_U.last_seen_at >= bindparam("active"), 1), else_=0))
    return (
        select(_U.village_id, func.count(), active)
        .where(_U.commune_id == bindparam("c"), _U.created_at < bindparam("end"), _RESIDENT)
        .group_by(_U.village_id)
    )


async def residents_by_village(
    session: AsyncSession, commune_id: str, end: datetime, active_since: datetime
) -> dict[str, tuple[int, int]]:
    """village -> (registered before `end`, of them seen since `active_since`)."""
    rows = await session.execute(_residents_stmt(), _params(commune_id, None, end, active=active_since))
    return {_key(v): (int(n), int(a or 0)) for v, n, a in rows.all()}


@cache
def _completions_stmt(has_start: bool) -> Select[Any]:
    return (
        select(_LP.completed_village_id, _LP.lesson_id, func.count())
        .select_from(_LP_RESIDENTS)
        .where(_LP.completed_commune_id == bindparam("c"), _bound_range(_LP.completed_at, has_start), _RESIDENT)
        .group_by(_LP.completed_village_id, _LP.lesson_id)
    )


async def completions_by_village_lesson(
    session: AsyncSession, commune_id: str, start: datetime | None, end: datetime
) -> dict[tuple[str, str], int]:
    """(village, lesson) -> completions in the period."""
    rows = await session.execute(_completions_stmt(start is not None), _params(commune_id, start, end))
    return {(_key(v), lesson): int(n) for v, lesson, n in rows.all()}


@cache
def _finishers_stmt() -> Select[Any]:
    per_user = (
        select(_LP.user_id, func.max(_LP.completed_village_id).label("village_id"))
        .select_from(_LP_RESIDENTS)
        .where(
            _RESIDENT,
            _LP.completed_commune_id == bindparam("c"),
            _LP.completed_at < bindparam("end"),
            _LP.lesson_id.in_(bindparam("core", expanding=True)),
        )
        .group_by(_LP.user_id)
        .having(func.count() == bindparam("ncore"))  # (user_id, lesson_id) is unique
        .subquery()
    )
    return select(per_user.c.village_id, func.count()).group_by(per_user.c.village_id)


async def core_finishers_by_village(
    session: AsyncSession, commune_id: str, core_ids: Sequence[str], end: datetime
) -> dict[str, int]:
    """village -> residents who completed every core lesson (all in this commune) before `end`."""
    core = sorted(set(core_ids))
    if not core:
        return {}
    rows = await session.execute(_finishers_stmt(), _params(commune_id, None, end, core=core, ncore=len(core)))
    return {_key(v): int(n) for v, n in rows.all()}


@cache
def _quiz_stmt(has_start: bool) -> Select[Any]:
    passed = func.sum(case((_QA.passed.is_(True), 1), else_=0))
    return (
        select(_QA.village_id, func.count(), passed)
        .select_from(_QA_RESIDENTS)
        .where(_QA.commune_id == bindparam("c"), _bound_range(_QA.finished_at, has_start), _RESIDENT)
        .group_by(_QA.village_id)
    )


async def quiz_by_village(
    session: AsyncSession, commune_id: str, start: datetime | None, end: datetime
) -> dict[str, tuple[int, int]]:
    """village -> (quiz attempts, passed attempts) in the period."""
    rows = await session.execute(_quiz_stmt(start is not None), _params(commune_id, start, end))
    return {_key(v): (int(n), int(p or 0)) for v, n, p in rows.all()}


@cache
def _attendance_stmt(has_start: bool) -> Select[Any]:
    return (
        select(_A.village_id, func.count())
        .select_from(Attendance.__table__.join(Klass.__table__, _K.id == _A.class_id))
        .where(
            _K.commune_id == bindparam("c"), _K.status != ClassStatus.CANCELLED, _bound_range(_K.starts_at, has_start)
        )
        .group_by(_A.village_id)
    )


async def attendance_by_village(
    session: AsyncSession, commune_id: str, start: datetime | None, end: datetime
) -> dict[str, int]:
    """village -> attendances at (not cancelled) classes of the commune held in the period."""
    rows = await session.execute(_attendance_stmt(start is not None), _params(commune_id, start, end))
    return {_key(v): int(n) for v, n in rows.all()}


@cache
def _classes_count_stmt(has_start: bool) -> Select[Any]:
    return select(func.count()).where(
        _K.commune_id == bindparam("c"), _K.status != ClassStatus.CANCELLED, _bound_range(_K.starts_at, has_start)
    )


async def classes_count(session: AsyncSession, commune_id: str, start: datetime | None, end: datetime) -> int:
    result = await session.execute(_classes_count_stmt(start is not None), _params(commune_id, start, end))
    return int(result.scalar_one())


def _local_day(dialect: str, col: Any, tz_name: str, offset_minutes: int) -> Any:
    """The local calendar day of an aware UTC column, computed by the database."""
    if dialect == "postgresql":
        return cast(func.timezone(literal(tz_name), col), Date)
    sign = "+" if offset_minutes >= 0 else "-"
    return func.date(col, literal_column(f"'{sign}{abs(offset_minutes)} minutes'"))


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


@cache
def _by_day_stmt(dialect: str, tz_name: str, offset_minutes: int, one_village: bool) -> Select[Any]:
    day = _local_day(dialect, _LP.completed_at, tz_name, offset_minutes).label("day")
    conds = [_LP.completed_commune_id == bindparam("c"), _bound_range(_LP.completed_at, True), _RESIDENT]
    if one_village:
        conds.append(_LP.completed_village_id == bindparam("v"))
    return select(day, func.count()).select_from(_LP_RESIDENTS).where(*conds).group_by(day)


async def completions_by_day(
    session: AsyncSession,
    commune_id: str,
    start: datetime,
    end: datetime,
    tz_name: str,
    offset_minutes: int,
    village_id: str | None = None,
) -> dict[date, int]:
    """Local day -> completions in the commune (or one village)."""
    dialect = session.get_bind().dialect.name
    stmt = _by_day_stmt(dialect, tz_name, offset_minutes, village_id is not None)
    params = _params(commune_id, start, end, **({"v": village_id} if village_id is not None else {}))
    return {_as_date(d): int(n) for d, n in (await session.execute(stmt, params)).all()}


async def started_by_lesson(
    session: AsyncSession, commune_id: str, start: datetime | None, end: datetime
) -> dict[str, int]:
    """lesson -> residents of the commune who started it in the period."""
    lp = LessonProgress
    stmt = (
        select(lp.lesson_id, func.count())
        .join(User, User.id == lp.user_id)
        .where(User.commune_id == commune_id, User.role == Role.RESIDENT, _in_range(lp.started_at, start, end))
        .group_by(lp.lesson_id)
    )
    return {lesson: int(n) for lesson, n in (await session.execute(stmt)).all()}


async def quiz_users_by_lesson(
    session: AsyncSession, commune_id: str, start: datetime | None, end: datetime
) -> dict[str, tuple[int, int]]:
    """lesson -> (distinct users who attempted the quiz, distinct users who passed it)."""
    qa = QuizAttempt
    passed_user = case((qa.passed.is_(True), qa.user_id), else_=None)
    stmt = (
        select(qa.lesson_id, func.count(distinct(qa.user_id)), func.count(distinct(passed_user)))
        .join(User, User.id == qa.user_id)
        .where(qa.commune_id == commune_id, User.role == Role.RESIDENT, _in_range(qa.finished_at, start, end))
        .group_by(qa.lesson_id)
    )
    return {lesson: (int(a), int(p)) for lesson, a, p in (await session.execute(stmt)).all()}


async def core_progress_histogram(
    session: AsyncSession, village_id: str, core_ids: Sequence[str], end: datetime
) -> dict[int, int]:
    """Number of core lessons completed -> residents of the village with that many (counts only)."""
    lp = LessonProgress
    done = (
        select(lp.user_id, func.count(distinct(lp.lesson_id)).label("n"))
        .where(lp.completed_at < end, lp.lesson_id.in_(list(core_ids) or [""]))
        .group_by(lp.user_id)
        .subquery()
    )
    n = func.coalesce(done.c.n, 0).label("n")
    stmt = (
        select(n, func.count())
        .select_from(User)
        .outerjoin(done, done.c.user_id == User.id)
        .where(User.village_id == village_id, User.role == Role.RESIDENT, User.created_at < end)
        .group_by(n)
    )
    return {int(k): int(c) for k, c in (await session.execute(stmt)).all()}


@dataclass(frozen=True)
class ClassRow:
    id: int
    title: str
    starts_at: datetime
    place: str
    status: str
    village_ids: list[str]
    registered: int
    attended: int


async def classes_with_attendance(
    session: AsyncSession, commune_id: str, start: datetime | None, end: datetime
) -> list[ClassRow]:
    """Classes of the commune in the period with their registration and attendance counts."""
    regs = (
        select(ClassRegistration.class_id, func.count().label("n"))
        .where(ClassRegistration.cancelled_at.is_(None))
        .group_by(ClassRegistration.class_id)
        .subquery()
    )
    att = select(Attendance.class_id, func.count().label("n")).group_by(Attendance.class_id).subquery()
    stmt = (
        select(
            Klass.id,
            Klass.title,
            Klass.starts_at,
            Klass.place,
            Klass.status,
            Klass.village_ids,
            func.coalesce(regs.c.n, 0),
            func.coalesce(att.c.n, 0),
        )
        .outerjoin(regs, regs.c.class_id == Klass.id)
        .outerjoin(att, att.c.class_id == Klass.id)
        .where(Klass.commune_id == commune_id, _in_range(Klass.starts_at, start, end))
        .order_by(Klass.starts_at.desc())
    )
    rows = (await session.execute(stmt)).all()
    return [ClassRow(i, t, s, p, st, list(v or []), int(r), int(a)) for i, t, s, p, st, v, r, a in rows]
