"""Statistics for officials: one service used by chat, web, CLI and the monthly report.

The database does the counting (see `bot.db.repositories.stats`); this module only joins the
small aggregate results with the places and lessons, and applies the access rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from bot.app_context import AppContext
from bot.content.places import Commune
from bot.db.models import Role, User
from bot.db.repositories import guided as guided_repo
from bot.db.repositories import practice as practice_repo
from bot.db.repositories import stats as repo
from bot.services.errors import UserError
from bot.services.periods import Period, local_midnight
from bot.services.roles import require_official
from bot.services.targets import TARGET as TARGET
from bot.services.targets import Pace, make_pace, pace_window

ACTIVE_DAYS = 30
TREND_WEEKS = 12
UNKNOWN_VILLAGE_NAME = "Chưa rõ thôn"


# ---------------------------------------------------------------- results


@dataclass
class AreaStats:
    """Numbers for one village, or for a whole commune."""

    id: str
    name: str
    adults: int
    registered: int = 0
    active_30d: int = 0
    completions: int = 0
    core_finished: int = 0
    quiz_attempts: int = 0
    quiz_passed: int = 0
    attendance: int = 0
    practiced: int = 0  # «thực hành»: people who did a real task (scanned the practice QR code)
    guided: int = 0  # «được hướng dẫn trực tiếp»: people a team member guided without a phone, in the period
    guided_core: int = 0  # of the guided people not linked to a phone account: those who practised every core lesson
    pace: Pace | None = None  # coverage pace over the last 4 weeks (commune overviews)

    @property
    def covered(self) -> int:
        """People who learnt the core set: in chat (core_finished) or with a helper (guided_core); nobody
        counts twice, since a guided person linked to her phone counts through her own progress."""
        return self.core_finished + self.guided_core

    @property
    def coverage(self) -> float:
        """Learnt the core set (on a phone or with a helper) / adult population estimate."""
        return self.covered / self.adults if self.adults else 0.0

    @property
    def quiz_pass_rate(self) -> float | None:
        return self.quiz_passed / self.quiz_attempts if self.quiz_attempts else None

    @property
    def meets_target(self) -> bool:
        return self.coverage > TARGET


@dataclass
class LessonStats:
    id: str
    title: str
    core: bool
    completions: int = 0
    by_village: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class WeekPoint:
    week_start: date  # Monday, local time
    completions: int


@dataclass
class CommuneOverview:
    commune_id: str
    name: str
    province: str
    period: Period
    totals: AreaStats
    villages: list[AreaStats]
    lessons: list[LessonStats]
    weekly: list[WeekPoint]
    classes: int
    core_count: int
    target: float = TARGET


@dataclass(frozen=True)
class FunnelRow:
    lesson_id: str
    title: str
    core: bool
    started: int
    completed: int
    quiz_attempted: int
    quiz_passed: int


@dataclass
class VillageDetail:
    commune: CommuneOverview
    stats: AreaStats
    by_core_done: list[tuple[int, int]]  # (core lessons completed, residents)
    lessons: list[tuple[LessonStats, int]]  # (lesson, completions in this village)
    weekly: list[WeekPoint]


# ---------------------------------------------------------------- access


def authorize(viewer: User | None, app: AppContext, commune_id: str) -> Commune:
    """The commune, if `viewer` may see it (its official or an admin); raise otherwise."""
    require_official(viewer, commune_id)
    commune = app.places.communes.get(commune_id)
    if commune is None:
        raise UserError("Không tìm thấy xã này.")
    return commune


def visible_communes(viewer: User | None, app: AppContext) -> list[Commune]:
    user = require_official(viewer)
    if user.role_commune_id and user.role != Role.ADMIN:
        commune = app.places.communes.get(user.role_commune_id)
        return [commune] if commune else []
    return list(app.places.communes.values())


def get_commune(app: AppContext, commune_id: str) -> Commune:
    """For trusted callers (CLI, scheduler): the commune or a UserError."""
    commune = app.places.communes.get(commune_id)
    if commune is None:
        known = ", ".join(app.places.communes)
        raise UserError(f"Không có xã mã {commune_id!r}. Các mã xã: {known}.")
    return commune


# ---------------------------------------------------------------- queries


def _offset_minutes(app: AppContext, at: datetime) -> int:
    off = at.astimezone(app.settings.tz).utcoffset() or timedelta(0)
    return int(off.total_seconds() // 60)


def _weeks(days: dict[date, int], first: date, last: date) -> list[WeekPoint]:
    """Fold per-day counts (from the database) into Monday-based weeks, zeros included."""
    start = first - timedelta(days=first.weekday())
    buckets: dict[date, int] = {}
    week = start
    while week <= last:
        buckets[week] = 0
        week += timedelta(days=7)
    for day, n in days.items():
        monday = day - timedelta(days=day.weekday())
        if monday in buckets:
            buckets[monday] += n
    return [WeekPoint(w, n) for w, n in buckets.items()]


async def _weekly(
    session: AsyncSession, app: AppContext, commune_id: str, period: Period, village_id: str | None = None
) -> list[WeekPoint]:
    tz = app.settings.tz
    end_local = (period.end - timedelta(microseconds=1)).astimezone(tz).date()
    window_start = local_midnight(end_local - timedelta(weeks=TREND_WEEKS - 1, days=end_local.weekday()), tz)
    start = max(period.start, window_start) if period.start is not None else window_start
    days = await repo.completions_by_day(
        session, commune_id, start, period.end, app.settings.timezone, _offset_minutes(app, period.end), village_id
    )
    return _weeks(days, start.astimezone(tz).date(), end_local)


async def commune_overview(
    session: AsyncSession, app: AppContext, commune_id: str, period: Period, *, with_trend: bool = True
) -> CommuneOverview:
    """Everything the overview shows: totals, the per-village table, per-lesson counts, weekly trend."""
    commune = get_commune(app, commune_id)
    now = min(app.clock(), period.end)
    residents = await repo.residents_by_village(session, commune_id, period.end, now - timedelta(days=ACTIVE_DAYS))
    completions = await repo.completions_by_village_lesson(session, commune_id, period.start, period.end)
    core_ids = app.catalog.core_ids
    finishers = await repo.core_finishers_by_village(session, commune_id, core_ids, period.end)
    earlier = await repo.core_finishers_by_village(session, commune_id, core_ids, pace_window(period.end))
    quiz = await repo.quiz_by_village(session, commune_id, period.start, period.end)
    attendance = await repo.attendance_by_village(session, commune_id, period.start, period.end)
    n_classes = await repo.classes_count(session, commune_id, period.start, period.end)
    practiced = await practice_repo.done_people_by_village(session, commune_id, period.start, period.end)
    guided = await guided_repo.guided_by_village(session, commune_id, period.start, period.end)
    guided_core = await guided_repo.guided_core_by_village(session, commune_id, core_ids, period.end)
    guided_earlier = await guided_repo.guided_core_by_village(session, commune_id, core_ids, pace_window(period.end))

    rows: dict[str, AreaStats] = {v.id: AreaStats(v.id, v.name, v.adults) for v in commune.villages}

    def row(key: str) -> AreaStats:
        if key not in rows:
            rows[key] = AreaStats(key, UNKNOWN_VILLAGE_NAME, 0)
        return rows[key]

    for key, (registered, active) in residents.items():
        r = row(key)
        r.registered, r.active_30d = registered, active
    lessons = {lid: LessonStats(lid, lesson.title, lesson.core) for lid, lesson in app.catalog.lessons.items()}
    for (key, lid), n in completions.items():
        row(key).completions += n
        if lid not in lessons:  # a lesson removed from the catalog still counts
            lessons[lid] = LessonStats(lid, lid, False)
        lessons[lid].completions += n
        lessons[lid].by_village[key] = lessons[lid].by_village.get(key, 0) + n
    for key, n in finishers.items():
        row(key).core_finished = n
    for key, (attempts, passed) in quiz.items():
        r = row(key)
        r.quiz_attempts, r.quiz_passed = attempts, passed
    for key, n in attendance.items():
        row(key).attendance = n
    for village_key, n in practiced.items():
        row(village_key or "").practiced = n
    for key, n in guided.items():
        row(key).guided = n
    for key, n in guided_core.items():
        row(key).guided_core = n
    for key, n in guided_earlier.items():
        earlier[key] = earlier.get(key, 0) + n

    known = [rows[v.id] for v in commune.villages]
    village_ids = {v.id for v in commune.villages}
    unknown = [r for k, r in rows.items() if k not in village_ids]
    villages = known + unknown
    totals = AreaStats(commune.id, commune.name, commune.adults)
    for r in villages:
        for attr in (
            "registered",
            "active_30d",
            "completions",
            "core_finished",
            "quiz_attempts",
            "quiz_passed",
            "attendance",
            "practiced",
            "guided",
            "guided_core",
        ):
            setattr(totals, attr, getattr(totals, attr) + getattr(r, attr))
    tz, end_day = app.settings.tz, app.settings.campaign_end
    for r in villages:
        r.pace = make_pace(r.adults, r.covered, earlier.get(r.id, 0), period.end, tz, end_day)
    totals.pace = make_pace(totals.adults, totals.covered, sum(earlier.values()), period.end, tz, end_day)
    weekly = await _weekly(session, app, commune_id, period) if with_trend else []
    return CommuneOverview(
        commune.id,
        commune.name,
        commune.province,
        period,
        totals,
        villages,
        list(lessons.values()),
        weekly,
        n_classes,
        len(core_ids),
    )


async def communes_summary(session: AsyncSession, app: AppContext, period: Period) -> list[AreaStats]:
    """Totals per commune (admin view)."""
    out = []
    for cid in app.places.communes:
        out.append((await commune_overview(session, app, cid, period, with_trend=False)).totals)
    return out


async def village_detail(
    session: AsyncSession, app: AppContext, commune_id: str, village_id: str, period: Period
) -> VillageDetail:
    """One village: its numbers, residents by core progress (counts only), lessons, weekly trend."""
    commune = get_commune(app, commune_id)
    if village_id not in {v.id for v in commune.villages}:
        raise UserError("Thôn này không thuộc xã.")
    overview = await commune_overview(session, app, commune_id, period, with_trend=False)
    stats = next(r for r in overview.villages if r.id == village_id)
    core_ids = app.catalog.core_ids
    hist = await repo.core_progress_histogram(session, village_id, core_ids, period.end)
    by_core = [(k, hist.get(k, 0)) for k in range(len(core_ids) + 1)]
    lessons = [(lesson, lesson.by_village.get(village_id, 0)) for lesson in overview.lessons]
    weekly = await _weekly(session, app, commune_id, period, village_id)
    return VillageDetail(overview, stats, by_core, lessons, weekly)


async def lesson_funnel(session: AsyncSession, app: AppContext, commune_id: str, period: Period) -> list[FunnelRow]:
    """Per lesson: residents who started it → completions → quiz attempted / passed (distinct users)."""
    get_commune(app, commune_id)
    started = await repo.started_by_lesson(session, commune_id, period.start, period.end)
    completions = await repo.completions_by_village_lesson(session, commune_id, period.start, period.end)
    quiz = await repo.quiz_users_by_lesson(session, commune_id, period.start, period.end)
    done: dict[str, int] = {}
    for (_v, lid), n in completions.items():
        done[lid] = done.get(lid, 0) + n
    ids = list(app.catalog.lessons) + sorted((set(started) | set(done) | set(quiz)) - set(app.catalog.lessons))
    out = []
    for lid in ids:
        lesson = app.catalog.get(lid)
        attempted, passed = quiz.get(lid, (0, 0))
        out.append(
            FunnelRow(
                lid,
                lesson.title if lesson else lid,
                bool(lesson and lesson.core),
                started.get(lid, 0),
                done.get(lid, 0),
                attempted,
                passed,
            )
        )
    return out


async def commune_classes(
    session: AsyncSession, app: AppContext, commune_id: str, period: Period
) -> list[repo.ClassRow]:
    get_commune(app, commune_id)
    return await repo.classes_with_attendance(session, commune_id, period.start, period.end)
